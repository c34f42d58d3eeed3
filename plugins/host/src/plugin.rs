//! A loaded plugin: per-call instances (fresh or reused), limits, and faults turned into verdicts.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use wasmtime::Store;
use wasmtime::component::{Instance, InstancePre};

use crate::abi_v0_1;
use crate::cache::CacheOutcome;
use crate::call::{CallState, Fault, arm, check_task, check_verdict, classify};
use crate::config::PluginConfig;
use crate::host::{EngineKit, HostShared};
use crate::types::{PluginInfo, Status, Task, Verdict, World};
use crate::{Error, Result};

/// Idle reused instances kept per plugin; more concurrent callers get fresh instances.
const MAX_IDLE_INSTANCES: usize = 16;
/// Most task kinds a plugin may declare.
const MAX_KINDS: usize = 1024;

/// WIT package version a component was built against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Abi {
    /// `proctor:verifier@0.1.x`.
    V0_1,
}

impl Abi {
    /// The ABI serving components that import `proctor:verifier/types@{version}`.
    pub(crate) fn for_version(version: &str) -> Option<Self> {
        let mut parts = version.split(['.', '-', '+']);
        match (parts.next(), parts.next()) {
            // Within 0.x, minor versions are breaking; patch versions are compatible.
            (Some("0"), Some("1")) => Some(Abi::V0_1),
            _ => None,
        }
    }
}

/// Export handles of a component, per ABI version.
#[derive(Clone, Copy)]
enum GuestExports {
    V0_1(abi_v0_1::Exports),
}

/// How loading went: whether compilation was needed and how long it took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LoadReport {
    /// Compiled now, loaded from the on-disk cache, or compiled without a cache.
    pub cache: CacheOutcome,
    /// Time to compile or deserialise the component.
    pub compile_or_load: Duration,
    /// Time for the whole load including validation and the `info()` call.
    pub total: Duration,
}

/// A validated plugin, ready to verify. Cheap to clone and shareable across threads.
#[derive(Clone)]
pub struct Plugin {
    inner: Arc<PluginInner>,
}

struct PluginInner {
    host: Arc<HostShared>,
    /// The engine this plugin was compiled by (with or without fuel counting).
    kit: Arc<EngineKit>,
    label: String,
    config: PluginConfig,
    instance_pre: InstancePre<CallState>,
    exports: GuestExports,
    info: PluginInfo,
    report: LoadReport,
    idle: Mutex<Vec<Slot>>,
}

/// A live instance kept for reuse.
struct Slot {
    store: Store<CallState>,
    instance: Instance,
    calls: u32,
}

impl Plugin {
    /// Resolve exports, instantiate once to type-check them and read `info()`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn validate(
        host: Arc<HostShared>,
        kit: Arc<EngineKit>,
        label: String,
        config: PluginConfig,
        instance_pre: InstancePre<CallState>,
        abi: Abi,
        package: String,
        world: World,
        uses_wasi: bool,
        mut report: LoadReport,
        started: Instant,
    ) -> Result<Self> {
        let component = instance_pre.component();
        let export = |name: &str| {
            component
                .get_export_index(None, name)
                .ok_or_else(|| Error::WrongWorld {
                    plugin: label.clone(),
                    reason: format!("it lacks the function export `{name}`"),
                })
        };
        let exports = match abi {
            Abi::V0_1 => GuestExports::V0_1(abi_v0_1::Exports {
                info: export("info")?,
                verify: export("verify")?,
                generate: match world {
                    World::Environment => Some(export("generate")?),
                    World::Verifier => None,
                },
            }),
        };
        let mut plugin = PluginInner {
            host,
            kit,
            label,
            config,
            instance_pre,
            exports,
            info: PluginInfo {
                name: String::new(),
                version: String::new(),
                kinds: Vec::new(),
                world,
                package,
                uses_wasi,
            },
            report,
            idle: Mutex::new(Vec::new()),
        };
        let (mut store, instance) = plugin.instantiate().map_err(|fault| Error::Faulted {
            plugin: plugin.label.clone(),
            call: "instantiate",
            status: fault.status,
            reason: fault.reason,
        })?;
        let GuestExports::V0_1(v0_1) = &plugin.exports;
        v0_1.typecheck(&mut store, &instance)
            .map_err(|error| Error::WrongWorld {
                plugin: plugin.label.clone(),
                reason: format!("{error:#}"),
            })?;
        let guest_info = v0_1.info(&mut store, &instance).map_err(|error| {
            let fault = classify(&error, store.data(), &plugin.config);
            Error::Faulted {
                plugin: plugin.label.clone(),
                call: "info",
                status: fault.status,
                reason: fault.reason,
            }
        })?;
        let cap = plugin.config.max_output_bytes;
        let invalid = |reason: String| Error::InvalidInfo {
            plugin: plugin.label.clone(),
            reason,
        };
        if guest_info.name.is_empty() || guest_info.name.len() > cap {
            return Err(invalid(format!(
                "name must be 1..={cap} bytes, got {}",
                guest_info.name.len()
            )));
        }
        if guest_info.version.is_empty() || guest_info.version.len() > cap {
            return Err(invalid(format!(
                "version must be 1..={cap} bytes, got {}",
                guest_info.version.len()
            )));
        }
        if guest_info.kinds.len() > MAX_KINDS
            || guest_info
                .kinds
                .iter()
                .any(|kind| kind.is_empty() || kind.len() > cap)
        {
            return Err(invalid(format!(
                "kinds must be at most {MAX_KINDS} non-empty strings of at most {cap} bytes"
            )));
        }
        plugin.info.name = guest_info.name;
        plugin.info.version = guest_info.version;
        plugin.info.kinds = guest_info.kinds;
        report.total = started.elapsed();
        plugin.report = report;
        tracing::debug!(plugin = %plugin.label, name = %plugin.info.name, cache = ?report.cache, "plugin loaded");
        Ok(Self {
            inner: Arc::new(plugin),
        })
    }

    /// What the plugin reported about itself and what the host found while loading it.
    pub fn info(&self) -> &PluginInfo {
        &self.inner.info
    }

    /// Where the plugin came from (`builtin:NAME` or a path), as used in errors.
    pub fn label(&self) -> &str {
        &self.inner.label
    }

    /// Limits and reuse policy of this plugin.
    pub fn config(&self) -> &PluginConfig {
        &self.inner.config
    }

    /// Whether the plugin's code counts fuel: it has a fuel budget ([`crate::Limits::fuel`]) on
    /// a host that counts fuel. Plugins without one are compiled without the counting and are
    /// bounded by their deadline alone.
    pub fn counts_fuel(&self) -> bool {
        self.inner.kit.counts_fuel
    }

    /// Whether loading compiled the component and how long it took.
    pub fn load_report(&self) -> &LoadReport {
        &self.inner.report
    }

    /// Score `response` against `task`. Never fails: guest faults come back as verdicts with
    /// status `timeout`, `trap`, `memory-limit` or `invalid-output` and the reason in `detail`.
    pub fn verify(&self, task: &Task, response: &str) -> Verdict {
        let inner = &*self.inner;
        let outcome = inner.run(
            |exports, store, instance| match exports {
                GuestExports::V0_1(v0_1) => v0_1.verify(store, instance, task, response),
            },
            |verdict| {
                let checked = check_verdict(verdict, &inner.config);
                if checked.status.is_fault() {
                    Err(Fault::new(checked.status, checked.detail))
                } else {
                    Ok(checked)
                }
            },
        );
        outcome.unwrap_or_else(|fault| {
            tracing::debug!(plugin = %inner.label, status = %fault.status, reason = %fault.reason, "verifier fault");
            fault.into_verdict()
        })
    }

    /// Generate a task of `kind` (environment plugins only); deterministic in the arguments.
    pub fn generate(&self, kind: &str, seed: u64, difficulty: u32) -> Result<Task> {
        let inner = &*self.inner;
        if inner.info.world != World::Environment {
            return Err(Error::NotAnEnvironment {
                plugin: inner.label.clone(),
            });
        }
        let outcome = inner.run(
            |exports, store, instance| match exports {
                GuestExports::V0_1(v0_1) => v0_1
                    .generate(store, instance, kind, seed, difficulty)
                    .expect("environment world was checked to export `generate` at load"),
            },
            |outcome| match outcome {
                Ok(task) => check_task(&task, &inner.config).map(|()| Ok(task)),
                Err(reason) if reason.len() > inner.config.max_output_bytes => Err(Fault::new(
                    Status::InvalidOutput,
                    format!("generate error is {} bytes, over the cap", reason.len()),
                )),
                Err(reason) => Ok(Err(reason)),
            },
        );
        match outcome {
            Ok(Ok(task)) => Ok(task),
            Ok(Err(reason)) => Err(Error::GenerateRejected {
                plugin: inner.label.clone(),
                kind: kind.to_owned(),
                reason,
            }),
            Err(fault) => Err(Error::Faulted {
                plugin: inner.label.clone(),
                call: "generate",
                status: fault.status,
                reason: fault.reason,
            }),
        }
    }
}

impl PluginInner {
    /// A new armed store with a fresh instance.
    fn instantiate(&self) -> std::result::Result<(Store<CallState>, Instance), Fault> {
        let mut store = Store::new(
            &self.kit.engine,
            CallState::new(&self.config, self.info.uses_wasi),
        );
        store.limiter(|state| state);
        arm(
            &mut store,
            &self.config,
            self.kit.counts_fuel,
            self.host.tick_ms(),
        );
        match self.instance_pre.instantiate(&mut store) {
            Ok(instance) => Ok((store, instance)),
            Err(error) => Err(classify(&error, store.data(), &self.config)),
        }
    }

    /// Run one guest call under fresh limits, then `check` its result against the contract.
    /// In reuse mode the instance goes back to the idle list only if the call succeeded, the
    /// check passed and it has served fewer than the configured number of calls.
    /// One guest call under this plugin's limits, on a thread with the plugin-call stack (see
    /// [`crate::with_plugin_stack`]: guest frames run on the calling thread's native stack).
    fn run<R, T: Send>(
        &self,
        call: impl FnOnce(&GuestExports, &mut Store<CallState>, &Instance) -> wasmtime::Result<R> + Send,
        check: impl FnOnce(R) -> std::result::Result<T, Fault> + Send,
    ) -> std::result::Result<T, Fault> {
        crate::pool::with_plugin_stack(|| self.run_here(call, check))
    }

    fn run_here<R, T>(
        &self,
        call: impl FnOnce(&GuestExports, &mut Store<CallState>, &Instance) -> wasmtime::Result<R>,
        check: impl FnOnce(R) -> std::result::Result<T, Fault>,
    ) -> std::result::Result<T, Fault> {
        let Some(reuse_limit) = self.config.reuse else {
            let (mut store, instance) = self.instantiate()?;
            let result = call(&self.exports, &mut store, &instance);
            return match result {
                Ok(value) => check(value),
                Err(error) => Err(classify(&error, store.data(), &self.config)),
            };
        };
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut slot = match idle {
            Some(mut slot) => {
                arm(
                    &mut slot.store,
                    &self.config,
                    self.kit.counts_fuel,
                    self.host.tick_ms(),
                );
                slot
            }
            None => {
                let (store, instance) = self.instantiate()?;
                Slot {
                    store,
                    instance,
                    calls: 0,
                }
            }
        };
        let result = call(&self.exports, &mut slot.store, &slot.instance);
        slot.calls += 1;
        let outcome = match result {
            Ok(value) => check(value),
            Err(error) => Err(classify(&error, slot.store.data(), &self.config)),
        };
        if outcome.is_ok() && slot.calls < reuse_limit.get() {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < MAX_IDLE_INSTANCES {
                idle.push(slot);
            }
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_versions_map_to_abis() {
        assert_eq!(Abi::for_version("0.1.0"), Some(Abi::V0_1));
        assert_eq!(Abi::for_version("0.1.7"), Some(Abi::V0_1));
        assert_eq!(Abi::for_version("0.2.0"), None);
        assert_eq!(Abi::for_version("1.0.0"), None);
        assert_eq!(Abi::for_version(""), None);
    }
}
