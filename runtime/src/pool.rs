//! The role pool: the coordination actor that owns every in-flight request of one role, spreads
//! requests over supervised replicas, and restarts and re-dispatches when a replica dies or hangs.

use crate::metrics::Metrics;
use crate::restart::{RestartDecision, RestartHistory, RestartPolicy};
use crate::role::{ReplicaInfo, Role, RoleError, RoleFactory};
use crate::worker::{Process, WorkerActor, WorkerFault};
use actix::prelude::*;
use futures::channel::oneshot;
use std::collections::{HashMap, VecDeque};
use std::time::Instant;

/// Submit a batch of requests to a role; resolves to the responses in request order once every
/// request has completed exactly once, or to the error that stopped the batch.
pub struct Submit<R: Role> {
    /// The requests, answered in this order.
    pub requests: Vec<R::Request>,
}

impl<R: Role> Message for Submit<R> {
    type Result = Result<Vec<R::Response>, PoolError>;
}

/// Why a batch could not be completed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    /// The role crashed more often than its restart policy allows.
    #[error(
        "{role} failed: {restarts} restarts within {window_s} s exceed supervision.max_restarts; last fault: {last_fault}; {in_flight} request(s) were not completed"
    )]
    RoleFailed {
        /// The role.
        role: String,
        /// Restarts counted in the window.
        restarts: usize,
        /// The window in seconds.
        window_s: u64,
        /// The fault that tipped it over.
        last_fault: String,
        /// Requests that were queued or in flight.
        in_flight: usize,
    },
    /// One request took down every replica that tried it.
    #[error(
        "{role}: request {index} of a batch failed {attempts} times (last fault: {last_fault}); giving up on it"
    )]
    PoisonRequest {
        /// The role.
        role: String,
        /// Index of the request in its batch.
        index: usize,
        /// Attempts made.
        attempts: u32,
        /// The last fault.
        last_fault: String,
    },
    /// The role reported a non-retryable error for a request.
    #[error("{role}: request {index} of a batch failed: {error}")]
    Request {
        /// The role.
        role: String,
        /// Index of the request in its batch.
        index: usize,
        /// The role's error.
        error: RoleError,
    },
    /// The pool stopped before answering.
    #[error("{role}: the pool stopped before the batch completed")]
    Stopped {
        /// The role.
        role: String,
    },
}

/// Owns the in-flight requests of one role and the supervised replicas that serve them.
///
/// Invariants: each request is in flight at no more than one replica at a time; a replica's
/// reply counts only if it comes from the incarnation the request was sent to (late replies from
/// a replaced, hung incarnation are discarded and counted), so every request completes exactly
/// once. Every retry, restart, timeout and loss is counted in [`Metrics`] as `role.*`.
pub struct RolePool<R: Role> {
    role: String,
    factory: RoleFactory<R>,
    policy: RestartPolicy,
    metrics: Metrics,
    replicas: Vec<Replica<R>>,
    queue: VecDeque<WorkItem<R::Request>>,
    batches: HashMap<u64, Batch<R::Response>>,
    history: RestartHistory,
    next_batch: u64,
    failure: Option<PoolError>,
}

struct Replica<R: Role> {
    generation: u64,
    worker: Option<(Addr<WorkerActor<R>>, actix::ArbiterHandle)>,
    busy: Option<InFlight<R::Request>>,
}

struct InFlight<Request> {
    item: WorkItem<Request>,
    started: Instant,
    deadline: SpawnHandle,
}

#[derive(Clone)]
struct WorkItem<Request> {
    batch: u64,
    index: usize,
    attempts: u32,
    request: Request,
}

struct Batch<Response> {
    results: Vec<Option<Response>>,
    remaining: usize,
    reply: oneshot::Sender<Result<Vec<Response>, PoolError>>,
}

impl<R: Role> RolePool<R> {
    /// A pool of `replicas` instances of a role, each built by `factory` on its own thread.
    pub fn new(
        role: impl Into<String>,
        replicas: usize,
        factory: RoleFactory<R>,
        policy: RestartPolicy,
        metrics: Metrics,
    ) -> Self {
        Self {
            role: role.into(),
            factory,
            policy,
            metrics,
            replicas: (0..replicas.max(1))
                .map(|_| Replica {
                    generation: 0,
                    worker: None,
                    busy: None,
                })
                .collect(),
            queue: VecDeque::new(),
            batches: HashMap::new(),
            history: RestartHistory::default(),
            next_batch: 0,
            failure: None,
        }
    }

    fn count(&self, what: &str) {
        self.metrics.increment(&format!("{}.{what}", self.role));
    }

    fn start_replica(&mut self, index: usize, context: &mut Context<Self>) {
        let info = ReplicaInfo {
            role: self.role.clone(),
            replica: index,
            generation: self.replicas[index].generation,
        };
        match WorkerActor::spawn(self.factory.clone(), info) {
            Ok(worker) => self.replicas[index].worker = Some(worker),
            Err(error) => {
                tracing::error!(role = %self.role, replica = index, %error, "cannot start a worker thread");
                self.on_crash(
                    index,
                    format!("cannot start a worker thread: {error}"),
                    context,
                );
            }
        }
    }

    /// Hands queued requests to idle, running replicas.
    fn dispatch(&mut self, context: &mut Context<Self>) {
        for index in 0..self.replicas.len() {
            let replica = &self.replicas[index];
            if replica.busy.is_some() {
                continue;
            }
            let Some((address, _)) = replica.worker.clone() else {
                continue;
            };
            let Some(item) = self.queue.pop_front() else {
                return;
            };
            let generation = replica.generation;
            let deadline = context.run_later(self.policy.request_timeout, move |pool, context| {
                pool.on_deadline(index, generation, context);
            });
            let request = Process::<R> {
                request: item.request.clone(),
            };
            self.replicas[index].busy = Some(InFlight {
                item,
                started: Instant::now(),
                deadline,
            });
            self.count("dispatched");
            context.spawn(address.send(request).into_actor(self).map(
                move |reply, pool, context| {
                    let reply = reply.unwrap_or_else(|mailbox| {
                        Err(WorkerFault::Panicked(format!(
                            "worker mailbox closed: {mailbox}"
                        )))
                    });
                    pool.on_reply(index, generation, reply, context);
                },
            ));
        }
    }

    fn on_reply(
        &mut self,
        index: usize,
        generation: u64,
        reply: Result<R::Response, WorkerFault>,
        context: &mut Context<Self>,
    ) {
        let replica = &mut self.replicas[index];
        if replica.generation != generation {
            // A replaced (hung) incarnation finished after all: its request was re-dispatched.
            self.count("late_replies_discarded");
            return;
        }
        let Some(in_flight) = replica.busy.take() else {
            return;
        };
        context.cancel_future(in_flight.deadline);
        self.metrics.add_seconds(
            &format!("{}.busy_s", self.role),
            in_flight.started.elapsed().as_secs_f64(),
        );
        match reply {
            Ok(response) => self.complete(in_flight.item, response),
            Err(WorkerFault::Failed(error)) if !error.retryable => {
                self.count("failures");
                let failure = PoolError::Request {
                    role: self.role.clone(),
                    index: in_flight.item.index,
                    error,
                };
                self.fail_batch(in_flight.item.batch, failure);
            }
            Err(fault) => {
                let reason = match fault {
                    WorkerFault::Panicked(message) => {
                        self.count("panics");
                        format!("panicked: {message}")
                    }
                    WorkerFault::StartFailed(message) => {
                        self.count("start_failures");
                        message
                    }
                    WorkerFault::Failed(error) => {
                        self.count("failures");
                        format!("retryable error: {error}")
                    }
                };
                self.replicas[index].busy = Some(in_flight);
                self.on_crash(index, reason, context);
            }
        }
        self.dispatch(context);
    }

    fn on_deadline(&mut self, index: usize, generation: u64, context: &mut Context<Self>) {
        if self.replicas[index].generation != generation || self.replicas[index].busy.is_none() {
            return;
        }
        self.count("timeouts");
        let timeout = self.policy.request_timeout;
        self.on_crash(
            index,
            format!("no reply within {timeout:?}; the replica is presumed hung and replaced"),
            context,
        );
    }

    /// Retires a replica incarnation, re-queues its request, and schedules the restart.
    fn on_crash(&mut self, index: usize, reason: String, context: &mut Context<Self>) {
        tracing::warn!(role = %self.role, replica = index, %reason, "replica crashed");
        let replica = &mut self.replicas[index];
        replica.generation += 1;
        if let Some((_, arbiter)) = replica.worker.take() {
            // A hung thread cannot be killed; stopping its arbiter lets it exit once unblocked.
            arbiter.stop();
        }
        if let Some(in_flight) = replica.busy.take() {
            context.cancel_future(in_flight.deadline);
            let mut item = in_flight.item;
            item.attempts += 1;
            if item.attempts >= self.policy.max_attempts {
                let failure = PoolError::PoisonRequest {
                    role: self.role.clone(),
                    index: item.index,
                    attempts: item.attempts,
                    last_fault: reason.clone(),
                };
                self.fail_batch(item.batch, failure);
            } else if self.batches.contains_key(&item.batch) {
                self.count("retries");
                self.queue.push_front(item);
            }
        }
        match self.history.on_crash(&self.policy, Instant::now()) {
            RestartDecision::After(delay) => {
                context.run_later(delay, move |pool, context| {
                    pool.count("restarts");
                    pool.start_replica(index, context);
                    pool.dispatch(context);
                });
            }
            RestartDecision::GiveUp { restarts } => {
                let in_flight = self.queue.len()
                    + self
                        .replicas
                        .iter()
                        .filter(|replica| replica.busy.is_some())
                        .count();
                let failure = PoolError::RoleFailed {
                    role: self.role.clone(),
                    restarts,
                    window_s: self.policy.window.as_secs(),
                    last_fault: reason,
                    in_flight,
                };
                tracing::error!(role = %self.role, %failure, "giving up on role");
                self.metrics
                    .add(&format!("{}.lost", self.role), in_flight as u64);
                self.failure = Some(failure.clone());
                self.queue.clear();
                for batch in std::mem::take(&mut self.batches).into_values() {
                    let _ = batch.reply.send(Err(failure.clone()));
                }
                context.stop();
            }
        }
    }

    fn complete(&mut self, item: WorkItem<R::Request>, response: R::Response) {
        let Some(batch) = self.batches.get_mut(&item.batch) else {
            return; // the batch already failed
        };
        if batch.results[item.index].is_none() {
            batch.results[item.index] = Some(response);
            batch.remaining -= 1;
            self.metrics.increment(&format!("{}.completed", self.role));
        }
        if batch.remaining == 0
            && let Some(batch) = self.batches.remove(&item.batch)
        {
            let results = batch.results.into_iter().flatten().collect();
            let _ = batch.reply.send(Ok(results));
        }
    }

    fn fail_batch(&mut self, batch: u64, failure: PoolError) {
        if let Some(batch_state) = self.batches.remove(&batch) {
            let abandoned = self.queue.iter().filter(|item| item.batch == batch).count();
            self.queue.retain(|item| item.batch != batch);
            self.metrics
                .add(&format!("{}.abandoned", self.role), abandoned as u64);
            let _ = batch_state.reply.send(Err(failure));
        }
    }
}

impl<R: Role> Actor for RolePool<R> {
    type Context = Context<Self>;

    fn started(&mut self, context: &mut Context<Self>) {
        for index in 0..self.replicas.len() {
            self.start_replica(index, context);
        }
    }

    fn stopped(&mut self, _context: &mut Context<Self>) {
        for replica in &mut self.replicas {
            if let Some((_, arbiter)) = replica.worker.take() {
                arbiter.stop();
            }
        }
        let role = self.role.clone();
        for batch in std::mem::take(&mut self.batches).into_values() {
            let _ = batch
                .reply
                .send(Err(PoolError::Stopped { role: role.clone() }));
        }
    }
}

impl<R: Role> Handler<Submit<R>> for RolePool<R> {
    type Result = ResponseFuture<Result<Vec<R::Response>, PoolError>>;

    fn handle(&mut self, submit: Submit<R>, context: &mut Context<Self>) -> Self::Result {
        if let Some(failure) = self.failure.clone() {
            return Box::pin(async move { Err(failure) });
        }
        let (reply, answer) = oneshot::channel();
        let count = submit.requests.len();
        if count == 0 {
            return Box::pin(async { Ok(Vec::new()) });
        }
        let batch = self.next_batch;
        self.next_batch += 1;
        self.batches.insert(
            batch,
            Batch {
                results: (0..count).map(|_| None).collect(),
                remaining: count,
                reply,
            },
        );
        self.queue.extend(
            submit
                .requests
                .into_iter()
                .enumerate()
                .map(|(index, request)| WorkItem {
                    batch,
                    index,
                    attempts: 0,
                    request,
                }),
        );
        self.dispatch(context);
        let role = self.role.clone();
        Box::pin(async move { answer.await.unwrap_or(Err(PoolError::Stopped { role })) })
    }
}

#[cfg(test)]
mod tests;
