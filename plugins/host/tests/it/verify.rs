//! Well-behaved guests: verdicts, info, generate, reuse mode.

use std::num::NonZeroU32;

use proctor_plugin_host::{Error, PluginConfig, Status, Task, World};

use crate::{guests, host, load, load_exact};

fn task(reference: &str) -> Task {
    Task::new("t1", "What is 2+2?").with_reference(reference)
}

#[test]
fn exact_verifier_scores_responses() {
    let host = host();
    let plugin = load_exact(&host);
    let info = plugin.info();
    assert_eq!(
        (info.name.as_str(), info.version.as_str()),
        ("test-guest", "0.1.0")
    );
    assert_eq!(info.kinds, vec!["exact".to_owned()]);
    assert_eq!(info.world, World::Verifier);
    assert_eq!(info.package, "proctor:verifier@0.1.0");
    assert!(!info.uses_wasi);

    let cases = [
        ("4", "4", Status::Correct, 1.0),
        ("4", "5", Status::Incorrect, 0.0),
        ("42", "4", Status::Incorrect, 0.0),
    ];
    for (reference, response, status, score) in cases {
        let verdict = plugin.verify(&task(reference), response);
        assert_eq!(
            (verdict.status, verdict.score),
            (status, score),
            "{reference} vs {response}: {verdict:?}"
        );
    }
    let verdict = plugin.verify(&task("4"), "4");
    assert_eq!(verdict.detail, "match");
    assert_eq!(
        serde_json::to_string(&verdict).unwrap(),
        r#"{"score":1.0,"status":"correct","detail":"match"}"#
    );
}

#[test]
fn large_responses_are_passed_in_full() {
    let host = host();
    let plugin = load_exact(&host);
    let long = "x".repeat(300_000);
    assert_eq!(plugin.verify(&task(&long), &long).status, Status::Correct);
    let mut other = long.clone();
    other.replace_range(299_999.., "y");
    assert_eq!(
        plugin.verify(&task(&long), &other).status,
        Status::Incorrect
    );
}

#[test]
fn environment_generates_tasks() {
    let host = host();
    let plugin = load(
        &host,
        "env",
        guests::exact_environment(),
        PluginConfig::default(),
    );
    assert_eq!(plugin.info().world, World::Environment);
    let task = plugin.generate("exact", 7, 3).unwrap();
    assert_eq!(task, Task::new("test-guest", "0.1.0"));
    match plugin.generate("exact", 7, 11) {
        Err(Error::GenerateRejected { reason, kind, .. }) => {
            assert_eq!((reason.as_str(), kind.as_str()), ("too hard", "exact"))
        }
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn generate_on_a_verifier_is_an_error() {
    let host = host();
    let plugin = load_exact(&host);
    assert!(matches!(
        plugin.generate("exact", 1, 1),
        Err(Error::NotAnEnvironment { .. })
    ));
}

#[test]
fn fresh_instances_do_not_share_state() {
    let host = host();
    let plugin = load(
        &host,
        "counter",
        guests::hostile(&guests::body::counter()),
        PluginConfig::default(),
    );
    for _ in 0..3 {
        let verdict = plugin.verify(&task("4"), "4");
        assert_eq!((verdict.status, verdict.score), (Status::Partial, 0.1));
    }
}

#[test]
fn fresh_instances_see_pristine_memory() {
    // Pooled memory slots are reset in place between instances (only the dirtied pages, when
    // the kernel supports PAGEMAP_SCAN): data-image bytes, zeroed bytes and grown pages must
    // all read as new in the next instance.
    let host = host();
    let plugin = load(
        &host,
        "memory-counter",
        guests::hostile(&guests::body::memory_counter()),
        PluginConfig::default(),
    );
    for _ in 0..5 {
        let verdict = plugin.verify(&task("4"), "4");
        assert_eq!((verdict.status, verdict.score), (Status::Partial, 0.3));
    }
    let reused = load(
        &host,
        "memory-counter",
        guests::hostile(&guests::body::memory_counter()),
        PluginConfig {
            reuse: NonZeroU32::new(2),
            ..PluginConfig::default()
        },
    );
    let scores: Vec<f64> = (0..4)
        .map(|_| reused.verify(&task("4"), "4").score)
        .collect();
    assert_eq!(scores, vec![0.3, 0.5, 0.3, 0.5]);
}

#[test]
fn reuse_mode_recycles_every_n_calls_and_after_a_trap() {
    let host = host();
    let config = PluginConfig {
        reuse: NonZeroU32::new(3),
        ..PluginConfig::default()
    };
    let plugin = load(
        &host,
        "counter",
        guests::hostile(&guests::body::counter()),
        config,
    );
    let scores: Vec<f64> = (0..5)
        .map(|_| plugin.verify(&task("4"), "4").score)
        .collect();
    assert_eq!(scores, vec![0.1, 0.2, 0.3, 0.1, 0.2]);
    assert_eq!(plugin.verify(&task("4"), "boom").status, Status::Trap);
    // The trapped instance was dropped: the next call starts from a fresh one.
    assert_eq!(plugin.verify(&task("4"), "4").score, 0.1);
}

#[test]
fn builtin_exact_checks_numeric_answers() {
    let host = host();
    let plugin = host
        .load(&proctor_plugin_host::PluginSource::parse("builtin:exact"))
        .unwrap();
    assert_eq!(plugin.info().name, "exact");
    assert_eq!(
        plugin.info().kinds,
        vec!["exact".to_owned(), "numeric".to_owned()]
    );
    assert!(!plugin.info().uses_wasi);
    let task = Task::new("t", "What is 6 * 7?").with_reference("42");
    let cases = [
        ("#### 42", Status::Correct),
        ("The answer is \\boxed{42}.", Status::Correct),
        ("Answer: 41", Status::Incorrect),
        ("no idea", Status::Unparsable),
    ];
    for (response, status) in cases {
        assert_eq!(plugin.verify(&task, response).status, status, "{response}");
    }
    assert_eq!(
        plugin.verify(&Task::new("t", "p"), "42").status,
        Status::InvalidTask
    );
}
