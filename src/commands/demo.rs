//! `proctor demo`: the embedded demo topology and data (the same files as `examples/demo.toml`),
//! installed into the cache directory and run like `proctor run`.

use super::Failure;
use crate::cli::DemoArgs;
use anyhow::Context;
use proctor_topology::LoadOptions;
use std::path::PathBuf;
use std::process::ExitCode;

/// The demo's files, relative to the folder that holds `demo.toml`.
const FILES: &[(&str, &str)] = &[
    ("demo.toml", include_str!("../../examples/demo.toml")),
    (
        "data/demo-warm-start.jsonl",
        include_str!("../../examples/data/demo-warm-start.jsonl"),
    ),
    (
        "data/demo-train.jsonl",
        include_str!("../../examples/data/demo-train.jsonl"),
    ),
    (
        "data/demo-eval.jsonl",
        include_str!("../../examples/data/demo-eval.jsonl"),
    ),
];

/// Installs the demo files (content-addressed, so concurrent and repeated demos agree) and
/// returns the path of `demo.toml`.
fn install() -> anyhow::Result<PathBuf> {
    let mut hasher = crc32fast::Hasher::new();
    for (name, text) in FILES {
        hasher.update(name.as_bytes());
        hasher.update(text.as_bytes());
    }
    let base = proctor_plugin_host::default_cache_dir()
        .and_then(|plugins| plugins.parent().map(std::path::Path::to_path_buf))
        .unwrap_or_else(std::env::temp_dir)
        .join(format!("demo-{:08x}", hasher.finalize()));
    for (name, text) in FILES {
        let path = base.join(name);
        if std::fs::read_to_string(&path).is_ok_and(|existing| existing == *text) {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        let temporary = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&temporary, text)
            .with_context(|| format!("cannot write {}", temporary.display()))?;
        std::fs::rename(&temporary, &path)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(base.join("demo.toml"))
}

/// Runs (or resumes) the demo into `--out`.
pub fn run(args: &DemoArgs) -> Result<ExitCode, Failure> {
    let topology_path = install().map_err(Failure::failed)?;
    let mut set = vec![format!("run.out={:?}", args.out.display().to_string())];
    set.extend(args.set.iter().cloned());
    let options = LoadOptions { set, env: None };
    let loaded = proctor_topology::load(
        &topology_path,
        &options,
        &crate::environment::validation_context(),
    )
    .map_err(Failure::usage)?;
    eprintln!(
        "proctor demo: SFT warm-start of builtin:tiny, then GRPO with the built-in math verifier \
         (topology: {})",
        topology_path.display()
    );
    super::run::run_topology(
        &loaded.topology,
        args.resume.then_some(args.out.as_path()),
        args.force,
    )
}
