//! The `Role` trait: the synchronous work one supervised actor performs.

use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The work of one actor role (policy, reference, verifier, reward, learner).
///
/// A role instance is built on its own worker thread by a [`RoleFactory`] and handles one
/// request at a time; it may block (a model forward, a plugin call) without stalling the
/// arbiter that routes messages. A panic inside [`Role::handle`] is caught at the worker
/// boundary: the instance is discarded, rebuilt after a backoff, and the request re-dispatched.
pub trait Role: Unpin + 'static {
    /// One unit of work; cloned when it has to be re-dispatched after a crash.
    type Request: Clone + Send + Unpin + 'static;
    /// The answer to one request.
    type Response: Send + Unpin + 'static;

    /// Handles one request.
    fn handle(&mut self, request: Self::Request) -> Result<Self::Response, RoleError>;
}

/// A failure a role reports without panicking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct RoleError {
    /// What went wrong.
    pub message: String,
    /// Whether a fresh instance might succeed (the actor is restarted and the request retried);
    /// otherwise the request fails and the run stops with this error.
    pub retryable: bool,
}

impl RoleError {
    /// A failure that retrying cannot fix (bad input, a missing file).
    pub fn fatal(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retryable: false,
        }
    }

    /// A failure a restarted instance may not repeat (lost device, corrupted state).
    pub fn retryable(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            retryable: true,
        }
    }
}

/// Identity of one replica incarnation, handed to the factory that builds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaInfo {
    /// Role name (`policy`, `verifier`, …).
    pub role: String,
    /// Replica index within the role.
    pub replica: usize,
    /// Incarnation number: 0 at first start, incremented by every restart.
    pub generation: u64,
}

/// Builds a role instance on its worker thread; called again after every restart.
pub type RoleFactory<R> = Arc<dyn Fn(&ReplicaInfo) -> Result<R, RoleError> + Send + Sync>;
