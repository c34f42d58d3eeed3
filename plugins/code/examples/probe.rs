//! Run one response through a code-verifier component and print the verdict (for probing).
//!
//! Run: `cargo run -p proctor-code --example probe -- PLUGIN.wasm METADATA.json RESPONSE.txt`

use proctor_plugin_host::{
    HostConfig, Limits, PluginConfig, PluginHost, PluginSource, Task, with_plugin_stack,
};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [plugin, metadata, response] = args.as_slice() else {
        eprintln!("usage: probe PLUGIN.wasm METADATA.json RESPONSE.txt");
        std::process::exit(2);
    };
    let defaults = HostConfig::default();
    let host = PluginHost::new(HostConfig {
        consume_fuel: std::env::var_os("FUEL").is_some(),
        // WASM_STACK=bytes overrides the wasm stack limit (to measure what recursion needs).
        max_wasm_stack: std::env::var("WASM_STACK")
            .ok()
            .and_then(|text| text.parse().ok())
            .unwrap_or(defaults.max_wasm_stack),
        ..defaults
    })
    .expect("host");
    let config = PluginConfig {
        limits: Limits {
            fuel: None,
            timeout_ms: 20_000,
            memory_mib: 512,
        },
        ..PluginConfig::default()
    };
    let plugin = host
        .load_with(&PluginSource::parse(plugin), config)
        .expect("load");
    eprintln!("load: {:?}", plugin.load_report());
    let metadata = std::fs::read_to_string(metadata).expect("metadata");
    let response = std::fs::read_to_string(response).expect("response");
    let task = Task::new("probe", "probe").with_metadata(metadata);
    let started = std::time::Instant::now();
    let verdict = with_plugin_stack(|| plugin.verify(&task, &response));
    eprintln!("verify took {:?}", started.elapsed());
    println!(
        "{}",
        serde_json::to_string(&verdict).expect("verdict serialises")
    );
}
