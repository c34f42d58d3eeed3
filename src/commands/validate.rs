//! `proctor validate`: check a topology and print it resolved.

use super::{Failure, load_topology};
use crate::cli::ValidateArgs;
use std::process::ExitCode;

/// Prints the resolved topology (exit 0) or every problem found (exit 2).
pub fn run(args: &ValidateArgs) -> Result<ExitCode, Failure> {
    let loaded = load_topology(&args.topology).map_err(Failure::usage)?;
    if !args.quiet {
        println!(
            "# {} is valid; resolved with defaults:",
            loaded.file.display()
        );
        print!("{}", loaded.topology.to_toml());
    }
    Ok(ExitCode::SUCCESS)
}
