//! proctor-code: the built-in `code` verifier, seen from Rust.
//!
//! The verifier itself is Python (`guest/judge.py`, wrapped by `guest/app.py`), packaged with
//! componentize-py into `plugins/builtin/code.wasm` by `build.sh` and embedded in the binary as
//! the built-in `code`. This crate holds what Rust callers need around it: the recommended host
//! limits ([`recommended_config`]) and the test corpus (`tests/corpus.rs`) that runs programs
//! through [`proctor_plugin_host`] and checks each verdict.

use proctor_plugin_host::{Limits, PluginConfig};

/// Wall-clock deadline of one verify call that covers the guest's own step budget (20 M steps
/// over all tests, ~0.3-0.8 µs each) with room to spare; see README "Limits".
pub const RECOMMENDED_TIMEOUT_MS: u64 = 30_000;

/// Memory cap per call: CPython's heap plus a test's data, its output (4 MiB cap) and headroom.
pub const RECOMMENDED_MEMORY_MIB: u64 = 512;

/// Per-plugin limits the `code` plugin is meant to run under: no fuel (the guest counts steps
/// itself, deterministically, and fuel instrumentation slows CPython ~3.5×), a wall-clock
/// deadline as the backstop, and enough memory for CPython.
pub fn recommended_config() -> PluginConfig {
    PluginConfig {
        limits: Limits {
            fuel: None,
            timeout_ms: RECOMMENDED_TIMEOUT_MS,
            memory_mib: RECOMMENDED_MEMORY_MIB,
        },
        ..PluginConfig::default()
    }
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
