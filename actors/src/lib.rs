//! proctor's concrete actor roles — policy, reference, verifier, reward, learner — built from a
//! topology, and the [`TrainingPlan`] that composes them into SFT and GRPO-family steps.
//!
//! The runtime (`proctor-runtime`) supplies supervision, re-dispatch and recording; this crate
//! supplies what each role does and in which order a step calls them.

pub mod data;
mod environment;
mod learner;
mod plan;
mod policy;
mod progress;
mod reference;
mod reward;
mod stage;
mod verifier;
mod weights;

pub use environment::EnvironmentTasks;
pub use learner::{LearnerCommand, LearnerReply, LearnerRole, SftText, learner_factory};
pub use plan::{EvalPoint, TrainingPlan};
pub use policy::{PolicyRole, PolicySpec, policy_factory};
pub use progress::StepProgress;
pub use reference::{ReferenceBatch, ReferenceRole, reference_factory};
pub use reward::{RewardRole, combine, reward_factory};
pub use stage::{Stage, StageSchedule, main_config, warm_start_config};
pub use verifier::{LoadedPlugins, VerifierRole, plugin_name, verifier_factory};
pub use weights::WeightStore;

use proctor_topology::Algorithm;

/// Why a topology's actors could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum ActorsError {
    /// This build has no step plan for the algorithm.
    #[error("learner.algorithm = {algorithm:?} cannot run in this build: {reason}")]
    Unsupported {
        /// The requested algorithm.
        algorithm: Algorithm,
        /// What is missing.
        reason: &'static str,
    },
    /// A dataset is unreadable or malformed.
    #[error(transparent)]
    Data(#[from] data::DataError),
    /// A verifier plugin failed to load.
    #[error(transparent)]
    Plugin(#[from] proctor_plugin_host::Error),
}

#[cfg(test)]
mod tests;
