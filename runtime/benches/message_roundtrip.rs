//! Round-trip time of one actor message: `cargo bench -p proctor-runtime --bench message_roundtrip`.
//!
//! Two paths: a plain actix request/reply on one arbiter (the routing cost), and one request
//! through a `RolePool` to a supervised worker thread and back (the cost every role call pays).

use actix::prelude::*;
use criterion::{Criterion, criterion_group, criterion_main};
use proctor_runtime::{
    Metrics, ReplicaInfo, RestartPolicy, Role, RoleError, RoleFactory, RolePool, Submit,
};
use std::sync::Arc;
use std::time::Instant;

struct Echo;

impl Actor for Echo {
    type Context = Context<Self>;
}

#[derive(Message)]
#[rtype(result = "u64")]
struct Ping(u64);

impl Handler<Ping> for Echo {
    type Result = u64;
    fn handle(&mut self, Ping(value): Ping, _: &mut Context<Self>) -> u64 {
        value + 1
    }
}

struct Increment;

impl Role for Increment {
    type Request = u64;
    type Response = u64;
    fn handle(&mut self, value: u64) -> Result<u64, RoleError> {
        Ok(value + 1)
    }
}

fn roundtrip(criterion: &mut Criterion) {
    let system = System::new();
    let echo = system.block_on(async { Echo.start() });
    criterion.bench_function("actix request/reply, same arbiter", |bencher| {
        bencher.iter_custom(|iterations| {
            system.block_on(async {
                let started = Instant::now();
                for value in 0..iterations {
                    std::hint::black_box(echo.send(Ping(value)).await.expect("echo alive"));
                }
                started.elapsed()
            })
        })
    });

    let factory: RoleFactory<Increment> = Arc::new(|_: &ReplicaInfo| Ok(Increment));
    let pool = system.block_on(async {
        RolePool::new(
            "bench",
            1,
            factory,
            RestartPolicy::default(),
            Metrics::default(),
        )
        .start()
    });
    criterion.bench_function("role pool request to a worker thread and back", |bencher| {
        bencher.iter_custom(|iterations| {
            system.block_on(async {
                let started = Instant::now();
                for value in 0..iterations {
                    let reply = pool
                        .send(Submit {
                            requests: vec![value],
                        })
                        .await;
                    std::hint::black_box(reply.expect("pool alive").expect("no fault"));
                }
                started.elapsed()
            })
        })
    });
}

criterion_group!(benches, roundtrip);
criterion_main!(benches);
