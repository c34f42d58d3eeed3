//! What a finished run leaves for people: `summary.json` and the `learning-curve.png` chart.

mod chart;
mod png;

use proctor_actors::EvalPoint;
use proctor_runtime::StepRecord;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// File name of the summary in the run directory.
pub const SUMMARY: &str = "summary.json";
/// File name of the learning curve in the run directory.
pub const CURVE: &str = "learning-curve.png";

/// The headline numbers of a run.
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Held-out greedy accuracy before any training (step 0).
    pub eval_accuracy_initial: Option<f64>,
    /// Held-out accuracy when RL started (end of the warm-start, or step 0 without one).
    pub eval_accuracy_before_rl: Option<f64>,
    /// Held-out accuracy at the end of the run.
    pub eval_accuracy_after_rl: Option<f64>,
    /// Wall-clock seconds of this invocation (model creation to the last save).
    pub wall_seconds: f64,
    /// Steps recorded (warm-start included).
    pub steps: u64,
    /// Warm-start SFT steps.
    pub warm_start_steps: u64,
    /// Every evaluation: step and accuracy.
    pub evals: Vec<EvalPoint>,
    /// Mean seconds per RL step and per phase (`time_generate_s`, `time_verify_s`, …).
    pub rl_step_seconds: BTreeMap<String, f64>,
    /// Mean training reward over the first and the last tenth of the RL steps.
    pub reward_first_tenth: Option<f64>,
    /// See `reward_first_tenth`.
    pub reward_last_tenth: Option<f64>,
}

impl Summary {
    /// Builds the summary from the plan's evaluations and the recorded steps.
    pub fn new(
        evals: &[EvalPoint],
        records: &[StepRecord],
        warm_start_steps: u64,
        wall_seconds: f64,
    ) -> Self {
        let accuracy_at = |step: u64| evals.iter().find(|e| e.step == step).map(|e| e.accuracy);
        let rl: Vec<&StepRecord> = records
            .iter()
            .filter(|record| record.step > warm_start_steps)
            .collect();
        let mut rl_step_seconds = BTreeMap::new();
        if !rl.is_empty() {
            let count = rl.len() as f64;
            rl_step_seconds.insert(
                "step_s".to_string(),
                rl.iter().map(|r| r.step_s).sum::<f64>() / count,
            );
            for record in &rl {
                for (name, value) in &record.values {
                    if name.starts_with("time_") {
                        *rl_step_seconds.entry(name.clone()).or_insert(0.0) += value / count;
                    }
                }
            }
        }
        let tenth = (rl.len() / 10).max(1);
        let mean_reward = |slice: &[&StepRecord]| {
            let rewards: Vec<f64> = slice
                .iter()
                .filter_map(|r| r.values.get("reward").copied())
                .collect();
            (!rewards.is_empty()).then(|| rewards.iter().sum::<f64>() / rewards.len() as f64)
        };
        Summary {
            eval_accuracy_initial: accuracy_at(0),
            eval_accuracy_before_rl: accuracy_at(warm_start_steps),
            eval_accuracy_after_rl: evals
                .iter()
                .filter(|e| e.step > warm_start_steps)
                .max_by_key(|e| e.step)
                .map(|e| e.accuracy),
            wall_seconds,
            steps: records.iter().map(|r| r.step).max().unwrap_or(0),
            warm_start_steps,
            evals: evals.to_vec(),
            rl_step_seconds,
            reward_first_tenth: mean_reward(&rl[..tenth.min(rl.len())]),
            reward_last_tenth: mean_reward(&rl[rl.len().saturating_sub(tenth)..]),
        }
    }
}

/// Writes `summary.json` and `learning-curve.png` into `run_dir`.
pub fn write(run_dir: &Path, summary: &Summary, records: &[StepRecord]) -> std::io::Result<()> {
    let text = serde_json::to_string_pretty(summary).map_err(std::io::Error::other)?;
    std::fs::write(run_dir.join(SUMMARY), text + "\n")?;
    let curve = chart::Curve {
        last_step: summary.steps,
        warm_start_steps: summary.warm_start_steps,
        reward: records
            .iter()
            .filter(|r| r.step > summary.warm_start_steps)
            .filter_map(|r| r.values.get("reward").map(|&v| (r.step, v)))
            .collect(),
        eval: summary.evals.iter().map(|e| (e.step, e.accuracy)).collect(),
    };
    std::fs::write(run_dir.join(CURVE), chart::render(&curve))
}
