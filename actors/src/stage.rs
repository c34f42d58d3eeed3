//! The stages of a run and the learner settings each one trains with, derived from the topology.

use crate::ActorsError;
use proctor_learner::{
    AdvantageConfig, ClipConfig, KlConfig, LearnerConfig, OverlongConfig, Schedule,
};
use proctor_topology::{self as topology, Algorithm, Topology};

/// What a step of the run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Supervised fine-tuning on prompt/answer pairs (`[warm_start]`, or `algorithm = "sft"`).
    Sft,
    /// Sample, verify, reward, and update with a GRPO-family estimator.
    Rl,
}

/// The step ranges of a topology: warm-start SFT steps first, then `run.steps` of the algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageSchedule {
    /// Steps `1..=warm_start_steps` are the warm-start SFT stage.
    pub warm_start_steps: u64,
    /// The algorithm's stage (SFT when `learner.algorithm = "sft"`).
    pub main: Stage,
}

impl StageSchedule {
    /// The stage of `topology`'s steps.
    pub fn of(topology: &Topology) -> Self {
        StageSchedule {
            warm_start_steps: topology.warm_start.as_ref().map_or(0, |w| w.steps),
            main: if topology.learner.algorithm == Algorithm::Sft {
                Stage::Sft
            } else {
                Stage::Rl
            },
        }
    }

    /// The stage step `step` (1-based) belongs to.
    pub fn stage_of(&self, step: u64) -> Stage {
        if step <= self.warm_start_steps {
            Stage::Sft
        } else {
            self.main
        }
    }

    /// Whether `step` is the first step of the main stage after a warm-start.
    pub fn starts_main_stage(&self, step: u64) -> bool {
        self.warm_start_steps > 0 && step == self.warm_start_steps + 1
    }
}

/// The learner settings of the warm-start stage.
pub fn warm_start_config(topology: &Topology) -> Option<LearnerConfig> {
    let warm_start = topology.warm_start.as_ref()?;
    Some(LearnerConfig {
        algorithm: proctor_learner::Algorithm::Sft,
        lr: warm_start.lr,
        warmup_steps: warm_start.warmup_steps,
        micro_batch_size: usize::try_from(topology.learner.micro_batch_size).unwrap_or(usize::MAX),
        max_grad_norm: topology.learner.max_grad_norm,
        weight_decay: topology.learner.weight_decay,
        ..LearnerConfig::default()
    })
}

/// The learner settings of the main stage (`[learner]`), or why this build cannot run them.
pub fn main_config(topology: &Topology) -> Result<LearnerConfig, ActorsError> {
    let learner = &topology.learner;
    let unsupported = |reason: &'static str| ActorsError::Unsupported {
        algorithm: learner.algorithm,
        reason,
    };
    let (algorithm, normalize_std) = match learner.algorithm {
        Algorithm::Grpo => (
            proctor_learner::Algorithm::Grpo,
            learner.advantage.normalize_std,
        ),
        Algorithm::DrGrpo => (proctor_learner::Algorithm::Grpo, false),
        Algorithm::Rloo => (proctor_learner::Algorithm::Rloo, true),
        Algorithm::ReinforcePp => (proctor_learner::Algorithm::ReinforcePlusPlus, true),
        Algorithm::Sft => (proctor_learner::Algorithm::Sft, true),
        Algorithm::Ppo => {
            return Err(unsupported(
                "PPO needs a value model (critic), which this build does not have; \
                 use grpo, dr_grpo, rloo or reinforce_pp",
            ));
        }
    };
    if learner.mini_batches > 1 {
        return Err(unsupported(
            "learner.mini_batches > 1 (several optimizer steps per batch) is not supported yet; \
             use mini_batches = 1",
        ));
    }
    Ok(LearnerConfig {
        algorithm,
        lr: learner.lr,
        weight_decay: learner.weight_decay,
        schedule: match learner.schedule {
            topology::LrSchedule::Constant => Schedule::Constant,
            topology::LrSchedule::Cosine => Schedule::Cosine,
        },
        warmup_steps: learner.warmup_steps,
        total_steps: topology.run.steps,
        max_grad_norm: learner.max_grad_norm,
        micro_batch_size: usize::try_from(learner.micro_batch_size).unwrap_or(usize::MAX),
        clip: ClipConfig {
            low: learner.clip.low,
            high: learner.clip.high,
        },
        kl: KlConfig {
            coef: learner.kl.coef,
            estimator: match learner.kl.estimator {
                topology::KlEstimator::K1 => proctor_learner::KlEstimator::K1,
                topology::KlEstimator::K2 => proctor_learner::KlEstimator::K2,
                topology::KlEstimator::K3 => proctor_learner::KlEstimator::K3,
            },
            placement: match learner.kl.placement {
                topology::KlPlacement::Loss => proctor_learner::KlPlacement::Loss,
                topology::KlPlacement::Reward => proctor_learner::KlPlacement::Reward,
            },
        },
        advantage: AdvantageConfig { normalize_std },
        loss_aggregation: match learner.loss_aggregation {
            topology::LossAggregation::TokenMean => proctor_learner::LossAggregation::TokenMean,
            topology::LossAggregation::SeqMeanTokenMean => {
                proctor_learner::LossAggregation::SeqMeanTokenMean
            }
            topology::LossAggregation::SeqMeanTokenSumNorm => {
                proctor_learner::LossAggregation::SeqMeanTokenSumNorm
            }
        },
        overlong: OverlongConfig {
            mode: match learner.overlong.mode {
                topology::OverlongMode::None => proctor_learner::OverlongMode::None,
                topology::OverlongMode::Penalize => proctor_learner::OverlongMode::Penalize,
                topology::OverlongMode::Mask => proctor_learner::OverlongMode::Mask,
            },
            penalty: learner.overlong.penalty,
        },
        entropy_coef: learner.entropy_coef,
        reset_reference_every: learner.reset_reference_every,
        reset_reference_kl: learner.reset_reference_kl.unwrap_or(0.0),
        temperature: topology.policy.sampling.temperature as f32,
        ..LearnerConfig::default()
    })
}
