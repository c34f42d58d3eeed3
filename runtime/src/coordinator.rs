//! The coordinator: drives steps, records each one, saves on schedule, and stops cleanly on request.

use crate::RuntimeError;
use crate::metrics::Metrics;
use crate::recorder::{RecordStep, RecorderActor, StepRecord};
use crate::rundir::{RunDir, STOP_MARKER};
use crate::shutdown::Shutdown;
use actix::Addr;
use futures::future::{Either, select};
use serde::Serialize;
use std::collections::BTreeMap;
use std::future::Future;
use std::time::Instant;

/// One algorithm's step, composed from role pools (generate, verify, score, train, sync).
pub trait StepPlan {
    /// Runs step `step` to completion and returns the values to record (reward, loss, KL, …).
    fn run_step(
        &mut self,
        step: u64,
    ) -> impl Future<Output = Result<BTreeMap<String, f64>, RuntimeError>>;

    /// Saves everything needed to resume after `step` (a checkpoint).
    fn save(&mut self, step: u64) -> impl Future<Output = Result<(), RuntimeError>>;

    /// Restores the last good checkpoint of a resumed run; returns the step it was taken after.
    fn restore(&mut self, run_dir: &RunDir) -> impl Future<Output = Result<u64, RuntimeError>>;

    /// Rebuilds, from the last good checkpoint, the state that `error` destroyed (a stateful
    /// role that crashed: its restarted replica starts empty); returns the step the checkpoint
    /// was taken after, from which the run continues, or `None` when `error` is not a loss of
    /// state this plan can recover from (the run then fails with `error`).
    fn recover(
        &mut self,
        run_dir: &RunDir,
        error: &RuntimeError,
    ) -> impl Future<Output = Result<Option<u64>, RuntimeError>> {
        let _ = (run_dir, error);
        async { Ok(None) }
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RunOutcome {
    /// Every step ran.
    Completed {
        /// The last step run.
        last_step: u64,
    },
    /// A stop was requested.
    Interrupted {
        /// The last step that completed and was saved.
        last_completed_step: u64,
        /// The step that was abandoned half-way, if any (its partial work is discarded).
        abandoned_step: Option<u64>,
    },
}

/// Drives a [`StepPlan`] from step to step.
pub struct Coordinator {
    /// Shared metrics, snapshotted into each step record.
    pub metrics: Metrics,
    /// Where step records go.
    pub recorder: Addr<RecorderActor>,
    /// The run directory (stop marker, checkpoints).
    pub run_dir: RunDir,
    /// Stop requests (Ctrl-C).
    pub shutdown: Shutdown,
    /// Save every this many steps (0 = only at the end).
    pub checkpoint_every: u64,
    /// Recoveries from the last checkpoint ([`StepPlan::recover`]) allowed in one run; past
    /// that, or when a recovered run fails again at the step that failed before, the run fails.
    pub max_recoveries: u32,
}

#[derive(Serialize)]
struct StopMarker<'a> {
    #[serde(flatten)]
    outcome: &'a RunOutcome,
    reason: &'static str,
    resume_with: String,
}

impl Coordinator {
    /// Runs steps `first_step..=last_step`; stops early, cleanly, when a stop is requested.
    pub async fn run<P: StepPlan>(
        &self,
        plan: &mut P,
        first_step: u64,
        last_step: u64,
    ) -> Result<RunOutcome, RuntimeError> {
        let run_started = Instant::now();
        let mut last_saved = first_step.saturating_sub(1);
        let mut recoveries = Recoveries::default();
        let mut step = first_step;
        while step <= last_step {
            if self.shutdown.requests() > 0 {
                return self.stop(plan, step - 1, last_saved, None).await;
            }
            let before = self.metrics.snapshot();
            let step_started = Instant::now();
            let outcome = {
                let step_future = Box::pin(plan.run_step(step));
                let abandon = Box::pin(self.shutdown.wait_for(2));
                match select(step_future, abandon).await {
                    Either::Left((outcome, _)) => Some(outcome),
                    // Dropping the step future abandons the step; its partial work is discarded.
                    Either::Right(((), _)) => None,
                }
            };
            let values = match outcome {
                None => return self.stop(plan, step - 1, last_saved, Some(step)).await,
                Some(Ok(values)) => values,
                Some(Err(error)) => {
                    let saved = self.recover(plan, step, error, &mut recoveries).await?;
                    last_saved = saved;
                    step = saved + 1;
                    continue;
                }
            };
            let record = StepRecord::new(
                step,
                values,
                &before,
                &self.metrics.snapshot(),
                step_started.elapsed().as_secs_f64(),
                run_started.elapsed().as_secs_f64(),
            );
            self.recorder
                .send(RecordStep(record))
                .await
                .map_err(|error| RuntimeError::Recorder(std::io::Error::other(error.to_string())))?
                .map_err(RuntimeError::Recorder)?;
            let due = self.checkpoint_every > 0 && step.is_multiple_of(self.checkpoint_every);
            if due || step == last_step {
                if let Err(error) = plan.save(step).await {
                    // A crash while saving loses the same state a crash while training does.
                    let saved = self.recover(plan, step, error, &mut recoveries).await?;
                    last_saved = saved;
                    step = saved + 1;
                    continue;
                }
                last_saved = step;
            }
            step += 1;
        }
        Ok(RunOutcome::Completed { last_step })
    }

    /// Lets `plan` rebuild from its last checkpoint after `error` failed `step`; returns the
    /// step that checkpoint was taken after, or `error` when the plan cannot recover, the run
    /// has used up its recoveries, or it failed at this step before.
    async fn recover<P: StepPlan>(
        &self,
        plan: &mut P,
        step: u64,
        error: RuntimeError,
        recoveries: &mut Recoveries,
    ) -> Result<u64, RuntimeError> {
        if recoveries.count >= self.max_recoveries || recoveries.failed_steps.contains(&step) {
            return Err(error);
        }
        let Some(saved) = plan.recover(&self.run_dir, &error).await? else {
            return Err(error);
        };
        recoveries.count += 1;
        recoveries.failed_steps.push(step);
        self.metrics.increment("run.recoveries");
        tracing::warn!(
            "step {step} failed ({error}); recovered from the checkpoint after step {saved}, \
             continuing from step {} (recovery {} of at most {})",
            saved + 1,
            recoveries.count,
            self.max_recoveries
        );
        Ok(saved)
    }

    async fn stop<P: StepPlan>(
        &self,
        plan: &mut P,
        last_completed_step: u64,
        last_saved: u64,
        abandoned_step: Option<u64>,
    ) -> Result<RunOutcome, RuntimeError> {
        if last_completed_step > last_saved {
            plan.save(last_completed_step).await?;
        }
        let outcome = RunOutcome::Interrupted {
            last_completed_step,
            abandoned_step,
        };
        let marker = StopMarker {
            outcome: &outcome,
            reason: "stop requested (Ctrl-C)",
            resume_with: format!("--resume {}", self.run_dir.path().display()),
        };
        let text = serde_json::to_vec_pretty(&marker).map_err(std::io::Error::other)?;
        self.run_dir.write_atomically(STOP_MARKER, &text)?;
        Ok(outcome)
    }
}

/// Recoveries made in one run.
#[derive(Default)]
struct Recoveries {
    count: u32,
    /// Steps that failed and were recovered from: failing at one again means the failure does
    /// not go away by itself (bad data, a deterministic crash), so the run fails instead.
    failed_steps: Vec<u64>,
}

#[cfg(test)]
mod tests;
