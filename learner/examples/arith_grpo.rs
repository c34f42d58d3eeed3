//! Shows the whole learner on one process: SFT warm-start of `builtin:tiny` on part of a
//! single-digit addition set, then GRPO with an exact-match reward on the last number, printing
//! held-out greedy accuracy before and after GRPO (the numbers the demo must move).
//!
//! Run: `RAYON_NUM_THREADS=2 cargo run --release -p proctor-learner --example arith_grpo`
//! Settings come from environment variables (defaults in brackets): SFT_STEPS [60], SFT_LR [3e-3],
//! SFT_FRACTION [0.5] (share of training prompts SFT sees), GRPO_STEPS [60], GRPO_LR [1e-3],
//! PROMPTS [8] per step, SAMPLES [8] per prompt, TEMPERATURE [1.0], KL [0.0], SEED [7],
//! TASK [add1] (`add1`: a + b; `tens`: two-digit + one-digit without carry; `templates`: a + b
//! in TEMPLATES [6] phrasings), HELDOUT [25] problems, SFT_MAX_B [9] (SFT only sees b ≤ this),
//! SFT_BATCH [64], NOISE [0] (off-by-one SFT answers added per problem).
//! This is the single-process experiment bench behind `examples/demo.toml`'s design; the demo
//! itself runs through the actors (`proctor demo`).

use std::time::Instant;

use proctor_learner::{
    Algorithm, KlConfig, Learner, LearnerConfig, ScoredCompletion, ScoredGroup, SftPair, StepReport,
};
use proctor_models::{
    ChatMessage, Device, FinishReason, GenerationRequest, Generator, LanguageModel, SamplingParams,
};

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// A deterministic shuffle (splitmix64-driven Fisher-Yates).
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in (1..items.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// Phrasings of "a + b" (TEMPLATES of them are used).
fn question(a: u32, b: u32) -> String {
    phrase(a, b % 100, b / 100)
}

fn phrase(a: u32, b: u32, template: u32) -> String {
    match template {
        1 => format!("{a} + {b} = ?"),
        2 => format!("Add {a} and {b}."),
        3 => format!("Compute {a} + {b}."),
        4 => format!("What is {a} plus {b}?"),
        5 => format!("Sum of {a} and {b}?"),
        _ => format!("What is {a} + {b}?"),
    }
}

/// The last run of digits in `text`.
fn last_number(text: &str) -> Option<u64> {
    text.split(|c: char| !c.is_ascii_digit())
        .rfind(|part| !part.is_empty())
        .and_then(|part| part.parse().ok())
}

fn reward(text: &str, answer: u32) -> f64 {
    f64::from(u8::from(last_number(text) == Some(u64::from(answer))))
}

/// Greedy accuracy on `problems`.
fn accuracy(model: &LanguageModel, problems: &[(u32, u32)]) -> f64 {
    let prompts: Vec<Vec<u32>> = problems
        .iter()
        .map(|&(a, b)| {
            model
                .tokenizer
                .encode_chat(&[ChatMessage::user(question(a, b))])
                .expect("the built-in tokenizer encodes ASCII prompts")
        })
        .collect();
    let request = GenerationRequest {
        prompts,
        sampling: SamplingParams {
            temperature: 0.0,
            max_new_tokens: 4,
            ..SamplingParams::default()
        },
    };
    let generations = Generator::new(&model.model, &model.tokenizer)
        .generate(&request)
        .expect("greedy generation on the built-in model");
    let correct: f64 = generations
        .iter()
        .map(|g| {
            let (a, b) = problems[g.prompt_index];
            reward(&g.text, a + b % 100)
        })
        .sum();
    correct / problems.len() as f64
}

fn print_report(phase: &str, report: &StepReport, accuracy: Option<f64>, started: Instant) {
    let accuracy = accuracy.map_or(String::new(), |a| format!(" heldout={a:.3}"));
    println!(
        "{phase} step={} loss={:.4} reward={:.3} kl={:.5} entropy={:.3} clip={:.3} grad_norm={:.3} lr={:.2e}{accuracy} t={:.1}s",
        report.step,
        report.loss,
        report.reward_mean,
        report.kl,
        report.entropy,
        report.clip_fraction,
        report.grad_norm,
        report.lr,
        started.elapsed().as_secs_f64()
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed: u64 = setting("SEED", 7);
    let sft_steps: u32 = setting("SFT_STEPS", 60);
    let grpo_steps: u32 = setting("GRPO_STEPS", 60);
    let prompts_per_step: usize = setting("PROMPTS", 8);
    let samples: usize = setting("SAMPLES", 8);
    let temperature: f32 = setting("TEMPERATURE", 1.0);
    let sft_fraction: f64 = setting("SFT_FRACTION", 0.5);
    let started = Instant::now();

    let task: String = setting("TASK", "add1".to_string());
    let sft_max_b: u32 = setting("SFT_MAX_B", 9);
    let heldout_count: usize = setting("HELDOUT", 25);
    let noise: usize = setting("NOISE", 0);
    let mut problems: Vec<(u32, u32)> = match task.as_str() {
        // Two-digit plus one-digit without carry.
        "tens" => (10..100)
            .flat_map(|a| (0..10).map(move |b| (a, b)))
            .filter(|&(a, b)| a % 10 + b < 10)
            .collect(),
        // b carries the template index in its hundreds.
        "templates" => {
            let templates: u32 = setting("TEMPLATES", 6);
            (0..10)
                .flat_map(|a| {
                    (0..10).flat_map(move |b| (0..templates).map(move |t| (a, b + 100 * t)))
                })
                .collect()
        }
        _ => (0..10).flat_map(|a| (0..10).map(move |b| (a, b))).collect(),
    };
    shuffle(&mut problems, seed);
    let (heldout, train) = problems.split_at(heldout_count);
    let sft_pool: Vec<(u32, u32)> = train
        .iter()
        .copied()
        .filter(|&(_, b)| b % 100 <= sft_max_b)
        .collect();
    let sft_count = ((sft_pool.len() as f64) * sft_fraction).round() as usize;
    let sft_problems = &sft_pool[..sft_count];

    let model = LanguageModel::load("builtin:tiny", &Device::Cpu)?;
    let mut pairs: Vec<SftPair> = Vec::new();
    for &(a, b) in sft_problems {
        pairs.push(SftPair::from_chat(
            &model.tokenizer,
            &question(a, b),
            &(a + b % 100).to_string(),
        )?);
        // A noisy teacher: NOISE off-by-one answers per problem next to the correct one.
        for k in 0..noise {
            let sum = a + b % 100;
            let wrong = if k % 2 == 0 {
                sum + 1
            } else {
                sum.saturating_sub(1)
            };
            pairs.push(SftPair::from_chat(
                &model.tokenizer,
                &question(a, b),
                &wrong.to_string(),
            )?);
        }
    }
    println!(
        "problems: {} train ({} in SFT), {} held out; heldout accuracy before SFT {:.3}",
        train.len(),
        sft_problems.len(),
        heldout.len(),
        accuracy(&model, heldout)
    );

    let sft_config = LearnerConfig {
        algorithm: Algorithm::Sft,
        lr: setting("SFT_LR", 3e-3),
        micro_batch_size: 64,
        warmup_steps: 5,
        ..LearnerConfig::default()
    };
    let mut learner = Learner::new(model, sft_config)?;
    for step in 0..sft_steps {
        let batch: usize = setting("SFT_BATCH", 64).min(pairs.len());
        if (step as usize * batch).is_multiple_of(pairs.len()) || batch == pairs.len() {
            shuffle(&mut pairs, seed ^ u64::from(step));
        }
        let start = (step as usize * batch) % pairs.len();
        let chunk: Vec<SftPair> = pairs
            .iter()
            .cycle()
            .skip(start)
            .take(batch)
            .cloned()
            .collect();
        let report = learner.train_sft_step(&chunk)?;
        if (step + 1) % 20 == 0 || step + 1 == sft_steps {
            print_report(
                "sft",
                &report,
                Some(accuracy(learner.policy(), heldout)),
                started,
            );
        }
    }
    let policy = learner.into_policy();
    let before = accuracy(&policy, heldout);
    let train_before = accuracy(&policy, train);
    println!(
        "after SFT: heldout {before:.3}, train {train_before:.3}, t={:.1}s",
        started.elapsed().as_secs_f64()
    );

    let grpo_config = LearnerConfig {
        algorithm: Algorithm::Grpo,
        lr: setting("GRPO_LR", 1e-3),
        micro_batch_size: 64,
        temperature,
        kl: KlConfig {
            coef: setting("KL", 0.0),
            ..KlConfig::default()
        },
        ..LearnerConfig::default()
    };
    let mut learner = Learner::new(policy, grpo_config)?;
    let mut cursor = 0usize;
    let mut order: Vec<usize> = (0..train.len()).collect();
    for step in 0..grpo_steps {
        let chosen: Vec<(u32, u32)> = (0..prompts_per_step)
            .map(|_| {
                if cursor.is_multiple_of(order.len()) {
                    shuffle(&mut order, seed ^ cursor as u64);
                }
                let problem = train[order[cursor % order.len()]];
                cursor += 1;
                problem
            })
            .collect();
        let tokenizer = &learner.policy().tokenizer;
        let prompts: Vec<Vec<u32>> = chosen
            .iter()
            .map(|&(a, b)| tokenizer.encode_chat(&[ChatMessage::user(question(a, b))]))
            .collect::<Result<_, _>>()?;
        let request = GenerationRequest {
            prompts: prompts.clone(),
            sampling: SamplingParams {
                temperature,
                max_new_tokens: 4,
                n: samples,
                seed: seed.wrapping_mul(1000).wrapping_add(u64::from(step)),
                ..SamplingParams::default()
            },
        };
        let generations = Generator::new(&learner.policy().model, tokenizer).generate(&request)?;
        let mut groups: Vec<ScoredGroup> = prompts
            .into_iter()
            .map(|prompt_ids| ScoredGroup {
                prompt_ids,
                completions: Vec::new(),
            })
            .collect();
        for generation in generations {
            let (a, b) = chosen[generation.prompt_index];
            groups[generation.prompt_index]
                .completions
                .push(ScoredCompletion {
                    reward: reward(&generation.text, a + b % 100),
                    truncated: generation.finish_reason == FinishReason::Length,
                    token_ids: generation.token_ids,
                    behaviour_logprobs: generation.logprobs,
                    ref_logprobs: None,
                });
        }
        let report = learner.train_grpo_step(&groups)?;
        let show = (step + 1) % 10 == 0 || step + 1 == grpo_steps;
        let heldout_accuracy = show.then(|| accuracy(learner.policy(), heldout));
        print_report("grpo", &report, heldout_accuracy, started);
    }
    let after = accuracy(learner.policy(), heldout);
    println!(
        "heldout accuracy: {before:.3} after SFT -> {after:.3} after GRPO ({:+.1} points); train {train_before:.3} -> {:.3}; total {:.1}s",
        100.0 * (after - before),
        accuracy(learner.policy(), train),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
