//! The verifier role: scores responses with every sandboxed plugin of the topology.
//!
//! Plugins are loaded once, before the run starts (a broken plugin is a start-up error naming
//! it), and shared by every replica; each call runs in a fresh or recycled WASM instance under
//! the topology's limits, so a guest fault comes back as a verdict, never as a role failure.

use proctor_plugin_host::{Limits, Plugin, PluginConfig, PluginHost, PluginSource, Task};
use proctor_runtime::messages::{Verdict, VerifyResponse};
use proctor_runtime::{ReplicaInfo, Role, RoleError, RoleFactory};
use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::Arc;

/// Calls a recycled instance serves before it is replaced, when `reuse_instances` is on.
const REUSE_CALLS: u32 = 64;

/// The topology's plugins, loaded and named as `reward.sources` refers to them.
#[derive(Clone)]
pub struct LoadedPlugins {
    plugins: Arc<Vec<(String, Plugin)>>,
}

impl std::fmt::Debug for LoadedPlugins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

/// The name a plugin reference goes by in `reward.sources`: `builtin:NAME` → `NAME`,
/// a path → its file stem.
pub fn plugin_name(reference: &str) -> String {
    match PluginSource::parse(reference) {
        PluginSource::Builtin(name) => name,
        PluginSource::Path(path) => path.file_stem().map_or_else(
            || reference.to_string(),
            |stem| stem.to_string_lossy().into_owned(),
        ),
        PluginSource::Bytes { label, .. } => label,
    }
}

impl LoadedPlugins {
    /// Loads (compiling or reading from the artifact cache) each plugin of `section`. Limits
    /// left at their defaults give way to a built-in's own (the `code` built-in runs CPython and
    /// needs more time and memory, and no fuel); limits set in the topology always apply.
    pub fn load(
        host: &PluginHost,
        section: &proctor_topology::VerifierSection,
    ) -> Result<Self, proctor_plugin_host::Error> {
        let config = PluginConfig {
            limits: Limits {
                // 0 in the topology: no fuel budget (and no fuel counting).
                fuel: (section.limits.fuel > 0).then_some(section.limits.fuel),
                timeout_ms: section.limits.timeout_ms,
                memory_mib: section.limits.memory_mib,
            },
            max_output_bytes: usize::try_from(section.limits.max_output_kib.saturating_mul(1024))
                .unwrap_or(usize::MAX),
            reuse: if section.reuse_instances {
                NonZeroU32::new(REUSE_CALLS)
            } else {
                None
            },
            ..PluginConfig::default()
        };
        let plugins = section
            .plugins
            .iter()
            .map(|reference| {
                let source = PluginSource::parse(reference);
                let mut config = config.clone();
                if section.limits == proctor_topology::VerifierLimits::default()
                    && let PluginSource::Builtin(name) = &source
                    && let Some(builtin) = proctor_plugin_host::builtin(name)
                {
                    config.limits = builtin.default_config().limits;
                }
                let plugin = host.load_with(&source, config)?;
                Ok((plugin_name(reference), plugin))
            })
            .collect::<Result<Vec<_>, proctor_plugin_host::Error>>()?;
        Ok(LoadedPlugins {
            plugins: Arc::new(plugins),
        })
    }

    /// The plugin named `name` (as `reward.sources` names it).
    pub fn get(&self, name: &str) -> Option<&Plugin> {
        self.plugins
            .iter()
            .find(|(plugin_name, _)| plugin_name == name)
            .map(|(_, plugin)| plugin)
    }

    /// The plugins' names, in topology order.
    pub fn names(&self) -> Vec<&str> {
        self.plugins.iter().map(|(name, _)| name.as_str()).collect()
    }

    /// Every plugin's verdict on one response, by plugin name.
    pub fn verify(&self, item: &VerifyResponse) -> BTreeMap<String, Verdict> {
        let task = Task {
            id: item.task.id.clone(),
            prompt: item.task.prompt.clone(),
            reference: item.task.reference.clone(),
            metadata: item.task.metadata.clone(),
        };
        self.plugins
            .iter()
            .map(|(name, plugin)| {
                let verdict = plugin.verify(&task, &item.response);
                (
                    name.clone(),
                    Verdict {
                        score: verdict.score,
                        status: verdict.status.as_str().to_string(),
                        detail: verdict.detail,
                    },
                )
            })
            .collect()
    }
}

/// One verifier replica (a worker thread calling the shared plugins).
pub struct VerifierRole {
    plugins: LoadedPlugins,
}

/// Builds verifier replicas over already loaded plugins.
pub fn verifier_factory(plugins: LoadedPlugins) -> RoleFactory<VerifierRole> {
    Arc::new(move |_: &ReplicaInfo| {
        Ok(VerifierRole {
            plugins: plugins.clone(),
        })
    })
}

impl Role for VerifierRole {
    type Request = Vec<VerifyResponse>;
    type Response = Vec<BTreeMap<String, Verdict>>;

    fn handle(&mut self, batch: Vec<VerifyResponse>) -> Result<Self::Response, RoleError> {
        // Guest frames run on the calling thread's stack; an arbiter thread's 2 MiB is less than
        // a guest may use (HostConfig::max_wasm_stack), so the batch runs on a thread with the
        // plugin-call stack.
        let plugins = &self.plugins;
        Ok(proctor_plugin_host::with_plugin_stack(|| {
            batch.iter().map(|item| plugins.verify(item)).collect()
        }))
    }
}
