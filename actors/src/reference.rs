//! The reference role: teacher-forced log-probs of completions under the frozen reference policy.

use crate::weights::WeightStore;
use proctor_models::LanguageModel;
use proctor_runtime::messages::ReferenceLogprobs;
use proctor_runtime::{ReplicaInfo, Role, RoleError, RoleFactory};
use std::sync::Arc;

/// A batch of completions to score; answered with per-token log-probs in the same order.
pub type ReferenceBatch = Vec<ReferenceLogprobs>;

/// The reference model and the weights version it was last reset to.
pub struct ReferenceRole {
    model: LanguageModel,
    store: WeightStore,
    version: u64,
    temperature: f32,
}

/// Builds the reference replica on `device`; it starts from the initial weights, or from the
/// weights in `reset_store` when the learner has reset the reference (ProRL hard reset).
/// Log-probs are taken at the policy's sampling `temperature`, as the learner rescored them.
pub fn reference_factory(
    model: String,
    device: String,
    reset_store: WeightStore,
    temperature: f32,
) -> RoleFactory<ReferenceRole> {
    Arc::new(move |_: &ReplicaInfo| {
        let device = proctor_models::parse_device(&device)
            .map_err(|error| RoleError::fatal(error.to_string()))?;
        let model = LanguageModel::load(&model, &device)
            .map_err(|error| RoleError::fatal(format!("cannot load {model}: {error}")))?;
        let mut role = ReferenceRole {
            model,
            store: reset_store.clone(),
            version: 0,
            temperature,
        };
        role.follow_resets()?;
        Ok(role)
    })
}

impl ReferenceRole {
    /// Loads the newest reset weights, if the learner published a reset since this replica loaded.
    fn follow_resets(&mut self) -> Result<(), RoleError> {
        if let Some(latest) = self.store.latest()
            && latest.version > self.version
        {
            self.version = self
                .store
                .load_into(latest.version, self.model.model.params())?;
        }
        Ok(())
    }
}

impl Role for ReferenceRole {
    type Request = ReferenceBatch;
    type Response = Vec<Vec<f32>>;

    fn handle(&mut self, batch: ReferenceBatch) -> Result<Vec<Vec<f32>>, RoleError> {
        self.follow_resets()?;
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let prompts: Vec<Vec<u32>> = batch
            .iter()
            .map(|item| item.prompt_token_ids.clone())
            .collect();
        let completions: Vec<Vec<u32>> = batch
            .iter()
            .map(|item| item.completion_token_ids.clone())
            .collect();
        let pad = self.model.tokenizer.pad_token_id();
        proctor_models::sequence_logprobs(
            &self.model.model,
            &prompts,
            &completions,
            self.temperature,
            pad,
        )
        .map_err(|error| RoleError::fatal(format!("reference scoring failed: {error}")))
    }
}
