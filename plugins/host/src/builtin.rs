//! The table of plugins embedded in the binary, addressed by name (`builtin:NAME`).

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
}

/// Every built-in plugin. To add one: build its guest crate with `plugins/guest/build.sh`,
/// commit `plugins/builtin/NAME.wasm`, and add a row here.
pub static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "math",
        summary: "math answers: extraction, LaTeX parsing, exact equivalence (plugins/math)",
        wasm: include_bytes!("../../builtin/math.wasm"),
    },
    Builtin {
        name: "logic",
        summary: "26 logic-puzzle task families: seeded generators and verifiers (plugins/logic)",
        wasm: include_bytes!("../../builtin/logic.wasm"),
    },
    Builtin {
        name: "code",
        summary: "Python programs run against stdin/stdout or function-call tests in CPython-in-WASM (plugins/code)",
        wasm: include_bytes!("../../builtin/code.wasm"),
    },
    Builtin {
        name: "exact",
        summary: "exact-match or numeric-answer checker (example Rust guest)",
        wasm: include_bytes!("../../builtin/exact.wasm"),
    },
];

/// The built-in named `name`, if any.
pub fn builtin(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|builtin| builtin.name == name)
}
