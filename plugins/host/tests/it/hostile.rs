//! Hostile guests: each gets a typed verdict within its deadline and the host keeps serving.

use std::time::{Duration, Instant};

use proctor_plugin_host::{Limits, Plugin, PluginConfig, PluginHost, Status, Task, Verdict};

use crate::{guests, host, load};

/// Limits small enough to keep the suite fast.
fn tight() -> PluginConfig {
    PluginConfig {
        limits: Limits {
            fuel: Some(20_000_000),
            timeout_ms: 500,
            memory_mib: 16,
        },
        ..PluginConfig::default()
    }
}

/// Verify once with `plugin`, assert the status and that it came back within `deadline`,
/// then check the same host still serves a well-behaved plugin.
fn assert_fault(host: &PluginHost, plugin: &Plugin, status: Status, deadline: Duration) -> Verdict {
    let task = Task::new("t", "p").with_reference("4");
    let started = Instant::now();
    let verdict = plugin.verify(&task, "4");
    let elapsed = started.elapsed();
    assert_eq!(verdict.status, status, "{verdict:?}");
    assert_eq!(verdict.score, 0.0);
    assert!(
        elapsed < deadline,
        "took {elapsed:?}, deadline {deadline:?}"
    );
    let good = load(
        host,
        "exact",
        guests::exact_verifier(),
        PluginConfig::default(),
    );
    assert_eq!(
        good.verify(&task, "4").status,
        Status::Correct,
        "host still serves after {status}"
    );
    verdict
}

#[test]
fn infinite_loop_runs_out_of_fuel() {
    let host = host();
    let plugin = load(
        &host,
        "loop",
        guests::hostile(guests::body::INFINITE_LOOP),
        tight(),
    );
    assert!(plugin.counts_fuel());
    let verdict = assert_fault(&host, &plugin, Status::Timeout, Duration::from_secs(5));
    assert!(verdict.detail.contains("fuel"), "{}", verdict.detail);
}

#[test]
fn infinite_loop_hits_the_wall_clock_deadline_without_fuel() {
    let host = host();
    let config = PluginConfig {
        limits: Limits {
            fuel: None,
            timeout_ms: 150,
            memory_mib: 16,
        },
        ..tight()
    };
    let plugin = load(
        &host,
        "loop",
        guests::hostile(guests::body::INFINITE_LOOP),
        config,
    );
    // No budget, so compiled without fuel counting: the deadline alone stops it.
    assert!(!plugin.counts_fuel());
    let started = Instant::now();
    let verdict = assert_fault(&host, &plugin, Status::Timeout, Duration::from_secs(3));
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "deadline fired early"
    );
    assert!(
        verdict.detail.contains("deadline of 150 ms"),
        "{}",
        verdict.detail
    );
}

#[test]
fn unbounded_memory_growth_hits_the_memory_cap() {
    let host = host();
    let plugin = load(
        &host,
        "hog",
        guests::hostile(guests::body::MEMORY_HOG),
        tight(),
    );
    let verdict = assert_fault(&host, &plugin, Status::MemoryLimit, Duration::from_secs(5));
    assert!(
        verdict.detail.contains("cap of 16 MiB"),
        "{}",
        verdict.detail
    );
}

#[test]
fn multi_gigabyte_string_is_invalid_output() {
    let host = host();
    let plugin = load(
        &host,
        "huge",
        guests::hostile(&guests::body::huge_string()),
        tight(),
    );
    assert_fault(
        &host,
        &plugin,
        Status::InvalidOutput,
        Duration::from_secs(5),
    );
}

#[test]
fn oversized_detail_is_invalid_output() {
    let host = host();
    let plugin = load(
        &host,
        "big",
        guests::hostile(&guests::body::oversized_detail()),
        tight(),
    );
    let verdict = assert_fault(
        &host,
        &plugin,
        Status::InvalidOutput,
        Duration::from_secs(5),
    );
    assert!(
        verdict.detail.contains("200000-byte detail"),
        "{}",
        verdict.detail
    );
}

#[test]
fn unreachable_is_a_trap() {
    let host = host();
    let plugin = load(
        &host,
        "trap",
        guests::hostile(guests::body::UNREACHABLE),
        tight(),
    );
    let verdict = assert_fault(&host, &plugin, Status::Trap, Duration::from_secs(5));
    assert!(verdict.detail.contains("unreachable"), "{}", verdict.detail);
}

#[test]
fn deep_recursion_traps_even_on_a_small_thread() {
    // Guest frames run on the calling thread's native stack. A thread far smaller than the
    // host's wasm stack limit must still see a trap, not a process-ending overflow: the host
    // moves the call to a thread with the plugin-call stack itself.
    let verdict = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(|| {
            let host = host();
            let plugin = load(
                &host,
                "recursion",
                guests::hostile(guests::body::DEEP_RECURSION),
                PluginConfig {
                    limits: Limits {
                        fuel: None,
                        timeout_ms: 10_000,
                        memory_mib: 16,
                    },
                    ..PluginConfig::default()
                },
            );
            assert_fault(&host, &plugin, Status::Trap, Duration::from_secs(10))
        })
        .expect("test thread starts")
        .join()
        .expect("the call traps instead of overflowing the thread");
    assert!(verdict.detail.contains("stack"), "{}", verdict.detail);
}

#[test]
fn bad_scores_and_statuses_are_invalid_output() {
    let host = host();
    for body in [
        guests::body::nan_score(),
        guests::body::score_out_of_range(),
        guests::body::bad_status(),
    ] {
        let plugin = load(&host, "bad", guests::hostile(&body), tight());
        assert_fault(
            &host,
            &plugin,
            Status::InvalidOutput,
            Duration::from_secs(5),
        );
    }
}

#[test]
fn initial_memory_over_the_cap_fails_at_load() {
    let host = host();
    let config = PluginConfig {
        limits: Limits {
            memory_mib: 1,
            ..tight().limits
        },
        ..tight()
    };
    let wasm = guests::verifier_with("0.1.0", &guests::exact_match_body(), 32);
    let error = host
        .load_with(
            &proctor_plugin_host::PluginSource::Bytes {
                label: "fat".into(),
                wasm,
            },
            config,
        )
        .err()
        .expect("a guest needing 2 MiB must not load under a 1 MiB cap");
    assert!(error.to_string().contains("memory-limit"), "{error}");
}

#[test]
fn wasi_guest_sees_no_env_args_or_directories() {
    // The test process has an environment (PATH, HOME, ...); none of it may reach the guest.
    assert!(std::env::vars().next().is_some());
    let host = host();
    let plugin = load(&host, "snoop", guests::wasi_snoop(), tight());
    assert!(plugin.info().uses_wasi);
    let verdict = plugin.verify(&Task::new("t", "p"), "anything");
    assert_eq!(
        verdict.status,
        Status::Correct,
        "guest saw something: {verdict:?}"
    );
}
