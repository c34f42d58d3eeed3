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
        self.ran.push(step);
        Ok(BTreeMap::from([("reward".to_string(), step as f64 / 10.0)]))
    }

    async fn save(&mut self, step: u64) -> Result<(), RuntimeError> {
        self.saved.push(step);
        Ok(())
    }

    async fn restore(&mut self, _run_dir: &RunDir) -> Result<u64, RuntimeError> {
        Ok(self.saved.last().copied().unwrap_or(0))
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
    }
}

fn plan(coordinator: &Coordinator, stop_requests_at: Option<(u64, u32)>) -> ScriptedPlan {
    ScriptedPlan {
        shutdown: coordinator.shutdown.clone(),
        stop_requests_at,
        saved: Vec::new(),
        ran: Vec::new(),
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
