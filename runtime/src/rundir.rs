//! The run directory: created fresh, reused only with `--force` (cleared) or `--resume` (continued).

use std::path::{Path, PathBuf};

/// Name of the resolved topology saved in every run directory.
pub const RESOLVED_TOPOLOGY: &str = "topology.resolved.toml";
/// Marker written when a run stops before its last step.
pub const STOP_MARKER: &str = "stopped.json";

/// How to treat an existing run directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunDirMode {
    /// The directory must not exist (or be empty).
    Fresh,
    /// Clear an existing directory first.
    Force,
    /// Continue a run: the directory must exist and hold a resolved topology.
    Resume,
}

/// Why a run directory cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum RunDirError {
    /// Refusing to overwrite earlier results.
    #[error("run directory {} already exists; pass --resume {} to continue it or --force to overwrite it", .0.display(), .0.display())]
    Exists(PathBuf),
    /// Nothing to resume.
    #[error("cannot resume {}: it holds no {RESOLVED_TOPOLOGY} (not a proctor run directory)", .0.display())]
    NotARun(PathBuf),
    /// An I/O error on the directory.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// An open run directory.
#[derive(Debug, Clone)]
pub struct RunDir {
    path: PathBuf,
}

impl RunDir {
    /// Prepares `path` according to `mode` and records the resolved topology in it (fresh runs).
    pub fn prepare(
        path: &Path,
        mode: RunDirMode,
        resolved_topology: &str,
    ) -> Result<Self, RunDirError> {
        let io = |source| RunDirError::Io {
            path: path.to_path_buf(),
            source,
        };
        let exists_with_content = path.is_dir() && path.read_dir().map_err(io)?.next().is_some();
        match mode {
            RunDirMode::Fresh if exists_with_content => {
                return Err(RunDirError::Exists(path.to_path_buf()));
            }
            RunDirMode::Force if exists_with_content => {
                std::fs::remove_dir_all(path).map_err(io)?
            }
            RunDirMode::Resume => {
                if !path.join(RESOLVED_TOPOLOGY).is_file() {
                    return Err(RunDirError::NotARun(path.to_path_buf()));
                }
                return Ok(Self {
                    path: path.to_path_buf(),
                });
            }
            RunDirMode::Fresh | RunDirMode::Force => {}
        }
        std::fs::create_dir_all(path).map_err(io)?;
        let run_dir = Self {
            path: path.to_path_buf(),
        };
        run_dir.write_atomically(RESOLVED_TOPOLOGY, resolved_topology.as_bytes())?;
        Ok(run_dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The resolved topology the run was started with.
    pub fn resolved_topology(&self) -> Result<String, RunDirError> {
        let path = self.path.join(RESOLVED_TOPOLOGY);
        std::fs::read_to_string(&path).map_err(|source| RunDirError::Io { path, source })
    }

    /// Writes a file via a temporary sibling and a rename, so a crash never leaves it half-written.
    pub fn write_atomically(&self, name: &str, contents: &[u8]) -> Result<(), RunDirError> {
        let target = self.path.join(name);
        let temporary = self.path.join(format!(".{name}.partial"));
        let io = |source| RunDirError::Io {
            path: target.clone(),
            source,
        };
        std::fs::write(&temporary, contents).map_err(io)?;
        std::fs::rename(&temporary, &target).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_directory_is_never_overwritten_without_force() {
        let root = tempfile::tempdir().expect("temp dir");
        let path = root.path().join("run");
        RunDir::prepare(&path, RunDirMode::Fresh, "a = 1\n").expect("fresh");
        std::fs::write(path.join("metrics.jsonl"), "{}\n").expect("write");
        let error = RunDir::prepare(&path, RunDirMode::Fresh, "a = 2\n").expect_err("exists");
        assert!(error.to_string().contains("--force"), "{error}");
        assert!(path.join("metrics.jsonl").exists(), "nothing was touched");

        let resumed = RunDir::prepare(&path, RunDirMode::Resume, "ignored").expect("resume");
        assert_eq!(resumed.resolved_topology().expect("read"), "a = 1\n");
        assert!(path.join("metrics.jsonl").exists());

        RunDir::prepare(&path, RunDirMode::Force, "a = 3\n").expect("force");
        assert!(
            !path.join("metrics.jsonl").exists(),
            "--force clears the old run"
        );
    }

    #[test]
    fn resuming_requires_a_run_directory() {
        let root = tempfile::tempdir().expect("temp dir");
        let error = RunDir::prepare(root.path(), RunDirMode::Resume, "").expect_err("not a run");
        assert!(error.to_string().contains("not a proctor run directory"));
    }
}
