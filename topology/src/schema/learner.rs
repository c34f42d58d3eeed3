//! The `[learner]` section: algorithm, objective knobs, optimiser and batching.

use super::roles::Supervision;
use serde::{Deserialize, Serialize};

/// `[learner]`: what is optimised and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearnerSection {
    /// The training algorithm.
    #[serde(default)]
    pub algorithm: Algorithm,
    /// Device the learner trains on.
    #[serde(default = "cpu")]
    pub device: String,
    /// Peak learning rate of AdamW.
    #[serde(default = "lr")]
    pub lr: f64,
    /// AdamW decoupled weight decay.
    #[serde(default)]
    pub weight_decay: f64,
    /// Learning-rate schedule after warmup.
    #[serde(default)]
    pub schedule: LrSchedule,
    /// Linear warmup length in optimiser steps.
    #[serde(default)]
    pub warmup_steps: u64,
    /// Global gradient-norm clip (0 = off).
    #[serde(default = "max_grad_norm")]
    pub max_grad_norm: f64,
    /// Rollouts per forward/backward pass; gradients accumulate over micro-batches.
    #[serde(default = "micro_batch_size")]
    pub micro_batch_size: u64,
    /// Optimiser updates per step: the step's rollouts are split into this many mini-batches.
    #[serde(default = "one")]
    pub mini_batches: u64,
    /// Decoupled importance-ratio clip range (ε_low, ε_high).
    #[serde(default)]
    pub clip: ClipRange,
    /// KL control against the reference policy.
    #[serde(default)]
    pub kl: KlControl,
    /// Advantage estimation.
    #[serde(default)]
    pub advantage: Advantage,
    /// How per-token losses are reduced to one scalar.
    #[serde(default)]
    pub loss_aggregation: LossAggregation,
    /// Drop groups whose rewards are all equal and refill the batch.
    #[serde(default)]
    pub dynamic_sampling: DynamicSampling,
    /// What to do with completions cut off at `max_new_tokens`.
    #[serde(default)]
    pub overlong: OverlongShaping,
    /// Entropy bonus coefficient (0 = entropy only logged).
    #[serde(default)]
    pub entropy_coef: f64,
    /// Hard-reset the reference policy (and optimiser state) every N steps (0 = never).
    #[serde(default)]
    pub reset_reference_every: u64,
    /// Also reset when the measured KL exceeds this value.
    #[serde(default)]
    pub reset_reference_kl: Option<f64>,
    /// Restart policy of the learner actor.
    #[serde(default)]
    pub supervision: Supervision,
}

/// Training algorithms proctor implements.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// Group-relative policy optimisation (ProRL recipe).
    #[default]
    Grpo,
    /// GRPO without std normalisation or length bias (Dr.GRPO).
    DrGrpo,
    /// REINFORCE leave-one-out.
    Rloo,
    /// REINFORCE++ with global advantage normalisation.
    ReinforcePp,
    /// Proximal policy optimisation.
    Ppo,
    /// Supervised fine-tuning on prompt/response pairs.
    Sft,
}

impl Algorithm {
    /// Whether the algorithm compares several samples of one prompt (needs `n >= 2`).
    pub fn needs_groups(self) -> bool {
        matches!(self, Self::Grpo | Self::DrGrpo | Self::Rloo)
    }
}

/// Learning-rate schedule after warmup.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LrSchedule {
    /// Keep the peak rate.
    #[default]
    Constant,
    /// Cosine decay to zero over the run.
    Cosine,
}

/// Decoupled clip range of the importance ratio: `[1 - low, 1 + high]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClipRange {
    /// ε_low.
    #[serde(default = "clip_low")]
    pub low: f64,
    /// ε_high (ProRL: 0.28–0.4, larger than ε_low to keep exploring).
    #[serde(default = "clip_high")]
    pub high: f64,
}

/// KL control against the reference policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KlControl {
    /// Coefficient of the KL term (0 = no reference model needed).
    #[serde(default = "kl_coef")]
    pub coef: f64,
    /// Which estimator of KL(π‖π_ref) per token.
    #[serde(default)]
    pub estimator: KlEstimator,
    /// Where the KL term enters.
    #[serde(default)]
    pub placement: KlPlacement,
}

/// Per-token KL estimators (Schulman's k1, k2, k3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KlEstimator {
    /// log r.
    K1,
    /// (log r)² / 2.
    K2,
    /// (r - 1) - log r: unbiased and non-negative.
    #[default]
    K3,
}

/// Where the KL term enters the objective.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KlPlacement {
    /// As a loss term.
    #[default]
    Loss,
    /// Subtracted from the reward before advantages.
    Reward,
}

/// Advantage estimation options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advantage {
    /// Divide group-centred rewards by the group's std (off = Dr.GRPO).
    #[serde(default = "yes")]
    pub normalize_std: bool,
}

/// How per-token losses reduce to one scalar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LossAggregation {
    /// Mean over all tokens of the batch (DAPO/ProRL).
    #[default]
    TokenMean,
    /// Mean over tokens within a sequence, then over sequences (original GRPO).
    SeqMeanTokenMean,
    /// Sum over tokens divided by a fixed length, then mean over sequences (Dr.GRPO).
    SeqMeanTokenSumNorm,
}

/// Dynamic sampling: skip zero-signal groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DynamicSampling {
    /// Drop groups whose rewards are all equal.
    #[serde(default)]
    pub enabled: bool,
    /// Extra generation rounds allowed to refill the batch.
    #[serde(default = "max_refill_rounds")]
    pub max_refill_rounds: u64,
}

/// Overlong-response shaping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverlongShaping {
    /// What happens to truncated completions.
    #[serde(default)]
    pub mode: OverlongMode,
    /// Reward penalty for truncated completions in `penalize` mode.
    #[serde(default = "overlong_penalty")]
    pub penalty: f64,
}

/// Treatment of completions truncated at `max_new_tokens`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OverlongMode {
    /// Train on them as they are.
    #[default]
    None,
    /// Subtract `penalty` from their reward.
    Penalize,
    /// Exclude them from the loss.
    Mask,
}

impl Default for LearnerSection {
    fn default() -> Self {
        Self {
            algorithm: Algorithm::default(),
            device: cpu(),
            lr: lr(),
            weight_decay: 0.0,
            schedule: LrSchedule::default(),
            warmup_steps: 0,
            max_grad_norm: max_grad_norm(),
            micro_batch_size: micro_batch_size(),
            mini_batches: one(),
            clip: ClipRange::default(),
            kl: KlControl::default(),
            advantage: Advantage::default(),
            loss_aggregation: LossAggregation::default(),
            dynamic_sampling: DynamicSampling::default(),
            overlong: OverlongShaping::default(),
            entropy_coef: 0.0,
            reset_reference_every: 0,
            reset_reference_kl: None,
            supervision: Supervision::default(),
        }
    }
}

impl Default for ClipRange {
    fn default() -> Self {
        Self {
            low: clip_low(),
            high: clip_high(),
        }
    }
}

impl Default for KlControl {
    fn default() -> Self {
        Self {
            coef: kl_coef(),
            estimator: KlEstimator::default(),
            placement: KlPlacement::default(),
        }
    }
}

impl Default for Advantage {
    fn default() -> Self {
        Self {
            normalize_std: true,
        }
    }
}

impl Default for DynamicSampling {
    fn default() -> Self {
        Self {
            enabled: false,
            max_refill_rounds: max_refill_rounds(),
        }
    }
}

impl Default for OverlongShaping {
    fn default() -> Self {
        Self {
            mode: OverlongMode::default(),
            penalty: overlong_penalty(),
        }
    }
}

fn cpu() -> String {
    "cpu".into()
}
fn yes() -> bool {
    true
}
fn one() -> u64 {
    1
}
fn lr() -> f64 {
    1e-6
}
fn max_grad_norm() -> f64 {
    1.0
}
fn micro_batch_size() -> u64 {
    8
}
fn clip_low() -> f64 {
    0.2
}
fn clip_high() -> f64 {
    0.28
}
fn kl_coef() -> f64 {
    1e-3
}
fn max_refill_rounds() -> u64 {
    3
}
fn overlong_penalty() -> f64 {
    1.0
}
