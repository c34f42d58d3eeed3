//! A pool of worker threads that runs `verify` calls in parallel and answers batches in order.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use crate::config::PLUGIN_THREAD_STACK;
use crate::plugin::Plugin;
use crate::types::{Status, Task, Verdict};
use crate::{Error, Result};

/// One `verify` call waiting for a worker.
struct Job {
    plugin: Plugin,
    index: usize,
    task: Task,
    response: String,
    reply: Sender<(usize, Verdict)>,
}

/// N worker threads serving `verify` calls for any plugin of one host.
///
/// Plain threads and channels: callers (e.g. an actor) block on [`VerifierPool::verify_batch`]
/// from their own thread. Dropping the pool lets queued jobs finish, then joins the workers.
pub struct VerifierPool {
    sender: Option<Sender<Job>>,
    workers: Vec<JoinHandle<()>>,
}

impl VerifierPool {
    /// Start `workers` threads (at least one).
    pub fn new(workers: usize) -> Result<Self> {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let workers = (0..workers.max(1))
            .map(|worker_idx| {
                let receiver = Arc::clone(&receiver);
                std::thread::Builder::new()
                    .name(format!("proctor-verifier-{worker_idx}"))
                    .stack_size(PLUGIN_THREAD_STACK)
                    .spawn(move || {
                        ON_PLUGIN_STACK.set(true);
                        work(&receiver)
                    })
                    .map_err(|error| {
                        Error::Engine(format!("cannot start verifier worker thread: {error}"))
                    })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            sender: Some(sender),
            workers,
        })
    }

    /// Number of worker threads.
    pub fn workers(&self) -> usize {
        self.workers.len()
    }

    /// Verify every `(task, response)` with `plugin`; verdicts come back in input order.
    pub fn verify_batch(&self, plugin: &Plugin, items: Vec<(Task, String)>) -> Vec<Verdict> {
        let n_items = items.len();
        let (reply, replies) = mpsc::channel();
        let Some(sender) = &self.sender else {
            return vec![Verdict::fault(Status::Trap, Error::PoolClosed.to_string()); n_items];
        };
        for (index, (task, response)) in items.into_iter().enumerate() {
            let job = Job {
                plugin: plugin.clone(),
                index,
                task,
                response,
                reply: reply.clone(),
            };
            if sender.send(job).is_err() {
                break;
            }
        }
        drop(reply);
        let mut verdicts: Vec<Option<Verdict>> = vec![None; n_items];
        for (index, verdict) in replies {
            verdicts[index] = Some(verdict);
        }
        verdicts
            .into_iter()
            .map(|verdict| {
                verdict
                    .unwrap_or_else(|| Verdict::fault(Status::Trap, Error::PoolClosed.to_string()))
            })
            .collect()
    }

    /// Verify one response on a worker thread.
    pub fn verify(&self, plugin: &Plugin, task: Task, response: String) -> Verdict {
        self.verify_batch(plugin, vec![(task, response)])
            .pop()
            .unwrap_or_else(|| Verdict::fault(Status::Trap, Error::PoolClosed.to_string()))
    }
}

impl Drop for VerifierPool {
    fn drop(&mut self) {
        self.sender.take();
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

fn work(receiver: &Mutex<Receiver<Job>>) {
    loop {
        let job = match receiver
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .recv()
        {
            Ok(job) => job,
            Err(_) => return,
        };
        // A panic here would be a host bug; keep the worker alive and report it as a verdict.
        let verdict = catch_unwind(AssertUnwindSafe(|| {
            job.plugin.verify(&job.task, &job.response)
        }))
        .unwrap_or_else(|_| {
            Verdict::fault(Status::Trap, "internal host error while verifying (panic)")
        });
        let _ = job.reply.send((job.index, verdict));
    }
}

thread_local! {
    /// Whether this thread was started with [`PLUGIN_THREAD_STACK`] of native stack.
    static ON_PLUGIN_STACK: Cell<bool> = const { Cell::new(false) };
}

/// Run `call` (which calls into plugins) with [`PLUGIN_THREAD_STACK`] of native stack and return
/// its result: directly on a thread that has it (a `VerifierPool` worker, or inside this
/// function already), else on a thread started for it. [`Plugin::verify`] and
/// [`Plugin::generate`] go through it themselves, so a guest recursing to its wasm stack limit
/// traps whatever thread called; callers making many calls from another thread (an actor's
/// arbiter, `main`) wrap the whole batch to pay for one thread, not one per call. A panic in
/// `call` is resumed on the caller.
pub fn with_plugin_stack<T: Send>(call: impl FnOnce() -> T + Send) -> T {
    if ON_PLUGIN_STACK.get() {
        return call();
    }
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("proctor-plugin-call".into())
            .stack_size(PLUGIN_THREAD_STACK)
            .spawn_scoped(scope, || {
                ON_PLUGIN_STACK.set(true);
                call()
            })
            .expect("cannot start a thread for a plugin call");
        match worker.join() {
            Ok(value) => value,
            Err(payload) => std::panic::resume_unwind(payload),
        }
    })
}
