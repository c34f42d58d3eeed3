//! The coordinator records every step, saves on schedule and stops cleanly on request.

use super::*;
use crate::recorder::read_records;
use crate::rundir::RunDirMode;

/// A plan whose step behaviour is scripted per step number.
struct ScriptedPlan {
    shutdown: Shutdown,
    /// Stop requests to raise during each step (step, count).
    stop_requests_at: Option<(u64, u32)>,
    saved: Vec<u64>,
    ran: Vec<u64>,
    /// Steps that fail as a crashed stateful role would (each entry fails once).
    crash_at: Vec<u64>,
    /// Checkpoints whose saving fails that way (each entry fails once).
    crash_saving: Vec<u64>,
    /// Whether `recover` rebuilds after a crash (else the plan cannot recover).
    recoverable: bool,
}

impl StepPlan for ScriptedPlan {
    async fn run_step(&mut self, step: u64) -> Result<BTreeMap<String, f64>, RuntimeError> {
        if let Some((at, count)) = self.stop_requests_at
            && at == step
        {
            for _ in 0..count {
                self.shutdown.request();
            }
            if count >= 2 {
                // A step that would never finish on its own: only abandoning ends it.
                std::future::pending::<()>().await;
            }
        }
        if let Some(position) = self.crash_at.iter().position(|&at| at == step) {
            self.crash_at.remove(position);
            return Err(RuntimeError::Step {
                step,
                reason: "learner crashed".into(),
            });
        }
        self.ran.push(step);
        Ok(BTreeMap::from([("reward".to_string(), step as f64 / 10.0)]))
    }

    async fn save(&mut self, step: u64) -> Result<(), RuntimeError> {
        if let Some(position) = self.crash_saving.iter().position(|&at| at == step) {
            self.crash_saving.remove(position);
            return Err(RuntimeError::Step {
                step,
                reason: "learner crashed while saving".into(),
            });
        }
        self.saved.push(step);
        Ok(())
    }

    async fn restore(&mut self, _run_dir: &RunDir) -> Result<u64, RuntimeError> {
        Ok(self.saved.last().copied().unwrap_or(0))
    }

    async fn recover(
        &mut self,
        run_dir: &RunDir,
        error: &RuntimeError,
    ) -> Result<Option<u64>, RuntimeError> {
        assert!(error.to_string().contains("learner crashed"), "{error}");
        if !self.recoverable {
            return Ok(None);
        }
        self.restore(run_dir).await.map(Some)
    }
}

fn coordinator(root: &std::path::Path, checkpoint_every: u64) -> Coordinator {
    let run_dir = RunDir::prepare(&root.join("run"), RunDirMode::Fresh, "x = 1\n").unwrap();
    let recorder = RecorderActor::open(run_dir.path())
        .unwrap()
        .start_on_own_thread()
        .unwrap();
    Coordinator {
        metrics: Metrics::default(),
        recorder,
        run_dir,
        shutdown: Shutdown::default(),
        checkpoint_every,
        max_recoveries: 2,
    }
}

fn plan(coordinator: &Coordinator, stop_requests_at: Option<(u64, u32)>) -> ScriptedPlan {
    ScriptedPlan {
        shutdown: coordinator.shutdown.clone(),
        stop_requests_at,
        saved: Vec::new(),
        ran: Vec::new(),
        crash_at: Vec::new(),
        crash_saving: Vec::new(),
        recoverable: true,
    }
}

#[actix_rt::test]
async fn every_step_is_recorded_as_one_json_line_and_saved_on_schedule() {
    let root = tempfile::tempdir().unwrap();
    let coordinator = coordinator(root.path(), 2);
    coordinator.metrics.increment("policy.restarts");
    let mut plan = plan(&coordinator, None);
    let outcome = coordinator.run(&mut plan, 1, 5).await.unwrap();
    assert_eq!(outcome, RunOutcome::Completed { last_step: 5 });
    assert_eq!(plan.saved, vec![2, 4, 5]);
    let records = read_records(&coordinator.run_dir.path().join("metrics.jsonl")).unwrap();
    assert_eq!(
        records.iter().map(|record| record.step).collect::<Vec<_>>(),
        vec![1, 2, 3, 4, 5]
    );
    assert_eq!(records[2].values["reward"], 0.3);
    assert_eq!(records[0].counters["policy.restarts"], 1);
    assert!(!coordinator.run_dir.path().join(STOP_MARKER).exists());
}

#[actix_rt::test]
async fn a_first_stop_request_finishes_the_step_saves_and_leaves_a_marker() {
    let root = tempfile::tempdir().unwrap();
    let coordinator = coordinator(root.path(), 0);
    let mut plan = plan(&coordinator, Some((2, 1)));
    let outcome = coordinator.run(&mut plan, 1, 5).await.unwrap();
    assert_eq!(
        outcome,
        RunOutcome::Interrupted {
            last_completed_step: 2,
            abandoned_step: None
        }
    );
    assert_eq!(plan.ran, vec![1, 2]);
    assert_eq!(plan.saved, vec![2]);
    let marker: serde_json::Value = serde_json::from_slice(
        &std::fs::read(coordinator.run_dir.path().join(STOP_MARKER)).unwrap(),
    )
    .unwrap();
    assert_eq!(marker["last_completed_step"], 2);
    assert!(
        marker["resume_with"]
            .as_str()
            .unwrap()
            .starts_with("--resume")
    );
}

#[actix_rt::test]
async fn a_second_stop_request_abandons_the_step_in_flight() {
    let root = tempfile::tempdir().unwrap();
    let coordinator = coordinator(root.path(), 0);
    let mut plan = plan(&coordinator, Some((3, 2)));
    let outcome = coordinator.run(&mut plan, 1, 5).await.unwrap();
    assert_eq!(
        outcome,
        RunOutcome::Interrupted {
            last_completed_step: 2,
            abandoned_step: Some(3)
        }
    );
    assert_eq!(
        plan.saved,
        vec![2],
        "the last completed step is saved before stopping"
    );
    let records = read_records(&coordinator.run_dir.path().join("metrics.jsonl")).unwrap();
    assert_eq!(records.len(), 2, "the abandoned step records nothing");
}

/// Runs steps 1..=`last_step`, saving every `checkpoint_every`, with the given crashes;
/// returns the plan, the coordinator (for its metrics and run dir) and whether the run completed.
async fn run_with_crashes(
    checkpoint_every: u64,
    last_step: u64,
    crash_at: Vec<u64>,
    recoverable: bool,
) -> (ScriptedPlan, Coordinator, bool, tempfile::TempDir) {
    let root = tempfile::tempdir().unwrap();
    let coordinator = coordinator(root.path(), checkpoint_every);
    let mut scripted = plan(&coordinator, None);
    scripted.crash_at = crash_at;
    scripted.recoverable = recoverable;
    let completed = match coordinator.run(&mut scripted, 1, last_step).await {
        Ok(outcome) => {
            assert_eq!(outcome, RunOutcome::Completed { last_step });
            true
        }
        Err(error) => {
            assert!(error.to_string().contains("learner crashed"), "{error}");
            false
        }
    };
    (scripted, coordinator, completed, root)
}

#[actix_rt::test]
async fn a_crash_is_recovered_from_the_last_checkpoint_and_the_lost_steps_rerun() {
    let (scripted, coordinator, completed, _root) = run_with_crashes(2, 6, vec![5], true).await;
    assert!(completed);
    // Step 5 crashed after the checkpoint of step 4: the run went on from step 5 again.
    assert_eq!(scripted.ran, vec![1, 2, 3, 4, 5, 6]);
    assert_eq!(scripted.saved, vec![2, 4, 6]);
    assert_eq!(coordinator.metrics.get("run.recoveries"), 1);

    // A crash between checkpoints re-runs the steps after the last one; their records are
    // written again and supersede the first ones.
    let (scripted, coordinator, completed, _root) = run_with_crashes(2, 4, vec![4], true).await;
    assert!(completed);
    assert_eq!(scripted.ran, vec![1, 2, 3, 3, 4]);
    let records = read_records(&coordinator.run_dir.path().join("metrics.jsonl")).unwrap();
    assert_eq!(
        records.iter().map(|record| record.step).collect::<Vec<_>>(),
        vec![1, 2, 3, 4]
    );
}

#[actix_rt::test]
async fn a_crash_while_saving_goes_back_to_the_checkpoint_before() {
    let root = tempfile::tempdir().unwrap();
    let coordinator = coordinator(root.path(), 2);
    let mut scripted = plan(&coordinator, None);
    scripted.crash_saving = vec![4];
    let outcome = coordinator.run(&mut scripted, 1, 4).await.unwrap();
    assert_eq!(outcome, RunOutcome::Completed { last_step: 4 });
    assert_eq!(scripted.ran, vec![1, 2, 3, 4, 3, 4]);
    assert_eq!(scripted.saved, vec![2, 4]);
    assert_eq!(coordinator.metrics.get("run.recoveries"), 1);
}

#[actix_rt::test]
async fn a_crash_that_recurs_or_cannot_be_recovered_fails_the_run() {
    // The same step failing again after a recovery is not transient.
    let (scripted, _, completed, _root) = run_with_crashes(2, 4, vec![3, 3], true).await;
    assert!(!completed);
    assert_eq!(scripted.ran, vec![1, 2]);

    // More crashes than max_recoveries (2).
    let (scripted, coordinator, completed, _root) =
        run_with_crashes(1, 5, vec![2, 3, 4], true).await;
    assert!(!completed);
    assert_eq!(scripted.ran, vec![1, 2, 3]);
    assert_eq!(coordinator.metrics.get("run.recoveries"), 2);

    // A plan that cannot recover.
    let (scripted, _, completed, _root) = run_with_crashes(1, 3, vec![2], false).await;
    assert!(!completed);
    assert_eq!(scripted.ran, vec![1]);
}
