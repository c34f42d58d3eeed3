//! `proctor run`: validate, prepare the run directory, and drive the topology's step plan.

use super::{Failure, load_topology};
use crate::cli::RunArgs;
use anyhow::{Context, anyhow};
use proctor_runtime::{
    Coordinator, Metrics, RecorderActor, RunDir, RunDirMode, RunOutcome, Shutdown, StepPlan, System,
};
use proctor_topology::{LoadOptions, RESUMABLE_CHANGES, Topology, differences, parse_str};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Runs a topology from its first step, or resumes it with `--resume`.
pub fn run(args: &RunArgs) -> Result<ExitCode, Failure> {
    let loaded = load_topology(&args.topology).map_err(Failure::usage)?;
    let topology = loaded.topology;
    let (run_dir_path, mode) = match &args.resume {
        Some(directory) => {
            refuse_drift(directory, &topology).map_err(Failure::usage)?;
            (directory.clone(), RunDirMode::Resume)
        }
        None if args.force => (topology.run_dir(), RunDirMode::Force),
        None => (topology.run_dir(), RunDirMode::Fresh),
    };
    // Build the plan before touching the run directory: a run that cannot start leaves nothing behind.
    let mut plan = proctor_actors::plan_for(&topology).map_err(Failure::failed)?;
    let run_dir =
        RunDir::prepare(&run_dir_path, mode, &topology.to_toml()).map_err(Failure::usage)?;
    drive(&mut plan, &topology, run_dir, mode == RunDirMode::Resume)
}

/// A resumed run must train the same thing: only the keys in [`RESUMABLE_CHANGES`] may differ.
fn refuse_drift(directory: &Path, topology: &Topology) -> anyhow::Result<()> {
    let stored_path = directory.join(proctor_runtime::RESOLVED_TOPOLOGY);
    let stored_text = std::fs::read_to_string(&stored_path).with_context(|| {
        format!(
            "cannot resume {}: no readable {}",
            directory.display(),
            stored_path.display()
        )
    })?;
    let options = LoadOptions {
        set: Vec::new(),
        env: Some(Vec::new()),
    };
    let stored = parse_str(&stored_text, &stored_path, &options).with_context(|| {
        format!(
            "cannot resume {}: its stored topology is damaged",
            directory.display()
        )
    })?;
    let drift: Vec<String> = differences(&stored, topology)
        .into_iter()
        .filter(|key| !RESUMABLE_CHANGES.contains(&key.as_str()))
        .collect();
    if drift.is_empty() {
        Ok(())
    } else {
        Err(anyhow!(
            "cannot resume {}: the topology differs from the one the run started with at {}; \
             only {} may change on resume (start a new run to change the rest)",
            directory.display(),
            drift.join(", "),
            RESUMABLE_CHANGES.join(", ")
        ))
    }
}

/// Drives the plan inside an actor system, stopping cleanly on Ctrl-C.
fn drive(
    plan: &mut impl StepPlan,
    topology: &Topology,
    run_dir: RunDir,
    resume: bool,
) -> Result<ExitCode, Failure> {
    let system = System::new();
    let metrics = Metrics::default();
    let run_dir_path: PathBuf = run_dir.path().to_path_buf();
    let outcome = system.block_on(async {
        let first_step = if resume {
            plan.restore(&run_dir)
                .await
                .context("cannot restore the last checkpoint")?
                + 1
        } else {
            1
        };
        let recorder = RecorderActor::open(run_dir.path())
            .and_then(RecorderActor::start_on_own_thread)
            .with_context(|| format!("cannot open metrics in {}", run_dir.path().display()))?;
        let shutdown = Shutdown::default();
        shutdown.listen_for_ctrl_c();
        let coordinator = Coordinator {
            metrics,
            recorder,
            run_dir,
            shutdown,
            checkpoint_every: topology.run.checkpoint_every,
        };
        coordinator
            .run(plan, first_step, topology.run.steps)
            .await
            .context("the run failed")
    });
    match outcome.map_err(Failure::failed)? {
        RunOutcome::Completed { last_step } => {
            eprintln!(
                "proctor: run finished after step {last_step}; results in {}",
                run_dir_path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        RunOutcome::Interrupted {
            last_completed_step,
            ..
        } => {
            eprintln!(
                "proctor: stopped after step {last_completed_step}; continue with `proctor run CONFIG --resume {}`",
                run_dir_path.display()
            );
            Ok(ExitCode::from(130))
        }
    }
}
