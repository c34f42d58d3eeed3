//! `proctor generate` on the embedded tiny model: JSON lines, reproducible, clear input errors.

use crate::{proctor, repo_root, text};

fn lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

#[test]
fn greedy_fixed_length_generation_prints_one_line_per_prompt() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("prompts.jsonl"),
        "{\"prompt\": \"What is 2 + 3?\"}\n{\"prompt\": \"What is 10 - 4?\"}\n",
    )
    .unwrap();
    let args = [
        "generate",
        "--model",
        "builtin:tiny",
        "--prompts",
        "prompts.jsonl",
        "--temperature",
        "0",
        "--max-new-tokens",
        "6",
        "--no-stop",
    ];
    let output = proctor(folder.path(), &args, &[]);
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    let generations = lines(&stdout);
    assert_eq!(generations.len(), 2);
    for generation in &generations {
        assert_eq!(generation["token_ids"].as_array().unwrap().len(), 6);
        assert_eq!(generation["logprobs"].as_array().unwrap().len(), 6);
        assert_eq!(generation["finish_reason"], "length");
        assert!(
            generation["logprobs"]
                .as_array()
                .unwrap()
                .iter()
                .all(|lp| lp.as_f64().unwrap() <= 0.0)
        );
    }
    assert_eq!(generations[1]["prompt"], "What is 10 - 4?");
}

#[test]
fn sampling_is_reproducible_for_a_seed() {
    let args = [
        "generate",
        "--model",
        "builtin:tiny",
        "--prompt",
        "What is 7 + 1?",
        "--seed",
        "5",
        "--n",
        "3",
        "--max-new-tokens",
        "8",
    ];
    let first = proctor(&repo_root(), &args, &[]);
    let second = proctor(&repo_root(), &args, &[]);
    assert!(first.status.success(), "{}", text(&first).1);
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(lines(&text(&first).0).len(), 3);
}

#[test]
fn a_malformed_prompts_file_names_its_line() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("p.jsonl"),
        "{\"prompt\": \"ok\"}\n{\"question\": 1}\n",
    )
    .unwrap();
    let output = proctor(
        folder.path(),
        &[
            "generate",
            "--model",
            "builtin:tiny",
            "--prompts",
            "p.jsonl",
        ],
        &[],
    );
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("p.jsonl:2"), "{stderr}");
}

#[test]
fn a_missing_model_directory_is_named() {
    let output = proctor(
        &repo_root(),
        &["generate", "--model", "no/such/model", "--prompt", "hi"],
        &[],
    );
    let (_, stderr) = text(&output);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("no/such/model"), "{stderr}");
}
