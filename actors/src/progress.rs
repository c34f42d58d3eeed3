//! What the plan reports after each step to whoever shows progress (the CLI's live line).

use crate::plan::EvalPoint;
use std::collections::BTreeMap;

/// One finished step, as a progress display sees it.
#[derive(Debug)]
pub struct StepProgress<'a> {
    /// The step just finished (1-based).
    pub step: u64,
    /// Steps of the whole run (warm-start included).
    pub total_steps: u64,
    /// Steps `1..=warm_start_steps` are supervised warm-start steps.
    pub warm_start_steps: u64,
    /// The values recorded for the step (reward, loss, KL, timings, …).
    pub values: &'a BTreeMap<String, f64>,
    /// The newest held-out evaluation, if any.
    pub last_eval: Option<EvalPoint>,
}
