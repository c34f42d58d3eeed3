//! Learner tests on `builtin:tiny`: SFT learns, GRPO moves probability toward rewarded responses, micro-batching is exact, resume is bit-identical.

use super::*;
use crate::batch::ScoredCompletion;
use crate::config::{KlConfig, KlEstimator};
use proctor_models::candle_core::Device;

fn tiny() -> LanguageModel {
    LanguageModel::load("builtin:tiny", &Device::Cpu).unwrap()
}

fn arithmetic_pairs(
    tokenizer: &proctor_models::Tokenizer,
    offset: u32,
    count: u32,
) -> Vec<SftPair> {
    (offset..offset + count)
        .map(|i| {
            let (a, b) = (i % 7, (i * 3) % 5);
            SftPair::from_chat(
                tokenizer,
                &format!("What is {a} + {b}?"),
                &(a + b).to_string(),
            )
            .unwrap()
        })
        .collect()
}

fn sft_config() -> LearnerConfig {
    LearnerConfig {
        algorithm: Algorithm::Sft,
        lr: 3e-3,
        micro_batch_size: 4,
        ..LearnerConfig::default()
    }
}

#[test]
fn sft_reduces_the_loss_on_arithmetic() {
    let policy = tiny();
    let pairs = arithmetic_pairs(&policy.tokenizer, 0, 8);
    let mut learner = Learner::new(policy, sft_config()).unwrap();
    let before = learner.sft_loss(&pairs).unwrap();
    let mut last = None;
    for _ in 0..15 {
        last = Some(learner.train_sft_step(&pairs).unwrap());
    }
    let after = learner.sft_loss(&pairs).unwrap();
    let report = last.unwrap();
    assert_eq!(
        (report.step, report.weights_version, report.micro_batches),
        (15, 15, 2)
    );
    assert_eq!(report.tokens, 16);
    assert!(report.grad_norm > 0.0 && report.param_norm > 0.0);
    // A byte vocabulary starts near ln(259) ≈ 5.6 nats per token.
    assert!(
        before > 4.0 && after < 0.5 * before,
        "loss {before} -> {after}"
    );
}

/// A GRPO group for `prompt`: fixed completions, on-policy behaviour log-probs, given rewards.
fn group(learner: &Learner, prompt: &str, answers: &[(&str, f64)]) -> ScoredGroup {
    let tokenizer = &learner.policy().tokenizer;
    let prompt_ids = tokenizer
        .encode_chat(&[proctor_models::ChatMessage::user(prompt)])
        .unwrap();
    let completions: Vec<Vec<u32>> = answers
        .iter()
        .map(|(text, _)| {
            let mut ids = tokenizer.encode(text, false).unwrap();
            ids.push(2);
            ids
        })
        .collect();
    let prompts = vec![prompt_ids.clone(); completions.len()];
    let behaviour =
        sequence_logprobs(&learner.policy().model, &prompts, &completions, 1.0, 0).unwrap();
    ScoredGroup {
        prompt_ids,
        completions: completions
            .into_iter()
            .zip(behaviour)
            .zip(answers)
            .map(
                |((token_ids, behaviour_logprobs), (_, reward))| ScoredCompletion {
                    token_ids,
                    behaviour_logprobs,
                    ref_logprobs: None,
                    reward: *reward,
                    truncated: false,
                },
            )
            .collect(),
    }
}

fn sequence_logprob(learner: &Learner, prompt: &str, answer: &str) -> f32 {
    let g = group(learner, prompt, &[(answer, 0.0)]);
    g.completions[0].behaviour_logprobs.iter().sum()
}

fn grpo_config() -> LearnerConfig {
    LearnerConfig {
        algorithm: Algorithm::Grpo,
        lr: 2e-3,
        micro_batch_size: 3,
        kl: KlConfig {
            coef: 0.01,
            estimator: KlEstimator::K3,
            placement: KlPlacement::Loss,
        },
        ..LearnerConfig::default()
    }
}

#[test]
fn grpo_moves_probability_to_rewarded_answers() {
    let mut learner = Learner::new(tiny(), grpo_config()).unwrap();
    let answers = [("7", 1.0), ("8", 0.0), ("12", 0.0), ("7", 1.0)];
    let (good, bad) = (
        sequence_logprob(&learner, "What is 3 + 4?", "7"),
        sequence_logprob(&learner, "What is 3 + 4?", "8"),
    );
    let mut report = StepReport::default();
    for _ in 0..5 {
        let groups = vec![group(&learner, "What is 3 + 4?", &answers)];
        report = learner.train_grpo_step(&groups).unwrap();
    }
    let (good_after, bad_after) = (
        sequence_logprob(&learner, "What is 3 + 4?", "7"),
        sequence_logprob(&learner, "What is 3 + 4?", "8"),
    );
    assert!(
        good_after > good + 0.5 && bad_after < bad,
        "good {good} -> {good_after}, bad {bad} -> {bad_after}"
    );
    assert_eq!(
        (
            report.sequences,
            report.groups_without_signal,
            report.micro_batches
        ),
        (4, 0, 2)
    );
    assert!(
        report.kl > 0.0,
        "the policy moved away from the reference: {report:?}"
    );
    assert!(
        (report.ratio_mean - 1.0).abs() < 1e-3,
        "on-policy ratios are 1: {report:?}"
    );
    assert!(report.entropy > 0.0 && report.grad_norm > 0.0);
    assert_eq!(report.reward_mean, 0.5);

    // Groups without signal are counted; with no KL they give no gradient at all.
    let mut no_kl = grpo_config();
    no_kl.kl.coef = 0.0;
    let mut flat = Learner::new(tiny(), no_kl).unwrap();
    let groups = vec![group(&flat, "What is 1 + 1?", &[("2", 1.0), ("3", 1.0)])];
    let report = flat.train_grpo_step(&groups).unwrap();
    assert_eq!(
        (report.groups_without_signal, report.grad_norm, report.kl),
        (1, 0.0, 0.0)
    );
}

#[test]
fn micro_batches_accumulate_to_the_full_batch() {
    let weights_after = |micro_batch_size: usize, aggregation: LossAggregation| {
        let mut config = grpo_config();
        config.micro_batch_size = micro_batch_size;
        config.loss_aggregation = aggregation;
        config.max_grad_norm = 0.0;
        // A large ε makes the first AdamW update ≈ lr·g, so rounding-level gradient differences
        // stay rounding-level in the weights (with ε = 1e-8 near-zero gradients get ±lr updates).
        config.eps = 1.0;
        let mut learner = Learner::new(tiny(), config).unwrap();
        let groups = vec![
            group(
                &learner,
                "What is 2 + 2?",
                &[("4", 1.0), ("five", 0.0), ("44", 0.0)],
            ),
            group(&learner, "What is 1 + 0?", &[("1", 1.0), ("0", 0.0)]),
        ];
        let report = learner.train_grpo_step(&groups).unwrap();
        let weights = learner
            .policy()
            .model
            .params()
            .var("model.layers.1.mlp.up_proj.weight")
            .unwrap();
        (
            weights.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            report,
        )
    };
    for aggregation in [
        LossAggregation::TokenMean,
        LossAggregation::SeqMeanTokenMean,
        LossAggregation::SeqMeanTokenSumNorm,
    ] {
        let (whole, whole_report) = weights_after(8, aggregation);
        let (split, split_report) = weights_after(1, aggregation);
        assert_eq!(
            (whole_report.micro_batches, split_report.micro_batches),
            (1, 5)
        );
        assert!((whole_report.loss - split_report.loss).abs() < 1e-5);
        assert!(
            (whole_report.grad_norm - split_report.grad_norm).abs() < 1e-4 * whole_report.grad_norm
        );
        let max_diff = whole
            .iter()
            .zip(&split)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(max_diff < 1e-8, "{aggregation:?}: {max_diff}");
    }
}

#[test]
fn overlong_responses_are_masked_or_penalised() {
    let mut config = grpo_config();
    config.overlong.mode = OverlongMode::Mask;
    let mut learner = Learner::new(tiny(), config.clone()).unwrap();
    let mut groups = vec![group(
        &learner,
        "What is 2 + 3?",
        &[("5", 1.0), ("55555", 0.0)],
    )];
    groups[0].completions[1].truncated = true;
    let report = learner.train_grpo_step(&groups).unwrap();
    assert_eq!((report.truncated, report.tokens), (1, 2));

    config.overlong.mode = OverlongMode::Penalize;
    config.overlong.penalty = 0.5;
    let mut learner = Learner::new(tiny(), config).unwrap();
    let report = learner.train_grpo_step(&groups).unwrap();
    assert_eq!(report.tokens, 2 + 6);
    assert_eq!(report.reward_mean, 0.5);
    assert!(
        (report.shaped_reward_mean - 0.25).abs() < 1e-6,
        "{report:?}"
    );
}

#[test]
fn reference_resets_with_the_optimizer() {
    let mut config = grpo_config();
    config.reset_reference_every = 2;
    let mut learner = Learner::new(tiny(), config).unwrap();
    let answers = [("7", 1.0), ("8", 0.0)];
    let first = learner
        .train_grpo_step(&[group(&learner, "What is 3 + 4?", &answers)])
        .unwrap();
    assert!(!first.reference_reset);
    assert_ne!(
        learner.weights_snapshot().unwrap().checksum,
        learner.reference_snapshot().unwrap().checksum
    );
    let second = learner
        .train_grpo_step(&[group(&learner, "What is 3 + 4?", &answers)])
        .unwrap();
    assert!(second.reference_reset);
    assert_eq!(
        learner.weights_snapshot().unwrap().bytes,
        learner.reference_snapshot().unwrap().bytes
    );
    assert_eq!(learner.optimizer.step_count(), 0);
    assert_eq!(learner.weights_snapshot().unwrap().version, 2);
}

#[test]
fn malformed_groups_are_rejected_with_their_position() {
    let mut learner = Learner::new(tiny(), grpo_config()).unwrap();
    let mut groups = vec![group(&learner, "What is 3 + 4?", &[("7", 1.0), ("8", 0.0)])];
    groups[0].completions[1].behaviour_logprobs.pop();
    let message = learner.train_grpo_step(&groups).unwrap_err().to_string();
    assert!(message.contains("group 0 completion 1"), "{message}");
    let mut sft = Learner::new(tiny(), sft_config()).unwrap();
    assert!(
        sft.train_grpo_step(&[])
            .unwrap_err()
            .to_string()
            .contains("sft")
    );
}

/// Step `index` of a mixed SFT/GRPO run whose data depends only on the index.
fn run_step(learner: &mut Learner, index: u32) {
    if index.is_multiple_of(2) {
        let pairs = arithmetic_pairs(&learner.policy().tokenizer, index * 4, 4);
        learner.train_sft_step(&pairs).unwrap();
    } else {
        let prompt = format!("What is {index} + 1?");
        let right = (index + 1).to_string();
        let groups = vec![group(
            learner,
            &prompt,
            &[(&right, 1.0), ("0", 0.0), ("10", 0.0)],
        )];
        learner.train_grpo_step(&groups).unwrap();
    }
}

#[test]
fn resume_is_bit_identical_to_an_uninterrupted_run() {
    let mut config = grpo_config();
    config.reset_reference_every = 3;
    config.warmup_steps = 2;
    config.schedule = crate::config::Schedule::Cosine;
    config.total_steps = 10;
    config.weight_decay = 0.01;
    let (n, m) = (3, 3);

    let mut straight = Learner::new(tiny(), config.clone()).unwrap();
    for index in 0..n + m {
        run_step(&mut straight, index);
    }

    let run = tempfile::tempdir().unwrap();
    let mut first = Learner::new(tiny(), config.clone()).unwrap();
    for index in 0..n {
        run_step(&mut first, index);
    }
    let training = TrainingState {
        step: u64::from(n),
        data_cursor: 12,
        rng_state: vec![7, 11],
        extra: serde_json::json!({"note": "half way"}),
    };
    let saved = first.save_checkpoint(run.path(), &training).unwrap();
    assert!(saved.ends_with("checkpoints/step-3"));
    assert!(
        saved.join("model/model.safetensors").exists() && saved.join("model/config.json").exists()
    );
    drop(first);

    let (mut resumed, restored, found) = Learner::resume(run.path(), config, &Device::Cpu).unwrap();
    assert_eq!(restored, training);
    assert_eq!((found.step, resumed.step()), (3, 3));
    for index in n..n + m {
        run_step(&mut resumed, index);
    }
    let (a, b) = (
        straight.weights_snapshot().unwrap(),
        resumed.weights_snapshot().unwrap(),
    );
    assert_eq!(a.version, b.version);
    assert!(a.bytes == b.bytes, "policy weights differ after resume");
    assert!(
        straight.reference_snapshot().unwrap().bytes == resumed.reference_snapshot().unwrap().bytes
    );
    assert_eq!(
        straight.optimizer.step_count(),
        resumed.optimizer.step_count()
    );
}

#[test]
fn a_corrupted_checkpoint_falls_back_to_the_previous_one() {
    let run = tempfile::tempdir().unwrap();
    let mut learner = Learner::new(tiny(), sft_config()).unwrap();
    run_step(&mut learner, 0);
    learner
        .save_checkpoint(run.path(), &TrainingState::default())
        .unwrap();
    let first_weights = learner.weights_snapshot().unwrap();
    run_step(&mut learner, 2);
    let second = learner
        .save_checkpoint(run.path(), &TrainingState::default())
        .unwrap();
    let optimizer = second.join("optimizer.safetensors");
    let mut bytes = std::fs::read(&optimizer).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&optimizer, bytes).unwrap();
    let (resumed, _, found) = Learner::resume(run.path(), sft_config(), &Device::Cpu).unwrap();
    assert_eq!(found.step, 1);
    assert!(
        found.skipped[0].contains("optimizer.safetensors"),
        "{:?}",
        found.skipped
    );
    assert!(resumed.weights_snapshot().unwrap().bytes == first_weights.bytes);
}

#[test]
fn a_new_stage_restarts_the_lr_schedule_but_keeps_counting_steps() {
    let mut config = grpo_config();
    config.warmup_steps = 2;
    config.total_steps = 4;
    config.schedule = crate::config::Schedule::Cosine;
    let mut learner = Learner::new(tiny(), config.clone()).unwrap();
    learner.continue_counting(120, 120);
    let answers = [("7", 1.0), ("8", 0.0)];
    let groups = vec![group(&learner, "What is 3 + 4?", &answers)];
    let report = learner.train_grpo_step(&groups).unwrap();
    // First warmup step of the stage: half the peak, although 120 steps came before.
    assert_eq!((report.step, report.weights_version), (121, 121));
    assert!((report.lr - config.lr / 2.0).abs() < 1e-12, "{}", report.lr);
}
