//! Shared run metrics: monotonically increasing counters and accumulated timings, per actor role.

use dashmap::DashMap;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Counters and timings shared by every actor of a run; cheap to clone.
///
/// Names are `role.what` (`verifier.restarts`, `policy.busy_s`); the recorder snapshots them
/// once per step so every retry, restart and loss shows up in `metrics.jsonl`.
#[derive(Debug, Clone, Default)]
pub struct Metrics {
    counters: Arc<DashMap<String, u64>>,
    timings: Arc<DashMap<String, f64>>,
}

/// A point-in-time copy of all metrics, ordered by name.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MetricsSnapshot {
    /// Counter values.
    pub counters: BTreeMap<String, u64>,
    /// Accumulated seconds.
    pub timings: BTreeMap<String, f64>,
}

impl Metrics {
    /// Adds `delta` to a counter, creating it at zero.
    pub fn add(&self, name: &str, delta: u64) {
        *self.counters.entry(name.to_string()).or_insert(0) += delta;
    }

    /// Increments a counter.
    pub fn increment(&self, name: &str) {
        self.add(name, 1);
    }

    /// Current value of a counter (0 when never touched).
    pub fn get(&self, name: &str) -> u64 {
        self.counters.get(name).map_or(0, |value| *value)
    }

    /// Adds seconds to an accumulated timing.
    pub fn add_seconds(&self, name: &str, seconds: f64) {
        *self.timings.entry(name.to_string()).or_insert(0.0) += seconds;
    }

    /// Current accumulated seconds of a timing.
    pub fn seconds(&self, name: &str) -> f64 {
        self.timings.get(name).map_or(0.0, |value| *value)
    }

    /// Copies every metric.
    pub fn snapshot(&self) -> MetricsSnapshot {
        MetricsSnapshot {
            counters: self
                .counters
                .iter()
                .map(|entry| (entry.key().clone(), *entry.value()))
                .collect(),
            timings: self
                .timings
                .iter()
                .map(|entry| (entry.key().clone(), *entry.value()))
                .collect(),
        }
    }
}

impl MetricsSnapshot {
    /// Timings accumulated since `earlier` (what one step spent per role).
    pub fn timings_since(&self, earlier: &MetricsSnapshot) -> BTreeMap<String, f64> {
        self.timings
            .iter()
            .map(|(name, total)| {
                let before = earlier.timings.get(name).copied().unwrap_or(0.0);
                (name.clone(), total - before)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_timings_accumulate_across_clones() {
        let metrics = Metrics::default();
        let clone = metrics.clone();
        metrics.increment("verifier.restarts");
        clone.add("verifier.restarts", 2);
        let before = metrics.snapshot();
        clone.add_seconds("policy.busy_s", 1.5);
        assert_eq!(metrics.get("verifier.restarts"), 3);
        assert_eq!(metrics.get("never"), 0);
        let after = metrics.snapshot();
        assert_eq!(after.timings_since(&before)["policy.busy_s"], 1.5);
    }
}
