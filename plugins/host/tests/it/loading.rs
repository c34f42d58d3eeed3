//! Load-time validation and the on-disk artifact cache.

use proctor_plugin_host::{
    CacheOutcome, Error, HostConfig, Limits, PluginConfig, PluginHost, PluginSource, Status, Task,
};

use crate::{guests, host};

fn load_error(wasm: Vec<u8>) -> Error {
    host()
        .load_with(
            &PluginSource::Bytes {
                label: "suspect.wasm".into(),
                wasm,
            },
            PluginConfig::default(),
        )
        .err()
        .expect("the plugin must be rejected")
}

#[test]
fn wrong_world_names_what_is_missing() {
    let error = load_error(guests::wrong_world());
    assert!(matches!(error, Error::WrongWorld { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("suspect.wasm"), "{message}");
    assert!(
        message.contains("`info`") && message.contains("`verify`") && message.contains("hello"),
        "{message}"
    );
}

#[test]
fn wrong_signature_is_a_wrong_world() {
    let error = load_error(guests::wrong_signature());
    assert!(matches!(error, Error::WrongWorld { .. }), "{error:?}");
    assert!(error.to_string().contains("`verify`"), "{error}");
}

#[test]
fn unsupported_package_versions_are_named() {
    let error = load_error(guests::verifier_with(
        "0.2.0",
        &guests::exact_match_body(),
        1,
    ));
    assert!(
        matches!(error, Error::UnsupportedVersion { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("proctor:verifier@0.2.0"),
        "{error}"
    );
    assert!(
        error.to_string().contains("proctor:verifier@0.1.0"),
        "{error}"
    );
}

#[test]
fn compatible_patch_versions_load() {
    let host = host();
    let wasm = guests::verifier_with("0.1.3", &guests::exact_match_body(), 1);
    let plugin = host
        .load(&PluginSource::Bytes {
            label: "patch".into(),
            wasm,
        })
        .unwrap();
    assert_eq!(plugin.info().package, "proctor:verifier@0.1.3");
}

#[test]
fn components_without_the_package_are_rejected() {
    let error = load_error(guests::no_package());
    assert!(
        matches!(error, Error::UnsupportedVersion { .. }),
        "{error:?}"
    );
}

#[test]
fn core_modules_and_garbage_are_not_components() {
    for wasm in [
        wat::parse_str("(module)").unwrap(),
        b"not wasm at all".to_vec(),
    ] {
        let error = load_error(wasm);
        assert!(matches!(error, Error::NotAComponent { .. }), "{error:?}");
    }
}

#[test]
fn missing_files_and_builtins_are_named() {
    let host = host();
    let error = host
        .load(&PluginSource::Path("/nonexistent/x.wasm".into()))
        .err()
        .unwrap();
    assert!(error.to_string().contains("/nonexistent/x.wasm"), "{error}");
    let error = host
        .load(&PluginSource::Builtin("no-such-plugin".into()))
        .err()
        .unwrap();
    assert!(matches!(error, Error::UnknownBuiltin { .. }), "{error:?}");
}

/// Host defaults with the artifact cache in `cache`.
fn cached(cache: &tempfile::TempDir) -> HostConfig {
    HostConfig {
        cache_dir: Some(cache.path().to_owned()),
        ..HostConfig::default()
    }
}

fn exact_source() -> PluginSource {
    PluginSource::Bytes {
        label: "exact".into(),
        wasm: guests::exact_verifier(),
    }
}

#[test]
fn second_host_loads_from_the_cache_without_compiling() {
    let cache = tempfile::tempdir().unwrap();
    let config = || cached(&cache);
    let source = exact_source();

    let first = PluginHost::new(config()).unwrap().load(&source).unwrap();
    assert_eq!(first.load_report().cache, CacheOutcome::Compiled);
    // A new host has a new engine, as a second process would.
    let second = PluginHost::new(config()).unwrap().load(&source).unwrap();
    assert_eq!(second.load_report().cache, CacheOutcome::Loaded);
    assert_eq!(second.info(), first.info());

    // A different engine configuration must not reuse the artifact.
    let no_fuel = HostConfig {
        consume_fuel: false,
        ..config()
    };
    let third = PluginHost::new(no_fuel).unwrap().load(&source).unwrap();
    assert_eq!(third.load_report().cache, CacheOutcome::Compiled);
}

#[test]
fn plugins_without_a_fuel_budget_are_compiled_without_fuel_counting() {
    let cache = tempfile::tempdir().unwrap();
    let config = || cached(&cache);
    let source = exact_source();
    let deadline_only = PluginConfig {
        limits: Limits {
            fuel: None,
            ..Limits::default()
        },
        ..PluginConfig::default()
    };
    let task = Task {
        id: "t".into(),
        prompt: "2+2?".into(),
        reference: Some("4".into()),
        metadata: "{}".into(),
    };

    let host = PluginHost::new(config()).unwrap();
    let metered = host.load(&source).unwrap();
    let unmetered = host.load_with(&source, deadline_only.clone()).unwrap();
    assert!(metered.counts_fuel());
    assert!(!unmetered.counts_fuel());
    // Two engines, two artifacts; both verify alike.
    assert_eq!(unmetered.load_report().cache, CacheOutcome::Compiled);
    assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 2);
    for response in ["4", "5"] {
        assert_eq!(
            metered.verify(&task, response),
            unmetered.verify(&task, response)
        );
    }
    assert_eq!(unmetered.verify(&task, "4").status, Status::Correct);

    // A second process finds both in the cache; a host that counts no fuel at all uses the
    // deadline-only artifact for every plugin.
    let again = PluginHost::new(config()).unwrap();
    let unmetered = again.load_with(&source, deadline_only).unwrap();
    assert_eq!(unmetered.load_report().cache, CacheOutcome::Loaded);
    let fuel_off = PluginHost::new(HostConfig {
        consume_fuel: false,
        ..config()
    })
    .unwrap();
    let plugin = fuel_off.load(&source).unwrap();
    assert!(!plugin.counts_fuel());
    assert_eq!(plugin.load_report().cache, CacheOutcome::Loaded);
}

#[test]
fn corrupt_cache_entries_are_replaced() {
    let cache = tempfile::tempdir().unwrap();
    let config = || cached(&cache);
    let source = exact_source();
    PluginHost::new(config()).unwrap().load(&source).unwrap();
    for entry in std::fs::read_dir(cache.path()).unwrap() {
        std::fs::write(entry.unwrap().path(), b"garbage").unwrap();
    }
    let plugin = PluginHost::new(config()).unwrap().load(&source).unwrap();
    assert_eq!(plugin.load_report().cache, CacheOutcome::Compiled);
}
