//! The crate's error type: every failure names the file, key or tensor that was wrong.

use std::path::PathBuf;

/// Errors from loading, running, sampling and saving models.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// A required file of a model directory is missing.
    #[error("missing file {path}")]
    MissingFile {
        /// The file that was expected.
        path: PathBuf,
    },
    /// A JSON file does not parse or has a wrong value at a key.
    #[error("invalid {path}: {message}")]
    InvalidFile {
        /// The file.
        path: PathBuf,
        /// What was wrong, naming the key.
        message: String,
    },
    /// The config names an architecture this crate does not implement.
    #[error("unknown architecture {name:?} in {path} (supported: qwen2, llama)")]
    UnknownArchitecture {
        /// The config file.
        path: PathBuf,
        /// The `model_type` / `architectures` value found.
        name: String,
    },
    /// A config option is valid for Hugging Face but not implemented here.
    #[error("unsupported setting {key} = {value} in {path}")]
    Unsupported {
        /// The config file.
        path: PathBuf,
        /// The key path.
        key: String,
        /// The value found.
        value: String,
    },
    /// A weight the architecture needs is absent from the checkpoint.
    #[error("missing tensor {tensor} in {path}")]
    MissingTensor {
        /// The weight file (or index) searched.
        path: PathBuf,
        /// The Hugging Face tensor name.
        tensor: String,
    },
    /// A weight has a shape different from what the config implies.
    #[error("tensor {tensor} in {path} has shape {found:?}, expected {expected:?}")]
    ShapeMismatch {
        /// The weight file.
        path: PathBuf,
        /// The Hugging Face tensor name.
        tensor: String,
        /// Shape in the file.
        found: Vec<usize>,
        /// Shape implied by the config.
        expected: Vec<usize>,
    },
    /// The tokenizer failed to load, encode or decode.
    #[error("tokenizer {context}: {message}")]
    Tokenizer {
        /// What was being done (file or operation).
        context: String,
        /// The tokenizer library's message.
        message: String,
    },
    /// The chat template failed to compile or render.
    #[error("chat template: {0}")]
    ChatTemplate(String),
    /// A device string could not be parsed or the device is not available.
    #[error("device {spec:?}: {message}")]
    Device {
        /// The device string given.
        spec: String,
        /// Why it cannot be used.
        message: String,
    },
    /// A request was malformed (empty batch, mismatched lengths, bad sampling parameter).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A tensor operation failed.
    #[error("tensor operation: {0}")]
    Candle(#[from] candle_core::Error),
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

    pub(crate) fn invalid(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Error::InvalidFile {
            path: path.into(),
            message: message.into(),
        }
    }
}
