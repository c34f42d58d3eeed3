//! Benchmarks of the plugin host: per-call `verify` cost (fresh instance vs reuse, fuel vs
//! epoch-only), the same `exact` checker compiled natively, pool throughput, and first-load
//! compile vs cached load.
//!
//! Run: `RAYON_NUM_THREADS=1 cargo bench -p proctor-plugin-host --bench verify`
//! (one group: append e.g. `-- verify/`; `--quick` for a fast, rougher pass).

use std::hint::black_box;
use std::num::NonZeroU32;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use proctor_plugin_host::{
    HostConfig, Plugin, PluginConfig, PluginHost, PluginSource, Task, VerifierPool,
};

#[path = "../tests/it/guests.rs"]
#[allow(dead_code)]
mod guests;

fn host(cache_dir: Option<std::path::PathBuf>) -> PluginHost {
    PluginHost::new(HostConfig {
        cache_dir,
        ..HostConfig::default()
    })
    .expect("host starts")
}

/// A host without fuel metering: deadlines rest on epoch interruption alone.
fn epoch_only_host() -> PluginHost {
    PluginHost::new(HostConfig {
        cache_dir: None,
        consume_fuel: false,
        ..HostConfig::default()
    })
    .expect("host starts")
}

/// The plugins under test: the Rust `exact` built-in and the hand-written WAT exact matcher.
fn sources() -> Vec<(&'static str, PluginSource)> {
    let mut sources = vec![(
        "wat-exact",
        PluginSource::Bytes {
            label: "wat-exact".into(),
            wasm: guests::exact_verifier(),
        },
    )];
    if proctor_plugin_host::builtin("exact").is_some() {
        sources.push(("rust-exact", PluginSource::Builtin("exact".into())));
    }
    sources
}

fn load(host: &PluginHost, source: &PluginSource, reuse: Option<NonZeroU32>) -> Plugin {
    host.load_with(
        source,
        PluginConfig {
            reuse,
            ..PluginConfig::default()
        },
    )
    .expect("plugin loads")
}

fn per_call(c: &mut Criterion) {
    let task = Task::new("t1", "What is 6 * 7?").with_reference("42");
    let mut group = c.benchmark_group("verify");
    // The checker inside the `exact` built-in, compiled natively (same source, same inputs):
    // the baseline for the WASM cost ratio.
    group.bench_function("native/rust-exact", |b| {
        b.iter(|| {
            black_box(proctor_exact::check(
                black_box(task.reference.as_deref()),
                black_box("The answer is 42"),
            ))
        })
    });
    for (metering, host) in [("fuel", host(None)), ("epoch-only", epoch_only_host())] {
        for (name, source) in sources() {
            let fresh = load(&host, &source, None);
            group.bench_function(format!("fresh/{metering}/{name}"), |b| {
                b.iter(|| black_box(fresh.verify(black_box(&task), black_box("The answer is 42"))))
            });
            let reused = load(&host, &source, NonZeroU32::new(u32::MAX));
            group.bench_function(format!("reuse/{metering}/{name}"), |b| {
                b.iter(|| black_box(reused.verify(black_box(&task), black_box("The answer is 42"))))
            });
        }
    }
    group.finish();
}

fn pool(c: &mut Criterion) {
    let host = host(None);
    let mut group = c.benchmark_group("pool");
    let batch: Vec<(Task, String)> = (0..1000)
        .map(|idx| {
            (
                Task::new(format!("t{idx}"), "p").with_reference(idx.to_string()),
                format!("#### {idx}"),
            )
        })
        .collect();
    group.throughput(Throughput::Elements(batch.len() as u64));
    for (name, source) in sources() {
        for workers in [1, 2] {
            let plugin = load(&host, &source, None);
            let pool = VerifierPool::new(workers).expect("pool starts");
            group.bench_function(format!("fresh/{name}/{workers}-workers"), |b| {
                b.iter(|| black_box(pool.verify_batch(&plugin, batch.clone())))
            });
        }
    }
    group.finish();
}

fn loading(c: &mut Criterion) {
    let mut group = c.benchmark_group("load");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    for (name, source) in sources() {
        let uncached = host(None);
        group.bench_function(format!("compile/{name}"), |b| {
            b.iter(|| black_box(uncached.load(&source)))
        });
        let cache = tempfile::tempdir().expect("temporary cache dir");
        let cached = host(Some(cache.path().to_owned()));
        cached.load(&source).expect("warms the cache");
        group.bench_function(format!("cached/{name}"), |b| {
            b.iter(|| black_box(cached.load(&source)))
        });
    }
    group.finish();
}

criterion_group!(benches, per_call, pool, loading);
criterion_main!(benches);
