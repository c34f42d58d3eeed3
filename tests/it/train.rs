//! `proctor run` trains: warm-start SFT then GRPO through every actor, writes metrics, a summary
//! and a learning curve, and a stopped run resumed later ends bit for bit where an uninterrupted
//! one does.

use crate::{proctor, repo_root, text};
use std::path::Path;

/// The demo topology shrunk to seconds: 2 SFT steps, then RL steps of 2 prompts × 2 samples.
fn small(steps: u64) -> Vec<String> {
    [
        format!("run.steps={steps}"),
        "run.checkpoint_every=2".into(),
        "run.eval_every=0".into(),
        "warm_start.steps=2".into(),
        "warm_start.batch_size=4".into(),
        "data.prompts_per_step=2".into(),
        "policy.sampling.n=2".into(),
        "policy.sampling.max_new_tokens=3".into(),
        "learner.kl.coef=0.01".into(),
        "learner.reset_reference_every=1".into(),
        "learner.micro_batch_size=4".into(),
    ]
    .to_vec()
}

fn run(folder: &Path, out: &str, steps: u64, extra: &[&str]) -> std::process::Output {
    run_with_env(folder, out, steps, extra, &[])
}

fn run_with_env(
    folder: &Path,
    out: &str,
    steps: u64,
    extra: &[&str],
    env: &[(&str, &str)],
) -> std::process::Output {
    let demo = repo_root().join("examples/demo.toml");
    let mut args: Vec<String> = vec![
        "run".into(),
        demo.to_str().expect("a UTF-8 repository path").into(),
    ];
    for setting in small(steps) {
        args.extend(["--set".into(), setting]);
    }
    args.extend(["--set".into(), format!("run.out=\"{out}\"")]);
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    proctor(folder, &args, env)
}

fn weights(run_dir: &Path, step: u64) -> Vec<Vec<u8>> {
    let checkpoint = run_dir.join(format!("checkpoints/step-{step}"));
    [
        "model/model.safetensors",
        "reference.safetensors",
        "optimizer.safetensors",
    ]
    .iter()
    .map(|file| {
        std::fs::read(checkpoint.join(file))
            .unwrap_or_else(|error| panic!("{}: {error}", checkpoint.join(file).display()))
    })
    .collect()
}

#[test]
fn a_stopped_and_resumed_run_ends_bit_for_bit_where_a_straight_run_does() {
    let folder = tempfile::tempdir().unwrap();
    // 2 warm-start steps + 4 RL steps straight.
    let straight = run(folder.path(), "straight", 4, &[]);
    let (_, stderr) = text(&straight);
    assert!(straight.status.success(), "{stderr}");

    // The same run stopped after 2 RL steps (a shorter run.steps, a resumable change), then
    // resumed to 4 RL steps.
    let first = run(folder.path(), "split", 2, &[]);
    let (_, first_err) = text(&first);
    assert!(first.status.success(), "{first_err}");
    let resumed = run(folder.path(), "split", 4, &["--resume", "split"]);
    let (_, resumed_err) = text(&resumed);
    assert!(resumed.status.success(), "{resumed_err}");

    assert!(
        weights(&folder.path().join("straight"), 6) == weights(&folder.path().join("split"), 6),
        "policy, reference and optimizer state differ after resume"
    );

    // Every step is recorded with its phase timings, and the run leaves its summary and curve.
    let run_dir = folder.path().join("straight");
    let records = std::fs::read_to_string(run_dir.join("metrics.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = records
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    let rl = &lines[5]["values"];
    for key in [
        "reward",
        "kl",
        "time_generate_s",
        "time_verify_s",
        "time_reference_s",
        "time_learner_s",
        "time_sync_s",
        "eval_accuracy",
    ] {
        assert!(rl[key].is_number(), "{key} missing from {rl}");
    }
    assert_eq!(rl["reference_reset"], 1.0);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("summary.json")).unwrap())
            .unwrap();
    for key in [
        "eval_accuracy_before_rl",
        "eval_accuracy_after_rl",
        "wall_seconds",
    ] {
        assert!(summary[key].is_number(), "{key} missing from {summary}");
    }
    let png = std::fs::read(run_dir.join("learning-curve.png")).unwrap();
    assert_eq!(&png[..4], b"\x89PNG");
}

#[test]
fn with_staleness_1_the_next_rollouts_overlap_training_and_resume_stays_exact() {
    let folder = tempfile::tempdir().unwrap();
    let stale = ["--set", "policy.max_staleness=1"];
    let straight = run(folder.path(), "straight", 4, &stale);
    let (_, stderr) = text(&straight);
    assert!(straight.status.success(), "{stderr}");
    let first = run(folder.path(), "split", 2, &stale);
    assert!(first.status.success(), "{}", text(&first).1);
    let mut resume = stale.to_vec();
    resume.extend(["--resume", "split"]);
    let resumed = run(folder.path(), "split", 4, &resume);
    assert!(resumed.status.success(), "{}", text(&resumed).1);
    assert!(
        weights(&folder.path().join("straight"), 6) == weights(&folder.path().join("split"), 6),
        "policy, reference and optimizer state differ after resume"
    );
    // Steps 4 and 6 trained on rollouts requested while steps 3 and 5 trained (one version
    // behind); steps 3 and 5 follow a checkpoint, where nothing is requested ahead.
    let records = std::fs::read_to_string(folder.path().join("straight/metrics.jsonl")).unwrap();
    let lags: Vec<f64> = records
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter_map(|record| record["values"]["weights_lag"].as_f64())
        .collect();
    assert_eq!(lags, [0.0, 1.0, 0.0, 1.0]);
}

#[test]
fn a_learner_crash_goes_back_to_the_last_checkpoint_and_the_run_ends_as_a_straight_one() {
    let folder = tempfile::tempdir().unwrap();
    // Rollouts of the next step are in flight when the learner dies (staleness 1): they must
    // be dropped, not trained on after the recovery.
    let stale = [
        "--set",
        "policy.max_staleness=1",
        "--set",
        "learner.supervision.backoff_ms=10",
    ];
    let straight = run(folder.path(), "straight", 4, &stale);
    assert!(straight.status.success(), "{}", text(&straight).1);
    // The learner panics before training step 5 (the third RL step), after the checkpoint of
    // step 4: every role restarts from that checkpoint and steps 5 and 6 run again.
    let crashed = run_with_env(
        folder.path(),
        "crashed",
        4,
        &stale,
        &[("PROCTOR_FAULT_LEARNER_PANIC_AT_STEP", "5")],
    );
    let (_, stderr) = text(&crashed);
    assert!(crashed.status.success(), "{stderr}");
    assert!(stderr.contains("injected learner crash"), "{stderr}");
    assert!(
        weights(&folder.path().join("straight"), 6) == weights(&folder.path().join("crashed"), 6),
        "policy, reference and optimizer state differ after the recovery"
    );
    let records =
        proctor_runtime::read_records(&folder.path().join("crashed/metrics.jsonl")).unwrap();
    assert_eq!(records.len(), 6);
    assert_eq!(records[5].counters["run.recoveries"], 1);

    // Before the first checkpoint there is nothing to go back to: the run fails and says how
    // to continue.
    let early = run_with_env(
        folder.path(),
        "early",
        4,
        &stale,
        &[("PROCTOR_FAULT_LEARNER_PANIC_AT_STEP", "1")],
    );
    let (_, stderr) = text(&early);
    assert!(!early.status.success());
    assert!(stderr.contains("--resume"), "{stderr}");
}

#[test]
fn a_malformed_dataset_line_is_named_before_anything_is_written() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("bad.jsonl"),
        "{\"prompt\": \"What is 1 + 1?\", \"answer\": \"2\"}\n{\"prompt\": 5}\n",
    )
    .unwrap();
    let bad = folder.path().join("bad.jsonl");
    let output = run(
        folder.path(),
        "bad-run",
        2,
        &["--set", &format!("data.train=\"{}\"", bad.display())],
    );
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("bad.jsonl:2") && stderr.contains("\"prompt\" must be a string"),
        "{stderr}"
    );
    assert!(!folder.path().join("bad-run").exists());
}

#[test]
fn an_environment_plugin_feeds_training_and_held_out_tasks() {
    let folder = tempfile::tempdir().unwrap();
    let example = repo_root().join("examples/logic-curriculum.toml");
    let output = proctor(
        folder.path(),
        &[
            "run",
            example.to_str().unwrap(),
            "--set",
            "run.steps=2",
            "--set",
            "data.environment.eval_tasks=3",
            "--set",
            "policy.sampling.max_new_tokens=4",
            "--set",
            "data.prompts_per_step=2",
            "--set",
            "policy.sampling.n=2",
            "--set",
            "learner.micro_batch_size=4",
        ],
        &[],
    );
    let (_, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let run_dir = folder.path().join("runs/logic-curriculum");
    let records = std::fs::read_to_string(run_dir.join("metrics.jsonl")).unwrap();
    assert_eq!(records.lines().count(), 2);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("summary.json")).unwrap())
            .unwrap();
    // Held-out tasks were generated and evaluated before and after training.
    assert_eq!(summary["evals"].as_array().unwrap().len(), 2, "{summary}");

    // A kind the plugin does not offer is refused before anything is written.
    let output = proctor(
        folder.path(),
        &[
            "run",
            example.to_str().unwrap(),
            "--set",
            "data.environment.kinds={ chess = 1.0 }",
            "--set",
            "run.out=\"refused\"",
        ],
        &[],
    );
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("`chess`"), "{stderr}");
    assert!(!folder.path().join("refused").exists());
}
