//! The worker actor: runs one role instance on its own arbiter thread and turns panics into replies.

use crate::role::{ReplicaInfo, Role, RoleError, RoleFactory};
use actix::prelude::*;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Ask a worker to handle one request.
pub(crate) struct Process<R: Role> {
    pub(crate) request: R::Request,
}

/// Why a worker could not answer a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WorkerFault {
    /// The handler panicked; the instance is gone.
    Panicked(String),
    /// The factory failed or panicked; there is no instance to run the request.
    StartFailed(String),
    /// The role returned an error.
    Failed(RoleError),
}

impl<R: Role> Message for Process<R> {
    type Result = Result<R::Response, WorkerFault>;
}

/// One incarnation of a role replica, living on a dedicated arbiter thread.
pub(crate) struct WorkerActor<R: Role> {
    instance: Result<R, String>,
}

impl<R: Role> WorkerActor<R> {
    /// Starts a fresh arbiter thread and builds the role instance on it.
    pub(crate) fn spawn(
        factory: RoleFactory<R>,
        info: ReplicaInfo,
    ) -> std::io::Result<(Addr<Self>, actix::ArbiterHandle)> {
        let arbiter = actix::Arbiter::try_new()?;
        let handle = arbiter.handle();
        let address = Self::start_in_arbiter(&handle, move |_| {
            let built = catch_unwind(AssertUnwindSafe(|| factory(&info)));
            let instance = match built {
                Ok(Ok(instance)) => Ok(instance),
                Ok(Err(error)) => Err(format!("factory failed: {error}")),
                Err(payload) => Err(format!("factory panicked: {}", panic_message(&*payload))),
            };
            Self { instance }
        });
        Ok((address, handle))
    }
}

impl<R: Role> Actor for WorkerActor<R> {
    type Context = Context<Self>;
}

impl<R: Role> Handler<Process<R>> for WorkerActor<R> {
    type Result = Result<R::Response, WorkerFault>;

    fn handle(&mut self, message: Process<R>, context: &mut Context<Self>) -> Self::Result {
        let instance = match &mut self.instance {
            Ok(instance) => instance,
            Err(reason) => return Err(WorkerFault::StartFailed(reason.clone())),
        };
        match catch_unwind(AssertUnwindSafe(|| instance.handle(message.request))) {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(error)) => {
                if error.retryable {
                    context.stop();
                }
                Err(WorkerFault::Failed(error))
            }
            Err(payload) => {
                // The instance may be half-updated: never let it see another request.
                context.stop();
                Err(WorkerFault::Panicked(panic_message(&*payload)))
            }
        }
    }
}

/// The text of a panic payload (`&str` or `String`), or a placeholder.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "non-string panic payload".to_string()
    }
}
