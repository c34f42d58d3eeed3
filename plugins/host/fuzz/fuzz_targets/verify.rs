//! Fuzz the host boundary: arbitrary tasks and responses through `Plugin::verify` of the
//! built-in `exact` plugin in both instance modes. Every call must return a verdict that obeys
//! the contract (score in [0, 1], no fault status for a well-behaved guest, detail within cap).
//!
//! Run: `cd plugins/host/fuzz && cargo +nightly fuzz run verify`
#![no_main]

use std::num::NonZeroU32;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use proctor_plugin_host::{HostConfig, Plugin, PluginConfig, PluginHost, PluginSource, Task};

#[derive(Debug, arbitrary::Arbitrary)]
struct Input {
    id: String,
    prompt: String,
    reference: Option<String>,
    metadata: String,
    response: String,
    reuse: bool,
}

fn plugins() -> &'static (Plugin, Plugin) {
    static PLUGINS: OnceLock<(Plugin, Plugin)> = OnceLock::new();
    PLUGINS.get_or_init(|| {
        let host = PluginHost::new(HostConfig {
            cache_dir: None,
            ..HostConfig::default()
        })
        .expect("host starts");
        let source = PluginSource::Builtin("exact".into());
        let fresh = host.load(&source).expect("exact loads");
        let reused = host
            .load_with(
                &source,
                PluginConfig {
                    reuse: NonZeroU32::new(64),
                    ..PluginConfig::default()
                },
            )
            .expect("exact loads in reuse mode");
        (fresh, reused)
    })
}

fuzz_target!(|input: Input| {
    let (fresh, reused) = plugins();
    let plugin = if input.reuse { reused } else { fresh };
    let task = Task {
        id: input.id,
        prompt: input.prompt,
        reference: input.reference,
        metadata: input.metadata,
    };
    let verdict = plugin.verify(&task, &input.response);
    assert!((0.0..=1.0).contains(&verdict.score), "{verdict:?}");
    assert!(
        !verdict.status.is_fault(),
        "well-behaved guest faulted: {verdict:?}"
    );
    assert!(verdict.detail.len() <= plugin.config().max_output_bytes);
});
