//! Fault injection: replicas that panic, hang, fail to start or reject requests.

use super::*;
use crate::role::RoleError;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the test role misbehaves.
#[derive(Default)]
struct FaultPlan {
    /// Panic the first time this value is seen.
    panic_once_on: Option<u64>,
    /// Panic every time this value is seen.
    panic_always_on: Option<u64>,
    /// Block (hang) the first time this value is seen, until released.
    hang_once_on: Option<u64>,
    /// Reject this value with a non-retryable error.
    reject: Option<u64>,
    /// Fail in the factory.
    fail_to_start: bool,
    triggered: AtomicBool,
    release: Mutex<Option<mpsc::Receiver<()>>>,
    /// Every value a handler finished successfully, with the thread that did it.
    handled: Mutex<Vec<(u64, std::thread::ThreadId)>>,
}

struct SquareRole {
    plan: Arc<FaultPlan>,
}

impl Role for SquareRole {
    type Request = u64;
    type Response = u64;

    fn handle(&mut self, value: u64) -> Result<u64, RoleError> {
        let plan = &self.plan;
        if plan.panic_always_on == Some(value) {
            panic!("injected panic on {value}");
        }
        if plan.panic_once_on == Some(value) && !plan.triggered.swap(true, Ordering::SeqCst) {
            panic!("injected panic on {value}");
        }
        if plan.hang_once_on == Some(value) && !plan.triggered.swap(true, Ordering::SeqCst) {
            let release = plan
                .release
                .lock()
                .unwrap()
                .take()
                .expect("release channel");
            let _ = release.recv();
        }
        if plan.reject == Some(value) {
            return Err(RoleError::fatal(format!("{value} is not allowed")));
        }
        plan.handled
            .lock()
            .unwrap()
            .push((value, std::thread::current().id()));
        Ok(value * value)
    }
}

fn fast_policy() -> RestartPolicy {
    RestartPolicy {
        max_restarts: 3,
        window: Duration::from_secs(60),
        backoff: Duration::from_millis(5),
        backoff_max: Duration::from_millis(20),
        request_timeout: Duration::from_secs(30),
        max_attempts: 3,
    }
}

fn start_pool(
    plan: &Arc<FaultPlan>,
    replicas: usize,
    policy: RestartPolicy,
    metrics: &Metrics,
) -> Addr<RolePool<SquareRole>> {
    let plan = plan.clone();
    let factory: RoleFactory<SquareRole> = Arc::new(move |_info: &ReplicaInfo| {
        if plan.fail_to_start {
            return Err(RoleError::retryable("weights file vanished"));
        }
        Ok(SquareRole { plan: plan.clone() })
    });
    RolePool::new("square", replicas, factory, policy, metrics.clone()).start()
}

fn handled_counts(plan: &FaultPlan) -> std::collections::BTreeMap<u64, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for (value, _) in plan.handled.lock().unwrap().iter() {
        *counts.entry(*value).or_insert(0) += 1;
    }
    counts
}

#[actix_rt::test]
async fn a_panicking_replica_is_restarted_and_its_request_redispatched_once() {
    let plan = Arc::new(FaultPlan {
        panic_once_on: Some(7),
        ..FaultPlan::default()
    });
    let metrics = Metrics::default();
    // One replica: the retry of item 7 must wait for the restart.
    let pool = start_pool(&plan, 1, fast_policy(), &metrics);
    let squares = pool
        .send(Submit {
            requests: (0..20).collect(),
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        squares,
        (0..20u64).map(|value| value * value).collect::<Vec<_>>()
    );
    let counts = handled_counts(&plan);
    assert!(
        counts.values().all(|count| *count == 1),
        "each item handled exactly once: {counts:?}"
    );
    assert_eq!(counts.len(), 20);
    assert_eq!(metrics.get("square.panics"), 1);
    assert_eq!(metrics.get("square.restarts"), 1);
    assert_eq!(metrics.get("square.retries"), 1);
    assert_eq!(metrics.get("square.completed"), 20);
    assert_eq!(metrics.get("square.dispatched"), 21);
    // The restarted pool keeps serving.
    let more = pool
        .send(Submit {
            requests: vec![3, 4],
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(more, vec![9, 16]);
}

#[actix_rt::test]
async fn a_hung_replica_is_replaced_after_its_deadline_and_its_late_reply_discarded() {
    let (release, receiver) = mpsc::channel();
    let plan = Arc::new(FaultPlan {
        hang_once_on: Some(5),
        release: Mutex::new(Some(receiver)),
        ..FaultPlan::default()
    });
    let metrics = Metrics::default();
    let policy = RestartPolicy {
        request_timeout: Duration::from_millis(300),
        ..fast_policy()
    };
    let pool = start_pool(&plan, 1, policy, &metrics);
    let squares = pool
        .send(Submit {
            requests: (0..12).collect(),
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        squares,
        (0..12u64).map(|value| value * value).collect::<Vec<_>>()
    );
    assert_eq!(metrics.get("square.timeouts"), 1);
    assert_eq!(metrics.get("square.restarts"), 1);
    assert_eq!(metrics.get("square.retries"), 1);
    assert_eq!(metrics.get("square.completed"), 12);

    // Unblock the abandoned incarnation: it finishes item 5 a second time, and the pool discards that reply.
    release.send(()).unwrap();
    for _ in 0..500 {
        if metrics.get("square.late_replies_discarded") == 1 {
            break;
        }
        actix_rt::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(metrics.get("square.late_replies_discarded"), 1);
    assert_eq!(
        metrics.get("square.completed"),
        12,
        "the late reply completed nothing"
    );
}

#[actix_rt::test]
async fn too_many_restarts_fail_the_role_and_say_what_was_lost() {
    let plan = Arc::new(FaultPlan {
        panic_always_on: Some(1),
        ..FaultPlan::default()
    });
    let metrics = Metrics::default();
    let policy = RestartPolicy {
        max_restarts: 2,
        max_attempts: 10,
        ..fast_policy()
    };
    let pool = start_pool(&plan, 1, policy, &metrics);
    let error = pool
        .send(Submit {
            requests: vec![0, 1, 2, 3],
        })
        .await
        .unwrap()
        .unwrap_err();
    match &error {
        PoolError::RoleFailed {
            role,
            restarts,
            in_flight,
            last_fault,
            ..
        } => {
            assert_eq!(role, "square");
            assert_eq!(*restarts, 3);
            assert_eq!(*in_flight, 3, "items 1, 2 and 3 never completed");
            assert!(last_fault.contains("injected panic on 1"), "{last_fault}");
        }
        other => panic!("expected RoleFailed, got {other:?}"),
    }
    assert_eq!(metrics.get("square.lost"), 3);
    assert_eq!(metrics.get("square.restarts"), 2);
}

#[actix_rt::test]
async fn a_request_that_kills_every_replica_is_named_and_the_pool_survives() {
    let plan = Arc::new(FaultPlan {
        panic_always_on: Some(4),
        ..FaultPlan::default()
    });
    let metrics = Metrics::default();
    let policy = RestartPolicy {
        max_restarts: 10,
        max_attempts: 2,
        ..fast_policy()
    };
    let pool = start_pool(&plan, 2, policy, &metrics);
    let error = pool
        .send(Submit {
            requests: vec![2, 4, 6],
        })
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(
            error,
            PoolError::PoisonRequest {
                index: 1,
                attempts: 2,
                ..
            }
        ),
        "{error:?}"
    );
    let next = pool
        .send(Submit { requests: vec![5] })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(next, vec![25]);
}

#[actix_rt::test]
async fn a_replica_that_cannot_start_fails_the_role_with_the_factory_error() {
    let plan = Arc::new(FaultPlan {
        fail_to_start: true,
        ..FaultPlan::default()
    });
    let metrics = Metrics::default();
    let pool = start_pool(
        &plan,
        1,
        RestartPolicy {
            max_restarts: 1,
            ..fast_policy()
        },
        &metrics,
    );
    let error = pool
        .send(Submit { requests: vec![1] })
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        error.to_string().contains("weights file vanished"),
        "{error}"
    );
    assert_eq!(metrics.get("square.start_failures"), 2);
}

#[actix_rt::test]
async fn a_rejected_request_fails_its_batch_without_a_restart() {
    let plan = Arc::new(FaultPlan {
        reject: Some(3),
        ..FaultPlan::default()
    });
    let metrics = Metrics::default();
    let pool = start_pool(&plan, 1, fast_policy(), &metrics);
    let error = pool
        .send(Submit {
            requests: vec![1, 2, 3, 4],
        })
        .await
        .unwrap()
        .unwrap_err();
    assert!(error.to_string().contains("3 is not allowed"), "{error}");
    assert_eq!(metrics.get("square.restarts"), 0);
    assert_eq!(
        pool.send(Submit { requests: vec![4] })
            .await
            .unwrap()
            .unwrap(),
        vec![16]
    );
}

#[actix_rt::test]
async fn work_runs_on_worker_threads_not_the_routing_thread() {
    let plan = Arc::new(FaultPlan::default());
    let pool = start_pool(&plan, 2, fast_policy(), &Metrics::default());
    pool.send(Submit {
        requests: (0..8).collect(),
    })
    .await
    .unwrap()
    .unwrap();
    let routing_thread = std::thread::current().id();
    let handled = plan.handled.lock().unwrap();
    assert!(handled.iter().all(|(_, thread)| *thread != routing_thread));
}
