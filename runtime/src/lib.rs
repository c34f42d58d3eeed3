//! proctor's supervised actor runtime (actix).
//!
//! A run is a set of actor roles — policy, reference, verifier, reward, learner — each served by a
//! [`RolePool`]: a coordination actor that owns every in-flight request of the role and hands them
//! to supervised replicas, each a worker actor on its own arbiter thread (so CPU-heavy work never
//! blocks message routing). A replica that panics, returns a retryable error or misses its
//! deadline is replaced after a backoff and its request re-dispatched, exactly once; too many
//! restarts within a window fail the run with an error that says what was lost. The
//! [`Coordinator`] drives a [`StepPlan`] step by step, records each step through the
//! [`RecorderActor`] into `metrics.jsonl`, and stops cleanly on Ctrl-C ([`Shutdown`]).
//!
//! actix 0.13's own `Supervisor` restarts an actor only when it stops, never after a panic, and a
//! panicking `SyncArbiter` worker is not replaced; this crate therefore catches panics at the
//! worker boundary and replaces whole worker threads itself.

mod coordinator;
pub mod messages;
mod metrics;
mod pool;
mod recorder;
mod restart;
mod role;
mod rundir;
mod shutdown;
mod worker;

pub use coordinator::{Coordinator, RunOutcome, StepPlan};
pub use metrics::{Metrics, MetricsSnapshot};
pub use pool::{PoolError, RolePool, Submit};
pub use recorder::{RecordStep, RecorderActor, StepRecord, read_records};
pub use restart::RestartPolicy;
pub use role::{ReplicaInfo, Role, RoleError, RoleFactory};
pub use rundir::{RESOLVED_TOPOLOGY, RunDir, RunDirError, RunDirMode, STOP_MARKER};
pub use shutdown::Shutdown;

/// Re-exported so callers can start pools and send messages without depending on actix directly.
pub use actix::{Actor, Addr, System};

/// Why the runtime could not complete a run.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// A role pool could not complete a batch.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// The pool's mailbox is gone (it stopped).
    #[error("{role}: the pool is not running: {reason}")]
    Mailbox {
        /// The role.
        role: String,
        /// The mailbox error.
        reason: String,
    },
    /// The step itself failed.
    #[error("step {step}: {reason}")]
    Step {
        /// The step number.
        step: u64,
        /// What went wrong.
        reason: String,
    },
    /// Writing metrics failed.
    #[error("cannot record metrics: {0}")]
    Recorder(std::io::Error),
    /// The run directory is unusable.
    #[error(transparent)]
    RunDir(#[from] RunDirError),
    /// Another I/O error.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Sends a batch to a role pool and waits for all responses.
pub async fn submit<R: Role>(
    pool: &Addr<RolePool<R>>,
    role: &str,
    requests: Vec<R::Request>,
) -> Result<Vec<R::Response>, RuntimeError>
where
    R::Response: Send,
{
    pool.send(Submit { requests })
        .await
        .map_err(|error| RuntimeError::Mailbox {
            role: role.to_string(),
            reason: error.to_string(),
        })?
        .map_err(RuntimeError::from)
}
