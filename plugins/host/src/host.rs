//! The plugin host: engine, linkers, epoch ticker, artifact cache, and loading/validating plugins.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use wasmtime::component::types::ComponentItem;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::abi_v0_1;
use crate::builtin::BUILTINS;
use crate::cache::ArtifactCache;
use crate::call::CallState;
use crate::config::{HostConfig, Limits, PluginConfig};
use crate::plugin::{Abi, LoadReport, Plugin};
use crate::types::World;
use crate::{Error, Result};

/// Bytes of each table slot reset with a memset rather than `madvise` (one page: the tables of
/// Rust and C guests hold tens to hundreds of function references).
const TABLE_KEEP_RESIDENT_BYTES: usize = 4096;

/// Where a plugin's component comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginSource {
    /// A plugin embedded in the binary, by name (see [`crate::BUILTINS`]).
    Builtin(String),
    /// A component file on disk.
    Path(PathBuf),
    /// Component binary bytes under a label (tests, embedders that fetched the bytes themselves).
    Bytes {
        /// Label used in errors and logs.
        label: String,
        /// The component.
        wasm: Vec<u8>,
    },
}

impl PluginSource {
    /// Read a CLI/topology reference: `builtin:NAME`, a path (contains a path separator or
    /// ends in `.wasm`), or else a bare built-in name.
    pub fn parse(reference: &str) -> Self {
        if let Some(name) = reference.strip_prefix("builtin:") {
            return Self::Builtin(name.to_owned());
        }
        let looks_like_path = reference.contains(std::path::MAIN_SEPARATOR)
            || reference.contains('/')
            || reference.ends_with(".wasm")
            || Path::new(reference).is_file();
        if looks_like_path {
            Self::Path(PathBuf::from(reference))
        } else {
            Self::Builtin(reference.to_owned())
        }
    }

    fn label(&self) -> String {
        match self {
            Self::Builtin(name) => format!("builtin:{name}"),
            Self::Path(path) => path.display().to_string(),
            Self::Bytes { label, .. } => label.clone(),
        }
    }
}

impl fmt::Display for PluginSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// Loads plugins and enforces limits on them: into one wasmtime engine, or two when some plugins
/// have a fuel budget and others do not (see [`crate::Limits::fuel`]).
///
/// Cheap to clone; plugins keep their engine (and its epoch ticker) alive.
#[derive(Clone)]
pub struct PluginHost {
    shared: Arc<HostShared>,
}

/// State shared by the host and every plugin it loaded.
pub(crate) struct HostShared {
    pub(crate) config: HostConfig,
    /// The engine of plugins run under a fuel budget (all of them when fuel is off host-wide).
    metered: Arc<EngineKit>,
    /// The engine of plugins with no fuel budget on a host that counts fuel: their code is
    /// compiled without fuel counting (15–35% of guest time in the `exact` and `code` benchmarks),
    /// since the deadline alone bounds them. Made on first use.
    deadline_only: Mutex<Option<Arc<EngineKit>>>,
}

impl HostShared {
    /// Epoch tick period in whole milliseconds (at least 1).
    pub(crate) fn tick_ms(&self) -> u64 {
        u64::try_from(self.config.epoch_tick.as_millis())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    /// The engine for a plugin with these limits: fuel counting only where there is a fuel budget.
    fn engine_for(&self, limits: &Limits) -> Result<Arc<EngineKit>> {
        if limits.fuel.is_some() || !self.metered.counts_fuel {
            return Ok(Arc::clone(&self.metered));
        }
        let mut deadline_only = self
            .deadline_only
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(kit) = deadline_only.as_ref() {
            return Ok(Arc::clone(kit));
        }
        let kit = Arc::new(EngineKit::new(&self.config, false)?);
        *deadline_only = Some(Arc::clone(&kit));
        Ok(kit)
    }
}

/// One wasmtime engine and what is bound to it: linkers, artifact cache, epoch ticker.
pub(crate) struct EngineKit {
    pub(crate) engine: Engine,
    /// Whether code compiled by this engine counts fuel (and so obeys [`Limits::fuel`]).
    pub(crate) counts_fuel: bool,
    linker: Linker<CallState>,
    #[cfg(feature = "wasi")]
    wasi_linker: Linker<CallState>,
    cache: ArtifactCache,
    _ticker: EpochTicker,
}

impl EngineKit {
    /// The engine (component model, Cranelift, epoch interruption, fuel counting if
    /// `counts_fuel`, pooling allocator as configured) and its epoch ticker thread.
    fn new(config: &HostConfig, counts_fuel: bool) -> Result<Self> {
        let mut engine_config = Config::new();
        engine_config.wasm_component_model(true);
        engine_config.consume_fuel(counts_fuel);
        engine_config.epoch_interruption(true);
        engine_config.cranelift_opt_level(wasmtime::OptLevel::Speed);
        engine_config.max_wasm_stack(config.max_wasm_stack);
        // wasmtime checks the wasm stack against the async stack size even when calls are
        // synchronous (as here): keep that one above it.
        engine_config.async_stack_size(config.max_wasm_stack + (1 << 20));
        if let Some(pooling) = &config.pooling {
            let instances = pooling.instances.max(1);
            let max_memory = usize::try_from(pooling.max_memory_mib.saturating_mul(1 << 20))
                .map_err(|_| {
                    Error::Engine("pooling max_memory_mib does not fit in usize".into())
                })?;
            let mut pool = PoolingAllocationConfig::new();
            // Reset slots in place (memcpy/memset of the dirtied pages only) when the kernel can
            // tell which pages were dirtied; without PAGEMAP_SCAN, keeping memory resident would
            // mean a memset of the whole kept range per call, so `madvise` stays the reset.
            if PoolingAllocationConfig::is_pagemap_scan_available() {
                pool.pagemap_scan(Enabled::Yes)
                    .linear_memory_keep_resident(pooling.keep_resident_bytes);
            }
            // Tables of compiled-language guests fit in one page: reset it with a memset.
            pool.table_keep_resident(TABLE_KEEP_RESIDENT_BYTES);
            pool.total_component_instances(instances)
                .total_core_instances(instances.saturating_mul(16))
                .total_memories(instances.saturating_mul(2))
                .total_tables(instances.saturating_mul(4))
                .total_stacks(instances)
                .table_elements(100_000)
                .max_memory_size(max_memory);
            engine_config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        }
        let engine =
            Engine::new(&engine_config).map_err(|error| Error::Engine(format!("{error:#}")))?;
        let linker = Linker::new(&engine);
        #[cfg(feature = "wasi")]
        let wasi_linker = {
            let mut linker = Linker::new(&engine);
            crate::wasi::add_to_linker(&mut linker)
                .map_err(|error| Error::Engine(format!("{error:#}")))?;
            linker
        };
        let cache = ArtifactCache::new(&engine, config.cache_dir.clone());
        let ticker = EpochTicker::start(engine.clone(), config.epoch_tick)?;
        Ok(Self {
            engine,
            counts_fuel,
            linker,
            #[cfg(feature = "wasi")]
            wasi_linker,
            cache,
            _ticker: ticker,
        })
    }
}

impl PluginHost {
    /// Create the engine (component model, Cranelift, fuel and epoch interruption, pooling
    /// allocator as configured) and start the epoch ticker thread. Plugins loaded without a
    /// fuel budget get a second engine that does not count fuel, made when the first one loads.
    pub fn new(config: HostConfig) -> Result<Self> {
        // The calling thread's stack holds the wasm frames (PLUGIN_THREAD_STACK, pool.rs).
        if config.max_wasm_stack > crate::config::PLUGIN_THREAD_STACK - (1 << 20) {
            return Err(Error::Engine(format!(
                "max_wasm_stack {} exceeds what plugin threads can hold ({} bytes of native stack)",
                config.max_wasm_stack,
                crate::config::PLUGIN_THREAD_STACK
            )));
        }
        let metered = Arc::new(EngineKit::new(&config, config.consume_fuel)?);
        Ok(Self {
            shared: Arc::new(HostShared {
                config,
                metered,
                deadline_only: Mutex::new(None),
            }),
        })
    }

    /// The configuration this host was created with.
    pub fn config(&self) -> &HostConfig {
        &self.shared.config
    }

    /// Load a plugin with its default limits (a built-in's own, else the host defaults).
    pub fn load(&self, source: &PluginSource) -> Result<Plugin> {
        let config = match source {
            PluginSource::Builtin(name) => crate::builtin::builtin(name).map_or_else(
                PluginConfig::default,
                crate::builtin::Builtin::default_config,
            ),
            _ => PluginConfig::default(),
        };
        self.load_with(source, config)
    }

    /// Load and validate a plugin: compile it (or take it from the cache), check its WIT package
    /// version, world, imports and export signatures, and call `info()` under `config`'s limits.
    pub fn load_with(&self, source: &PluginSource, mut config: PluginConfig) -> Result<Plugin> {
        let label = source.label();
        if let PluginSource::Builtin(name) = source
            && crate::builtin::builtin(name).is_some_and(|builtin| builtin.fresh_instance_per_call)
        {
            config.reuse = None;
        }
        let started = Instant::now();
        let wasm: std::borrow::Cow<'_, [u8]> = match source {
            PluginSource::Builtin(name) => {
                let builtin = BUILTINS
                    .iter()
                    .find(|builtin| builtin.name == name)
                    .ok_or_else(|| Error::UnknownBuiltin {
                        name: name.clone(),
                        available: BUILTINS
                            .iter()
                            .map(|builtin| builtin.name)
                            .collect::<Vec<_>>()
                            .join(", "),
                    })?;
                builtin.wasm.into()
            }
            PluginSource::Path(path) => std::fs::read(path)
                .map_err(|source| Error::Read {
                    path: path.clone(),
                    source,
                })?
                .into(),
            PluginSource::Bytes { wasm, .. } => wasm.as_slice().into(),
        };
        let shared = &self.shared;
        let kit = shared.engine_for(&config.limits)?;
        let (component, cache) =
            kit.cache
                .component(&kit.engine, &wasm, &label)
                .map_err(|error| Error::NotAComponent {
                    plugin: label.clone(),
                    reason: format!("{error:#}"),
                })?;
        let compiled_in = started.elapsed();
        let shape = inspect(&kit.engine, &component, &label)?;
        let linker = if shape.uses_wasi {
            #[cfg(feature = "wasi")]
            {
                &kit.wasi_linker
            }
            #[cfg(not(feature = "wasi"))]
            {
                return Err(Error::UnsupportedImport {
                    plugin: label,
                    import: "wasi:*".into(),
                    reason: "this host was built without the `wasi` feature".into(),
                });
            }
        } else {
            &kit.linker
        };
        let instance_pre =
            linker
                .instantiate_pre(&component)
                .map_err(|error| Error::UnsupportedImport {
                    plugin: label.clone(),
                    import: shape.imports.join(", "),
                    reason: format!("{error:#}"),
                })?;
        let report = LoadReport {
            cache,
            compile_or_load: compiled_in,
            total: Duration::ZERO,
        };
        // Validation calls the guest's `info()`: on a thread with the plugin-call stack, like
        // every call (the loading thread may be `main` or a test thread).
        crate::pool::with_plugin_stack(|| {
            Plugin::validate(
                Arc::clone(shared),
                Arc::clone(&kit),
                label,
                config,
                instance_pre,
                shape.abi,
                shape.package,
                shape.world,
                shape.uses_wasi,
                report,
                started,
            )
        })
    }
}

/// What a component's type says about it, found before instantiating it.
struct Shape {
    abi: Abi,
    package: String,
    world: World,
    uses_wasi: bool,
    imports: Vec<String>,
}

/// Read the component's imports (WIT package version, WASI) and exports (world).
fn inspect(engine: &Engine, component: &Component, label: &str) -> Result<Shape> {
    let component_type = component.component_type();
    let mut version = None;
    let mut uses_wasi = false;
    let mut imports = Vec::new();
    for (name, _) in component_type.imports(engine) {
        imports.push(name.to_owned());
        if let Some(found) = name.strip_prefix("proctor:verifier/types@") {
            version = Some(found.to_owned());
        } else if name.starts_with("wasi:") {
            uses_wasi = true;
        } else {
            return Err(Error::UnsupportedImport {
                plugin: label.to_owned(),
                import: name.to_owned(),
                reason: "the host provides only proctor:verifier types and WASI 0.2".into(),
            });
        }
    }
    let Some(version) = version else {
        return Err(Error::UnsupportedVersion {
            plugin: label.to_owned(),
            found:
                "no proctor:verifier package (the component does not import proctor:verifier/types)"
                    .into(),
            supported: SUPPORTED_PACKAGES.join(", "),
        });
    };
    let abi = match Abi::for_version(&version) {
        Some(abi) => abi,
        None => {
            return Err(Error::UnsupportedVersion {
                plugin: label.to_owned(),
                found: format!("proctor:verifier@{version}"),
                supported: SUPPORTED_PACKAGES.join(", "),
            });
        }
    };
    let mut functions = Vec::new();
    let mut others = Vec::new();
    for (name, item) in component_type.exports(engine) {
        match item.ty {
            ComponentItem::ComponentFunc(_) => functions.push(name.to_owned()),
            _ => others.push(name.to_owned()),
        }
    }
    let has = |name: &str| functions.iter().any(|function| function == name);
    let missing: Vec<&str> = ["info", "verify"]
        .into_iter()
        .filter(|name| !has(name))
        .collect();
    if !missing.is_empty() {
        let mut exported = functions.clone();
        exported.extend(others.iter().map(|name| format!("{name} (not a function)")));
        return Err(Error::WrongWorld {
            plugin: label.to_owned(),
            reason: format!(
                "it lacks the function export(s) {} required by world `verifier`; it exports [{}]",
                missing
                    .iter()
                    .map(|name| format!("`{name}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                exported.join(", ")
            ),
        });
    }
    let world = if has("generate") {
        World::Environment
    } else {
        World::Verifier
    };
    Ok(Shape {
        abi,
        package: format!("proctor:verifier@{version}"),
        world,
        uses_wasi,
        imports,
    })
}

/// WIT packages this host serves, newest first.
pub const SUPPORTED_PACKAGES: &[&str] = &[abi_v0_1::PACKAGE];

/// Thread that advances the engine epoch every tick so deadlines fire; stopped on drop.
struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    fn start(engine: Engine, tick: Duration) -> Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = Arc::clone(&stop);
        let tick = tick.max(Duration::from_millis(1));
        let thread = std::thread::Builder::new()
            .name("proctor-epoch".into())
            .spawn(move || {
                while !stop_flag.load(Ordering::Relaxed) {
                    std::thread::sleep(tick);
                    engine.increment_epoch();
                }
            })
            .map_err(|error| {
                Error::Engine(format!("cannot start the epoch ticker thread: {error}"))
            })?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_to_sources() {
        assert_eq!(
            PluginSource::parse("builtin:math"),
            PluginSource::Builtin("math".into())
        );
        assert_eq!(
            PluginSource::parse("math"),
            PluginSource::Builtin("math".into())
        );
        assert_eq!(
            PluginSource::parse("./x/checker.wasm"),
            PluginSource::Path("./x/checker.wasm".into())
        );
        assert_eq!(
            PluginSource::parse("checker.wasm"),
            PluginSource::Path("checker.wasm".into())
        );
    }

    #[test]
    fn wasm_stack_larger_than_plugin_threads_hold_is_refused() {
        let config = HostConfig {
            cache_dir: None,
            pooling: None,
            max_wasm_stack: crate::config::PLUGIN_THREAD_STACK,
            ..HostConfig::default()
        };
        let error = PluginHost::new(config).err().expect("refused");
        assert!(error.to_string().contains("max_wasm_stack"), "{error}");
        let fits = HostConfig {
            cache_dir: None,
            pooling: None,
            ..HostConfig::default()
        };
        assert!(PluginHost::new(fits).is_ok());
    }
}
