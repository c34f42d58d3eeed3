//! The crate's error type.

/// Why an answer or a task could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The answer text is not a math answer this crate can read.
    #[error("cannot parse answer: {0}")]
    Parse(String),
    /// The answer exceeds a size, depth or work bound.
    #[error("answer too large: {0}")]
    TooLarge(String),
    /// The task metadata is not valid.
    #[error("invalid task metadata: {0}")]
    Metadata(String),
}

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
