//! The learner's input (scored groups of completions) and output (a step report), with input validation.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One sampled response with everything the learner needs about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredCompletion {
    /// Generated token ids (an end-of-sequence token that stopped it included).
    pub token_ids: Vec<u32>,
    /// Log-prob of each token under the policy version that sampled it (same length).
    pub behaviour_logprobs: Vec<f32>,
    /// Log-prob of each token under the reference policy; `None` lets the learner compute it.
    pub ref_logprobs: Option<Vec<f32>>,
    /// Scalar reward (verifier and reward-model combination).
    pub reward: f64,
    /// Cut off at the token limit instead of ending on its own.
    pub truncated: bool,
}

/// The responses sampled for one prompt: GRPO's group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredGroup {
    /// Prompt token ids (chat-formatted, assistant turn opened).
    pub prompt_ids: Vec<u32>,
    /// The group's responses.
    pub completions: Vec<ScoredCompletion>,
}

/// What one learner step did, for metrics.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    /// Learner steps completed after this one.
    pub step: u64,
    /// Weights version after the update.
    pub weights_version: u64,
    /// Total loss (pg + β·KL − c·entropy; cross-entropy for SFT).
    pub loss: f64,
    /// Policy-gradient part.
    pub pg_loss: f64,
    /// Aggregated KL term of the loss before β (0 when KL is not in the loss).
    pub kl_loss: f64,
    /// Mean per-token KL estimate to the reference (0 when not measured).
    pub kl: f64,
    /// Mean per-token entropy of the policy.
    pub entropy: f64,
    /// Fraction of tokens whose ratio was clipped (either bound).
    pub clip_fraction: f64,
    /// Fraction clipped at 1 − ε_low (negative advantage).
    pub clip_low_fraction: f64,
    /// Fraction clipped at 1 + ε_high (positive advantage).
    pub clip_high_fraction: f64,
    /// Mean importance ratio.
    pub ratio_mean: f64,
    /// Global gradient norm before clipping.
    pub grad_norm: f64,
    /// Parameter norm after the update.
    pub param_norm: f64,
    /// Learning rate used.
    pub lr: f64,
    /// Mean raw reward.
    pub reward_mean: f64,
    /// Mean reward after overlong and KL shaping.
    pub shaped_reward_mean: f64,
    /// Mean absolute advantage.
    pub advantage_abs_mean: f64,
    /// Sequences in the step.
    pub sequences: usize,
    /// Tokens that entered the loss.
    pub tokens: usize,
    /// Groups whose shaped rewards were all equal (no policy-gradient signal).
    pub groups_without_signal: usize,
    /// Truncated responses in the step.
    pub truncated: usize,
    /// Forward/backward passes.
    pub micro_batches: usize,
    /// The reference and optimizer were hard-reset after this step.
    pub reference_reset: bool,
}

/// Checks lengths and values; errors name the group and completion.
pub(crate) fn check_groups(groups: &[ScoredGroup]) -> Result<()> {
    if groups.is_empty() {
        return Err(Error::Batch("no groups".into()));
    }
    for (g, group) in groups.iter().enumerate() {
        if group.completions.is_empty() {
            return Err(Error::Batch(format!("group {g} has no completions")));
        }
        if group.prompt_ids.is_empty() {
            return Err(Error::Batch(format!("group {g} has an empty prompt")));
        }
        for (c, completion) in group.completions.iter().enumerate() {
            let n = completion.token_ids.len();
            if completion.behaviour_logprobs.len() != n {
                return Err(Error::Batch(format!(
                    "group {g} completion {c}: {} behaviour log-probs for {n} tokens",
                    completion.behaviour_logprobs.len()
                )));
            }
            if let Some(reference) = &completion.ref_logprobs
                && reference.len() != n
            {
                return Err(Error::Batch(format!(
                    "group {g} completion {c}: {} reference log-probs for {n} tokens",
                    reference.len()
                )));
            }
            if !completion.reward.is_finite() {
                return Err(Error::Batch(format!(
                    "group {g} completion {c}: reward {}",
                    completion.reward
                )));
            }
        }
    }
    if groups
        .iter()
        .all(|g| g.completions.iter().all(|c| c.token_ids.is_empty()))
    {
        return Err(Error::Batch("every completion is empty".into()));
    }
    Ok(())
}
