//! proctor's concrete actor roles — policy, reference, verifier, reward, learner — built from a
//! topology, and the step plans (one per algorithm) that compose them into a training step.
//!
//! The runtime (`proctor-runtime`) supplies supervision, re-dispatch and recording; this crate
//! supplies what each role does. Roles backed by the model engine and the plugin host are added
//! here as those land; [`plan_for`] refuses, naming the algorithm, any topology it cannot run yet.

mod policy;
mod reference;
mod weights;

pub use policy::{PolicyRole, PolicySpec, policy_factory};
pub use reference::{ReferenceBatch, ReferenceRole, reference_factory};
pub use weights::{PublishedWeights, WeightStore, checksum};

use proctor_runtime::{RunDir, RuntimeError, StepPlan};
use proctor_topology::{Algorithm, Topology};
use std::collections::BTreeMap;

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
}

/// The step plan of a topology's algorithm. It has no variants until an algorithm's learner
/// exists, so no code path can pretend to train.
#[derive(Debug)]
pub enum TrainingPlan {}

/// Assembles the step plan a topology asks for, or says why it cannot.
pub fn plan_for(topology: &Topology) -> Result<TrainingPlan, ActorsError> {
    Err(ActorsError::Unsupported {
        algorithm: topology.learner.algorithm,
        reason: "the model engine and learner are not built yet",
    })
}

impl StepPlan for TrainingPlan {
    async fn run_step(&mut self, _step: u64) -> Result<BTreeMap<String, f64>, RuntimeError> {
        match *self {}
    }

    async fn save(&mut self, _step: u64) -> Result<(), RuntimeError> {
        match *self {}
    }

    async fn restore(&mut self, _run_dir: &RunDir) -> Result<u64, RuntimeError> {
        match *self {}
    }
}

#[cfg(test)]
mod tests;
