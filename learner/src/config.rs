//! Learner settings: plain structs mirroring the topology's `[learner]` section.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Which update the learner applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Algorithm {
    /// Group-normalised advantages with a clipped ratio (GRPO / ProRL; Dr.GRPO without std normalisation).
    #[serde(rename = "grpo")]
    Grpo,
    /// Leave-one-out baseline within each group.
    #[serde(rename = "rloo")]
    Rloo,
    /// REINFORCE++: rewards normalised over the whole batch.
    #[serde(rename = "reinforce++")]
    ReinforcePlusPlus,
    /// REINFORCE++-baseline: group mean subtracted, then batch std normalisation.
    #[serde(rename = "reinforce++-baseline")]
    ReinforcePlusPlusBaseline,
    /// Supervised fine-tuning (masked cross-entropy); RL settings are ignored.
    #[serde(rename = "sft")]
    Sft,
}

/// Learning-rate shape after warmup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Schedule {
    /// Stay at `lr`.
    Constant,
    /// Cosine decay from `lr` to `lr * min_lr_ratio` at `total_steps`.
    Cosine,
}

/// Decoupled PPO clip range: the ratio is kept in `[1 - low, 1 + high]` (ProRL/DAPO "clip-higher").
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClipConfig {
    /// ε_low.
    pub low: f64,
    /// ε_high.
    pub high: f64,
}

impl Default for ClipConfig {
    fn default() -> Self {
        ClipConfig {
            low: 0.2,
            high: 0.28,
        }
    }
}

/// Estimator of KL(π ‖ π_ref) from tokens sampled by π (Schulman's k1, k2, k3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KlEstimator {
    /// `log π - log π_ref` (unbiased, high variance, can be negative).
    K1,
    /// `(log π - log π_ref)² / 2`.
    K2,
    /// `exp(log π_ref - log π) - (log π_ref - log π) - 1` (unbiased, non-negative).
    K3,
}

/// Where the KL penalty enters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KlPlacement {
    /// Added to the per-token loss (differentiable, GRPO style).
    Loss,
    /// Subtracted from each sequence's reward before advantages (PPO/REINFORCE++ style).
    Reward,
}

/// KL-to-reference settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KlConfig {
    /// β; 0 turns the penalty off (KL is still measured when reference log-probs are given).
    pub coef: f64,
    /// Which estimator.
    pub estimator: KlEstimator,
    /// Loss or reward.
    pub placement: KlPlacement,
}

impl Default for KlConfig {
    fn default() -> Self {
        KlConfig {
            coef: 1e-3,
            estimator: KlEstimator::K3,
            placement: KlPlacement::Loss,
        }
    }
}

/// Advantage options.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdvantageConfig {
    /// Divide group-centred rewards by the group's std (GRPO); false gives Dr.GRPO.
    pub normalize_std: bool,
}

impl Default for AdvantageConfig {
    fn default() -> Self {
        AdvantageConfig {
            normalize_std: true,
        }
    }
}

/// How per-token losses become one scalar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LossAggregation {
    /// Mean over every completion token of the batch (DAPO / ProRL).
    TokenMean,
    /// Mean over tokens within a sequence, then mean over sequences (original GRPO).
    SeqMeanTokenMean,
    /// Sum over tokens divided by a constant length, then mean over sequences (Dr.GRPO).
    SeqMeanTokenSumNorm,
}

/// What happens to responses cut off at the token limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OverlongMode {
    /// Treated like any other response.
    None,
    /// `penalty` is subtracted from their reward.
    Penalize,
    /// Their tokens are left out of the loss.
    Mask,
}

/// Overlong-response shaping.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OverlongConfig {
    /// None, penalize or mask.
    pub mode: OverlongMode,
    /// Subtracted from the reward of a truncated response in `penalize` mode.
    pub penalty: f64,
}

impl Default for OverlongConfig {
    fn default() -> Self {
        OverlongConfig {
            mode: OverlongMode::None,
            penalty: 1.0,
        }
    }
}

/// Everything the learner needs to know (the topology's `[learner]` section).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LearnerConfig {
    /// The update rule.
    pub algorithm: Algorithm,
    /// Peak learning rate.
    pub lr: f64,
    /// AdamW decoupled weight decay (applied to matrices, not to norms and biases).
    pub weight_decay: f64,
    /// AdamW β1.
    pub beta1: f64,
    /// AdamW β2.
    pub beta2: f64,
    /// AdamW ε.
    pub eps: f64,
    /// LR shape after warmup.
    pub schedule: Schedule,
    /// Linear warmup from 0 over this many optimizer steps.
    pub warmup_steps: u64,
    /// Length of the cosine schedule (steps); ignored by `constant`.
    pub total_steps: u64,
    /// Final LR of the cosine schedule as a fraction of `lr`.
    pub min_lr_ratio: f64,
    /// Global gradient-norm clip; 0 disables clipping.
    pub max_grad_norm: f64,
    /// Sequences per forward/backward pass; gradients are accumulated over the step.
    pub micro_batch_size: usize,
    /// Decoupled ratio clip.
    pub clip: ClipConfig,
    /// KL to the reference.
    pub kl: KlConfig,
    /// Advantage options.
    pub advantage: AdvantageConfig,
    /// Loss aggregation.
    pub loss_aggregation: LossAggregation,
    /// Constant length for `seq-mean-token-sum-norm`; 0 = the longest completion of the step.
    pub loss_norm_length: usize,
    /// Overlong shaping.
    pub overlong: OverlongConfig,
    /// Entropy bonus coefficient (entropy is always logged).
    pub entropy_coef: f64,
    /// Hard-reset reference and optimizer every N steps (0 = never).
    pub reset_reference_every: u64,
    /// Hard-reset when the step's mean KL exceeds this (0 = never).
    pub reset_reference_kl: f64,
    /// Temperature the behaviour policy sampled with; log-probs are rescored at it.
    pub temperature: f32,
}

impl Default for LearnerConfig {
    fn default() -> Self {
        LearnerConfig {
            algorithm: Algorithm::Grpo,
            lr: 1e-5,
            weight_decay: 0.0,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            schedule: Schedule::Constant,
            warmup_steps: 0,
            total_steps: 0,
            min_lr_ratio: 0.0,
            max_grad_norm: 1.0,
            micro_batch_size: 8,
            clip: ClipConfig::default(),
            kl: KlConfig::default(),
            advantage: AdvantageConfig::default(),
            loss_aggregation: LossAggregation::TokenMean,
            loss_norm_length: 0,
            overlong: OverlongConfig::default(),
            entropy_coef: 0.0,
            reset_reference_every: 0,
            reset_reference_kl: 0.0,
            temperature: 1.0,
        }
    }
}

impl LearnerConfig {
    /// Checks ranges; the message names the setting.
    pub fn validate(&self) -> Result<()> {
        let bad = |message: String| Err(Error::Config(message));
        let finite_non_negative = |value: f64| value.is_finite() && value >= 0.0;
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return bad(format!("lr must be finite and > 0, got {}", self.lr));
        }
        for (name, value) in [
            ("weight_decay", self.weight_decay),
            ("max_grad_norm", self.max_grad_norm),
            ("kl.coef", self.kl.coef),
            ("entropy_coef", self.entropy_coef),
            ("reset_reference_kl", self.reset_reference_kl),
            ("clip.low", self.clip.low),
            ("clip.high", self.clip.high),
            ("overlong.penalty", self.overlong.penalty),
        ] {
            if !finite_non_negative(value) {
                return bad(format!("{name} must be finite and >= 0, got {value}"));
            }
        }
        if self.clip.low >= 1.0 {
            return bad(format!("clip.low must be < 1, got {}", self.clip.low));
        }
        for (name, value) in [("beta1", self.beta1), ("beta2", self.beta2)] {
            if !(0.0..1.0).contains(&value) {
                return bad(format!("{name} must be in [0, 1), got {value}"));
            }
        }
        if !(self.eps.is_finite() && self.eps > 0.0) {
            return bad(format!("eps must be finite and > 0, got {}", self.eps));
        }
        if !(0.0..=1.0).contains(&self.min_lr_ratio) {
            return bad(format!(
                "min_lr_ratio must be in [0, 1], got {}",
                self.min_lr_ratio
            ));
        }
        if self.schedule == Schedule::Cosine && self.total_steps <= self.warmup_steps {
            return bad(format!(
                "schedule = cosine needs total_steps ({}) > warmup_steps ({})",
                self.total_steps, self.warmup_steps
            ));
        }
        if self.micro_batch_size == 0 {
            return bad("micro_batch_size must be at least 1".into());
        }
        if !(self.temperature.is_finite() && self.temperature > 0.0) {
            return bad(format!(
                "temperature must be finite and > 0, got {}",
                self.temperature
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_bad_values_name_the_key() {
        LearnerConfig::default().validate().unwrap();
        type Mutation = fn(&mut LearnerConfig);
        let cases: [(Mutation, &str); 4] = [
            (|c| c.lr = 0.0, "lr"),
            (|c| c.clip.low = 1.5, "clip.low"),
            (|c| c.micro_batch_size = 0, "micro_batch_size"),
            (
                |c| {
                    c.schedule = Schedule::Cosine;
                    c.total_steps = 0;
                },
                "total_steps",
            ),
        ];
        for (mutate, key) in cases {
            let mut config = LearnerConfig::default();
            mutate(&mut config);
            let message = config.validate().unwrap_err().to_string();
            assert!(message.contains(key), "{message}");
        }
    }

    #[test]
    fn names_match_the_topology_spelling() {
        let config: LearnerConfig = serde_json::from_value(serde_json::json!({
            "algorithm": "reinforce++-baseline",
            "schedule": "cosine",
            "total_steps": 10,
            "kl": {"coef": 0.01, "estimator": "k2", "placement": "reward"},
            "loss_aggregation": "seq-mean-token-sum-norm",
            "overlong": {"mode": "mask"},
        }))
        .unwrap();
        assert_eq!(config.algorithm, Algorithm::ReinforcePlusPlusBaseline);
        assert_eq!(config.kl.estimator, KlEstimator::K2);
        assert_eq!(config.kl.placement, KlPlacement::Reward);
        assert_eq!(
            config.loss_aggregation,
            LossAggregation::SeqMeanTokenSumNorm
        );
        assert_eq!(config.overlong.mode, OverlongMode::Mask);
        config.validate().unwrap();
        assert!(serde_json::from_value::<LearnerConfig>(serde_json::json!({"lrr": 1.0})).is_err());
    }
}
