//! Configuration of the host (engine-wide) and of each plugin (per-call limits, reuse).

use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Per-call resource limits; mirrors `limits = { fuel, timeout_ms, memory_mib }` in the topology.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Wasm instructions (roughly) a call may execute; `None` leaves only the wall-clock deadline,
    /// and the plugin is then compiled without fuel counting (faster: counting costs 15–35% of
    /// guest time in the `exact` and `code` benchmarks). Ignored when the host was built with [`HostConfig::consume_fuel`] off.
    pub fuel: Option<u64>,
    /// Wall-clock deadline of one call, enforced by epoch interruption (always on).
    pub timeout_ms: u64,
    /// Cap on each linear memory of the guest, in MiB.
    pub memory_mib: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            fuel: Some(500_000_000),
            timeout_ms: 2_000,
            memory_mib: 64,
        }
    }
}

/// How one plugin is run; mirrors what the topology's `[verifier]` section carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PluginConfig {
    /// Limits applied to every call (`info`, `verify`, `generate`).
    pub limits: Limits,
    /// Cap on each string the guest returns (`detail`, task fields, info strings), in bytes.
    pub max_output_bytes: usize,
    /// Cap on captured WASI stdout and stderr per call, in bytes each.
    pub max_log_bytes: usize,
    /// `None` (default): a fresh instance per call, so no state leaks between responses.
    /// `Some(n)`: reuse an instance for up to `n` calls; it is also dropped after any fault.
    pub reuse: Option<NonZeroU32>,
}

impl Default for PluginConfig {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            max_output_bytes: 64 * 1024,
            max_log_bytes: 16 * 1024,
            reuse: None,
        }
    }
}

/// Largest wasm call stack a guest may use, in bytes ([`HostConfig::max_wasm_stack`]'s
/// default). wasmtime's own default, 512 KiB, lets the `code` built-in's CPython recurse only
/// ~300 levels through C (`functools.lru_cache`-decorated recursion) before the whole call
/// traps; from ~4 MiB on, CPython's own check of its 1 MiB C stack stops such recursion first
/// (~2,000 levels) with a RecursionError, a per-test verdict. 16 MiB leaves a 4x margin for
/// recursion patterns with larger frames (plugins/code/README.md, "Limits").
pub const DEFAULT_MAX_WASM_STACK: usize = 16 << 20;

/// Native stack of every thread guest code runs on ([`crate::VerifierPool`] workers, and the
/// threads [`crate::with_plugin_stack`] starts for calls made from any other thread). Wasm
/// frames run on the calling thread's stack: it must hold [`HostConfig::max_wasm_stack`] plus
/// the host's own frames, or a guest that recurses to its limit would overflow the thread (an
/// abort) instead of trapping. Reserved, not committed: only the pages a call touches are backed.
pub const PLUGIN_THREAD_STACK: usize = DEFAULT_MAX_WASM_STACK + (16 << 20);

/// Engine-wide settings, fixed when the [`crate::PluginHost`] is created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostConfig {
    /// Where precompiled plugins are kept; `None` compiles in memory on every load.
    pub cache_dir: Option<PathBuf>,
    /// Instrument guests that have a [`Limits::fuel`] budget with fuel counting; costs some speed.
    /// Guests without a budget run uncounted either way.
    pub consume_fuel: bool,
    /// Period of the epoch ticker thread that enforces wall-clock deadlines.
    pub epoch_tick: Duration,
    /// Pooling allocator settings; `None` uses on-demand allocation.
    pub pooling: Option<PoolingConfig>,
    /// Largest wasm call stack of a guest, in bytes (wasmtime's `max_wasm_stack`; engine-wide,
    /// so it is the largest any plugin of this host gets). Deeper recursion traps ("call stack
    /// exhausted"). Threads calling plugins need a native stack of at least this plus ~1 MiB:
    /// see [`PLUGIN_THREAD_STACK`]; `PluginHost::new` refuses values above that.
    pub max_wasm_stack: usize,
}

impl Default for HostConfig {
    fn default() -> Self {
        Self {
            cache_dir: default_cache_dir(),
            consume_fuel: true,
            epoch_tick: Duration::from_millis(2),
            pooling: Some(PoolingConfig::default()),
            max_wasm_stack: DEFAULT_MAX_WASM_STACK,
        }
    }
}

/// Slots preallocated by the pooling allocator (virtual memory is reserved, not committed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolingConfig {
    /// Component instances alive at once across all plugins (workers plus idle reused ones).
    pub instances: u32,
    /// Largest memory any plugin may be configured with, in MiB.
    pub max_memory_mib: u64,
    /// Low bytes of each linear memory slot kept resident between instances and reset in
    /// place, instead of being handed back to the kernel (`madvise`) and faulted in again on
    /// the next call. Only used where the kernel has the `PAGEMAP_SCAN` ioctl (Linux 6.7+):
    /// there only the pages the guest dirtied are reset, so a fresh instance per call costs no
    /// page faults and no TLB shootdowns. Elsewhere slots are reset with `madvise`.
    pub keep_resident_bytes: usize,
}

impl Default for PoolingConfig {
    fn default() -> Self {
        Self {
            instances: 128,
            max_memory_mib: 1024,
            // Covers a Rust guest's 1 MiB stack, its data and a first heap segment.
            keep_resident_bytes: 4 << 20,
        }
    }
}

/// `$PROCTOR_CACHE_DIR`, else `$XDG_CACHE_HOME/proctor/plugins`, else `~/.cache/proctor/plugins`.
pub fn default_cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PROCTOR_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))?;
    Some(base.join("proctor").join("plugins"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plugin_config_reads_topology_shape() {
        let config: PluginConfig = serde_json::from_str(
            r#"{"limits":{"fuel":1000,"timeout_ms":50,"memory_mib":8},"reuse":16,"max_output_bytes":100}"#,
        )
        .unwrap();
        assert_eq!(
            config.limits,
            Limits {
                fuel: Some(1000),
                timeout_ms: 50,
                memory_mib: 8
            }
        );
        assert_eq!(config.reuse.map(NonZeroU32::get), Some(16));
        assert_eq!(config.max_output_bytes, 100);
        assert_eq!(config.max_log_bytes, PluginConfig::default().max_log_bytes);
    }

    #[test]
    fn plugin_config_rejects_unknown_keys() {
        let error = serde_json::from_str::<PluginConfig>(r#"{"limits":{"gas":1}}"#).unwrap_err();
        assert!(error.to_string().contains("unknown field `gas`"), "{error}");
    }
}
