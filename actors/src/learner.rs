//! The learner role: owns the trainable policy, its frozen reference copy and the optimizer
//! (a [`proctor_learner::Learner`]) on its own thread, and answers training commands.
//!
//! Unlike the stateless roles, a learner that crashed mid-update cannot be rebuilt from its
//! request: its weights and optimizer moments are gone. A restarted replica therefore refuses
//! to start; the role fails, and the training plan restarts every role from the last checkpoint
//! (`TrainingPlan::recover`), or, before the first checkpoint, the run fails naming `--resume`.

use proctor_learner::{
    Learner, LearnerConfig, ScoredGroup, SftPair, StepReport, TrainingState, WeightUpdate,
};
use proctor_models::LanguageModel;
use proctor_runtime::{ReplicaInfo, Role, RoleError, RoleFactory};
use std::path::PathBuf;
use std::sync::Arc;

/// One supervised example as text; the learner renders it with its own chat template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SftText {
    /// The user turn.
    pub prompt: String,
    /// The target assistant turn.
    pub response: String,
}

/// What the plan asks of the learner.
#[derive(Debug, Clone)]
pub enum LearnerCommand {
    /// One supervised step on prompt/response pairs.
    Sft(Vec<SftText>),
    /// One GRPO-family step on scored groups.
    Grpo(Vec<ScoredGroup>),
    /// Start a new stage with `config` from the current policy: fresh optimizer, and the
    /// reference becomes the current policy (e.g. SFT warm-start → GRPO).
    StartStage(Box<LearnerConfig>),
    /// Writes `RUN_DIR/checkpoints/step-N/` with the caller's training state.
    Save {
        /// The run directory.
        run_dir: PathBuf,
        /// The caller's progress (data cursor, RNG counters, stage).
        training: TrainingState,
    },
    /// Loads the newest good checkpoint of `run_dir`, continuing with `config`.
    Restore {
        /// The run directory.
        run_dir: PathBuf,
        /// Settings of the stage the checkpoint belongs to.
        config: Box<LearnerConfig>,
    },
    /// The current policy weights, for the policy replicas.
    PolicyWeights,
    /// The current reference weights, for the reference replicas after a reset.
    ReferenceWeights,
}

/// The learner's answer to a [`LearnerCommand`].
#[derive(Debug, Clone)]
pub enum LearnerReply {
    /// What a training step did.
    Trained(Box<StepReport>),
    /// The stage started.
    StageStarted,
    /// The checkpoint written.
    Saved(PathBuf),
    /// The training state and the checkpoint step restored.
    Restored {
        /// The caller's saved progress.
        training: TrainingState,
        /// Checkpoint directories skipped because they failed verification (with reasons).
        skipped: Vec<String>,
    },
    /// Versioned, checksummed weights.
    Weights(Box<WeightUpdate>),
}

/// The learner replica.
pub struct LearnerRole {
    learner: Option<Learner>,
}

/// Builds the (single) learner from `model` on `device` with `config`; a restart after a crash
/// fails with instructions to resume, because the learner's state died with it.
pub fn learner_factory(
    model: String,
    device: String,
    config: LearnerConfig,
) -> RoleFactory<LearnerRole> {
    Arc::new(move |info: &ReplicaInfo| {
        if info.generation > 0 {
            return Err(RoleError::fatal(
                "the learner crashed and its weights and optimizer state were lost with it; \
                 a run with a checkpoint goes back to it by itself, otherwise continue from \
                 the last checkpoint with `proctor run CONFIG --resume RUN_DIR`",
            ));
        }
        let device = proctor_models::parse_device(&device)
            .map_err(|error| RoleError::fatal(error.to_string()))?;
        let policy = LanguageModel::load(&model, &device)
            .map_err(|error| RoleError::fatal(format!("cannot load {model}: {error}")))?;
        let learner = Learner::new(policy, config.clone())
            .map_err(|error| RoleError::fatal(error.to_string()))?;
        Ok(LearnerRole {
            learner: Some(learner),
        })
    })
}

fn failed(error: proctor_learner::Error) -> RoleError {
    RoleError::fatal(error.to_string())
}

impl LearnerRole {
    fn learner(&mut self) -> Result<&mut Learner, RoleError> {
        self.learner
            .as_mut()
            .ok_or_else(|| RoleError::fatal("the learner lost its state in a failed stage change"))
    }
}

impl Role for LearnerRole {
    type Request = LearnerCommand;
    type Response = LearnerReply;

    fn handle(&mut self, command: LearnerCommand) -> Result<LearnerReply, RoleError> {
        match command {
            LearnerCommand::Sft(texts) => {
                let learner = self.learner()?;
                #[cfg(feature = "fault-injection")]
                fault::before_training(learner.step() + 1);
                let tokenizer = &learner.policy().tokenizer;
                let pairs = texts
                    .iter()
                    .map(|text| SftPair::from_chat(tokenizer, &text.prompt, &text.response))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(failed)?;
                Ok(LearnerReply::Trained(Box::new(
                    learner.train_sft_step(&pairs).map_err(failed)?,
                )))
            }
            LearnerCommand::Grpo(groups) => {
                let learner = self.learner()?;
                #[cfg(feature = "fault-injection")]
                fault::before_training(learner.step() + 1);
                Ok(LearnerReply::Trained(Box::new(
                    learner.train_grpo_step(&groups).map_err(failed)?,
                )))
            }
            LearnerCommand::StartStage(config) => {
                let previous = self
                    .learner
                    .take()
                    .ok_or_else(|| RoleError::fatal("the learner has no state to continue"))?;
                let (step, version) = (previous.step(), previous.weights_version());
                let mut next = Learner::new(previous.into_policy(), *config).map_err(failed)?;
                next.continue_counting(step, version);
                self.learner = Some(next);
                Ok(LearnerReply::StageStarted)
            }
            LearnerCommand::Save { run_dir, training } => Ok(LearnerReply::Saved(
                self.learner()?
                    .save_checkpoint(&run_dir, &training)
                    .map_err(failed)?,
            )),
            LearnerCommand::Restore { run_dir, config } => {
                let device = self.learner()?.policy().model.device().clone();
                let (learner, training, found) =
                    Learner::resume(&run_dir, *config, &device).map_err(failed)?;
                self.learner = Some(learner);
                Ok(LearnerReply::Restored {
                    training,
                    skipped: found.skipped,
                })
            }
            LearnerCommand::PolicyWeights => Ok(LearnerReply::Weights(Box::new(
                self.learner()?.weights_snapshot().map_err(failed)?,
            ))),
            LearnerCommand::ReferenceWeights => Ok(LearnerReply::Weights(Box::new(
                self.learner()?.reference_snapshot().map_err(failed)?,
            ))),
        }
    }
}

/// Crashes on demand, for the tests of recovery (feature `fault-injection`, which only the
/// workspace's own tests enable; release builds never have it).
#[cfg(feature = "fault-injection")]
mod fault {
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Variable naming the learner step at which to crash, once per process.
    pub(super) const PANIC_AT_STEP: &str = "PROCTOR_FAULT_LEARNER_PANIC_AT_STEP";

    /// Panics (once per process) when `step` is the one [`PANIC_AT_STEP`] names.
    pub(super) fn before_training(step: u64) {
        static FIRED: AtomicBool = AtomicBool::new(false);
        let target = std::env::var(PANIC_AT_STEP)
            .ok()
            .and_then(|value| value.parse::<u64>().ok());
        if target == Some(step) && !FIRED.swap(true, Ordering::SeqCst) {
            panic!("injected learner crash before training step {step}");
        }
    }
}
