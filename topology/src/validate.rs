//! Semantic checks on a parsed topology: ranges, batch arithmetic, devices, files, plugin names.
//! Every check runs; every problem is returned, each naming its key path.

use crate::ConfigIssue;
use crate::device::Device;
use crate::schema::{Algorithm, Supervision, Topology};
use std::path::Path;

/// What validation needs to know about this machine and this build.
#[derive(Debug, Clone)]
pub struct ValidationContext {
    /// CUDA devices visible to this process.
    pub cuda_devices: usize,
    /// Why there are no CUDA devices, when there are none (shown with device errors).
    pub cuda_note: Option<String>,
    /// Names of models embedded in the binary (`builtin:NAME`).
    pub builtin_models: Vec<String>,
    /// Names of verifier plugins embedded in the binary (`builtin:NAME`).
    pub builtin_plugins: Vec<String>,
    /// Check that referenced files and directories exist.
    pub check_files: bool,
}

impl Default for ValidationContext {
    fn default() -> Self {
        Self {
            cuda_devices: 0,
            cuda_note: None,
            builtin_models: vec!["tiny".into()],
            builtin_plugins: vec!["math".into()],
            check_files: true,
        }
    }
}

/// Runs every semantic check and returns all problems found.
pub fn validate(topology: &Topology, context: &ValidationContext) -> Vec<ConfigIssue> {
    let mut issues = Issues::default();
    check_run(topology, &mut issues);
    check_model(topology, context, &mut issues);
    check_data(topology, context, &mut issues);
    check_policy(topology, context, &mut issues);
    check_verifier_and_reward(topology, context, &mut issues);
    check_learner(topology, context, &mut issues);
    check_batch_arithmetic(topology, &mut issues);
    let supervised = [
        ("policy", &topology.policy.supervision),
        ("reference", &topology.reference.supervision),
        ("verifier", &topology.verifier.supervision),
        ("reward", &topology.reward.supervision),
        ("learner", &topology.learner.supervision),
    ];
    for (role, supervision) in supervised {
        check_supervision(role, supervision, &mut issues);
    }
    issues.0
}

#[derive(Default)]
struct Issues(Vec<ConfigIssue>);

impl Issues {
    fn push(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.0.push(ConfigIssue::new(key.into(), message.into()));
    }

    /// `low <= value <= high` (and finite), else an issue naming the range.
    fn in_range(&mut self, key: &str, value: f64, low: f64, high: f64) {
        if !(value.is_finite() && low <= value && value <= high) {
            self.push(
                key,
                format!("{value} is out of range; expected {low} ≤ value ≤ {high}"),
            );
        }
    }

    fn at_least(&mut self, key: &str, value: u64, minimum: u64) {
        if value < minimum {
            self.push(
                key,
                format!("{value} is too small; expected at least {minimum}"),
            );
        }
    }

    fn file_exists(&mut self, key: &str, path: &Path, context: &ValidationContext) {
        if context.check_files && !path.is_file() {
            self.push(key, format!("file {} does not exist", path.display()));
        }
    }

    fn device(&mut self, key: &str, name: &str, context: &ValidationContext) {
        match Device::parse(name) {
            Err(reason) => self.push(key, reason),
            Ok(Device::Cpu) => {}
            Ok(Device::Cuda(ordinal)) if ordinal < context.cuda_devices => {}
            Ok(device) => {
                let note = context
                    .cuda_note
                    .as_deref()
                    .map(|note| format!(" ({note})"))
                    .unwrap_or_default();
                self.push(
                    key,
                    format!(
                        "device {device} does not exist: this machine has {} CUDA device(s){note}",
                        context.cuda_devices
                    ),
                );
            }
        }
    }
}

fn check_run(topology: &Topology, issues: &mut Issues) {
    let name = &topology.run.name;
    if name.trim().is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
        issues.push(
            "run.name",
            format!(
                "`{name}` cannot name a run directory; expected a non-empty name without slashes"
            ),
        );
    }
    issues.at_least("run.steps", topology.run.steps, 1);
}

fn check_model(topology: &Topology, context: &ValidationContext, issues: &mut Issues) {
    let path = &topology.model.path;
    if let Some(name) = path.strip_prefix("builtin:") {
        if !context.builtin_models.iter().any(|known| known == name) {
            issues.push(
                "model.path",
                format!(
                    "unknown built-in model `{name}`; expected one of: {}",
                    context.builtin_models.join(", ")
                ),
            );
        }
    } else if context.check_files {
        let directory = Path::new(path);
        if !directory.is_dir() {
            issues.push(
                "model.path",
                format!("model directory {path} does not exist; expected a Hugging Face model directory or builtin:NAME"),
            );
        } else if !directory.join("config.json").is_file() {
            issues.push(
                "model.path",
                format!("{path} has no config.json; expected a Hugging Face model directory"),
            );
        }
    }
}

fn check_data(topology: &Topology, context: &ValidationContext, issues: &mut Issues) {
    let data = &topology.data;
    match (&data.train, &data.environment) {
        (Some(train), None) => issues.file_exists("data.train", train, context),
        (None, Some(environment)) => check_environment(topology, environment, issues),
        (Some(_), Some(_)) => issues.push(
            "data.environment",
            "both data.train and data.environment are set; expected one source of training prompts",
        ),
        (None, None) => issues.push(
            "data.train",
            "no training prompts: expected data.train (a JSONL file) or a [data.environment] plugin",
        ),
    }
    if let Some(eval) = &data.eval {
        issues.file_exists("data.eval", eval, context);
    }
    issues.at_least("data.prompts_per_step", data.prompts_per_step, 1);
    if let Some(warm_start) = &topology.warm_start {
        issues.file_exists("warm_start.data", &warm_start.data, context);
        issues.at_least("warm_start.steps", warm_start.steps, 1);
        issues.at_least("warm_start.batch_size", warm_start.batch_size, 1);
        if !(warm_start.lr.is_finite() && warm_start.lr > 0.0 && warm_start.lr < 1.0) {
            issues.push(
                "warm_start.lr",
                format!("{} is out of range; expected 0 < lr < 1", warm_start.lr),
            );
        }
    }
    for (key, value) in [
        ("data.prompt_key", &data.prompt_key),
        ("data.answer_key", &data.answer_key),
    ] {
        if value.is_empty() {
            issues.push(key, "expected a non-empty JSON key");
        }
    }
}

fn check_environment(
    topology: &Topology,
    environment: &crate::EnvironmentSource,
    issues: &mut Issues,
) {
    if !topology.verifier.plugins.contains(&environment.plugin) {
        issues.push(
            "data.environment.plugin",
            format!(
                "`{}` generates the tasks but is not in verifier.plugins ({}); add it there so its answers are checked",
                environment.plugin,
                topology.verifier.plugins.join(", ")
            ),
        );
    }
    if environment.kinds.is_empty() {
        issues.push(
            "data.environment.kinds",
            "no task kinds listed; expected e.g. kinds = { countdown = 1.0 }",
        );
    }
    for (kind, weight) in &environment.kinds {
        if !(weight.is_finite() && *weight > 0.0) {
            issues.push(
                format!("data.environment.kinds.{kind}"),
                format!("weight {weight} is not a positive number"),
            );
        }
    }
    let curriculum = &environment.difficulty;
    if curriculum.start > curriculum.end {
        issues.push(
            "data.environment.difficulty.start",
            format!(
                "{} is above difficulty.end = {}; expected start ≤ end",
                curriculum.start, curriculum.end
            ),
        );
    }
}

fn check_policy(topology: &Topology, context: &ValidationContext, issues: &mut Issues) {
    let policy = &topology.policy;
    issues.at_least("policy.replicas", policy.replicas, 1);
    let replicas = usize::try_from(policy.replicas).unwrap_or(usize::MAX);
    if policy.devices.len() != replicas && policy.devices.len() != 1 {
        issues.push(
            "policy.devices",
            format!(
                "{} devices listed for policy.replicas = {}; expected one device per replica or a single shared device",
                policy.devices.len(),
                policy.replicas
            ),
        );
    }
    for (index, device) in policy.devices.iter().enumerate() {
        issues.device(&format!("policy.devices[{index}]"), device, context);
    }
    issues.device("reference.device", &topology.reference.device, context);

    let sampling = &policy.sampling;
    issues.at_least("policy.sampling.n", sampling.n, 1);
    if topology.learner.algorithm.needs_groups() && sampling.n < 2 {
        issues.push(
            "policy.sampling.n",
            format!(
                "{} sample per prompt cannot form a group; learner.algorithm = {:?} compares samples of one prompt, expected n ≥ 2",
                sampling.n, topology.learner.algorithm
            ),
        );
    }
    issues.in_range(
        "policy.sampling.temperature",
        sampling.temperature,
        0.0,
        10.0,
    );
    if !(sampling.top_p.is_finite() && sampling.top_p > 0.0 && sampling.top_p <= 1.0) {
        issues.push(
            "policy.sampling.top_p",
            format!("{} is out of range; expected 0 < top_p ≤ 1", sampling.top_p),
        );
    }
    issues.at_least("policy.sampling.max_new_tokens", sampling.max_new_tokens, 1);
    for (index, stop) in sampling.stop.iter().enumerate() {
        if stop.is_empty() {
            issues.push(
                format!("policy.sampling.stop[{index}]"),
                "a stop string cannot be empty",
            );
        }
    }
}

fn check_verifier_and_reward(
    topology: &Topology,
    context: &ValidationContext,
    issues: &mut Issues,
) {
    let verifier = &topology.verifier;
    if verifier.plugins.is_empty() {
        issues.push(
            "verifier.plugins",
            "no verifier plugin listed; expected at least one",
        );
    }
    let mut plugin_names = Vec::new();
    for (index, plugin) in verifier.plugins.iter().enumerate() {
        let key = format!("verifier.plugins[{index}]");
        if let Some(name) = plugin.strip_prefix("builtin:") {
            if !context.builtin_plugins.iter().any(|known| known == name) {
                issues.push(
                    key,
                    format!(
                        "unknown built-in plugin `{name}`; expected one of: {}",
                        context.builtin_plugins.join(", ")
                    ),
                );
            }
            plugin_names.push(name.to_string());
        } else {
            let path = Path::new(plugin);
            if context.check_files && !path.is_file() {
                issues.push(key, format!("plugin file {plugin} does not exist; expected builtin:NAME or a .wasm component"));
            }
            if let Some(stem) = path.file_stem().and_then(|stem| stem.to_str()) {
                plugin_names.push(stem.to_string());
            }
        }
    }
    issues.at_least("verifier.workers", verifier.workers, 1);
    let limits = &verifier.limits;
    issues.at_least("verifier.limits.timeout_ms", limits.timeout_ms, 1);
    issues.in_range(
        "verifier.limits.memory_mib",
        limits.memory_mib as f64,
        1.0,
        4096.0,
    );
    issues.at_least("verifier.limits.max_output_kib", limits.max_output_kib, 1);

    if topology.reward.sources.is_empty() {
        issues.push(
            "reward.sources",
            "no reward source listed; expected at least one",
        );
    }
    for (index, source) in topology.reward.sources.iter().enumerate() {
        if source.from != "verifier" && !plugin_names.contains(&source.from) {
            issues.push(
                format!("reward.sources[{index}].from"),
                format!(
                    "`{}` is neither `verifier` nor a plugin in verifier.plugins ({})",
                    source.from,
                    plugin_names.join(", ")
                ),
            );
        }
        if !source.weight.is_finite() {
            issues.push(
                format!("reward.sources[{index}].weight"),
                "expected a finite number",
            );
        }
    }
}

fn check_learner(topology: &Topology, context: &ValidationContext, issues: &mut Issues) {
    let learner = &topology.learner;
    issues.device("learner.device", &learner.device, context);
    if !(learner.lr.is_finite() && learner.lr > 0.0 && learner.lr < 1.0) {
        issues.push(
            "learner.lr",
            format!("{} is out of range; expected 0 < lr < 1", learner.lr),
        );
    }
    issues.in_range("learner.weight_decay", learner.weight_decay, 0.0, 1.0);
    issues.in_range("learner.max_grad_norm", learner.max_grad_norm, 0.0, 1e6);
    issues.at_least("learner.micro_batch_size", learner.micro_batch_size, 1);
    issues.at_least("learner.mini_batches", learner.mini_batches, 1);
    if !(learner.clip.low > 0.0 && learner.clip.low < 1.0) {
        issues.push(
            "learner.clip.low",
            format!("{} is out of range; expected 0 < ε_low < 1 (the ratio is clipped below at 1 - ε_low)", learner.clip.low),
        );
    }
    if !(learner.clip.high > 0.0 && learner.clip.high <= 10.0) {
        issues.push(
            "learner.clip.high",
            format!(
                "{} is out of range; expected 0 < ε_high ≤ 10",
                learner.clip.high
            ),
        );
    }
    issues.in_range("learner.kl.coef", learner.kl.coef, 0.0, 100.0);
    issues.in_range("learner.entropy_coef", learner.entropy_coef, 0.0, 10.0);
    issues.in_range(
        "learner.overlong.penalty",
        learner.overlong.penalty,
        0.0,
        100.0,
    );
    if let Some(threshold) = learner.reset_reference_kl
        && !(threshold.is_finite() && threshold > 0.0)
    {
        issues.push(
            "learner.reset_reference_kl",
            format!("{threshold} is out of range; expected a positive KL value"),
        );
    }
    if learner.dynamic_sampling.enabled && topology.policy.sampling.n < 2 {
        issues.push(
            "learner.dynamic_sampling.enabled",
            "dynamic sampling drops groups whose rewards are all equal; it needs policy.sampling.n ≥ 2",
        );
    }
}

/// The step's rollouts must split evenly into mini-batches, and each mini-batch into micro-batches.
fn check_batch_arithmetic(topology: &Topology, issues: &mut Issues) {
    let learner = &topology.learner;
    let prompts = topology.data.prompts_per_step;
    let samples = topology.policy.sampling.n;
    if prompts == 0 || samples == 0 || learner.micro_batch_size == 0 || learner.mini_batches == 0 {
        return; // already reported as out of range
    }
    let (rollouts, origin) = if learner.algorithm == Algorithm::Sft {
        (
            prompts,
            format!("data.prompts_per_step = {prompts} examples per step"),
        )
    } else {
        let Some(rollouts) = prompts.checked_mul(samples) else {
            issues.push(
                "data.prompts_per_step",
                format!(
                    "data.prompts_per_step = {prompts} × policy.sampling.n = {samples} rollouts per step does not fit in 64 bits"
                ),
            );
            return;
        };
        (
            rollouts,
            format!(
                "data.prompts_per_step = {prompts} × policy.sampling.n = {samples} = {rollouts} rollouts per step"
            ),
        )
    };
    if !rollouts.is_multiple_of(learner.mini_batches) {
        issues.push(
            "learner.mini_batches",
            format!(
                "learner.mini_batches = {} does not divide the {origin}",
                learner.mini_batches
            ),
        );
        return;
    }
    let mini_batch = rollouts / learner.mini_batches;
    if !mini_batch.is_multiple_of(learner.micro_batch_size) {
        issues.push(
            "learner.micro_batch_size",
            format!(
                "learner.micro_batch_size = {} does not divide a mini-batch of {mini_batch} ({origin}, split into learner.mini_batches = {})",
                learner.micro_batch_size, learner.mini_batches
            ),
        );
    }
}

fn check_supervision(role: &str, supervision: &Supervision, issues: &mut Issues) {
    let key = |field: &str| format!("{role}.supervision.{field}");
    issues.at_least(&key("window_s"), supervision.window_s, 1);
    issues.at_least(&key("request_timeout_s"), supervision.request_timeout_s, 1);
    issues.at_least(&key("max_attempts"), u64::from(supervision.max_attempts), 1);
    if supervision.backoff_ms > supervision.backoff_max_ms {
        issues.push(
            key("backoff_ms"),
            format!(
                "{} exceeds {role}.supervision.backoff_max_ms = {}; expected backoff_ms ≤ backoff_max_ms",
                supervision.backoff_ms, supervision.backoff_max_ms
            ),
        );
    }
}
