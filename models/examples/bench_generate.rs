//! Measures the benchmark model once, outside criterion: greedy generation tokens/s (16 × 24 → +64),
//! forward+backward time per token, and peak resident memory; prints one JSON line. With
//! `--save DIR` it also writes the model, prompts and greedy tokens for `bench/compare_transformers.py`.
//! Run: `RAYON_NUM_THREADS=2 cargo run --release -p proctor-models --example bench_generate -- [--save DIR]`

#[path = "../benches/bench_model.rs"]
mod bench_model;

use std::time::Instant;

use bench_model::{BATCH, NEW_TOKENS, PROMPT_LEN, bench_model, bench_prompts};
use proctor_models::{GenerationRequest, Generator, SamplingParams, sequence_logprobs_train};

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok());
    kib.unwrap_or(0.0) / 1024.0
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let save_dir = args
        .iter()
        .position(|a| a == "--save")
        .and_then(|i| args.get(i + 1))
        .map(std::path::PathBuf::from);
    let repeats = 5;
    let lm = bench_model();
    let request = GenerationRequest {
        prompts: bench_prompts(),
        sampling: SamplingParams {
            temperature: 0.0,
            max_new_tokens: NEW_TOKENS,
            stop_on_eos: false,
            ..SamplingParams::default()
        },
    };
    let generator = Generator::new(&lm.model, &lm.tokenizer);
    let generations = generator.generate(&request)?;
    let mut generate_seconds = Vec::new();
    for _ in 0..repeats {
        let start = Instant::now();
        generator.generate(&request)?;
        generate_seconds.push(start.elapsed().as_secs_f64());
    }
    let completions: Vec<Vec<u32>> = generations.iter().map(|g| g.token_ids.clone()).collect();
    let mut train_seconds = Vec::new();
    for _ in 0..repeats {
        let start = Instant::now();
        let scored = sequence_logprobs_train(&lm.model, &request.prompts, &completions, 1.0, 0)?;
        let _grads = scored.logprobs.sum_all()?.backward()?;
        train_seconds.push(start.elapsed().as_secs_f64());
    }
    let generate_s = median(generate_seconds);
    let train_s = median(train_seconds);
    let report = serde_json::json!({
        "engine": "proctor (candle)",
        "threads": std::env::var("RAYON_NUM_THREADS").unwrap_or_default(),
        "generate_seconds": generate_s,
        "generate_tokens_per_second": (BATCH * NEW_TOKENS) as f64 / generate_s,
        "forward_backward_ms_per_token": 1000.0 * train_s / (BATCH * (PROMPT_LEN + NEW_TOKENS)) as f64,
        "peak_rss_mib": peak_rss_mib(),
    });
    println!("{report}");
    if let Some(dir) = save_dir {
        lm.save(&dir)?;
        let bench = serde_json::json!({"prompts": request.prompts, "greedy_tokens": completions});
        std::fs::write(dir.join("bench.json"), bench.to_string())?;
    }
    Ok(())
}
