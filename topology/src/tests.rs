//! Table-driven tests: each bad snippet must be rejected with an issue naming its key path.

use crate::{LoadOptions, Origin, TopologyError, ValidationContext, load, parse_str};
use std::path::{Path, PathBuf};

const VALID: &str = r#"
[run]
name = "arith"
seed = 7
steps = 10

[model]
path = "builtin:tiny"

[data]
train = "train.jsonl"
prompts_per_step = 2

[policy]
sampling = { n = 8, temperature = 1.0, max_new_tokens = 16 }

[learner]
algorithm = "grpo"
lr = 1e-5
micro_batch_size = 4
"#;

/// A temporary folder holding the topology text and the data file it names.
fn write_topology(text: &str) -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        folder.path().join("train.jsonl"),
        "{\"prompt\":\"1+1\",\"answer\":\"2\"}\n",
    )
    .expect("write data");
    let file = folder.path().join("topology.toml");
    std::fs::write(&file, text).expect("write topology");
    (folder, file)
}

fn no_env() -> LoadOptions {
    LoadOptions {
        set: Vec::new(),
        env: Some(Vec::new()),
    }
}

/// Loads `VALID` with `edit` applied and returns the issues' `key: message` lines.
fn issues_for(text: &str, options: &LoadOptions) -> Vec<String> {
    let (_folder, file) = write_topology(text);
    match load(&file, options, &ValidationContext::default()) {
        Ok(_) => Vec::new(),
        Err(TopologyError::Invalid { issues, .. }) => {
            issues.iter().map(ToString::to_string).collect()
        }
        Err(other) => vec![other.to_string()],
    }
}

fn replace(from: &str, to: &str) -> String {
    assert!(VALID.contains(from), "test edit `{from}` does not apply");
    VALID.replacen(from, to, 1)
}

#[test]
fn the_valid_example_validates_with_defaults_filled() {
    let (folder, file) = write_topology(VALID);
    let loaded = load(&file, &no_env(), &ValidationContext::default()).expect("valid");
    let topology = loaded.topology;
    assert_eq!(topology.run.name, "arith");
    assert_eq!(topology.data.train, Some(folder.path().join("train.jsonl")));
    assert_eq!(topology.learner.clip.low, 0.2);
    assert_eq!(topology.learner.clip.high, 0.28);
    assert_eq!(topology.verifier.plugins, vec!["builtin:math".to_string()]);
    assert_eq!(topology.rollouts_per_step(), 16);
    assert!(topology.to_toml().contains("micro_batch_size = 4"));
}

#[test]
fn rollout_counts_that_overflow_are_an_issue_not_a_panic() {
    let text = replace(
        "prompts_per_step = 2",
        "prompts_per_step = 2305843009213693952",
    );
    let issues = issues_for(&text, &no_env());
    assert!(
        issues
            .iter()
            .any(|issue| issue.contains("data.prompts_per_step") && issue.contains("64 bits")),
        "{issues:?}"
    );
}

#[test]
fn zero_fuel_means_no_fuel_budget_and_validates() {
    let text = format!("{VALID}\n[verifier]\nlimits = {{ fuel = 0, timeout_ms = 500 }}\n");
    let (_folder, file) = write_topology(&text);
    let loaded = load(&file, &no_env(), &ValidationContext::default()).expect("valid");
    assert_eq!(loaded.topology.verifier.limits.fuel, 0);
    assert_eq!(loaded.topology.verifier.limits.timeout_ms, 500);
}

#[test]
fn each_class_of_bad_input_names_its_key_path() {
    let table: Vec<(&str, String, &str, &str)> = vec![
        (
            "unknown key",
            replace("lr = 1e-5", "lr = 1e-5\nbogus_key = 1"),
            "learner.bogus_key",
            "unknown key",
        ),
        (
            "typo with suggestion",
            replace("lr = 1e-5", "lrr = 1e-5"),
            "learner.lrr",
            "did you mean `learner.lr`",
        ),
        (
            "unknown section",
            format!("{VALID}\n[learnr]\nlr = 1.0\n"),
            "learnr",
            "did you mean `learner`",
        ),
        (
            "wrong type",
            replace("steps = 10", "steps = \"ten\""),
            "run.steps",
            "invalid type",
        ),
        (
            "unknown enum value",
            replace("\"grpo\"", "\"grop\""),
            "learner.algorithm",
            "did you mean `grpo`",
        ),
        (
            "missing required key",
            replace("steps = 10", ""),
            "run.steps",
            "required key is missing",
        ),
        (
            "temperature out of range",
            replace("temperature = 1.0", "temperature = -0.5"),
            "policy.sampling.temperature",
            "out of range",
        ),
        (
            "top_p out of range",
            replace("temperature = 1.0", "top_p = 1.5"),
            "policy.sampling.top_p",
            "0 < top_p ≤ 1",
        ),
        (
            "clip out of range",
            replace("lr = 1e-5", "lr = 1e-5\nclip = { low = 1.2 }"),
            "learner.clip.low",
            "ε_low",
        ),
        (
            "lr out of range",
            replace("lr = 1e-5", "lr = 0"),
            "learner.lr",
            "0 < lr < 1",
        ),
        (
            "batch arithmetic",
            replace("micro_batch_size = 4", "micro_batch_size = 6"),
            "learner.micro_batch_size",
            "data.prompts_per_step = 2 × policy.sampling.n = 8 = 16 rollouts",
        ),
        (
            "mini-batch arithmetic",
            replace(
                "micro_batch_size = 4",
                "micro_batch_size = 1\nmini_batches = 3",
            ),
            "learner.mini_batches",
            "does not divide",
        ),
        (
            "group size",
            replace("n = 8", "n = 1"),
            "policy.sampling.n",
            "n ≥ 2",
        ),
        (
            "missing device",
            replace("[policy]", "[policy]\ndevices = [\"cuda:1\"]"),
            "policy.devices[0]",
            "does not exist",
        ),
        (
            "malformed device",
            replace("[policy]", "[policy]\ndevices = [\"gpu\"]"),
            "policy.devices[0]",
            "expected `cpu` or `cuda:N`",
        ),
        (
            "device count",
            replace(
                "[policy]",
                "[policy]\nreplicas = 3\ndevices = [\"cpu\", \"cpu\"]",
            ),
            "policy.devices",
            "one device per replica",
        ),
        (
            "missing data file",
            replace("train.jsonl", "absent.jsonl"),
            "data.train",
            "does not exist",
        ),
        (
            "missing model dir",
            replace("builtin:tiny", "no/such/model"),
            "model.path",
            "does not exist",
        ),
        (
            "unknown builtin model",
            replace("builtin:tiny", "builtin:huge"),
            "model.path",
            "unknown built-in model",
        ),
        (
            "unknown builtin plugin",
            format!("{VALID}\n[verifier]\nplugins = [\"builtin:maths\"]\n"),
            "verifier.plugins[0]",
            "unknown built-in plugin",
        ),
        (
            "reward source",
            format!("{VALID}\n[reward]\nsources = [{{ from = \"judge\" }}]\n"),
            "reward.sources[0].from",
            "neither",
        ),
        (
            "backoff order",
            format!(
                "{VALID}\n[reference]\nsupervision = {{ backoff_ms = 900, backoff_max_ms = 10 }}\n"
            ),
            "reference.supervision.backoff_ms",
            "backoff_max_ms",
        ),
        (
            "run name",
            replace("name = \"arith\"", "name = \"a/b\""),
            "run.name",
            "without slashes",
        ),
        (
            "no training prompts",
            replace("train = \"train.jsonl\"", ""),
            "data.train",
            "data.environment",
        ),
        (
            "two sources of training prompts",
            replace(
                "prompts_per_step = 2",
                "prompts_per_step = 2\nenvironment = { plugin = \"builtin:logic\", kinds = { countdown = 1.0 } }",
            ),
            "data.environment",
            "both data.train and data.environment",
        ),
        (
            "environment plugin that does not verify",
            replace(
                "train = \"train.jsonl\"",
                "environment = { plugin = \"builtin:logic\", kinds = { countdown = 1.0 } }",
            ),
            "data.environment.plugin",
            "not in verifier.plugins",
        ),
        (
            "mixture weight",
            replace(
                "train = \"train.jsonl\"",
                "environment = { plugin = \"builtin:math\", kinds = { countdown = 0.0 } }",
            ),
            "data.environment.kinds.countdown",
            "not a positive number",
        ),
        (
            "curriculum order",
            replace(
                "train = \"train.jsonl\"",
                "environment = { plugin = \"builtin:math\", kinds = { a = 1.0 }, difficulty = { start = 5, end = 2 } }",
            ),
            "data.environment.difficulty.start",
            "start ≤ end",
        ),
        (
            "warm-start data file",
            format!("{VALID}\n[warm_start]\ndata = \"missing.jsonl\"\nsteps = 3\n"),
            "warm_start.data",
            "does not exist",
        ),
        (
            "warm-start steps",
            format!("{VALID}\n[warm_start]\ndata = \"train.jsonl\"\nsteps = 0\n"),
            "warm_start.steps",
            "",
        ),
    ];
    for (case, text, key, needle) in table {
        let issues = issues_for(&text, &no_env());
        let found = issues
            .iter()
            .any(|issue| issue.starts_with(&format!("{key}:")) && issue.contains(needle));
        assert!(
            found,
            "{case}: expected `{key}: …{needle}…`, got {issues:#?}"
        );
    }
}

#[test]
fn all_problems_are_reported_in_one_run() {
    let text = replace(
        "lr = 1e-5",
        "lr = 2.0\nbogus_key = 1\nclip = { low = 0.0, hgh = 3 }",
    )
    .replace("steps = 10", "steps = \"x\"")
    .replace("temperature = 1.0", "temperature = 99.0");
    let issues = issues_for(&text, &no_env());
    for key in ["learner.bogus_key", "learner.clip.hgh", "run.steps"] {
        assert!(
            issues.iter().any(|issue| issue.starts_with(key)),
            "{key} missing from {issues:#?}"
        );
    }
    // Semantic checks run once the structure is sound; structural problems come first.
    let fixed = text
        .replace("steps = \"x\"", "steps = 10")
        .replace("\nbogus_key = 1", "")
        .replace(", hgh = 3", "");
    let issues = issues_for(&fixed, &no_env());
    for key in [
        "learner.lr",
        "learner.clip.low",
        "policy.sampling.temperature",
    ] {
        assert!(
            issues.iter().any(|issue| issue.starts_with(key)),
            "{key} missing from {issues:#?}"
        );
    }
}

#[test]
fn syntax_errors_carry_line_and_column() {
    let (_folder, file) = write_topology("[run]\nname = \"x\"\nsteps = = 3\n");
    let error = load(&file, &no_env(), &ValidationContext::default()).expect_err("bad toml");
    match error {
        TopologyError::Syntax { line, column, .. } => assert_eq!((line, column), (3, 9)),
        other => panic!("expected a syntax error, got {other}"),
    }
}

#[test]
fn env_and_set_overrides_apply_in_order_and_are_blamed() {
    let options = LoadOptions {
        set: vec![
            "learner.lr=3e-4".into(),
            "policy.devices=[\"cpu\", \"cpu\"]".into(),
            "policy.replicas=2".into(),
        ],
        env: Some(vec![
            ("PROCTOR__LEARNER__LR".into(), "1e-4".into()),
            ("PROCTOR__RUN__STEPS".into(), "99".into()),
            ("UNRELATED".into(), "1".into()),
        ]),
    };
    let topology = parse_str(VALID, Path::new("t.toml"), &options).expect("parses");
    assert_eq!(topology.learner.lr, 3e-4, "--set wins over the environment");
    assert_eq!(topology.run.steps, 99);
    assert_eq!(topology.policy.replicas, 2);
    assert_eq!(topology.policy.devices.len(), 2);

    let bad = LoadOptions {
        set: vec!["learner.clip.low=5".into()],
        env: Some(vec![("PROCTOR__LEARNER__BOGUS".into(), "1".into())]),
    };
    let (_folder, file) = write_topology(VALID);
    let Err(TopologyError::Invalid { issues, .. }) =
        load(&file, &bad, &ValidationContext::default())
    else {
        panic!("expected invalid");
    };
    assert!(
        matches!(&issues[0].origin, Origin::Env(name) if name == "PROCTOR__LEARNER__BOGUS"),
        "{issues:?}"
    );
    let (_folder, file) = write_topology(VALID);
    let bad = LoadOptions {
        set: vec!["learner.clip.low=5".into()],
        env: Some(Vec::new()),
    };
    let Err(TopologyError::Invalid { issues, .. }) =
        load(&file, &bad, &ValidationContext::default())
    else {
        panic!("expected invalid");
    };
    assert!(matches!(&issues[0].origin, Origin::Set(_)), "{issues:?}");
    assert!(
        issues[0]
            .to_string()
            .contains("[set by --set learner.clip.low=5]")
    );
}

#[test]
fn malformed_set_arguments_are_rejected() {
    let options = LoadOptions {
        set: vec!["learner.lr".into()],
        env: Some(Vec::new()),
    };
    let error = parse_str(VALID, Path::new("t.toml"), &options).expect_err("no =");
    assert!(
        error.to_string().contains("invalid --set learner.lr"),
        "{error}"
    );
}

#[test]
fn cuda_devices_validate_when_present() {
    let text = replace("[policy]", "[policy]\ndevices = [\"cuda:0\"]");
    let (_folder, file) = write_topology(&text);
    let context = ValidationContext {
        cuda_devices: 1,
        ..ValidationContext::default()
    };
    assert!(load(&file, &no_env(), &context).is_ok());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Values a user might type, valid or not.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<i64>().prop_map(|number| number.to_string()),
            any::<f64>().prop_map(|number| format!("{number:?}")),
            "[a-z:]{0,8}".prop_map(|text| format!("{text:?}")),
            Just("true".to_string()),
            Just("[\"cpu\", \"cuda:0\"]".to_string()),
            Just("{ low = 0.1 }".to_string()),
        ]
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("learner.lr"),
            Just("learner.clip.low"),
            Just("learner.micro_batch_size"),
            Just("policy.sampling.n"),
            Just("policy.devices"),
            Just("policy.replicas"),
            Just("run.steps"),
            Just("data.prompts_per_step"),
            Just("verifier.limits.memory_mib"),
            Just("learner.bogus"),
            Just("nosuch.section"),
            Just("reward.sources"),
        ]
        .prop_map(str::to_string)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Any override either loads or fails with issues that each name a key path.
        #[test]
        fn overrides_never_panic_and_every_issue_names_a_key(
            overrides in proptest::collection::vec((key(), value()), 0..4)
        ) {
            let (_folder, file) = write_topology(VALID);
            let options = LoadOptions {
                set: overrides.iter().map(|(key, value)| format!("{key}={value}")).collect(),
                env: Some(Vec::new()),
            };
            match load(&file, &options, &ValidationContext::default()) {
                Ok(loaded) => prop_assert!(loaded.topology.run.steps >= 1),
                Err(TopologyError::Invalid { issues, .. }) => {
                    prop_assert!(!issues.is_empty());
                    for issue in issues {
                        prop_assert!(!issue.key.is_empty(), "{issue}");
                    }
                }
                Err(_) => {}
            }
        }

        /// Arbitrary text never panics the loader.
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let _ = parse_str(&text, Path::new("fuzz.toml"), &no_env());
        }
    }
}

#[test]
fn the_curriculum_ramps_linearly_then_holds() {
    let curriculum = crate::Curriculum {
        start: 1,
        end: 5,
        ramp_steps: 4,
    };
    let levels: Vec<u32> = (1..=6).map(|step| curriculum.at(step)).collect();
    assert_eq!(levels, [1, 2, 3, 4, 5, 5]);
    let flat = crate::Curriculum {
        start: 2,
        end: 7,
        ramp_steps: 0,
    };
    assert_eq!(flat.at(1), 7);
}
