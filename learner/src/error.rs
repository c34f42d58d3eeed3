//! The crate's error type: every failure names the file, tensor or setting that was wrong.

use std::path::PathBuf;

/// Errors from training steps, optimizer state, checkpoints and weight updates.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The model engine failed (forward pass, loading, saving).
    #[error("model: {0}")]
    Model(#[from] proctor_models::Error),
    /// A tensor operation failed.
    #[error("tensor operation: {0}")]
    Candle(#[from] proctor_models::candle_core::Error),
    /// A file could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// A setting is out of range or inconsistent.
    #[error("invalid learner config: {0}")]
    Config(String),
    /// A training batch is malformed (lengths disagree, empty groups).
    #[error("invalid batch: {0}")]
    Batch(String),
    /// A checkpoint file is missing, truncated, corrupted or unreadable.
    #[error("checkpoint file {path}: {message}")]
    Checkpoint {
        /// The file that failed verification or parsing.
        path: PathBuf,
        /// What was wrong with it.
        message: String,
    },
    /// No checkpoint in a run directory verified.
    #[error("no valid checkpoint under {dir}: {message}")]
    NoCheckpoint {
        /// The `checkpoints/` directory searched.
        dir: PathBuf,
        /// What was found instead.
        message: String,
    },
    /// Optimizer state does not match the parameters it is loaded into.
    #[error("optimizer state: {0}")]
    OptimizerState(String),
    /// A weight update failed its checksum or does not fit the model.
    #[error("weight update version {version}: {message}")]
    WeightUpdate {
        /// The update's version.
        version: u64,
        /// What was wrong.
        message: String,
    },
    /// The loss or gradients became NaN or infinite.
    #[error("non-finite {0}")]
    NonFinite(String),
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn checkpoint(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::Checkpoint {
            path: path.into(),
            message: message.into(),
        }
    }
}
