//! Runs the verifier over `tests/corpus.jsonl`: prints one JSON verdict per row (with `--verdicts`)
//! and a throughput summary. Works natively and as a WASI program (the corpus is compiled in);
//! `--input FILE` reads another JSONL file of rows with `gold` and `response` instead (native).
//!
//! Native: `cargo run --release -p proctor-math --example corpus_verdicts -- --verdicts`
//! WASM:   `cargo build --release -p proctor-math --example corpus_verdicts --target wasm32-wasip1`,
//!         then `node plugins/math/bench/run_wasi.mjs <path to corpus_verdicts.wasm>`.

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let print_verdicts = args.iter().any(|arg| arg == "--verdicts");
    let repeat: usize = args
        .iter()
        .position(|arg| arg == "--repeat")
        .and_then(|idx| args.get(idx + 1))
        .and_then(|value| value.parse().ok())
        .unwrap_or(20);
    let input = args
        .iter()
        .position(|arg| arg == "--input")
        .and_then(|idx| args.get(idx + 1));
    let text = match input {
        Some(path) => std::fs::read_to_string(path).expect("input file is readable"),
        None => include_str!("../tests/corpus.jsonl").to_string(),
    };
    let rows: Vec<serde_json::Value> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).expect("corpus rows are JSON"))
        .collect();
    let field = |row: &serde_json::Value, name: &str| row[name].as_str().unwrap_or("").to_string();
    let mut agree = 0;
    for (idx, row) in rows.iter().enumerate() {
        let row_started = Instant::now();
        let verdict = proctor_math::verify(
            &field(row, "gold"),
            &field(row, "response"),
            &field(row, "metadata"),
        );
        let micros = row_started.elapsed().as_secs_f64() * 1e6;
        if verdict.status.as_str() == field(row, "expected") {
            agree += 1;
        }
        if print_verdicts {
            let line = serde_json::json!({
                "row": idx,
                "status": verdict.status.as_str(),
                "score": verdict.score,
                "detail": verdict.detail,
                "us": micros,
            });
            println!("{line}");
        }
    }
    let started = Instant::now();
    for _ in 0..repeat {
        for row in &rows {
            std::hint::black_box(proctor_math::verify(
                &field(row, "gold"),
                &field(row, "response"),
                "",
            ));
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let total = (rows.len() * repeat) as f64;
    eprintln!(
        "rows={} repeat={repeat} seconds={seconds:.3} verifications_per_s={:.0} us_per_verification={:.1} agree_with_expected={agree}/{}",
        rows.len(),
        total / seconds,
        1e6 * seconds / total,
        rows.len()
    );
}
