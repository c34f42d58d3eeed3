//! One module per verb; each returns an exit code or a [`Failure`] carrying one.

pub mod demo;
pub mod env_bench;
pub mod generate;
pub mod plugin_dev;
pub mod plugins;
pub mod run;
pub mod validate;

use crate::cli::TopologyArgs;
use proctor_topology::{LoadOptions, LoadedTopology, TopologyError};

/// A failed command: the error to print and the exit code to return.
pub struct Failure {
    /// What went wrong, with context.
    pub error: anyhow::Error,
    /// 1 for a failed run, 2 for bad usage or an invalid topology.
    pub exit_code: u8,
}

impl Failure {
    /// Bad usage or an invalid topology (exit 2).
    pub fn usage(error: impl Into<anyhow::Error>) -> Self {
        Self {
            error: error.into(),
            exit_code: 2,
        }
    }

    /// A run or command that failed (exit 1).
    pub fn failed(error: impl Into<anyhow::Error>) -> Self {
        Self {
            error: error.into(),
            exit_code: 1,
        }
    }
}

/// Loads and validates the topology named on the command line.
pub fn load_topology(args: &TopologyArgs) -> Result<LoadedTopology, TopologyError> {
    let options = LoadOptions {
        set: args.set.clone(),
        env: None,
    };
    proctor_topology::load(
        &args.config,
        &options,
        &crate::environment::validation_context(),
    )
}
