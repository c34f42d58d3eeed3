//! Integration tests of the plugin host against guests written as component text.
//!
//! Run: `cargo test -p proctor-plugin-host`

mod boundary;
mod guests;
mod hostile;
mod loading;
mod pool;
mod verify;

use proctor_plugin_host::{HostConfig, Plugin, PluginConfig, PluginHost, PluginSource};

/// A host with no on-disk cache and default settings.
pub fn host() -> PluginHost {
    PluginHost::new(HostConfig {
        cache_dir: None,
        ..HostConfig::default()
    })
    .expect("host starts")
}

/// The well-behaved exact-match guest with default limits: the baseline most tests start from.
pub fn load_exact(host: &PluginHost) -> Plugin {
    load(
        host,
        "exact",
        guests::exact_verifier(),
        PluginConfig::default(),
    )
}

/// Load `wasm` under `label` with `config`, panicking with the load error.
pub fn load(host: &PluginHost, label: &str, wasm: Vec<u8>, config: PluginConfig) -> Plugin {
    host.load_with(
        &PluginSource::Bytes {
            label: label.into(),
            wasm,
        },
        config,
    )
    .unwrap_or_else(|error| panic!("{label} should load: {error}"))
}
