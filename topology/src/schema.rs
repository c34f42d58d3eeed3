//! The typed topology schema: one struct per section of the TOML file.
//!
//! Every struct denies unknown fields so a typo is an error, not a silently ignored key.
//! Defaults live here, next to the field they fill, and are what `proctor validate` prints.

mod learner;
mod roles;

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

pub use learner::{
    Advantage, Algorithm, ClipRange, DynamicSampling, KlControl, KlEstimator, KlPlacement,
    LearnerSection, LossAggregation, LrSchedule, OverlongMode, OverlongShaping,
};
pub use roles::{
    PolicySection, ReferenceSection, RewardSection, RewardSource, SamplingParams, Supervision,
    VerifierLimits, VerifierSection,
};

/// A whole topology: what to train, on what data, with which actors and algorithm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topology {
    /// Run identity, length, seed and output directory.
    pub run: RunSection,
    /// The model every model-backed actor loads.
    pub model: ModelSection,
    /// Where prompts (tasks) come from.
    pub data: DataSection,
    /// The rollout-generating policy replicas.
    #[serde(default)]
    pub policy: PolicySection,
    /// The frozen reference policy used for KL control.
    #[serde(default)]
    pub reference: ReferenceSection,
    /// The sandboxed verifier plugins and their pool.
    #[serde(default)]
    pub verifier: VerifierSection,
    /// How verifier (and later reward-model) scores combine into one reward.
    #[serde(default)]
    pub reward: RewardSection,
    /// The training algorithm and its optimiser.
    #[serde(default)]
    pub learner: LearnerSection,
    /// An optional supervised stage run before the first RL step (e.g. the demo's warm-start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warm_start: Option<WarmStartSection>,
}

/// `[warm_start]`: supervised fine-tuning on prompt/answer pairs before the RL steps, so the
/// policy starts from a model that already answers in the expected format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarmStartSection {
    /// Prompt/answer pairs, one JSON object per line, read with `data.prompt_key` and
    /// `data.answer_key`; the answer is the target response.
    pub data: PathBuf,
    /// SFT steps, run as steps 1..=steps before `run.steps` RL steps.
    pub steps: u64,
    /// Pairs per SFT step.
    #[serde(default = "defaults::warm_start_batch_size")]
    pub batch_size: u64,
    /// Peak learning rate of the SFT stage.
    #[serde(default = "defaults::warm_start_lr")]
    pub lr: f64,
    /// Linear warmup steps of the SFT stage.
    #[serde(default)]
    pub warmup_steps: u64,
}

/// `[run]`: identity and bookkeeping of one training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSection {
    /// Human-readable run name; also the default output directory name.
    pub name: String,
    /// Seed for every random stream of the run (sampling, data order, init).
    #[serde(default)]
    pub seed: u64,
    /// Number of learner steps to run.
    pub steps: u64,
    /// Run directory (metrics, checkpoints); defaults to `runs/<name>`.
    #[serde(default)]
    pub out: Option<PathBuf>,
    /// Write a checkpoint every this many steps (0 = only at the end).
    #[serde(default = "defaults::checkpoint_every")]
    pub checkpoint_every: u64,
    /// Evaluate on `data.eval` every this many steps (0 = never).
    #[serde(default)]
    pub eval_every: u64,
}

/// `[model]`: which weights and tokenizer to load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelSection {
    /// `builtin:NAME` for an embedded model, or a local Hugging Face model directory.
    pub path: String,
    /// Parameter dtype for the policy and learner.
    #[serde(default)]
    pub dtype: DType,
}

/// Floating-point type of model parameters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DType {
    /// 32-bit float: exact CPU parity with reference implementations.
    #[default]
    F32,
    /// bfloat16: halves memory on GPUs that support it.
    Bf16,
    /// IEEE half precision.
    F16,
}

/// `[data]`: prompt sources and how many prompts make one step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSection {
    /// Training prompts, one JSON object per line.
    pub train: PathBuf,
    /// Held-out prompts for evaluation (never trained on).
    #[serde(default)]
    pub eval: Option<PathBuf>,
    /// Prompts drawn per learner step; each is sampled `policy.sampling.n` times.
    #[serde(default = "defaults::prompts_per_step")]
    pub prompts_per_step: u64,
    /// Shuffle the training prompts each epoch (seeded by `run.seed`).
    #[serde(default = "defaults::yes")]
    pub shuffle: bool,
    /// JSON key holding the prompt text in each line.
    #[serde(default = "defaults::prompt_key")]
    pub prompt_key: String,
    /// JSON key holding the reference answer in each line.
    #[serde(default = "defaults::answer_key")]
    pub answer_key: String,
}

pub(crate) mod defaults {
    pub fn warm_start_batch_size() -> u64 {
        64
    }
    pub fn warm_start_lr() -> f64 {
        1e-3
    }
    pub fn yes() -> bool {
        true
    }
    pub fn checkpoint_every() -> u64 {
        50
    }
    pub fn prompts_per_step() -> u64 {
        8
    }
    pub fn prompt_key() -> String {
        "prompt".into()
    }
    pub fn answer_key() -> String {
        "answer".into()
    }
}

impl Topology {
    /// The run directory: `run.out` when given, else `runs/<run.name>`.
    pub fn run_dir(&self) -> PathBuf {
        self.run
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from("runs").join(&self.run.name))
    }

    /// Steps of the whole run: the warm-start SFT steps, then `run.steps` RL steps.
    pub fn total_steps(&self) -> u64 {
        self.warm_start
            .as_ref()
            .map_or(0, |warm_start| warm_start.steps)
            .saturating_add(self.run.steps)
    }

    /// Rollouts (prompt × sample) produced for one learner step.
    pub fn rollouts_per_step(&self) -> u64 {
        self.data
            .prompts_per_step
            .saturating_mul(self.policy.sampling.n)
    }

    /// The resolved topology as TOML text, defaults included.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_else(|error| format!("# unprintable: {error}\n"))
    }
}
