//! Verifications per second over the test corpus (native). Run: `cargo bench -p proctor-math`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn corpus() -> Vec<(String, String)> {
    include_str!("../tests/corpus.jsonl")
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let row: serde_json::Value = serde_json::from_str(line).expect("corpus rows are JSON");
            let field = |name: &str| {
                row[name]
                    .as_str()
                    .expect("corpus fields are strings")
                    .to_string()
            };
            (field("gold"), field("response"))
        })
        .collect()
}

fn bench_corpus(c: &mut Criterion) {
    let rows = corpus();
    let mut group = c.benchmark_group("math");
    group.throughput(Throughput::Elements(rows.len() as u64));
    group.bench_function("verify_corpus", |b| {
        b.iter(|| {
            for (gold, response) in &rows {
                black_box(proctor_math::verify(
                    black_box(gold),
                    black_box(response),
                    "",
                ));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, bench_corpus);
criterion_main!(benches);
