//! `proctor verify`, `proctor plugin check`, `proctor env generate` against the built-in plugins.

use crate::{proctor, repo_root, text};

fn write(folder: &std::path::Path, name: &str, contents: &str) {
    std::fs::write(folder.join(name), contents).expect("write a test file");
}

#[test]
fn the_math_builtin_scores_a_response_and_exits_0_whatever_the_verdict() {
    let folder = tempfile::tempdir().unwrap();
    write(
        folder.path(),
        "task.json",
        r#"{"id": "t1", "prompt": "What is 1/2 + 1/4?", "reference": "\\frac{3}{4}"}"#,
    );
    let cases = [
        ("so the answer is \\boxed{0.75}", "correct", 1.0),
        ("The answer is 3/5.", "incorrect", 0.0),
    ];
    for (response, status, score) in cases {
        let output = proctor(
            folder.path(),
            &[
                "verify",
                "--plugin",
                "math",
                "--task",
                "task.json",
                "--response",
                response,
            ],
            &[],
        );
        let (stdout, stderr) = text(&output);
        assert!(output.status.success(), "{stderr}");
        let verdict: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
        assert_eq!(verdict["status"], status, "{stdout}");
        assert_eq!(verdict["score"], score);
    }
}

#[test]
fn a_batch_is_answered_line_by_line_in_order() {
    let folder = tempfile::tempdir().unwrap();
    let mut lines = String::new();
    for value in 0..20 {
        let response = if value % 3 == 0 {
            format!("#### {}", value * 2)
        } else {
            "#### 1".to_string()
        };
        lines.push_str(&format!(
            "{{\"task\": {{\"id\": \"{value}\", \"prompt\": \"double {value}\", \"reference\": \"{}\"}}, \"response\": \"{response}\"}}\n",
            value * 2
        ));
    }
    write(folder.path(), "batch.jsonl", &lines);
    let output = proctor(
        folder.path(),
        &[
            "verify",
            "--plugin",
            "builtin:math",
            "--batch",
            "batch.jsonl",
        ],
        &[],
    );
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let statuses: Vec<String> = stdout
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["status"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(statuses.len(), 20);
    for (value, status) in statuses.iter().enumerate() {
        let expected = if value % 3 == 0 {
            "correct"
        } else {
            "incorrect"
        };
        assert_eq!(status, expected, "line {}", value + 1);
    }
}

#[test]
fn plugin_check_describes_a_builtin_and_rejects_a_non_plugin() {
    let output = proctor(&repo_root(), &["plugin", "check", "math", "--json"], &[]);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let info: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(info["name"], "math");
    assert_eq!(info["world"], "verifier");
    assert_eq!(info["package"], "proctor:verifier@0.1.0");

    let folder = tempfile::tempdir().unwrap();
    write(folder.path(), "not-a-plugin.wasm", "this is text, not wasm");
    let output = proctor(
        folder.path(),
        &["plugin", "check", "not-a-plugin.wasm"],
        &[],
    );
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("not-a-plugin.wasm"), "{stderr}");

    let output = proctor(&repo_root(), &["plugin", "check", "nosuch"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output).1.contains("unknown built-in plugin `nosuch`"));
}

#[test]
fn a_malformed_batch_line_is_named() {
    let folder = tempfile::tempdir().unwrap();
    write(
        folder.path(),
        "b.jsonl",
        "{\"task\": {\"id\": \"a\", \"prompt\": \"p\"}, \"response\": \"1\"}\n{\"response\": 2}\n",
    );
    let output = proctor(
        folder.path(),
        &["verify", "--plugin", "math", "--batch", "b.jsonl"],
        &[],
    );
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("b.jsonl:2"), "{stderr}");
}

#[test]
fn the_logic_environment_generates_deterministic_tasks_that_verify() {
    let args = [
        "env",
        "generate",
        "--plugin",
        "logic",
        "--kind",
        "countdown",
        "--seed",
        "3",
        "--difficulty",
        "2",
    ];
    let first = proctor(&repo_root(), &args, &[]);
    let (stdout, stderr) = text(&first);
    assert!(first.status.success(), "{stderr}");
    assert_eq!(
        proctor(&repo_root(), &args, &[]).stdout,
        first.stdout,
        "same seed, same task"
    );
    let task: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let reference = task["reference"].as_str().unwrap().to_string();

    let folder = tempfile::tempdir().unwrap();
    write(folder.path(), "task.json", stdout.trim());
    let response = format!("<answer>{reference}</answer>");
    let output = proctor(
        folder.path(),
        &[
            "verify",
            "--plugin",
            "logic",
            "--task",
            "task.json",
            "--response",
            &response,
        ],
        &[],
    );
    let verdict: serde_json::Value = serde_json::from_str(text(&output).0.trim()).unwrap();
    assert_eq!(verdict["status"], "correct", "{verdict}");

    let output = proctor(
        &repo_root(),
        &[
            "env",
            "generate",
            "--plugin",
            "logic",
            "--kind",
            "no_such_kind",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn env_bench_measures_each_kind_and_checks_its_references() {
    let folder = tempfile::tempdir().unwrap();
    let output = proctor(
        folder.path(),
        &[
            "env",
            "bench",
            "--plugin",
            "logic",
            "--kind",
            "countdown",
            "--kind",
            "n_queens",
            "--seconds",
            "0.02",
        ],
        &[],
    );
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    for (line, kind) in lines.iter().zip(["countdown", "n_queens"]) {
        assert_eq!(line["kind"], kind);
        assert_eq!(line["reference_accepted"], 1.0, "{line}");
        assert!(line["generated_per_s"].as_f64().unwrap() > 0.0);
        assert!(line["verified_per_s"].as_f64().unwrap() > 0.0);
    }

    let output = proctor(
        folder.path(),
        &[
            "env",
            "bench",
            "--plugin",
            "logic",
            "--kind",
            "chess",
            "--seconds",
            "0.01",
        ],
        &[],
    );
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`chess`") && stderr.contains("countdown"),
        "{stderr}"
    );
}

#[test]
fn plugin_new_scaffolds_each_language_with_the_wit_package() {
    let folder = tempfile::tempdir().unwrap();
    for (lang, marker) in [
        ("rust", "src/lib.rs"),
        ("python", "app.py"),
        ("c", "plugin.c"),
        ("js", "plugin.js"),
    ] {
        let name = format!("check-{lang}");
        let output = proctor(
            folder.path(),
            &["plugin", "new", "--lang", lang, &name],
            &[],
        );
        let (_, stderr) = text(&output);
        assert!(output.status.success(), "{lang}: {stderr}");
        let dir = folder.path().join(&name);
        let source = std::fs::read_to_string(dir.join(marker)).unwrap();
        assert!(
            source.contains(&name) && !source.contains("{{name}}"),
            "{lang}"
        );
        let wit = std::fs::read_to_string(dir.join("wit/types.wit")).unwrap();
        assert!(wit.starts_with("package proctor:verifier@0.1.0;"));
    }
    // Existing folders, bad names and folders that are not plugins are refused.
    let again = proctor(
        folder.path(),
        &["plugin", "new", "--lang", "rust", "check-rust"],
        &[],
    );
    assert_eq!(again.status.code(), Some(2));
    let bad = proctor(
        folder.path(),
        &["plugin", "new", "--lang", "rust", "../escape"],
        &[],
    );
    let (_, stderr) = text(&bad);
    assert_eq!(bad.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not usable"), "{stderr}");
    std::fs::create_dir(folder.path().join("empty")).unwrap();
    let build = proctor(folder.path(), &["plugin", "build", "empty"], &[]);
    let (_, stderr) = text(&build);
    assert_eq!(build.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a plugin folder"), "{stderr}");
}
