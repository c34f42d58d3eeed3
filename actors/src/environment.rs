//! Tasks generated on the fly by an environment plugin (`[data.environment]`): a seeded, weighted
//! mixture of the plugin's kinds at the curriculum's difficulty.
//!
//! Task `i` of the run is fully determined by the run seed and `i` (its kind, its generation seed)
//! plus the RL step's difficulty, so the whole state is a position and resume is exact.

use crate::data::{DataError, splitmix64};
use proctor_plugin_host::{Plugin, Task};
use proctor_runtime::messages::PromptTask;
use proctor_topology::{Curriculum, EnvironmentSource};

/// Salt of the held-out stream, so evaluation tasks come from seeds training never draws.
const EVAL_STREAM: u64 = 0xE7A1_5EED_0000_0001;

/// Draws generated tasks from an environment plugin.
#[derive(Clone)]
pub struct EnvironmentTasks {
    plugin: Plugin,
    kinds: Vec<(String, f64)>,
    total_weight: f64,
    curriculum: Curriculum,
    seed: u64,
    position: u64,
}

impl std::fmt::Debug for EnvironmentTasks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvironmentTasks")
            .field("plugin", &self.plugin.label())
            .field("kinds", &self.kinds)
            .field("position", &self.position)
            .finish()
    }
}

impl EnvironmentTasks {
    /// A source over `plugin` as `source` configures it; every listed kind must be one the
    /// plugin offers.
    pub fn new(plugin: Plugin, source: &EnvironmentSource, seed: u64) -> Result<Self, DataError> {
        let offered = &plugin.info().kinds;
        if let Some(kind) = source.kinds.keys().find(|kind| !offered.contains(kind)) {
            return Err(DataError::Environment {
                plugin: plugin.label().to_string(),
                message: format!(
                    "data.environment.kinds lists `{kind}`, which the plugin does not offer (it offers: {})",
                    offered.join(", ")
                ),
            });
        }
        let kinds: Vec<(String, f64)> = source
            .kinds
            .iter()
            .map(|(kind, weight)| (kind.clone(), *weight))
            .collect();
        Ok(EnvironmentTasks {
            total_weight: kinds.iter().map(|(_, weight)| weight).sum(),
            kinds,
            plugin,
            curriculum: source.difficulty.clone(),
            seed,
            position: 0,
        })
    }

    /// Tasks drawn so far.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Moves to `position` (e.g. the one saved in a checkpoint).
    pub fn seek(&mut self, position: u64) {
        self.position = position;
    }

    /// The next `count` training tasks, at the curriculum's difficulty for RL step `rl_step`.
    pub fn next_batch(&mut self, count: usize, rl_step: u64) -> Result<Vec<PromptTask>, DataError> {
        let difficulty = self.curriculum.at(rl_step);
        // Guest frames run on the calling thread's stack: give them the plugin-call stack.
        proctor_plugin_host::with_plugin_stack(|| {
            (0..count)
                .map(|_| {
                    let index = self.position;
                    self.position += 1;
                    self.task(self.seed, index, difficulty)
                })
                .collect()
        })
    }

    /// `count` held-out tasks at the final difficulty, from a seed stream training never uses.
    pub fn held_out(&self, count: u64) -> Result<Vec<PromptTask>, DataError> {
        proctor_plugin_host::with_plugin_stack(|| {
            (0..count)
                .map(|index| self.task(self.seed ^ EVAL_STREAM, index, self.curriculum.end))
                .collect()
        })
    }

    fn task(&self, stream: u64, index: u64, difficulty: u32) -> Result<PromptTask, DataError> {
        let mut state = stream ^ index.wrapping_mul(0xD6E8_FEB8_6659_FD93);
        let pick = (splitmix64(&mut state) >> 11) as f64 / (1u64 << 53) as f64 * self.total_weight;
        let mut kind = &self.kinds[self.kinds.len() - 1].0;
        let mut cumulative = 0.0;
        for (name, weight) in &self.kinds {
            cumulative += weight;
            if pick < cumulative {
                kind = name;
                break;
            }
        }
        let seed = splitmix64(&mut state);
        let task: Task = self
            .plugin
            .generate(kind, seed, difficulty)
            .map_err(|error| DataError::Environment {
                plugin: self.plugin.label().to_string(),
                message: format!("generate({kind}, seed {seed}, difficulty {difficulty}): {error}"),
            })?;
        Ok(PromptTask {
            id: format!("{}/{kind}/{seed}/{difficulty}", self.plugin.info().name),
            prompt: task.prompt,
            reference: task.reference,
            metadata: task.metadata,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proctor_plugin_host::{HostConfig, PluginHost, PluginSource};
    use std::collections::BTreeMap;

    fn source(kinds: &[(&str, f64)], start: u32, end: u32, ramp_steps: u64) -> EnvironmentSource {
        EnvironmentSource {
            plugin: "builtin:logic".into(),
            kinds: kinds.iter().map(|&(k, w)| (k.to_string(), w)).collect(),
            difficulty: Curriculum {
                start,
                end,
                ramp_steps,
            },
            eval_tasks: 0,
        }
    }

    fn logic() -> Plugin {
        PluginHost::new(HostConfig::default())
            .unwrap()
            .load(&PluginSource::parse("builtin:logic"))
            .unwrap()
    }

    #[test]
    fn tasks_follow_the_mixture_the_curriculum_and_the_seed() {
        let plugin = logic();
        let config = source(&[("countdown", 3.0), ("caesar_cipher", 1.0)], 1, 3, 2);
        let mut tasks = EnvironmentTasks::new(plugin.clone(), &config, 7).unwrap();
        let first = tasks.next_batch(200, 1).unwrap();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for task in &first {
            let parts: Vec<&str> = task.id.split('/').collect();
            assert_eq!((parts[0], parts[3]), ("logic", "1"), "{}", task.id);
            *counts.entry(parts[1].to_string()).or_default() += 1;
            assert!(task.reference.is_some() && task.prompt.contains("<answer>"));
        }
        let countdown = counts["countdown"];
        assert!((125..=175).contains(&countdown), "{counts:?}");
        assert_eq!(countdown + counts["caesar_cipher"], 200);
        // The ramp ends at step 2: later tasks are at the final difficulty.
        assert!(
            tasks
                .next_batch(3, 5)
                .unwrap()
                .iter()
                .all(|t| t.id.ends_with("/3"))
        );

        // Same seed and position → same tasks; a resumed source continues exactly.
        let mut resumed = EnvironmentTasks::new(plugin, &config, 7).unwrap();
        resumed.seek(150);
        assert_eq!(resumed.next_batch(50, 1).unwrap(), first[150..]);

        // Held-out tasks come from another stream.
        let held_out = tasks.held_out(20).unwrap();
        assert!(held_out.iter().all(|t| !first.iter().any(|f| f.id == t.id)));
        assert!(held_out.iter().all(|t| t.id.ends_with("/3")));
    }

    #[test]
    fn a_kind_the_plugin_does_not_offer_is_named() {
        let error = EnvironmentTasks::new(logic(), &source(&[("chess", 1.0)], 1, 1, 0), 1)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`chess`") && error.contains("countdown"),
            "{error}"
        );
    }
}
