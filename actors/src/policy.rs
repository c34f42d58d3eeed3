//! The policy role: generates rollouts with the weights version the step asks for.

use crate::weights::WeightStore;
use proctor_models::{ChatMessage, GenerationRequest, Generator, LanguageModel, SamplingParams};
use proctor_runtime::messages::{FinishReason, GenerateRollouts, Rollout};
use proctor_runtime::{ReplicaInfo, Role, RoleError, RoleFactory};
use std::sync::Arc;

/// What every policy replica is built from.
#[derive(Debug, Clone)]
pub struct PolicySpec {
    /// `builtin:NAME` or a model directory.
    pub model: String,
    /// One device per replica (or one shared).
    pub devices: Vec<String>,
    /// Sampling settings of the topology (seed and n come with each request).
    pub sampling: proctor_topology::SamplingParams,
    /// Where the learner publishes new weights.
    pub weights: WeightStore,
}

/// One policy replica: a model on its device and the weights version it holds.
pub struct PolicyRole {
    model: LanguageModel,
    sampling: proctor_topology::SamplingParams,
    weights: WeightStore,
    version: u64,
}

/// Builds policy replicas: each loads the model on its device, then the newest published weights.
pub fn policy_factory(spec: PolicySpec) -> RoleFactory<PolicyRole> {
    Arc::new(move |info: &ReplicaInfo| {
        let device_name = spec
            .devices
            .get(info.replica)
            .or_else(|| spec.devices.first())
            .map_or("cpu", String::as_str);
        let device = proctor_models::parse_device(device_name)
            .map_err(|error| RoleError::fatal(error.to_string()))?;
        let model = LanguageModel::load(&spec.model, &device)
            .map_err(|error| RoleError::fatal(format!("cannot load {}: {error}", spec.model)))?;
        let mut role = PolicyRole {
            model,
            sampling: spec.sampling.clone(),
            weights: spec.weights.clone(),
            version: 0,
        };
        // A replica restarted mid-run must not generate with the initial weights.
        if let Some(latest) = spec.weights.latest() {
            role.load_version(latest.version)?;
        }
        Ok(role)
    })
}

impl PolicyRole {
    fn load_version(&mut self, version: u64) -> Result<(), RoleError> {
        self.version = self.weights.load_into(version, self.model.model.params())?;
        Ok(())
    }
}

impl Role for PolicyRole {
    type Request = GenerateRollouts;
    type Response = Vec<Rollout>;

    fn handle(&mut self, request: GenerateRollouts) -> Result<Vec<Rollout>, RoleError> {
        if request.min_weights_version > self.version {
            self.load_version(request.min_weights_version)?;
        }
        let tokenizer = &self.model.tokenizer;
        let prompts = request
            .prompts
            .iter()
            .map(|task| tokenizer.encode_chat(&[ChatMessage::user(task.prompt.clone())]))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| RoleError::fatal(format!("cannot tokenize a prompt: {error}")))?;
        let generation_request = GenerationRequest {
            prompts: prompts.clone(),
            sampling: SamplingParams {
                temperature: if request.greedy {
                    0.0
                } else {
                    self.sampling.temperature as f32
                },
                top_p: self.sampling.top_p as f32,
                top_k: usize::try_from(self.sampling.top_k).unwrap_or(usize::MAX),
                max_new_tokens: usize::try_from(self.sampling.max_new_tokens).unwrap_or(usize::MAX),
                stop_on_eos: true,
                stop: self.sampling.stop.clone(),
                n: if request.greedy {
                    1
                } else {
                    request.samples_per_prompt as usize
                },
                seed: request.seed,
            },
        };
        let generations = Generator::new(&self.model.model, tokenizer)
            .generate(&generation_request)
            .map_err(|error| RoleError::retryable(format!("generation failed: {error}")))?;
        Ok(generations
            .into_iter()
            .map(|generation| Rollout {
                task_id: request.prompts[generation.prompt_index].id.clone(),
                prompt_index: u32::try_from(generation.prompt_index).unwrap_or(u32::MAX),
                sample_index: u32::try_from(generation.sample_index).unwrap_or(u32::MAX),
                prompt_token_ids: prompts[generation.prompt_index].clone(),
                completion_token_ids: generation.token_ids,
                completion_text: generation.text,
                behaviour_logprobs: generation.logprobs,
                finish_reason: match generation.finish_reason {
                    proctor_models::FinishReason::Stop => FinishReason::Stop,
                    proctor_models::FinishReason::Length => FinishReason::Length,
                },
                weights_version: self.version,
            })
            .collect())
    }
}
