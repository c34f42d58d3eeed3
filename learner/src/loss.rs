//! The clipped policy-gradient loss with KL to the reference and entropy, and loss aggregation over masked tokens.

use proctor_models::candle_core::{D, DType, Tensor};

use crate::config::{ClipConfig, KlEstimator, LossAggregation};
use crate::error::Result;

/// Log-ratios are clamped to ±this before `exp`, so a stale or broken behaviour log-prob cannot overflow.
pub const MAX_LOG_RATIO: f64 = 20.0;

/// The denominators of an aggregation, fixed once per step over the whole batch, so that the
/// losses of its micro-batches add up to the loss of the full batch (exact gradient accumulation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AggregationScale {
    /// Aggregation mode.
    pub mode: LossAggregation,
    /// Unmasked tokens in the step.
    pub total_tokens: f64,
    /// Sequences in the step with at least one unmasked token.
    pub total_sequences: f64,
    /// The constant length of `seq-mean-token-sum-norm`.
    pub norm_length: f64,
}

impl AggregationScale {
    /// Scale for a step whose sequences have `token_counts` unmasked tokens each; `norm_length`
    /// 0 means the longest count.
    pub fn new(mode: LossAggregation, token_counts: &[usize], norm_length: usize) -> Self {
        let longest = token_counts.iter().copied().max().unwrap_or(0);
        AggregationScale {
            mode,
            total_tokens: token_counts.iter().sum::<usize>() as f64,
            total_sequences: token_counts.iter().filter(|&&n| n > 0).count() as f64,
            norm_length: if norm_length == 0 {
                longest
            } else {
                norm_length
            } as f64,
        }
    }

    /// Scale for a single batch given its `[batch, len]` mask.
    pub fn for_mask(mode: LossAggregation, mask: &Tensor, norm_length: usize) -> Result<Self> {
        let counts: Vec<usize> = mask
            .to_dtype(DType::F64)?
            .sum(D::Minus1)?
            .to_vec1::<f64>()?
            .into_iter()
            .map(|n| n.round() as usize)
            .collect();
        Ok(Self::new(mode, &counts, norm_length))
    }
}

/// Reduces `[batch, len]` per-token values to a scalar over the tokens where `mask` is 1.
/// Empty steps give 0.
pub fn aggregate(per_token: &Tensor, mask: &Tensor, scale: &AggregationScale) -> Result<Tensor> {
    let masked = (per_token * mask)?;
    let zero = || Tensor::zeros((), per_token.dtype(), per_token.device());
    Ok(match scale.mode {
        LossAggregation::TokenMean => {
            if scale.total_tokens == 0.0 {
                return Ok(zero()?);
            }
            (masked.sum_all()? / scale.total_tokens)?
        }
        LossAggregation::SeqMeanTokenMean => {
            if scale.total_sequences == 0.0 {
                return Ok(zero()?);
            }
            // Empty rows have sum 0; dividing them by 1 keeps them at 0.
            let lengths = mask.sum(D::Minus1)?.maximum(1.0)?;
            ((masked.sum(D::Minus1)? / lengths)?.sum_all()? / scale.total_sequences)?
        }
        LossAggregation::SeqMeanTokenSumNorm => {
            if scale.total_sequences == 0.0 || scale.norm_length == 0.0 {
                return Ok(zero()?);
            }
            (masked.sum_all()? / (scale.total_sequences * scale.norm_length))?
        }
    })
}

/// Per-token KL(π ‖ π_ref) estimate from `logprobs` (π, the sampling policy) and `ref_logprobs`.
pub fn kl_per_token(
    logprobs: &Tensor,
    ref_logprobs: &Tensor,
    estimator: KlEstimator,
) -> Result<Tensor> {
    let log_ratio = (logprobs - ref_logprobs)?;
    Ok(match estimator {
        KlEstimator::K1 => log_ratio,
        KlEstimator::K2 => (log_ratio.sqr()? * 0.5)?,
        KlEstimator::K3 => {
            // r = π_ref / π; k3 = r - log r - 1.
            let log_r = log_ratio.neg()?.clamp(-MAX_LOG_RATIO, MAX_LOG_RATIO)?;
            ((log_r.exp()? - &log_r)? - 1.0)?
        }
    })
}

/// Sum over a sequence's tokens of the KL estimate, for KL placed in the reward
/// (`reward -= coef * sequence_kl(behaviour, reference)`), computed on the host in f64.
pub fn sequence_kl(logprobs: &[f32], ref_logprobs: &[f32], estimator: KlEstimator) -> f64 {
    logprobs
        .iter()
        .zip(ref_logprobs)
        .map(|(&p, &q)| {
            let log_ratio = f64::from(p) - f64::from(q);
            match estimator {
                KlEstimator::K1 => log_ratio,
                KlEstimator::K2 => 0.5 * log_ratio * log_ratio,
                KlEstimator::K3 => {
                    let log_r = (-log_ratio).clamp(-MAX_LOG_RATIO, MAX_LOG_RATIO);
                    log_r.exp() - log_r - 1.0
                }
            }
        })
        .sum()
}

/// Tensors of one (micro-)batch, all `[batch, len]` except `advantages` (`[batch]`).
#[derive(Debug, Clone, Copy)]
pub struct PolicyLossInput<'a> {
    /// log π_θ of the sampled tokens (differentiable).
    pub logprobs: &'a Tensor,
    /// log-probs under the policy that sampled them.
    pub behaviour_logprobs: &'a Tensor,
    /// One advantage per sequence.
    pub advantages: &'a Tensor,
    /// 1 where a token counts (completion, not padding, not overlong-masked).
    pub mask: &'a Tensor,
    /// log π_ref of the same tokens, when the KL term is wanted in the loss or in the metrics.
    pub ref_logprobs: Option<&'a Tensor>,
    /// Entropy of π_θ at each position (differentiable when an entropy bonus is used).
    pub entropy: Option<&'a Tensor>,
}

/// Coefficients of the loss.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PolicyLossSettings {
    /// Ratio clip range.
    pub clip: ClipConfig,
    /// β of the KL term in the loss (0 when KL is off or placed in the reward).
    pub kl_coef: f64,
    /// Estimator for the KL term and the KL metric.
    pub kl_estimator: KlEstimator,
    /// Entropy bonus coefficient (subtracted from the loss).
    pub entropy_coef: f64,
    /// Aggregation and its denominators.
    pub scale: AggregationScale,
}

/// Token-level sums that add up over micro-batches (divide by `tokens` for means).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LossStats {
    /// Unmasked tokens.
    pub tokens: f64,
    /// Σ KL estimate (0 without reference log-probs).
    pub kl_sum: f64,
    /// Σ entropy (0 without entropy).
    pub entropy_sum: f64,
    /// Tokens with A > 0 whose ratio exceeded 1 + ε_high (no gradient).
    pub clipped_high: f64,
    /// Tokens with A < 0 whose ratio fell below 1 - ε_low (no gradient).
    pub clipped_low: f64,
    /// Σ importance ratio.
    pub ratio_sum: f64,
}

impl LossStats {
    /// Adds another micro-batch's sums.
    pub fn add(&mut self, other: &LossStats) {
        self.tokens += other.tokens;
        self.kl_sum += other.kl_sum;
        self.entropy_sum += other.entropy_sum;
        self.clipped_high += other.clipped_high;
        self.clipped_low += other.clipped_low;
        self.ratio_sum += other.ratio_sum;
    }
}

/// The loss of one (micro-)batch.
#[derive(Debug, Clone)]
pub struct PolicyLoss {
    /// Scalar to call `backward()` on: pg + β·KL − c·entropy, aggregated.
    pub loss: Tensor,
    /// The aggregated policy-gradient part.
    pub pg_loss: f64,
    /// The aggregated KL part before β.
    pub kl_loss: f64,
    /// Token sums for metrics.
    pub stats: LossStats,
}

/// PPO-style clipped surrogate with decoupled bounds, per token:
/// `max(-A·ρ, -A·clip(ρ, 1-ε_low, 1+ε_high))` with `ρ = exp(logp - behaviour_logp)`,
/// plus `β·KL(π‖π_ref)` and minus `c·entropy`, aggregated over `mask`.
pub fn policy_loss(
    input: &PolicyLossInput<'_>,
    settings: &PolicyLossSettings,
) -> Result<PolicyLoss> {
    let shape = input.logprobs.shape();
    let mask = input.mask;
    let log_ratio =
        (input.logprobs - input.behaviour_logprobs)?.clamp(-MAX_LOG_RATIO, MAX_LOG_RATIO)?;
    let ratio = log_ratio.exp()?;
    let advantages = input.advantages.unsqueeze(1)?.broadcast_as(shape)?;
    let clipped = ratio.clamp(1.0 - settings.clip.low, 1.0 + settings.clip.high)?;
    let unclipped_loss = (advantages.neg()? * &ratio)?;
    let clipped_loss = (advantages.neg()? * &clipped)?;
    let pg = unclipped_loss.maximum(&clipped_loss)?;
    let pg_loss = aggregate(&pg, mask, &settings.scale)?;
    let mut loss = pg_loss.clone();

    let mut stats = LossStats {
        tokens: scalar(&mask.sum_all()?)?,
        ratio_sum: scalar(&(ratio.detach() * mask)?.sum_all()?)?,
        ..LossStats::default()
    };
    let positive = advantages.gt(0.0)?.to_dtype(mask.dtype())?;
    let negative = advantages.lt(0.0)?.to_dtype(mask.dtype())?;
    let above = ratio.gt(1.0 + settings.clip.high)?.to_dtype(mask.dtype())?;
    let below = ratio.lt(1.0 - settings.clip.low)?.to_dtype(mask.dtype())?;
    stats.clipped_high = scalar(&((positive * above)? * mask)?.sum_all()?)?;
    stats.clipped_low = scalar(&((negative * below)? * mask)?.sum_all()?)?;

    let mut kl_loss = 0.0;
    if let Some(ref_logprobs) = input.ref_logprobs {
        let kl = kl_per_token(input.logprobs, ref_logprobs, settings.kl_estimator)?;
        stats.kl_sum = scalar(&(kl.detach() * mask)?.sum_all()?)?;
        if settings.kl_coef != 0.0 {
            let kl_term = aggregate(&kl, mask, &settings.scale)?;
            kl_loss = scalar(&kl_term)?;
            loss = (loss + (kl_term * settings.kl_coef)?)?;
        }
    }
    if let Some(entropy) = input.entropy {
        stats.entropy_sum = scalar(&(entropy.detach() * mask)?.sum_all()?)?;
        if settings.entropy_coef != 0.0 {
            let bonus = aggregate(entropy, mask, &settings.scale)?;
            loss = (loss - (bonus * settings.entropy_coef)?)?;
        }
    }
    Ok(PolicyLoss {
        loss,
        pg_loss: scalar(&pg_loss)?,
        kl_loss,
        stats,
    })
}

/// A scalar tensor's value as f64 (detached).
pub(crate) fn scalar(tensor: &Tensor) -> Result<f64> {
    Ok(tensor.detach().to_dtype(DType::F64)?.to_scalar::<f64>()?)
}

#[cfg(test)]
#[path = "loss_tests.rs"]
mod tests;
