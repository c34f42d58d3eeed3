//! Command-line arguments: one struct per verb, each with its own `--help`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// proctor: reinforcement-learning post-training of language models with verifiable rewards.
#[derive(Debug, Parser)]
#[command(name = "proctor", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a topology file and print it resolved (defaults filled); exit 2 listing every problem.
    Validate(ValidateArgs),
    /// Run a topology: train, record metrics and checkpoints into the run directory.
    Run(RunArgs),
    /// Train the embedded tiny model on arithmetic (SFT warm-start, then GRPO with the built-in
    /// math verifier) on CPU, with no downloads; writes metrics, summary.json and a PNG curve.
    Demo(DemoArgs),
    /// Sample continuations of prompts with a model; one JSON line per sample.
    Generate(GenerateArgs),
    /// Score a response (or a JSONL batch) with a verifier plugin; prints verdicts as JSON.
    Verify(VerifyArgs),
    /// Inspect verifier plugins.
    #[command(subcommand)]
    Plugin(PluginCommand),
    /// Use environment plugins (task generators).
    #[command(subcommand)]
    Env(EnvCommand),
}

/// `proctor plugin …`.
#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Load a plugin and print its name, version, world, WIT package and kinds; exit 2 if unusable.
    Check(PluginCheckArgs),
    /// Scaffold a verifier plugin in a new folder NAME (Rust, Python, C or JavaScript).
    New(PluginNewArgs),
    /// Build the plugin in DIR into DIR/NAME.wasm with its language's toolchain, then check it.
    Build(PluginBuildArgs),
}

/// A language proctor can scaffold and build plugins in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PluginLanguage {
    /// wit-bindgen, cargo for wasm32-unknown-unknown, `wasm-tools component new`.
    Rust,
    /// componentize-py (CPython in the component; no WASI).
    Python,
    /// `wit-bindgen c`, `zig cc` (PyPI `ziglang`), `wasm-tools component new`.
    C,
    /// componentize-js (node and npm).
    Js,
}

/// `proctor plugin new`.
#[derive(Debug, Args)]
pub struct PluginNewArgs {
    /// Language of the plugin.
    #[arg(long, value_enum)]
    pub lang: PluginLanguage,
    /// Plugin name (letters, digits, `-`, `_`); also the folder created.
    pub name: String,
}

/// `proctor plugin build`.
#[derive(Debug, Args)]
pub struct PluginBuildArgs {
    /// A folder made by `proctor plugin new` (its language is recognised from its files).
    pub dir: PathBuf,
}

/// `proctor env …`.
#[derive(Debug, Subcommand)]
pub enum EnvCommand {
    /// Generate one task, deterministic in (kind, seed, difficulty); prints it as JSON.
    Generate(EnvGenerateArgs),
    /// Measure tasks generated/s and reference answers verified/s per kind, on one core, with a
    /// fresh WASM instance per call (what a training run pays); one JSON line per kind.
    Bench(EnvBenchArgs),
}

/// `proctor env bench`.
#[derive(Debug, Args)]
pub struct EnvBenchArgs {
    /// An environment plugin: built-in name, `builtin:NAME`, or a `.wasm` path.
    #[arg(long, value_name = "NAME|PATH")]
    pub plugin: String,
    /// Kinds to measure (repeatable); all the plugin offers when omitted.
    #[arg(long)]
    pub kind: Vec<String>,
    /// Difficulty of the generated tasks.
    #[arg(long, default_value_t = 3)]
    pub difficulty: u32,
    /// Seconds to spend per kind and per operation.
    #[arg(long, default_value_t = 0.5)]
    pub seconds: f64,
}

/// Overrides shared by every verb that reads a topology.
#[derive(Debug, Args)]
pub struct TopologyArgs {
    /// The topology file (TOML).
    pub config: PathBuf,
    /// Override a key: `--set learner.lr=1e-5` (value read as TOML, else a string); repeatable.
    /// Applied after `PROCTOR__SECTION__KEY` environment variables.
    #[arg(long = "set", value_name = "KEY.PATH=VALUE")]
    pub set: Vec<String>,
}

/// `proctor validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The topology and its overrides.
    #[command(flatten)]
    pub topology: TopologyArgs,
    /// Print nothing when valid (the exit code still tells).
    #[arg(long, short)]
    pub quiet: bool,
}

/// `proctor run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The topology and its overrides.
    #[command(flatten)]
    pub topology: TopologyArgs,
    /// Continue the run in this directory from its last checkpoint.
    #[arg(long, value_name = "RUN_DIR", conflicts_with = "force")]
    pub resume: Option<PathBuf>,
    /// Overwrite the run directory if it exists.
    #[arg(long)]
    pub force: bool,
}

/// `proctor demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The run directory.
    #[arg(long, value_name = "RUN_DIR", default_value = "runs/demo")]
    pub out: PathBuf,
    /// Overwrite the run directory if it exists.
    #[arg(long, conflicts_with = "resume")]
    pub force: bool,
    /// Continue an interrupted demo in `--out` from its last checkpoint.
    #[arg(long)]
    pub resume: bool,
    /// Override a topology key of the demo (`KEY=VALUE`, e.g. `run.steps=20`); repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// `proctor generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// A local Hugging Face model directory, or `builtin:NAME`.
    #[arg(long, value_name = "DIR|builtin:NAME")]
    pub model: String,
    /// One prompt (a user message rendered with the chat template unless --raw).
    #[arg(long, value_name = "TEXT")]
    pub prompt: Option<String>,
    /// A JSONL file of `{"prompt": "..."}` lines, generated as one batch.
    #[arg(long, value_name = "FILE.jsonl", conflicts_with = "prompt")]
    pub prompts: Option<PathBuf>,
    /// Tokenize prompts as given instead of rendering the chat template.
    #[arg(long)]
    pub raw: bool,
    /// Upper bound on generated tokens.
    #[arg(long, default_value_t = 64)]
    pub max_new_tokens: usize,
    /// Softmax temperature; 0 is greedy.
    #[arg(long, default_value_t = 1.0)]
    pub temperature: f32,
    /// Nucleus sampling mass in (0, 1].
    #[arg(long, default_value_t = 1.0)]
    pub top_p: f32,
    /// Keep only the k most likely tokens (0 = off).
    #[arg(long, default_value_t = 0)]
    pub top_k: usize,
    /// Samples per prompt.
    #[arg(long, default_value_t = 1)]
    pub n: usize,
    /// Seed of the sampling streams.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Ignore end-of-sequence tokens (always generate --max-new-tokens).
    #[arg(long)]
    pub no_stop: bool,
    /// Device: cpu or cuda:N.
    #[arg(long, default_value = "cpu")]
    pub device: String,
}

/// `proctor verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A built-in plugin name (`math`, `exact`, …), `builtin:NAME`, or a `.wasm` component path.
    #[arg(long, value_name = "NAME|PATH")]
    pub plugin: String,
    /// The task as JSON: `{"id", "prompt", "reference", "metadata"}`.
    #[arg(
        long,
        value_name = "TASK.json",
        requires = "response",
        conflicts_with = "batch"
    )]
    pub task: Option<PathBuf>,
    /// The response text to score.
    #[arg(long, value_name = "TEXT", requires = "task")]
    pub response: Option<String>,
    /// Lines of `{"task": {…}, "response": "…"}`; one verdict line per input line, in order.
    #[arg(long, value_name = "FILE.jsonl")]
    pub batch: Option<PathBuf>,
}

/// `proctor plugin check`.
#[derive(Debug, Args)]
pub struct PluginCheckArgs {
    /// A built-in plugin name, `builtin:NAME`, or a `.wasm` component path.
    #[arg(value_name = "NAME|PATH")]
    pub plugin: String,
    /// One JSON object with keys name, version, world, package, kinds.
    #[arg(long)]
    pub json: bool,
}

/// `proctor env generate`.
#[derive(Debug, Args)]
pub struct EnvGenerateArgs {
    /// An environment plugin: built-in name, `builtin:NAME`, or a `.wasm` path.
    #[arg(long, value_name = "NAME|PATH")]
    pub plugin: String,
    /// The task kind (family) to generate.
    #[arg(long)]
    pub kind: String,
    /// Seed; the same seed gives the same task.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Difficulty level.
    #[arg(long, default_value_t = 1)]
    pub difficulty: u32,
}
