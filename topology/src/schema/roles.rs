//! Sections for the actor roles: policy, reference, verifier, reward, and their supervision.

use serde::{Deserialize, Serialize};

/// `[policy]`: the replicas that generate rollouts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySection {
    /// Number of policy replicas; prompts of a step are split between them.
    #[serde(default = "one")]
    pub replicas: u64,
    /// One device per replica (`cpu`, `cuda:N`), or a single device shared by all.
    #[serde(default = "cpu_list")]
    pub devices: Vec<String>,
    /// How completions are sampled.
    #[serde(default)]
    pub sampling: SamplingParams,
    /// How many weight versions a rollout may lag behind the learner (0 = on-policy).
    #[serde(default)]
    pub max_staleness: u64,
    /// Restart policy of the policy actors.
    #[serde(default)]
    pub supervision: Supervision,
}

/// Sampling parameters of rollout generation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamplingParams {
    /// Completions per prompt (the GRPO group size).
    #[serde(default = "eight")]
    pub n: u64,
    /// Softmax temperature; 0 means greedy.
    #[serde(default = "one_f64")]
    pub temperature: f64,
    /// Nucleus sampling mass, in (0, 1].
    #[serde(default = "one_f64")]
    pub top_p: f64,
    /// Keep only the k most likely tokens (0 = off).
    #[serde(default)]
    pub top_k: u64,
    /// Completion length limit in tokens.
    #[serde(default = "max_new_tokens")]
    pub max_new_tokens: u64,
    /// Extra strings that end a completion (the tokenizer's eos always does).
    #[serde(default)]
    pub stop: Vec<String>,
}

/// `[reference]`: the frozen policy that KL control measures against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceSection {
    /// Device of the reference model.
    #[serde(default = "cpu")]
    pub device: String,
    /// Restart policy of the reference actor.
    #[serde(default)]
    pub supervision: Supervision,
}

/// `[verifier]`: sandboxed WASM verifier plugins and the pool that runs them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifierSection {
    /// Plugins: `builtin:NAME` or a path to a `.wasm` component.
    #[serde(default = "math_plugin")]
    pub plugins: Vec<String>,
    /// Worker threads calling plugins in parallel.
    #[serde(default = "two")]
    pub workers: u64,
    /// Per-call resource limits applied to every plugin call.
    #[serde(default)]
    pub limits: VerifierLimits,
    /// Reuse one instance for several calls (recycled after any trap) instead of a fresh one per call.
    #[serde(default)]
    pub reuse_instances: bool,
    /// Restart policy of the verifier actors.
    #[serde(default)]
    pub supervision: Supervision,
}

/// Resource limits of one plugin call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifierLimits {
    /// WebAssembly fuel (instructions, roughly) per call: a deterministic bound, the same on a
    /// busy machine as on an idle one. `0`: no fuel budget; the deadline alone bounds a call and
    /// the plugin runs without fuel counting (15–35% faster in what was measured).
    #[serde(default = "fuel")]
    pub fuel: u64,
    /// Wall-clock deadline per call in milliseconds.
    #[serde(default = "timeout_ms")]
    pub timeout_ms: u64,
    /// Linear-memory cap per instance in MiB.
    #[serde(default = "memory_mib")]
    pub memory_mib: u64,
    /// Cap on the strings a plugin returns, in KiB.
    #[serde(default = "max_output_kib")]
    pub max_output_kib: u64,
}

/// `[reward]`: how scores combine into the scalar reward of a rollout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RewardSection {
    /// Weighted sources summed into the reward.
    #[serde(default = "verifier_source")]
    pub sources: Vec<RewardSource>,
    /// Restart policy of the reward actor.
    #[serde(default)]
    pub supervision: Supervision,
}

/// One weighted term of the reward.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RewardSource {
    /// `verifier` (all verifier plugins) or the name of one plugin.
    pub from: String,
    /// Weight of this term in the sum.
    #[serde(default = "one_f64")]
    pub weight: f64,
}

/// Restart policy of one actor role: how often it may crash and how long a request may take.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Supervision {
    /// Restarts allowed within `window_s` before the run fails.
    #[serde(default = "max_restarts")]
    pub max_restarts: u32,
    /// Sliding window over which restarts are counted, in seconds.
    #[serde(default = "window_s")]
    pub window_s: u64,
    /// First restart delay in milliseconds; doubles per consecutive restart.
    #[serde(default = "backoff_ms")]
    pub backoff_ms: u64,
    /// Cap on the restart delay in milliseconds.
    #[serde(default = "backoff_max_ms")]
    pub backoff_max_ms: u64,
    /// A request unanswered after this long is declared hung: the actor is replaced and the request re-dispatched.
    #[serde(default = "request_timeout_s")]
    pub request_timeout_s: u64,
    /// Attempts per request before the run fails naming it (a request that kills every actor it meets).
    #[serde(default = "max_attempts")]
    pub max_attempts: u32,
}

impl Default for PolicySection {
    fn default() -> Self {
        Self {
            replicas: one(),
            devices: cpu_list(),
            sampling: SamplingParams::default(),
            max_staleness: 0,
            supervision: Supervision::default(),
        }
    }
}

impl Default for SamplingParams {
    fn default() -> Self {
        Self {
            n: eight(),
            temperature: one_f64(),
            top_p: one_f64(),
            top_k: 0,
            max_new_tokens: max_new_tokens(),
            stop: Vec::new(),
        }
    }
}

impl Default for ReferenceSection {
    fn default() -> Self {
        Self {
            device: cpu(),
            supervision: Supervision::default(),
        }
    }
}

impl Default for VerifierSection {
    fn default() -> Self {
        Self {
            plugins: math_plugin(),
            workers: two(),
            limits: VerifierLimits::default(),
            reuse_instances: false,
            supervision: Supervision::default(),
        }
    }
}

impl Default for VerifierLimits {
    fn default() -> Self {
        Self {
            fuel: fuel(),
            timeout_ms: timeout_ms(),
            memory_mib: memory_mib(),
            max_output_kib: max_output_kib(),
        }
    }
}

impl Default for RewardSection {
    fn default() -> Self {
        Self {
            sources: verifier_source(),
            supervision: Supervision::default(),
        }
    }
}

impl Default for Supervision {
    fn default() -> Self {
        Self {
            max_restarts: max_restarts(),
            window_s: window_s(),
            backoff_ms: backoff_ms(),
            backoff_max_ms: backoff_max_ms(),
            request_timeout_s: request_timeout_s(),
            max_attempts: max_attempts(),
        }
    }
}

fn one() -> u64 {
    1
}
fn two() -> u64 {
    2
}
fn eight() -> u64 {
    8
}
fn one_f64() -> f64 {
    1.0
}
fn cpu() -> String {
    "cpu".into()
}
fn cpu_list() -> Vec<String> {
    vec![cpu()]
}
fn max_new_tokens() -> u64 {
    256
}
fn math_plugin() -> Vec<String> {
    vec!["builtin:math".into()]
}
fn fuel() -> u64 {
    500_000_000
}
fn timeout_ms() -> u64 {
    2_000
}
fn memory_mib() -> u64 {
    64
}
fn max_output_kib() -> u64 {
    64
}
fn verifier_source() -> Vec<RewardSource> {
    vec![RewardSource {
        from: "verifier".into(),
        weight: 1.0,
    }]
}
fn max_restarts() -> u32 {
    3
}
fn window_s() -> u64 {
    300
}
fn backoff_ms() -> u64 {
    100
}
fn backoff_max_ms() -> u64 {
    10_000
}
fn request_timeout_s() -> u64 {
    600
}
fn max_attempts() -> u32 {
    3
}
