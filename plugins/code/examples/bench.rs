//! Benchmark of the built-in `code` verifier: first load (compile) vs cached load, and
//! verifications per second of a typical 10-test stdin/stdout problem on N pool workers.
//!
//! Run: `cargo run --release -p proctor-code --example bench -- [WORKERS] [CALLS] [fuel]`
//! (defaults 2 workers, 200 calls; uses a fresh temporary cache directory). The host is the
//! default one, as `proctor run` makes it; `fuel` gives the plugin a fuel budget, so that it is
//! compiled with fuel counting, to measure what counting costs CPython.

use std::time::Instant;

use proctor_plugin_host::{HostConfig, PluginHost, PluginSource, Status, Task, VerifierPool};

fn main() {
    let mut args = std::env::args().skip(1);
    let workers: usize = args.next().and_then(|text| text.parse().ok()).unwrap_or(2);
    let calls: usize = args
        .next()
        .and_then(|text| text.parse().ok())
        .unwrap_or(200);
    let mut plugin_config = proctor_code::recommended_config();
    if args.next().as_deref() == Some("fuel") {
        plugin_config.limits.fuel = Some(u64::MAX / 2);
    }
    let cache = tempfile::tempdir().expect("a temporary cache directory");
    let config = HostConfig {
        cache_dir: Some(cache.path().to_owned()),
        ..HostConfig::default()
    };
    let source = PluginSource::Builtin("code".into());
    for attempt in [
        "first load (compile)",
        "second load (fresh host, disk cache)",
    ] {
        let host = PluginHost::new(config.clone()).expect("host");
        let started = Instant::now();
        let plugin = host
            .load_with(&source, plugin_config.clone())
            .expect("load");
        println!(
            "{attempt}: {:?} ({:?})",
            started.elapsed(),
            plugin.load_report().cache
        );
    }
    let host = PluginHost::new(config).expect("host");
    let plugin = host.load_with(&source, plugin_config).expect("load");
    // A typical problem: read n numbers, print their sum and maximum; 10 tests.
    let inputs: Vec<String> = (1..=10)
        .map(|test| {
            let numbers: Vec<String> = (0..test * 20)
                .map(|k| ((k * 37 + test) % 101).to_string())
                .collect();
            format!("{}\n{}\n", numbers.len(), numbers.join(" "))
        })
        .collect();
    let outputs: Vec<String> = (1..=10)
        .map(|test| {
            let numbers: Vec<i64> = (0..test * 20)
                .map(|k| ((k * 37 + test) % 101) as i64)
                .collect();
            format!(
                "{} {}\n",
                numbers.iter().sum::<i64>(),
                numbers.iter().max().expect("non-empty")
            )
        })
        .collect();
    let metadata = serde_json::json!({ "inputs": inputs, "outputs": outputs }).to_string();
    let response = "```python\nimport sys\ndef main():\n    data = sys.stdin.read().split()\n    n = int(data[0])\n    xs = list(map(int, data[1:1 + n]))\n    total = 0\n    for x in xs:\n        total += x\n    print(total, max(xs))\n\nif __name__ == '__main__':\n    main()\n```";
    let task = Task::new("bench", "sum and max").with_metadata(metadata);
    let verdict = plugin.verify(&task, response);
    assert_eq!(verdict.status, Status::Correct, "{}", verdict.detail);
    let started = Instant::now();
    for _ in 0..20 {
        plugin.verify(&task, response);
    }
    let single = started.elapsed() / 20;
    println!("one call on one thread: {single:?} per verification (10 tests)");
    // The same with per-test memory enforcement (`memory_mib`: tracemalloc in the guest), and
    // an allocation-heavy program (a tuple and a str per element) with and without it.
    let alloc_response = "```python\nimport sys\ndata = sys.stdin.read().split()\nrows = [(int(x), str(x)) for x in data[1:] for _ in range(50)]\nprint(sum(r[0] for r in rows) // 50, max(r[0] for r in rows))\n```";
    for (label, response) in [("sum/max", response), ("allocation-heavy", alloc_response)] {
        for memory in [None, Some(256)] {
            let mut metadata: serde_json::Value =
                serde_json::from_str(&task.metadata).expect("json");
            if let Some(mib) = memory {
                metadata["memory_mib"] = serde_json::json!(mib);
            }
            let task = Task::new("bench", "p").with_metadata(metadata.to_string());
            let verdict = plugin.verify(&task, response);
            assert_eq!(verdict.status, Status::Correct, "{}", verdict.detail);
            let started = Instant::now();
            for _ in 0..10 {
                plugin.verify(&task, response);
            }
            let memory = memory.map_or("off".to_owned(), |mib| format!("{mib} MiB"));
            println!(
                "{label}, memory_mib {memory}: {:?} per verification",
                started.elapsed() / 10
            );
        }
    }
    let pool = VerifierPool::new(workers).expect("pool");
    let items: Vec<(Task, String)> = (0..calls)
        .map(|_| (task.clone(), response.to_owned()))
        .collect();
    let started = Instant::now();
    let verdicts = pool.verify_batch(&plugin, items);
    let elapsed = started.elapsed();
    assert!(
        verdicts
            .iter()
            .all(|verdict| verdict.status == Status::Correct)
    );
    println!(
        "{calls} verifications on {workers} workers: {elapsed:?} = {:.1} verifications/s",
        calls as f64 / elapsed.as_secs_f64()
    );
}
