//! `proctor run`: invalid topologies and drifted resumes are refused before anything is written.

use crate::{proctor, repo_root, text};

#[test]
fn an_invalid_topology_creates_no_run_directory() {
    let folder = tempfile::tempdir().unwrap();
    let example = repo_root().join("examples/arith-grpo.toml");
    let output = proctor(
        folder.path(),
        &[
            "run",
            example.to_str().unwrap(),
            "--set",
            "learner.clip.low=2",
        ],
        &[],
    );
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("learner.clip.low"), "{stderr}");
    assert!(!folder.path().join("runs").exists());
}

#[test]
fn a_resume_that_would_change_the_training_is_refused_naming_the_keys() {
    let folder = tempfile::tempdir().unwrap();
    let example = repo_root().join("examples/arith-grpo.toml");
    let example = example.to_str().unwrap();
    // Record the resolved topology as a run directory would hold it.
    let output = proctor(folder.path(), &["validate", example, "--quiet"], &[]);
    assert!(output.status.success());
    let resolved = proctor(folder.path(), &["validate", example], &[]);
    let run_dir = folder.path().join("old-run");
    std::fs::create_dir_all(&run_dir).unwrap();
    std::fs::write(run_dir.join("topology.resolved.toml"), &resolved.stdout).unwrap();

    let output = proctor(
        folder.path(),
        &[
            "run",
            example,
            "--resume",
            "old-run",
            "--set",
            "learner.lr=1e-3",
            "--set",
            "run.steps=400",
        ],
        &[],
    );
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    // run.steps changed too, but may: only learner.lr is named.
    assert!(
        stderr.contains("differs from the one the run started with at learner.lr; only"),
        "{stderr}"
    );
}

#[test]
fn resuming_a_directory_that_is_not_a_run_is_refused() {
    let folder = tempfile::tempdir().unwrap();
    let example = repo_root().join("examples/arith-grpo.toml");
    let output = proctor(
        folder.path(),
        &["run", example.to_str().unwrap(), "--resume", "."],
        &[],
    );
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot resume"), "{stderr}");
}
