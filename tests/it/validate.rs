//! `proctor validate`: examples pass; bad topologies exit 2 naming the key path.

use crate::{proctor, repo_root, text};

#[test]
fn every_example_validates() {
    let examples = std::fs::read_dir(repo_root().join("examples")).unwrap();
    let mut checked = 0;
    for entry in examples {
        let path = entry.unwrap().path();
        if path
            .extension()
            .is_some_and(|extension| extension == "toml")
        {
            let output = proctor(&repo_root(), &["validate", path.to_str().unwrap()], &[]);
            let (stdout, stderr) = text(&output);
            assert!(output.status.success(), "{}: {stderr}", path.display());
            assert!(stdout.contains("[learner]"), "prints the resolved topology");
            checked += 1;
        }
    }
    assert!(checked >= 3);
}

#[test]
fn an_unknown_key_exits_2_naming_it() {
    let output = proctor(
        &repo_root(),
        &[
            "validate",
            "examples/arith-grpo.toml",
            "--set",
            "learner.bogus_key=1",
        ],
        &[],
    );
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("learner.bogus_key: unknown key"),
        "{stderr}"
    );
    assert!(
        stderr.contains("--set learner.bogus_key=1"),
        "names where it came from: {stderr}"
    );
}

#[test]
fn a_bad_key_in_the_file_is_reported_with_the_file_and_the_rest_at_once() {
    let folder = tempfile::tempdir().unwrap();
    let original = std::fs::read_to_string(repo_root().join("examples/arith-grpo.toml")).unwrap();
    let broken = original
        .replace(
            "micro_batch_size = 8",
            "micro_batch_size = 8\nbogus_key = true",
        )
        .replace("temperature = 1.0", "temperature = -1.0")
        .replace(
            "data/arith.jsonl",
            &repo_root()
                .join("examples/data/arith.jsonl")
                .display()
                .to_string(),
        )
        .replace(
            "data/arith-eval.jsonl",
            &repo_root()
                .join("examples/data/arith-eval.jsonl")
                .display()
                .to_string(),
        );
    let file = folder.path().join("broken.toml");
    std::fs::write(&file, broken).unwrap();
    let output = proctor(folder.path(), &["validate", "broken.toml"], &[]);
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("broken.toml"), "{stderr}");
    assert!(stderr.contains("learner.bogus_key"), "{stderr}");

    // Structure fixed, the semantic problems all come out together.
    let semantic = std::fs::read_to_string(&file)
        .unwrap()
        .replace("\nbogus_key = true", "")
        .replace("micro_batch_size = 8", "micro_batch_size = 7");
    std::fs::write(&file, semantic).unwrap();
    let output = proctor(folder.path(), &["validate", "broken.toml"], &[]);
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("2 problems"), "{stderr}");
    assert!(stderr.contains("policy.sampling.temperature"), "{stderr}");
    assert!(
        stderr.contains("learner.micro_batch_size = 7 does not divide"),
        "{stderr}"
    );
}

#[test]
fn environment_overrides_apply_and_are_blamed() {
    let output = proctor(
        &repo_root(),
        &["validate", "examples/arith-grpo.toml"],
        &[("PROCTOR__LEARNER__LR", "3e-6")],
    );
    let (stdout, _) = text(&output);
    assert!(output.status.success());
    assert!(stdout.contains("lr = 0.000003"), "{stdout}");

    let output = proctor(
        &repo_root(),
        &["validate", "examples/arith-grpo.toml"],
        &[("PROCTOR__POLICY__DEVICES", "[\"cuda:0\"]")],
    );
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("policy.devices[0]: device cuda:0 does not exist"),
        "{stderr}"
    );
    assert!(stderr.contains("PROCTOR__POLICY__DEVICES"), "{stderr}");
}

#[test]
fn a_toml_syntax_error_gives_file_line_and_column() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("bad.toml"),
        "[run]\nname = \"x\"\nsteps = [1,\n",
    )
    .unwrap();
    let output = proctor(folder.path(), &["validate", "bad.toml"], &[]);
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("bad.toml:3:12: TOML syntax error: unclosed array"),
        "{stderr}"
    );
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let output = proctor(&repo_root(), &["validate", "examples/nope.toml"], &[]);
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr.contains("cannot read topology file examples/nope.toml"),
        "{stderr}"
    );
}
