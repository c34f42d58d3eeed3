//! The [`Learner`]: policy, reference and optimizer; GRPO-family and SFT steps; reference resets; snapshots and checkpoints.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use proctor_models::candle_core::{Device, Tensor, Var};
use proctor_models::{LanguageModel, Model, Params, sequence_logprobs};
use serde::{Deserialize, Serialize};

use crate::advantages::{AdvantageEstimator, compute_advantages, has_signal};
use crate::batch::{ScoredGroup, StepReport, check_groups};
use crate::checkpoint::{self, Checkpoint, TrainingState};
use crate::config::{Algorithm, KlPlacement, LearnerConfig, LossAggregation, OverlongMode};
use crate::error::{Error, Result};
use crate::forward::{CompletionBatch, token_entropy, token_logprobs};
use crate::loss::{
    AggregationScale, LossStats, PolicyLossInput, PolicyLossSettings, policy_loss, scalar,
    sequence_kl,
};
use crate::optim::{AdamW, AdamWSettings, GradAccumulator, LrSchedule};
use crate::sft::{SftPair, masked_cross_entropy};
use crate::sync::WeightUpdate;

/// Counters saved in `learner.json` of a checkpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct LearnerState {
    step: u64,
    /// First step of the current stage: the LR schedule counts from here.
    #[serde(default)]
    stage_start: u64,
    weights_version: u64,
    optimizer_step: u64,
    steps_since_reset: u64,
    config: LearnerConfig,
}

/// Owns the trainable policy, the frozen reference and the optimizer; one call = one update.
#[derive(Debug)]
pub struct Learner {
    config: LearnerConfig,
    policy: LanguageModel,
    reference: Model,
    optimizer: AdamW,
    schedule: LrSchedule,
    step: u64,
    stage_start: u64,
    weights_version: u64,
    steps_since_reset: u64,
}

/// One row of a step after shaping: which tokens to score and how.
struct Row<'a> {
    prompt: &'a [u32],
    completion: &'a [u32],
    behaviour: &'a [f32],
    reference: Option<Vec<f32>>,
    advantage: f32,
    in_loss: bool,
}

impl Learner {
    /// Starts training `policy`; the reference is a frozen copy of it, the optimizer is fresh.
    pub fn new(policy: LanguageModel, config: LearnerConfig) -> Result<Self> {
        config.validate()?;
        let reference = copy_model(&policy.model)?;
        let optimizer = AdamW::new(policy.model.params(), AdamWSettings::from_config(&config))?;
        Ok(Learner {
            schedule: LrSchedule::from_config(&config),
            config,
            policy,
            reference,
            optimizer,
            step: 0,
            stage_start: 0,
            weights_version: 0,
            steps_since_reset: 0,
        })
    }

    /// Continues the step and weights-version counters of a previous stage, so checkpoints and
    /// published versions keep increasing across stages (SFT warm-start → GRPO); the LR schedule
    /// (warmup, cosine) starts over at this stage's first step.
    pub fn continue_counting(&mut self, step: u64, weights_version: u64) {
        self.step = step;
        self.stage_start = step;
        self.weights_version = weights_version;
    }

    /// The settings.
    pub fn config(&self) -> &LearnerConfig {
        &self.config
    }

    /// The policy being trained (e.g. for evaluation with `proctor_models::Generator`).
    pub fn policy(&self) -> &LanguageModel {
        &self.policy
    }

    /// The frozen reference model.
    pub fn reference(&self) -> &Model {
        &self.reference
    }

    /// Gives the trained policy back (e.g. to start the next stage with a fresh learner).
    pub fn into_policy(self) -> LanguageModel {
        self.policy
    }

    /// Learner steps completed.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// Version of the current weights (number of updates applied).
    pub fn weights_version(&self) -> u64 {
        self.weights_version
    }

    /// The current policy weights for the policy replicas.
    pub fn weights_snapshot(&self) -> Result<WeightUpdate> {
        WeightUpdate::from_model(&self.policy.model, self.weights_version)
    }

    /// The current reference weights (for a separate reference actor after a reset).
    pub fn reference_snapshot(&self) -> Result<WeightUpdate> {
        WeightUpdate::from_model(&self.reference, self.weights_version)
    }

    /// ProRL's hard reset: the reference becomes the current policy and the optimizer forgets its moments.
    pub fn reset_reference(&mut self) -> Result<()> {
        self.reference
            .params()
            .load_state_dict(&self.policy.model.params().state_dict()?)?;
        self.optimizer.reset()?;
        self.steps_since_reset = 0;
        Ok(())
    }

    /// Mean masked cross-entropy of `pairs` under the policy, without updating (evaluation).
    pub fn sft_loss(&self, pairs: &[SftPair]) -> Result<f64> {
        let scale = sft_scale(pairs)?;
        let mut total = 0.0;
        for chunk in pairs.chunks(self.config.micro_batch_size) {
            let (batch, logits) = self.sft_forward(chunk)?;
            total += scalar(&masked_cross_entropy(
                &logits.detach(),
                &batch.targets,
                &batch.mask,
                &scale,
            )?)?;
        }
        Ok(total)
    }

    /// One supervised update on `pairs` (token-mean cross-entropy over response tokens).
    pub fn train_sft_step(&mut self, pairs: &[SftPair]) -> Result<StepReport> {
        let scale = sft_scale(pairs)?;
        let mut grads = self.optimizer.accumulator();
        let mut report = StepReport {
            sequences: pairs.len(),
            tokens: scale.total_tokens as usize,
            ..StepReport::default()
        };
        for chunk in pairs.chunks(self.config.micro_batch_size) {
            let (batch, logits) = self.sft_forward(chunk)?;
            let loss = masked_cross_entropy(&logits, &batch.targets, &batch.mask, &scale)?;
            report.loss += scalar(&loss)?;
            grads.add(&self.optimizer, &loss.backward()?)?;
            report.micro_batches += 1;
        }
        self.apply_update(&mut grads, &mut report)?;
        Ok(report)
    }

    /// One GRPO-family update on scored groups (the algorithm from the config).
    pub fn train_grpo_step(&mut self, groups: &[ScoredGroup]) -> Result<StepReport> {
        let estimator = match self.config.algorithm {
            Algorithm::Grpo => AdvantageEstimator::Grpo {
                normalize_std: self.config.advantage.normalize_std,
            },
            Algorithm::Rloo => AdvantageEstimator::Rloo,
            Algorithm::ReinforcePlusPlus => AdvantageEstimator::ReinforcePlusPlus,
            Algorithm::ReinforcePlusPlusBaseline => AdvantageEstimator::ReinforcePlusPlusBaseline,
            Algorithm::Sft => {
                return Err(Error::Config(
                    "algorithm = sft trains on prompt/response pairs, not scored groups".into(),
                ));
            }
        };
        check_groups(groups)?;
        let kl = self.config.kl;
        let need_reference = kl.coef > 0.0 || self.config.reset_reference_kl > 0.0;
        let references = self.reference_logprobs(groups, need_reference)?;

        // Reward shaping, then advantages per group.
        let mut report = StepReport::default();
        let mut shaped: Vec<Vec<f64>> = Vec::with_capacity(groups.len());
        for (group, group_refs) in groups.iter().zip(&references) {
            let mut rewards = Vec::with_capacity(group.completions.len());
            for (completion, reference) in group.completions.iter().zip(group_refs) {
                let mut reward = completion.reward;
                report.reward_mean += completion.reward;
                if completion.truncated {
                    report.truncated += 1;
                    if self.config.overlong.mode == OverlongMode::Penalize {
                        reward -= self.config.overlong.penalty;
                    }
                }
                if kl.placement == KlPlacement::Reward && kl.coef > 0.0 {
                    let reference = reference
                        .as_ref()
                        .expect("reference log-probs are computed when KL is on");
                    reward -= kl.coef
                        * sequence_kl(&completion.behaviour_logprobs, reference, kl.estimator);
                }
                rewards.push(reward);
            }
            report.groups_without_signal += usize::from(!has_signal(&rewards));
            shaped.push(rewards);
        }
        let advantages = compute_advantages(&shaped, estimator);

        let mut rows = Vec::new();
        for ((group, group_refs), group_advantages) in
            groups.iter().zip(references).zip(&advantages)
        {
            for ((completion, reference), &advantage) in group
                .completions
                .iter()
                .zip(group_refs)
                .zip(group_advantages)
            {
                report.sequences += 1;
                report.advantage_abs_mean += advantage.abs();
                rows.push(Row {
                    prompt: &group.prompt_ids,
                    completion: &completion.token_ids,
                    behaviour: &completion.behaviour_logprobs,
                    reference,
                    advantage: advantage as f32,
                    in_loss: !(completion.truncated
                        && self.config.overlong.mode == OverlongMode::Mask),
                });
            }
        }
        let sequences = report.sequences.max(1) as f64;
        report.reward_mean /= sequences;
        report.shaped_reward_mean = shaped.iter().flatten().sum::<f64>() / sequences;
        report.advantage_abs_mean /= sequences;

        let counts: Vec<usize> = rows
            .iter()
            .map(|row| if row.in_loss { row.completion.len() } else { 0 })
            .collect();
        let scale = AggregationScale::new(
            self.config.loss_aggregation,
            &counts,
            self.config.loss_norm_length,
        );
        let settings = PolicyLossSettings {
            clip: self.config.clip,
            kl_coef: if kl.placement == KlPlacement::Loss {
                kl.coef
            } else {
                0.0
            },
            kl_estimator: kl.estimator,
            entropy_coef: self.config.entropy_coef,
            scale,
        };
        let mut grads = self.optimizer.accumulator();
        let mut stats = LossStats::default();
        for chunk in rows.chunks(self.config.micro_batch_size) {
            if chunk
                .iter()
                .all(|row| !row.in_loss || row.completion.is_empty())
            {
                continue;
            }
            let (loss, chunk_stats) = self.grpo_micro_batch(chunk, &settings)?;
            report.loss += scalar(&loss.loss)?;
            report.pg_loss += loss.pg_loss;
            report.kl_loss += loss.kl_loss;
            stats.add(&chunk_stats);
            grads.add(&self.optimizer, &loss.loss.backward()?)?;
            report.micro_batches += 1;
        }
        let tokens = stats.tokens.max(1.0);
        report.tokens = stats.tokens as usize;
        report.kl = stats.kl_sum / tokens;
        report.entropy = stats.entropy_sum / tokens;
        report.clip_low_fraction = stats.clipped_low / tokens;
        report.clip_high_fraction = stats.clipped_high / tokens;
        report.clip_fraction = report.clip_low_fraction + report.clip_high_fraction;
        report.ratio_mean = stats.ratio_sum / tokens;
        if !report.loss.is_finite() {
            return Err(Error::NonFinite(format!("loss {}", report.loss)));
        }
        self.apply_update(&mut grads, &mut report)?;

        self.steps_since_reset += 1;
        let every = self.config.reset_reference_every;
        let threshold = self.config.reset_reference_kl;
        if (every > 0 && self.steps_since_reset >= every)
            || (threshold > 0.0 && report.kl > threshold)
        {
            self.reset_reference()?;
            report.reference_reset = true;
        }
        Ok(report)
    }

    /// Writes `RUN_DIR/checkpoints/step-N/` (N = learner step) with everything needed to resume exactly.
    pub fn save_checkpoint(&self, run_dir: &Path, training: &TrainingState) -> Result<PathBuf> {
        checkpoint::write(run_dir, self.step, |dir| {
            self.policy.save(&dir.join("model"))?;
            let reference = dir.join("reference.safetensors");
            self.reference.params().save_safetensors(&reference)?;
            let optimizer: HashMap<String, Tensor> =
                self.optimizer.state_tensors().into_iter().collect();
            let optimizer_path = dir.join("optimizer.safetensors");
            proctor_models::candle_core::safetensors::save(&optimizer, &optimizer_path)?;
            checkpoint::write_json(
                &dir.join("learner.json"),
                &LearnerState {
                    step: self.step,
                    stage_start: self.stage_start,
                    weights_version: self.weights_version,
                    optimizer_step: self.optimizer.step_count(),
                    steps_since_reset: self.steps_since_reset,
                    config: self.config.clone(),
                },
            )?;
            checkpoint::write_json(&dir.join("training.json"), training)
        })
    }

    /// Resumes from the newest checkpoint of `run_dir` that verifies (see [`checkpoint::latest`]),
    /// with `config` (normally the saved one; changing it is allowed, e.g. a new step budget).
    pub fn resume(
        run_dir: &Path,
        config: LearnerConfig,
        device: &Device,
    ) -> Result<(Self, TrainingState, Checkpoint)> {
        let found = checkpoint::latest(run_dir)?;
        let dir = &found.dir;
        let policy = LanguageModel::load_dir(&dir.join("model"), device)?;
        let mut learner = Learner::new(policy, config)?;
        let reference_path = dir.join("reference.safetensors");
        let reference = proctor_models::candle_core::safetensors::load(&reference_path, device)
            .map_err(|e| Error::checkpoint(&reference_path, e.to_string()))?;
        learner
            .reference
            .params()
            .load_state_dict(&reference.into_iter().collect())
            .map_err(|e| Error::checkpoint(&reference_path, e.to_string()))?;
        let state: LearnerState = checkpoint::read_json(&dir.join("learner.json"))?;
        let optimizer_path = dir.join("optimizer.safetensors");
        let moments = proctor_models::candle_core::safetensors::load(&optimizer_path, device)
            .map_err(|e| Error::checkpoint(&optimizer_path, e.to_string()))?;
        learner
            .optimizer
            .load_state(moments, state.optimizer_step)
            .map_err(|e| Error::checkpoint(&optimizer_path, e.to_string()))?;
        learner.step = state.step;
        learner.stage_start = state.stage_start;
        learner.weights_version = state.weights_version;
        learner.steps_since_reset = state.steps_since_reset;
        let training = checkpoint::read_json(&dir.join("training.json"))?;
        Ok((learner, training, found))
    }

    fn sft_forward(&self, pairs: &[SftPair]) -> Result<(CompletionBatch, Tensor)> {
        let prompts: Vec<&[u32]> = pairs.iter().map(|p| p.prompt_ids.as_slice()).collect();
        let responses: Vec<&[u32]> = pairs.iter().map(|p| p.response_ids.as_slice()).collect();
        let batch = CompletionBatch::new(
            &prompts,
            &responses,
            self.policy.tokenizer.pad_token_id(),
            self.policy.model.device(),
        )?;
        let logits = batch.logits(&self.policy.model, 1.0)?;
        Ok((batch, logits))
    }

    /// Reference log-probs per completion: given ones are kept; missing ones are computed with
    /// the learner's reference model when `needed`.
    fn reference_logprobs(
        &self,
        groups: &[ScoredGroup],
        needed: bool,
    ) -> Result<Vec<Vec<Option<Vec<f32>>>>> {
        let mut out: Vec<Vec<Option<Vec<f32>>>> = groups
            .iter()
            .map(|g| {
                g.completions
                    .iter()
                    .map(|c| c.ref_logprobs.clone())
                    .collect()
            })
            .collect();
        if !needed {
            return Ok(out);
        }
        let mut missing: Vec<(usize, usize)> = Vec::new();
        for (g, group) in groups.iter().enumerate() {
            for (c, completion) in group.completions.iter().enumerate() {
                if completion.ref_logprobs.is_none() {
                    missing.push((g, c));
                }
            }
        }
        for chunk in missing.chunks(self.config.micro_batch_size) {
            let prompts: Vec<Vec<u32>> = chunk
                .iter()
                .map(|&(g, _)| groups[g].prompt_ids.clone())
                .collect();
            let completions: Vec<Vec<u32>> = chunk
                .iter()
                .map(|&(g, c)| groups[g].completions[c].token_ids.clone())
                .collect();
            let scored = sequence_logprobs(
                &self.reference,
                &prompts,
                &completions,
                self.config.temperature,
                self.policy.tokenizer.pad_token_id(),
            )?;
            for (&(g, c), logprobs) in chunk.iter().zip(scored) {
                out[g][c] = Some(logprobs);
            }
        }
        Ok(out)
    }

    fn grpo_micro_batch(
        &self,
        rows: &[Row<'_>],
        settings: &PolicyLossSettings,
    ) -> Result<(crate::loss::PolicyLoss, LossStats)> {
        let device = self.policy.model.device();
        let prompts: Vec<&[u32]> = rows.iter().map(|r| r.prompt).collect();
        let completions: Vec<&[u32]> = rows.iter().map(|r| r.completion).collect();
        let batch = CompletionBatch::new(
            &prompts,
            &completions,
            self.policy.tokenizer.pad_token_id(),
            device,
        )?;
        let width = batch.completion_len();
        let logits = batch.logits(&self.policy.model, self.config.temperature)?;
        let logprobs = token_logprobs(&logits, &batch.targets)?;
        let entropy = if settings.entropy_coef != 0.0 {
            token_entropy(&logits)?
        } else {
            token_entropy(&logits.detach())?
        };
        let behaviour = pad_rows(rows.iter().map(|row| row.behaviour), width, device)?;
        let reference = if rows.iter().all(|row| row.reference.is_some()) {
            Some(pad_rows(
                rows.iter()
                    .map(|row| row.reference.as_deref().unwrap_or(&[])),
                width,
                device,
            )?)
        } else {
            None
        };
        let include: Vec<f32> = rows
            .iter()
            .map(|row| f32::from(u8::from(row.in_loss)))
            .collect();
        let mask =
            batch
                .mask
                .broadcast_mul(&Tensor::from_vec(include, (rows.len(), 1), device)?)?;
        let advantages: Vec<f32> = rows.iter().map(|row| row.advantage).collect();
        let advantages = Tensor::from_vec(advantages, rows.len(), device)?;
        let loss = policy_loss(
            &PolicyLossInput {
                logprobs: &logprobs,
                behaviour_logprobs: &behaviour,
                advantages: &advantages,
                mask: &mask,
                ref_logprobs: reference.as_ref(),
                entropy: Some(&entropy),
            },
            settings,
        )?;
        let stats = loss.stats;
        Ok((loss, stats))
    }

    /// Clips, steps the optimizer with the scheduled LR and fills the shared report fields.
    fn apply_update(&mut self, grads: &mut GradAccumulator, report: &mut StepReport) -> Result<()> {
        report.grad_norm = grads.clip(self.config.max_grad_norm)?;
        report.lr = self.schedule.lr_at(self.step - self.stage_start);
        self.optimizer.step(grads, report.lr)?;
        self.step += 1;
        self.weights_version += 1;
        report.step = self.step;
        report.weights_version = self.weights_version;
        report.param_norm = self.optimizer.param_norm()?;
        Ok(())
    }
}

/// `[rows, width]` from per-row values, zero-padded on the right.
fn pad_rows<'a>(
    rows: impl ExactSizeIterator<Item = &'a [f32]>,
    width: usize,
    device: &Device,
) -> Result<Tensor> {
    let count = rows.len();
    let mut data = Vec::with_capacity(count * width);
    for values in rows {
        let kept = values.len().min(width);
        data.extend_from_slice(&values[..kept]);
        data.extend(std::iter::repeat_n(0.0, width - kept));
    }
    Ok(Tensor::from_vec(data, (count, width), device)?)
}

/// Token-mean scale over every response token of an SFT batch.
fn sft_scale(pairs: &[SftPair]) -> Result<AggregationScale> {
    if pairs.is_empty() || pairs.iter().all(|p| p.response_ids.is_empty()) {
        return Err(Error::Batch(
            "an SFT step needs at least one response token".into(),
        ));
    }
    let counts: Vec<usize> = pairs.iter().map(|p| p.response_ids.len()).collect();
    Ok(AggregationScale::new(
        LossAggregation::TokenMean,
        &counts,
        0,
    ))
}

/// A frozen copy of `model` with its own variables.
fn copy_model(model: &Model) -> Result<Model> {
    let mut vars = BTreeMap::new();
    for (name, var) in model.params().iter() {
        vars.insert(
            name.to_string(),
            Var::from_tensor(&var.as_tensor().detach().copy()?)?,
        );
    }
    Ok(Model::from_params(
        model.config().clone(),
        Params::new(vars, model.device().clone()),
    )?)
}

#[cfg(test)]
#[path = "learner_tests.rs"]
mod tests;
