//! Property test of the host boundary (the cargo-fuzz target `plugins/host/fuzz` explores the same
//! property without bounds): any task and response give a verdict that obeys the contract.

use std::num::NonZeroU32;
use std::sync::OnceLock;

use proctor_plugin_host::{Plugin, PluginConfig, PluginSource, Task};
use proptest::prelude::*;

use crate::host;

fn plugins() -> &'static (Plugin, Plugin) {
    static PLUGINS: OnceLock<(Plugin, Plugin)> = OnceLock::new();
    PLUGINS.get_or_init(|| {
        let host = host();
        let source = PluginSource::Builtin("exact".into());
        let fresh = host.load(&source).expect("exact loads");
        let reused = host
            .load_with(
                &source,
                PluginConfig {
                    reuse: NonZeroU32::new(8),
                    ..PluginConfig::default()
                },
            )
            .expect("exact loads in reuse mode");
        (fresh, reused)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_input_gets_a_contract_verdict(
        id in ".{0,16}",
        prompt in ".{0,64}",
        reference in proptest::option::of("(-?[0-9]{1,6}(\\.[0-9]{1,3})?|.{0,24})"),
        metadata in ".{0,32}",
        response in "(.{0,64}|#### -?[0-9]{1,6}|\\\\boxed\\{.{0,8}\\})",
        reuse in any::<bool>(),
    ) {
        let (fresh, reused) = plugins();
        let plugin = if reuse { reused } else { fresh };
        let task = Task { id, prompt, reference, metadata };
        let verdict = plugin.verify(&task, &response);
        prop_assert!((0.0..=1.0).contains(&verdict.score), "{:?}", verdict);
        prop_assert!(!verdict.status.is_fault(), "well-behaved guest faulted: {:?}", verdict);
        prop_assert!(verdict.detail.len() <= plugin.config().max_output_bytes);
    }
}
