//! `proctor env bench`: how fast an environment plugin generates and verifies, per kind, inside
//! wasmtime on one core (fresh instance per call, limits on, as in a training run).

use super::Failure;
use crate::cli::EnvBenchArgs;
use anyhow::anyhow;
use proctor_plugin_host::{Plugin, Task};
use std::process::ExitCode;
use std::time::Instant;

/// Prints one JSON line per kind: generated/s, verified/s, and the fraction of reference answers
/// the plugin's own verifier accepted (anything below 1 is a plugin bug worth a look).
pub fn run(args: &EnvBenchArgs) -> Result<ExitCode, Failure> {
    let plugin = super::plugins::load(&args.plugin)?;
    let kinds = if args.kind.is_empty() {
        plugin.info().kinds.clone()
    } else {
        args.kind.clone()
    };
    let offered = &plugin.info().kinds;
    if let Some(kind) = kinds.iter().find(|kind| !offered.contains(kind)) {
        return Err(Failure::usage(anyhow!(
            "{} does not offer the kind `{kind}` (it offers: {})",
            plugin.label(),
            offered.join(", ")
        )));
    }
    if kinds.is_empty() {
        return Err(Failure::usage(anyhow!(
            "{} offers no task kinds to measure",
            plugin.label()
        )));
    }
    for kind in &kinds {
        // Every call on one plugin-stack thread (a call from `main` would start one per call).
        let (generated_per_s, verified_per_s, verified, accepted) =
            proctor_plugin_host::with_plugin_stack(|| measure(&plugin, kind, args))?;
        let line = serde_json::json!({
            "kind": kind,
            "difficulty": args.difficulty,
            "generated_per_s": generated_per_s.round(),
            "verified_per_s": verified_per_s.round(),
            "reference_accepted": accepted as f64 / verified as f64,
        });
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Tasks of `kind` generated per second, verifications per second, and how many verifications
/// ran and accepted the reference answer, each loop running for `args.seconds`.
fn measure(
    plugin: &Plugin,
    kind: &str,
    args: &EnvBenchArgs,
) -> Result<(f64, f64, usize, usize), Failure> {
    let mut tasks: Vec<Task> = Vec::new();
    let started = Instant::now();
    let mut seed = 0u64;
    while started.elapsed().as_secs_f64() < args.seconds || tasks.is_empty() {
        let task = plugin
            .generate(kind, seed, args.difficulty)
            .map_err(Failure::failed)?;
        tasks.push(task);
        seed += 1;
    }
    let generated_per_s = tasks.len() as f64 / started.elapsed().as_secs_f64();

    let responses: Vec<String> = tasks
        .iter()
        .map(|task| {
            format!(
                "<answer>{}</answer>",
                task.reference.as_deref().unwrap_or("")
            )
        })
        .collect();
    let started = Instant::now();
    let (mut verified, mut accepted) = (0usize, 0usize);
    while started.elapsed().as_secs_f64() < args.seconds || verified == 0 {
        let index = verified % tasks.len();
        let verdict = plugin.verify(&tasks[index], &responses[index]);
        accepted += usize::from(verdict.score >= 1.0);
        verified += 1;
    }
    let verified_per_s = verified as f64 / started.elapsed().as_secs_f64();
    Ok((generated_per_s, verified_per_s, verified, accepted))
}
