//! Benchmarks of the plugin host: per-call `verify` cost (fresh instance vs reuse, fuel vs
//! epoch-only), the same `exact` checker compiled natively, the checker's code alone as wasm vs
//! native (group `checker`), pool throughput, and first-load compile vs cached load.
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

/// Time `iters` calls of `call` on one thread with the plugin-call stack, as a caller making
/// many calls does (a call from any other thread would start a thread of its own first).
fn on_plugin_stack<T>(iters: u64, call: impl Fn() -> T + Sync) -> Duration {
    proctor_plugin_host::with_plugin_stack(|| {
        let started = std::time::Instant::now();
        for _ in 0..iters {
            black_box(call());
        }
        started.elapsed()
    })
}

fn per_call(c: &mut Criterion) {
    let (reference, response) = proctor_exact::samples::SHORT;
    let task = Task::new("t1", "What is 6 * 7?").with_reference(reference);
    let mut group = c.benchmark_group("verify");
    // The checker inside the `exact` built-in, compiled natively (same source, same inputs):
    // the baseline for the WASM cost ratio.
    group.bench_function("native/rust-exact", |b| {
        b.iter(|| {
            black_box(proctor_exact::check(
                black_box(task.reference.as_deref()),
                black_box(response),
            ))
        })
    });
    for (metering, host) in [("fuel", host(None)), ("epoch-only", epoch_only_host())] {
        for (name, source) in sources() {
            let fresh = load(&host, &source, None);
            group.bench_function(format!("fresh/{metering}/{name}"), |b| {
                b.iter_custom(|iters| on_plugin_stack(iters, || fresh.verify(&task, response)))
            });
            let reused = load(&host, &source, NonZeroU32::new(u32::MAX));
            group.bench_function(format!("reuse/{metering}/{name}"), |b| {
                b.iter_custom(|iters| on_plugin_stack(iters, || reused.verify(&task, response)))
            });
        }
    }
    group.finish();
}

/// Iterations per measured call in the `checker` group.
const CHECKS_PER_CALL: u32 = 1000;

/// The loops of `plugins/guest/checker-bench` (same checker, same inputs), compiled natively.
fn native_check_repeat((reference, response): (&str, &str), times: u32) -> u32 {
    let mut correct = 0;
    for _ in 0..times {
        let verdict = proctor_exact::check(black_box(Some(reference)), black_box(response));
        correct += u32::from(verdict.score == 1.0);
    }
    correct
}

/// How the wasm side of the `checker` group is bounded.
#[derive(Clone, Copy)]
enum Metering {
    /// Fuel and epoch deadline, as a host with `consume_fuel` runs guests.
    Fuel,
    /// Epoch deadline only: how the host runs a plugin without a fuel budget (e.g. `code`).
    EpochOnly,
    /// Neither: not a configuration the host ever runs; it shows what the deadline checks cost.
    Unbounded,
}

/// The checker-bench module's export `name`, compiled with the host's code generation settings
/// (Cranelift at `Speed`) under `metering`.
fn wasm_check_repeat(name: &str, metering: Metering) -> impl FnMut(u32) -> u32 {
    let (fuel, epoch) = match metering {
        Metering::Fuel => (true, true),
        Metering::EpochOnly => (false, true),
        Metering::Unbounded => (false, false),
    };
    let mut config = wasmtime::Config::new();
    config
        .consume_fuel(fuel)
        .epoch_interruption(epoch)
        .cranelift_opt_level(wasmtime::OptLevel::Speed);
    let engine = wasmtime::Engine::new(&config).expect("engine starts");
    // `CHECKER_BENCH_WASM=path` measures another build of the module (while tuning guest code).
    let wasm = match std::env::var_os("CHECKER_BENCH_WASM") {
        Some(path) => std::fs::read(&path).expect("CHECKER_BENCH_WASM is readable"),
        None => include_bytes!("data/checker-bench.wasm").to_vec(),
    };
    let module = wasmtime::Module::new(&engine, &wasm)
        .expect("checker-bench.wasm compiles (rebuild it with plugins/guest/build.sh)");
    let mut store = wasmtime::Store::new(&engine, ());
    if epoch {
        store.set_epoch_deadline(u64::MAX);
    }
    if fuel {
        store.set_fuel(u64::MAX).expect("fuel is on");
    }
    let instance = wasmtime::Instance::new(&mut store, &module, &[])
        .expect("checker-bench.wasm imports nothing");
    let func = instance
        .get_typed_func::<u32, u32>(&mut store, name)
        .expect("checker-bench.wasm exports its loops");
    move |times| func.call(&mut store, times).expect("the checker loop runs")
}

/// The checker's own code as wasm vs native: a loop of [`CHECKS_PER_CALL`] checks per call, so
/// the one call's boundary is amortised away (the `verify/*` group measures the boundary).
/// Inputs: the short one of `verify/*`, and a typical ~480-byte chain-of-thought response.
fn checker(c: &mut Criterion) {
    use proctor_exact::samples::{LONG, SHORT};
    let mut group = c.benchmark_group("checker");
    group.throughput(Throughput::Elements(u64::from(CHECKS_PER_CALL)));
    for (input, sample, export) in [
        ("short", SHORT, "exact_check_short"),
        ("long", LONG, "exact_check_long"),
    ] {
        assert_eq!(
            native_check_repeat(sample, CHECKS_PER_CALL),
            CHECKS_PER_CALL
        );
        group.bench_function(format!("native/{input}"), |b| {
            b.iter(|| black_box(native_check_repeat(sample, black_box(CHECKS_PER_CALL))))
        });
        for (name, metering) in [
            ("fuel", Metering::Fuel),
            ("epoch-only", Metering::EpochOnly),
            ("unbounded", Metering::Unbounded),
        ] {
            let mut repeat = wasm_check_repeat(export, metering);
            assert_eq!(repeat(CHECKS_PER_CALL), CHECKS_PER_CALL);
            group.bench_function(format!("wasm/{name}/{input}"), |b| {
                b.iter(|| black_box(repeat(black_box(CHECKS_PER_CALL))))
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

criterion_group!(benches, per_call, checker, pool, loading);
criterion_main!(benches);
