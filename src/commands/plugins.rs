//! `proctor verify`, `proctor plugin check`, `proctor env generate`: the plugin host from the shell.

use super::Failure;
use crate::cli::{EnvGenerateArgs, PluginCheckArgs, VerifyArgs};
use anyhow::{Context, anyhow};
use proctor_plugin_host::{HostConfig, Plugin, PluginHost, PluginSource, Task, VerifierPool};
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::ExitCode;

pub(crate) fn load(reference: &str) -> Result<Plugin, Failure> {
    let host = PluginHost::new(HostConfig::default())
        .context("cannot start the plugin host")
        .map_err(Failure::failed)?;
    host.load(&PluginSource::parse(reference))
        .map_err(Failure::usage)
}

/// Prints one verdict as JSON (exit 0 whatever the verdict), or one per line of `--batch`.
pub fn verify(args: &VerifyArgs) -> Result<ExitCode, Failure> {
    let plugin = load(&args.plugin)?;
    match (&args.batch, &args.task, &args.response) {
        (Some(batch), None, None) => verify_batch(&plugin, batch),
        (None, Some(task), Some(response)) => {
            let text = std::fs::read_to_string(task)
                .with_context(|| format!("cannot read task file {}", task.display()))
                .map_err(Failure::usage)?;
            let task: Task = serde_json::from_str(&text)
                .with_context(|| format!("{}: not a task (expected {{\"id\", \"prompt\", \"reference\", \"metadata\"}})", args.task.as_ref().map_or(String::new(), |p| p.display().to_string())))
                .map_err(Failure::usage)?;
            // On a thread with the native stack guest frames may need (not `main`'s 8 MiB).
            let verdict = proctor_plugin_host::with_plugin_stack(|| plugin.verify(&task, response));
            println!(
                "{}",
                serde_json::to_string(&verdict).map_err(Failure::failed)?
            );
            Ok(ExitCode::SUCCESS)
        }
        _ => Err(Failure::usage(anyhow!(
            "give --task FILE and --response TEXT, or --batch FILE.jsonl"
        ))),
    }
}

/// Verifies `{"task": {…}, "response": "…"}` lines on all cores, printing verdicts in input order.
fn verify_batch(plugin: &Plugin, batch: &Path) -> Result<ExitCode, Failure> {
    #[derive(serde::Deserialize)]
    struct Item {
        task: Task,
        response: String,
    }
    let file = std::fs::File::open(batch)
        .with_context(|| format!("cannot read {}", batch.display()))
        .map_err(Failure::usage)?;
    let mut items = Vec::new();
    for (index, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line
            .with_context(|| format!("cannot read {}", batch.display()))
            .map_err(Failure::usage)?;
        if line.trim().is_empty() {
            continue;
        }
        let item: Item = serde_json::from_str(&line)
            .with_context(|| {
                format!(
                    "{}:{}: expected {{\"task\": {{…}}, \"response\": \"…\"}}",
                    batch.display(),
                    index + 1
                )
            })
            .map_err(Failure::usage)?;
        items.push((item.task, item.response));
    }
    let workers = std::thread::available_parallelism().map_or(2, |count| count.get());
    let pool = VerifierPool::new(workers)
        .context("cannot start verifier workers")
        .map_err(Failure::failed)?;
    let verdicts = pool.verify_batch(plugin, items);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for verdict in verdicts {
        let line = serde_json::to_string(&verdict).map_err(Failure::failed)?;
        writeln!(out, "{line}").map_err(Failure::failed)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints what a plugin is; exit 2 with the reason when it is not a usable proctor plugin.
pub fn check(args: &PluginCheckArgs) -> Result<ExitCode, Failure> {
    let plugin = load(&args.plugin)?;
    let info = plugin.info();
    if args.json {
        let value = serde_json::json!({
            "name": info.name,
            "version": info.version,
            "world": info.world,
            "package": info.package,
            "kinds": info.kinds,
        });
        println!("{value}");
    } else {
        println!("name     {}", info.name);
        println!("version  {}", info.version);
        println!("world    {}", info.world.as_str());
        println!("package  {}", info.package);
        println!("kinds    {}", info.kinds.join(", "));
        println!(
            "wasi     {}",
            if info.uses_wasi {
                "imported (served with nothing granted)"
            } else {
                "not imported"
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints a generated task as JSON.
pub fn generate(args: &EnvGenerateArgs) -> Result<ExitCode, Failure> {
    let plugin = load(&args.plugin)?;
    let task = proctor_plugin_host::with_plugin_stack(|| {
        plugin.generate(&args.kind, args.seed, args.difficulty)
    })
    .with_context(|| {
        format!(
            "{} could not generate a `{}` task",
            plugin.label(),
            args.kind
        )
    })
    .map_err(Failure::failed)?;
    println!("{}", serde_json::to_string(&task).map_err(Failure::failed)?);
    Ok(ExitCode::SUCCESS)
}
