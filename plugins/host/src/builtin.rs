//! The table of plugins embedded in the binary, addressed by name (`builtin:NAME`).

use crate::config::{Limits, PluginConfig};

/// A plugin shipped inside the binary. Its bytes are a committed artifact rebuilt
/// reproducibly by `plugins/guest/build.sh` (CI rebuilds and compares).
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    /// Name used in `--plugin NAME` and `builtin:NAME`.
    pub name: &'static str,
    /// One-line description for listings.
    pub summary: &'static str,
    /// The component binary.
    pub wasm: &'static [u8],
    /// Limits the plugin is meant to run under when the caller sets none (`None`: the host's
    /// defaults, [`Limits::default`]).
    pub limits: Option<Limits>,
    /// The plugin's isolation needs a fresh instance per call: the host ignores a `reuse`
    /// setting for it (`code`: candidate programs run inside the instance and could leave
    /// anything behind for the next call).
    pub fresh_instance_per_call: bool,
}

impl Builtin {
    /// How this plugin runs unless the caller says otherwise.
    pub fn default_config(&self) -> PluginConfig {
        PluginConfig {
            limits: self.limits.unwrap_or_default(),
            ..PluginConfig::default()
        }
    }
}

/// Every built-in plugin. To add one: build its guest crate with `plugins/guest/build.sh`,
/// commit `plugins/builtin/NAME.wasm`, and add a row here.
pub static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "math",
        summary: "math answers: extraction, LaTeX parsing, exact equivalence (plugins/math)",
        wasm: include_bytes!("../../builtin/math.wasm"),
        limits: None,
        fresh_instance_per_call: false,
    },
    Builtin {
        name: "logic",
        summary: "26 logic-puzzle task families: seeded generators and verifiers (plugins/logic)",
        wasm: include_bytes!("../../builtin/logic.wasm"),
        limits: None,
        fresh_instance_per_call: false,
    },
    Builtin {
        name: "code",
        summary: "Python programs run against stdin/stdout or function-call tests in CPython-in-WASM (plugins/code)",
        wasm: include_bytes!("../../builtin/code.wasm"),
        // No fuel (the guest counts steps itself, deterministically, and fuel counting costs
        // CPython 15–25%: plugins/code/examples/bench.rs), a wall-clock backstop over its 20 M-step budget, and room for
        // CPython's heap (plugins/code/README.md, "Limits").
        limits: Some(Limits {
            fuel: None,
            timeout_ms: 30_000,
            memory_mib: 512,
        }),
        fresh_instance_per_call: true,
    },
    Builtin {
        name: "exact",
        summary: "exact-match or numeric-answer checker (example Rust guest)",
        wasm: include_bytes!("../../builtin/exact.wasm"),
        limits: None,
        fresh_instance_per_call: false,
    },
];

/// The built-in named `name`, if any.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|builtin| builtin.name == name)
}
