//! proctor-code: the built-in `code` verifier, seen from Rust.
//!
//! The verifier itself is Python (`guest/judge.py`, wrapped by `guest/app.py`), packaged with
//! componentize-py into `plugins/builtin/code.wasm` by `build.sh` and embedded in the binary as
//! the built-in `code`. This crate holds what Rust callers need around it: the recommended host
//! limits ([`recommended_config`]) and the test corpus (`tests/corpus.rs`) that runs programs
//! through [`proctor_plugin_host`] and checks each verdict.

use proctor_plugin_host::PluginConfig;

/// Per-plugin limits the `code` plugin is meant to run under (kept with the built-in's row in
/// the host's table, which also applies them by default): no fuel (the guest counts steps itself,
/// deterministically, and fuel counting costs CPython 15–25%), a wall-clock deadline as the
/// backstop, and enough memory for CPython.
pub fn recommended_config() -> PluginConfig {
    proctor_plugin_host::builtin("code")
        .expect("the code plugin is a built-in")
        .default_config()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recommended_config_has_no_fuel_and_a_deadline() {
        let config = recommended_config();
        assert_eq!(config.limits.fuel, None);
        assert!(config.limits.timeout_ms >= 10_000);
        assert!(config.limits.memory_mib >= 256);
    }
}
