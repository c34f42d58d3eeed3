//! Load a plugin, print its info as JSON, and optionally verify one response with it.
//! Shows the public API the CLI uses; handy for checking guests built in any language.
//!
//! Run: `cargo run -p proctor-plugin-host --example check -- PLUGIN [REFERENCE RESPONSE]`
//! (PLUGIN is `builtin:NAME` or a path to a component).

use proctor_plugin_host::{HostConfig, PluginHost, PluginSource, Task};

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(reference) = args.first() else {
        eprintln!("usage: check PLUGIN [REFERENCE RESPONSE]");
        return std::process::ExitCode::from(2);
    };
    let host = match PluginHost::new(HostConfig::default()) {
        Ok(host) => host,
        Err(error) => {
            eprintln!("error: {error}");
            return std::process::ExitCode::from(1);
        }
    };
    let plugin = match host.load(&PluginSource::parse(reference)) {
        Ok(plugin) => plugin,
        Err(error) => {
            eprintln!("error: {error}");
            return std::process::ExitCode::from(2);
        }
    };
    let report = plugin.load_report();
    println!(
        "{}",
        serde_json::to_string(plugin.info()).expect("plugin info serialises")
    );
    eprintln!(
        "load: {:?} in {:?} (total {:?})",
        report.cache, report.compile_or_load, report.total
    );
    if let [_, reference, response] = args.as_slice() {
        let task = Task::new("example", "example prompt").with_reference(reference.as_str());
        let started = std::time::Instant::now();
        let verdict = plugin.verify(&task, response);
        eprintln!("verify took {:?}", started.elapsed());
        println!(
            "{}",
            serde_json::to_string(&verdict).expect("verdict serialises")
        );
    }
    std::process::ExitCode::SUCCESS
}
