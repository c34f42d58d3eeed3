//! Table-driven corpus: every (gold, response, expected status) row of `tests/corpus.jsonl` must hold.

use proctor_math::{MathStatus, verify};

fn status_name(status: MathStatus) -> &'static str {
    status.as_str()
}

#[test]
fn corpus_verdicts_match_expected() {
    let corpus = include_str!("../corpus.jsonl");
    let mut failures = Vec::new();
    let mut total = 0;
    for (line_idx, line) in corpus.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("line {}: {e}", line_idx + 1));
        let gold = row["gold"].as_str().expect("gold is a string");
        let response = row["response"].as_str().expect("response is a string");
        let expected = row["expected"].as_str().expect("expected is a string");
        let metadata = row.get("metadata").and_then(|m| m.as_str()).unwrap_or("");
        let verdict = verify(gold, response, metadata);
        total += 1;
        if status_name(verdict.status) != expected {
            let short = |s: &str| s.chars().take(90).collect::<String>();
            failures.push(format!(
                "line {} [{}]: gold `{}` response `{}`: expected {expected}, got {} ({})",
                line_idx + 1,
                row["topic"].as_str().unwrap_or(""),
                short(gold),
                short(response),
                status_name(verdict.status),
                short(&verdict.detail)
            ));
        }
    }
    assert!(total >= 300, "corpus has only {total} rows");
    assert!(
        failures.is_empty(),
        "{} of {total} corpus rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
