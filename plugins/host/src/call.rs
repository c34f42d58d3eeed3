//! Per-call store state: resource limiter, WASI capture, and turning faults into statuses.

use wasmtime::{ResourceLimiter, Store, Trap};

use crate::config::PluginConfig;
use crate::types::{Status, Task, Verdict};

/// Largest table any guest may grow to (elements); tables hold function references only.
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

/// Data carried by every store the host creates.
pub(crate) struct CallState {
    memory_cap_bytes: usize,
    /// Set when the guest asked for more memory than the cap (bytes requested).
    memory_denied: Option<usize>,
    #[cfg(feature = "wasi")]
    pub(crate) wasi: Option<crate::wasi::WasiState>,
}

impl CallState {
    /// State for one store of a plugin run under `config`; `wasi` when the guest imports WASI.
    pub(crate) fn new(config: &PluginConfig, wasi: bool) -> Self {
        let memory_cap_bytes =
            usize::try_from(config.limits.memory_mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX);
        #[cfg(not(feature = "wasi"))]
        let _ = wasi;
        Self {
            memory_cap_bytes,
            memory_denied: None,
            #[cfg(feature = "wasi")]
            wasi: wasi.then(|| crate::wasi::WasiState::new(config.max_log_bytes)),
        }
    }

    /// Captured stderr (then stdout) of a WASI guest, lossy UTF-8, empty otherwise.
    pub(crate) fn captured_logs(&self) -> String {
        #[cfg(feature = "wasi")]
        if let Some(wasi) = &self.wasi {
            return wasi.captured();
        }
        String::new()
    }
}

impl ResourceLimiter for CallState {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_cap_bytes {
            self.memory_denied = Some(desired);
            // An error (rather than `Ok(false)`) ends the call at once: a guest that ignores a
            // failed `memory.grow` cannot keep spinning until the deadline.
            wasmtime::bail!(
                "memory limit: guest asked to grow memory from {current} to {desired} bytes"
            );
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}

/// Give `store` a full budget for one call: fuel (when the engine counts it) and a deadline.
pub(crate) fn arm(
    store: &mut Store<CallState>,
    config: &PluginConfig,
    fuel_enabled: bool,
    tick_ms: u64,
) {
    store.data_mut().memory_denied = None;
    if fuel_enabled {
        // Without a configured fuel limit the epoch deadline is the only bound.
        let fuel = config.limits.fuel.unwrap_or(u64::MAX);
        store
            .set_fuel(fuel)
            .expect("fuel is enabled on the engine, so set_fuel cannot fail");
    }
    let ticks = config.limits.timeout_ms.div_ceil(tick_ms.max(1)).max(1) + 1;
    store.set_epoch_deadline(ticks);
}

/// A guest fault: the status the host assigns and why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fault {
    pub(crate) status: Status,
    pub(crate) reason: String,
}

impl Fault {
    pub(crate) fn new(status: Status, reason: impl Into<String>) -> Self {
        Self {
            status,
            reason: reason.into(),
        }
    }

    /// The verdict reporting this fault.
    pub(crate) fn into_verdict(self) -> Verdict {
        Verdict::fault(self.status, self.reason)
    }
}

/// Classify an error from instantiating or calling a guest, using what the store saw.
pub(crate) fn classify(error: &wasmtime::Error, state: &CallState, config: &PluginConfig) -> Fault {
    let mut fault = if let Some(desired) = state.memory_denied {
        Fault::new(
            Status::MemoryLimit,
            format!(
                "guest tried to grow its memory to {} MiB, over the cap of {} MiB",
                desired.div_ceil(1 << 20),
                config.limits.memory_mib
            ),
        )
    } else if let Some(trap) = error.downcast_ref::<Trap>() {
        match trap {
            Trap::OutOfFuel => Fault::new(
                Status::Timeout,
                format!(
                    "guest ran out of fuel ({} units)",
                    config.limits.fuel.unwrap_or(u64::MAX)
                ),
            ),
            Trap::Interrupt => Fault::new(
                Status::Timeout,
                format!(
                    "guest ran past its deadline of {} ms",
                    config.limits.timeout_ms
                ),
            ),
            other => Fault::new(Status::Trap, format!("guest trapped: {other}")),
        }
    } else if let Some(exit) = wasi_exit_code(error) {
        Fault::new(Status::Trap, format!("guest exited with status {exit}"))
    } else {
        // Errors raised while lifting results: out-of-bounds or non-UTF-8 strings, bad enum
        // discriminants, lists too large for memory.
        Fault::new(
            Status::InvalidOutput,
            format!("guest returned an invalid value: {error:#}"),
        )
    };
    let logs = state.captured_logs();
    if !logs.is_empty() {
        fault.reason.push_str("; guest output: ");
        fault.reason.push_str(&logs);
    }
    fault
}

fn wasi_exit_code(error: &wasmtime::Error) -> Option<i32> {
    #[cfg(feature = "wasi")]
    if let Some(exit) = error.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return Some(exit.0);
    }
    let _ = error;
    None
}

/// Check a guest verdict against the contract: score in [0, 1], detail within the cap.
pub(crate) fn check_verdict(verdict: Verdict, config: &PluginConfig) -> Verdict {
    if !(0.0..=1.0).contains(&verdict.score) {
        return Verdict::fault(
            Status::InvalidOutput,
            format!(
                "guest returned score {} which is not in [0, 1]",
                verdict.score
            ),
        );
    }
    if verdict.detail.len() > config.max_output_bytes {
        return Verdict::fault(
            Status::InvalidOutput,
            format!(
                "guest returned a {}-byte detail, over the cap of {} bytes",
                verdict.detail.len(),
                config.max_output_bytes
            ),
        );
    }
    verdict
}

/// Check a generated task: each string within the cap and metadata being JSON text.
pub(crate) fn check_task(task: &Task, config: &PluginConfig) -> Result<(), Fault> {
    let fields = [
        ("id", task.id.len()),
        ("prompt", task.prompt.len()),
        ("reference", task.reference.as_ref().map_or(0, String::len)),
        ("metadata", task.metadata.len()),
    ];
    for (field, len) in fields {
        if len > config.max_output_bytes {
            return Err(Fault::new(
                Status::InvalidOutput,
                format!(
                    "generated task {field} is {len} bytes, over the cap of {} bytes",
                    config.max_output_bytes
                ),
            ));
        }
    }
    if serde_json::from_str::<serde::de::IgnoredAny>(&task.metadata).is_err() {
        return Err(Fault::new(
            Status::InvalidOutput,
            "generated task metadata is not JSON text",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(score: f64, detail: &str) -> Status {
        let config = PluginConfig {
            max_output_bytes: 8,
            ..PluginConfig::default()
        };
        check_verdict(
            Verdict {
                score,
                status: Status::Correct,
                detail: detail.into(),
            },
            &config,
        )
        .status
    }

    #[test]
    fn verdict_checks_follow_the_contract() {
        assert_eq!(checked(1.0, "ok"), Status::Correct);
        assert_eq!(checked(0.0, "12345678"), Status::Correct);
        assert_eq!(checked(f64::NAN, ""), Status::InvalidOutput);
        assert_eq!(checked(-0.1, ""), Status::InvalidOutput);
        assert_eq!(checked(1.000_001, ""), Status::InvalidOutput);
        assert_eq!(checked(f64::INFINITY, ""), Status::InvalidOutput);
        assert_eq!(checked(0.5, "123456789"), Status::InvalidOutput);
    }

    proptest::proptest! {
        #[test]
        fn checked_verdicts_always_satisfy_the_contract(score in proptest::num::f64::ANY, detail in ".{0,20}") {
            let config = PluginConfig { max_output_bytes: 10, ..PluginConfig::default() };
            let verdict = check_verdict(Verdict { score, status: Status::Partial, detail }, &config);
            proptest::prop_assert!((0.0..=1.0).contains(&verdict.score));
            proptest::prop_assert!(verdict.status == Status::InvalidOutput || verdict.detail.len() <= 10);
        }
    }
}
