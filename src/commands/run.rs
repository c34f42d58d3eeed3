//! `proctor run`: validate, prepare the run directory, and drive the topology's step plan.

use super::{Failure, load_topology};
use crate::cli::RunArgs;
use anyhow::{Context, anyhow};
use proctor_actors::{ActorsError, TrainingPlan};
use proctor_plugin_host::{HostConfig, PluginHost};
use proctor_runtime::{
    Coordinator, Metrics, RecorderActor, RunDir, RunDirMode, RunOutcome, Shutdown, System,
};
use proctor_topology::{LoadOptions, RESUMABLE_CHANGES, Topology, differences, parse_str};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Runs a topology from its first step, or resumes it with `--resume`.
pub fn run(args: &RunArgs) -> Result<ExitCode, Failure> {
    let loaded = load_topology(&args.topology).map_err(Failure::usage)?;
    run_topology(&loaded.topology, args.resume.as_deref(), args.force)
}

/// Runs an already loaded topology (shared with `proctor demo`).
pub fn run_topology(
    topology: &Topology,
    resume: Option<&Path>,
    force: bool,
) -> Result<ExitCode, Failure> {
    let started = Instant::now();
    let topology = topology.clone();
    let (run_dir_path, mode) = match resume {
        Some(directory) => {
            refuse_drift(directory, &topology).map_err(Failure::usage)?;
            (directory.to_path_buf(), RunDirMode::Resume)
        }
        None if force => (topology.run_dir(), RunDirMode::Force),
        None => (topology.run_dir(), RunDirMode::Fresh),
    };
    // Build the plan (data read, plugins loaded) before touching the run directory: a run that
    // cannot start leaves nothing behind.
    let host = PluginHost::new(HostConfig::default())
        .context("cannot start the plugin host")
        .map_err(Failure::failed)?;
    let metrics = Metrics::default();
    let mut plan =
        TrainingPlan::new(&topology, &run_dir_path, metrics.clone(), &host).map_err(|error| {
            match error {
                ActorsError::Unsupported { .. } | ActorsError::Data(_) | ActorsError::Plugin(_) => {
                    Failure::usage(error)
                }
            }
        })?;
    let mut line = crate::progress::ProgressLine::new();
    plan.on_progress(move |progress| line.show(progress));
    let run_dir =
        RunDir::prepare(&run_dir_path, mode, &topology.to_toml()).map_err(Failure::usage)?;
    let code = drive(
        &mut plan,
        &topology,
        run_dir,
        metrics,
        mode == RunDirMode::Resume,
    )?;
    finish(&plan, &run_dir_path, started).map_err(Failure::failed)?;
    Ok(code)
}

/// Writes `summary.json` and the learning curve, and prints the headline numbers.
fn finish(plan: &TrainingPlan, run_dir: &Path, started: Instant) -> anyhow::Result<()> {
    let records = proctor_runtime::read_records(&run_dir.join("metrics.jsonl"))
        .map_err(|error| anyhow!("cannot read the recorded metrics: {error}"))?;
    let summary = crate::report::Summary::new(
        plan.evals(),
        &records,
        plan.warm_start_steps(),
        started.elapsed().as_secs_f64(),
    );
    crate::report::write(run_dir, &summary, &records)
        .with_context(|| format!("cannot write the summary into {}", run_dir.display()))?;
    let show = |value: Option<f64>| value.map_or("-".to_string(), |v| format!("{v:.3}"));
    eprintln!(
        "proctor: held-out accuracy {} before training, {} before RL, {} after RL; {:.0}s; \
         {} and {} in {}",
        show(summary.eval_accuracy_initial),
        show(summary.eval_accuracy_before_rl),
        show(summary.eval_accuracy_after_rl),
        summary.wall_seconds,
        crate::report::SUMMARY,
        crate::report::CURVE,
        run_dir.display()
    );
    Ok(())
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
    plan: &mut TrainingPlan,
    topology: &Topology,
    run_dir: RunDir,
    metrics: Metrics,
    resume: bool,
) -> Result<ExitCode, Failure> {
    let system = System::new();
    let run_dir_path: PathBuf = run_dir.path().to_path_buf();
    let outcome = system.block_on(async {
        let first_step = if resume {
            proctor_runtime::StepPlan::restore(plan, &run_dir)
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
            max_recoveries: topology.learner.supervision.max_restarts,
        };
        coordinator
            .run(plan, first_step, topology.total_steps())
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
