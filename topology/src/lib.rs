//! The proctor topology: one TOML file that composes a training run — which actors, how many
//! replicas, on which devices, which algorithm, which plugins, which data.
//!
//! [`load`] reads the file, layers `PROCTOR__SECTION__KEY` environment variables and `--set`
//! overrides on top (through the `config` crate), deserialises into the typed [`Topology`]
//! (every section denies unknown keys) and validates it — ranges, batch arithmetic, devices,
//! files, plugin names — before anything heavy loads. Problems come back all at once as
//! [`TopologyError::Invalid`], each a [`ConfigIssue`] naming its key path and where the bad value
//! came from. Relative paths are resolved against the topology file's folder.

mod device;
mod drift;
mod load;
mod schema;
mod suggest;
mod validate;

pub use device::Device;
pub use drift::{RESUMABLE_CHANGES, differences};
pub use load::{ENV_PREFIX, LoadOptions, LoadedTopology, load, parse_str};
pub use schema::*;
pub use suggest::{closest, edit_distance};
pub use validate::{ValidationContext, validate};

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem with a topology: the key path, what is wrong and expected, and where the value came from.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigIssue {
    /// Dotted key path, with list indices: `learner.clip.low`, `policy.devices[1]`.
    pub key: String,
    /// What was wrong and what was expected.
    pub message: String,
    /// Where the offending value came from.
    pub origin: Origin,
}

impl ConfigIssue {
    /// An issue whose origin is filled in when it is reported.
    pub fn new(key: String, message: String) -> Self {
        Self {
            key,
            message,
            origin: Origin::Unknown,
        }
    }
}

/// Where a configuration value came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Origin {
    /// Not attributed yet.
    Unknown,
    /// The topology file (or a default, when the key is absent from it).
    File(PathBuf),
    /// An environment variable, by name.
    Env(String),
    /// A `--set key=value` argument, as given.
    Set(String),
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.key, self.message)?;
        match &self.origin {
            Origin::Env(name) => write!(formatter, " [set by environment variable {name}]"),
            Origin::Set(setting) => write!(formatter, " [set by --set {setting}]"),
            Origin::Unknown | Origin::File(_) => Ok(()),
        }
    }
}

/// Why a topology could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TopologyError {
    /// The file could not be read.
    #[error("cannot read topology file {}: {source}", file.display())]
    Read {
        /// The topology file.
        file: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{}:{line}:{column}: TOML syntax error: {reason}", file.display())]
    Syntax {
        /// The topology file.
        file: PathBuf,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What the parser expected.
        reason: String,
    },
    /// A `--set` argument is malformed.
    #[error("invalid --set {setting}: {reason}")]
    Override {
        /// The argument as given.
        setting: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The `config` crate could not merge the layers (e.g. an override path that crosses a value).
    #[error("{}: cannot merge overrides into the topology: {reason}", file.display())]
    Layering {
        /// The topology file.
        file: PathBuf,
        /// The merge error.
        reason: String,
    },
    /// The topology parsed but has problems; all of them are listed.
    #[error("{}", render_issues(file, issues))]
    Invalid {
        /// The topology file.
        file: PathBuf,
        /// Every problem found.
        issues: Vec<ConfigIssue>,
    },
}

fn render_issues(file: &Path, issues: &[ConfigIssue]) -> String {
    let count = issues.len();
    let mut text = format!(
        "{}: {count} problem{} in the topology",
        file.display(),
        if count == 1 { "" } else { "s" }
    );
    for issue in issues {
        text.push_str("\n  - ");
        text.push_str(&issue.to_string());
    }
    text
}

impl Topology {
    /// Resolves relative file paths against `base_dir` (the topology file's folder).
    pub fn resolve_paths(mut self, base_dir: &Path) -> Self {
        let resolve = |path: &Path| -> PathBuf {
            if path.is_absolute() {
                path.to_path_buf()
            } else {
                base_dir.join(path)
            }
        };
        self.data.train = self.data.train.as_deref().map(resolve);
        if let Some(environment) = self.data.environment.as_mut()
            && !environment.plugin.starts_with("builtin:")
        {
            environment.plugin = resolve(Path::new(&environment.plugin))
                .to_string_lossy()
                .into_owned();
        }
        self.data.eval = self.data.eval.as_deref().map(resolve);
        if let Some(warm_start) = self.warm_start.as_mut() {
            warm_start.data = resolve(&warm_start.data);
        }
        if !self.model.path.starts_with("builtin:") {
            self.model.path = resolve(Path::new(&self.model.path))
                .to_string_lossy()
                .into_owned();
        }
        for plugin in &mut self.verifier.plugins {
            if !plugin.starts_with("builtin:") {
                *plugin = resolve(Path::new(plugin.as_str()))
                    .to_string_lossy()
                    .into_owned();
            }
        }
        self
    }
}

#[cfg(test)]
mod tests;
