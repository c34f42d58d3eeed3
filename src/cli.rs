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
