//! proctor-learner: turns scored rollouts into weight updates.
//!
//! [`Learner`] owns the policy being trained, a frozen reference copy and the AdamW optimizer.
//! [`Learner::train_grpo_step`] applies GRPO as in ProRL (group-normalised [`advantages`],
//! decoupled ratio clipping, KL to the reference with k1/k2/k3 in the loss or the reward,
//! token-level aggregation, overlong shaping, periodic hard reset of reference and optimizer)
//! and its variants Dr.GRPO, RLOO, REINFORCE++ and REINFORCE++-baseline;
//! [`Learner::train_sft_step`] applies masked cross-entropy. Steps are split into micro-batches
//! whose gradients add up exactly to the full batch's.
//!
//! [`checkpoint`] writes `RUN_DIR/checkpoints/step-N/` atomically (Hugging Face model layout,
//! optimizer moments, training state, checksummed manifest) and resumes bit for bit;
//! [`WeightUpdate`] carries versioned, checksummed weights to policy replicas.
//! Only `proctor-models` is used for tensors (it re-exports candle).

pub mod advantages;
mod batch;
pub mod checkpoint;
mod config;
mod error;
mod forward;
mod learner;
pub mod loss;
pub mod optim;
pub mod sft;
mod sync;

pub use advantages::{AdvantageEstimator, compute_advantages, has_signal};
pub use batch::{ScoredCompletion, ScoredGroup, StepReport};
pub use checkpoint::{Checkpoint, TrainingState};
pub use config::{
    AdvantageConfig, Algorithm, ClipConfig, KlConfig, KlEstimator, KlPlacement, LearnerConfig,
    LossAggregation, OverlongConfig, OverlongMode, Schedule,
};
pub use error::{Error, Result};
pub use learner::Learner;
pub use optim::{AdamW, LrSchedule};
pub use sft::SftPair;
pub use sync::WeightUpdate;
