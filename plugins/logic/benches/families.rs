//! Tasks generated per second and verifications per second for every family (native).
//!
//! Run: `cargo bench -p proctor-logic --bench families` (add `-- <kind>` to pick one family).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use proctor_logic::{generate, kinds, verify};

const DIFFICULTY: u32 = 3;

fn families(c: &mut Criterion) {
    for kind in kinds() {
        let mut group = c.benchmark_group(*kind);
        group.throughput(Throughput::Elements(1));
        group.sample_size(20);
        group.measurement_time(Duration::from_secs(2));
        group.warm_up_time(Duration::from_millis(300));
        let mut seed = 0u64;
        group.bench_function("generate", |b| {
            b.iter(|| {
                seed += 1;
                black_box(generate(kind, seed, DIFFICULTY).expect("generates"))
            })
        });
        let tasks: Vec<_> = (0..64)
            .map(|s| generate(kind, s, DIFFICULTY).expect("generates"))
            .collect();
        let mut idx = 0usize;
        group.bench_function("verify", |b| {
            b.iter(|| {
                idx = (idx + 1) % tasks.len();
                let task = &tasks[idx];
                let response = format!(
                    "<answer>{}</answer>",
                    task.reference.as_deref().unwrap_or("")
                );
                black_box(verify(
                    &task.prompt,
                    task.reference.as_deref(),
                    &task.metadata,
                    &response,
                ))
            })
        });
        group.finish();
    }
}

criterion_group!(benches, families);
criterion_main!(benches);
