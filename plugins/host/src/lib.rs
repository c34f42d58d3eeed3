//! proctor-plugin-host: runs verifier and environment plugins (WebAssembly components built
//! against the `proctor:verifier` WIT package in `wit/`) in a hardened wasmtime sandbox.
//!
//! - [`PluginHost`] owns the engine (component model, Cranelift, pooling allocator, fuel and
//!   epoch interruption), an epoch ticker thread and the on-disk cache of precompiled
//!   components (keyed by content hash and engine compatibility hash).
//! - [`PluginHost::load`] returns a validated [`Plugin`], or an [`Error`] naming the plugin and
//!   what it lacks (not a component, wrong world, unsupported package version or import).
//! - [`Plugin::verify`] runs one call in a fresh instance (or a reused one when
//!   [`PluginConfig::reuse`] is set) under fuel, deadline, memory and output caps, and always
//!   returns a [`Verdict`]: guest faults become the statuses `timeout`, `trap`, `memory-limit`
//!   and `invalid-output`.
//! - [`VerifierPool`] spreads calls over worker threads with an in-order batch API.
//!
//! This is the only crate that depends on wasmtime; none of its types appear in this API.
//! Feature `wasi` (default) serves guests importing WASI 0.2 with nothing granted.

mod abi_v0_1;
mod builtin;
mod cache;
mod call;
mod config;
mod host;
mod plugin;
mod pool;
mod types;
#[cfg(feature = "wasi")]
mod wasi;

pub use builtin::{BUILTINS, Builtin, builtin};
pub use cache::CacheOutcome;
pub use config::{
    DEFAULT_MAX_WASM_STACK, HostConfig, Limits, PLUGIN_THREAD_STACK, PluginConfig, PoolingConfig,
    default_cache_dir,
};
pub use host::{PluginHost, PluginSource, SUPPORTED_PACKAGES};
pub use plugin::{LoadReport, Plugin};
pub use pool::{VerifierPool, with_plugin_stack};
pub use types::{PluginInfo, Status, Task, Verdict, World};

use std::path::PathBuf;

/// Errors from creating the host and loading or driving plugins (guest faults in `verify`
/// are verdicts, not errors).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The plugin file could not be read.
    #[error("cannot read plugin file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// No built-in plugin has this name.
    #[error("unknown built-in plugin `{name}` (built-ins: {available})")]
    UnknownBuiltin {
        /// The requested name.
        name: String,
        /// Comma-separated built-in names.
        available: String,
    },
    /// The bytes are not a WebAssembly component wasmtime can compile.
    #[error("plugin {plugin} is not a usable WebAssembly component: {reason}")]
    NotAComponent {
        /// Plugin label.
        plugin: String,
        /// Compiler message.
        reason: String,
    },
    /// The component does not export the `verifier` or `environment` world.
    #[error("plugin {plugin} does not implement proctor:verifier: {reason}")]
    WrongWorld {
        /// Plugin label.
        plugin: String,
        /// What is missing or mistyped.
        reason: String,
    },
    /// The component was built against a WIT package version this host does not serve.
    #[error(
        "plugin {plugin} was built against {found}, which this host does not serve (supported: {supported})"
    )]
    UnsupportedVersion {
        /// Plugin label.
        plugin: String,
        /// The package found.
        found: String,
        /// Packages this host serves.
        supported: String,
    },
    /// The component imports something the host does not provide.
    #[error("plugin {plugin} imports {import}, which the host does not provide: {reason}")]
    UnsupportedImport {
        /// Plugin label.
        plugin: String,
        /// The import(s).
        import: String,
        /// Why it cannot be linked.
        reason: String,
    },
    /// The guest faulted during loading (instantiation, `info`) or in `generate`.
    #[error("plugin {plugin} faulted in {call} ({status}): {reason}")]
    Faulted {
        /// Plugin label.
        plugin: String,
        /// Which call.
        call: &'static str,
        /// Fault status (`timeout`, `trap`, `memory-limit`, `invalid-output`).
        status: Status,
        /// Why.
        reason: String,
    },
    /// `info()` returned values outside the contract.
    #[error("plugin {plugin} returned invalid info: {reason}")]
    InvalidInfo {
        /// Plugin label.
        plugin: String,
        /// What was wrong.
        reason: String,
    },
    /// `generate` was called on a plugin exporting only the `verifier` world.
    #[error("plugin {plugin} exports world `verifier`, not `environment`: it has no `generate`")]
    NotAnEnvironment {
        /// Plugin label.
        plugin: String,
    },
    /// The guest's `generate` returned an error.
    #[error("plugin {plugin} could not generate a `{kind}` task: {reason}")]
    GenerateRejected {
        /// Plugin label.
        plugin: String,
        /// Requested kind.
        kind: String,
        /// The guest's reason.
        reason: String,
    },
    /// The wasmtime engine or a host thread could not be set up.
    #[error("plugin host setup failed: {0}")]
    Engine(String),
    /// The verifier pool has no workers left.
    #[error("verifier pool is closed")]
    PoolClosed,
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
