//! The `proctor` command line: a thin layer over the library crates.
//!
//! Exit codes: 0 success, 1 a run or command failed, 2 bad usage or an invalid topology,
//! 130 a run stopped by Ctrl-C (resumable).

mod cli;
mod commands;
mod environment;
mod progress;
mod report;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_tracing();
    let result = match cli.command {
        cli::Command::Validate(args) => commands::validate::run(&args),
        cli::Command::Run(args) => commands::run::run(&args),
        cli::Command::Demo(args) => commands::demo::run(&args),
        cli::Command::Generate(args) => commands::generate::run(&args),
        cli::Command::Verify(args) => commands::plugins::verify(&args),
        cli::Command::Plugin(cli::PluginCommand::Check(args)) => commands::plugins::check(&args),
        cli::Command::Plugin(cli::PluginCommand::New(args)) => commands::plugin_dev::new(&args),
        cli::Command::Plugin(cli::PluginCommand::Build(args)) => commands::plugin_dev::build(&args),
        cli::Command::Env(cli::EnvCommand::Generate(args)) => commands::plugins::generate(&args),
        cli::Command::Env(cli::EnvCommand::Bench(args)) => commands::env_bench::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("error: {:#}", failure.error);
            ExitCode::from(failure.exit_code)
        }
    }
}

/// Logs to stderr, filtered by `RUST_LOG` (default: the info messages of proctor and its plugin
/// host, everyone's warnings); colours only on a terminal, so redirected logs stay plain text.
fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("warn,proctor=info,proctor_plugin_host=info")
    });
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}
