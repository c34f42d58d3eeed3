//! End-to-end tests of the `proctor` binary, one module per topic.

mod cli;
mod generate;
mod plugins;
mod resume;
mod train;
mod validate;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (examples live there).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `proctor` with `args` in `directory`, with no `PROCTOR__` variables inherited.
pub fn proctor(directory: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_proctor"));
    command.current_dir(directory).args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("PROCTOR__") {
            command.env_remove(name);
        }
    }
    command.env("RUST_LOG", "warn");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("proctor binary runs")
}

/// stdout and stderr as text.
pub fn text(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
