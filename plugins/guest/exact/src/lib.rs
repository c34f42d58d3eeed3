//! Built-in `exact` verifier: compares the final answer of a response with the task's reference,
//! numerically when both are numbers, else as normalised text.
//!
//! The checking logic is plain Rust ([`check`]) tested natively:
//! `cargo test --manifest-path plugins/guest/Cargo.toml`; `plugins/guest/build.sh` builds the
//! component.

mod answer;
mod byte_scan;
pub mod samples;

pub use answer::{check, extract_answer, parse_number};

use proctor_guest_sdk::{PluginInfo, Task, Verdict, Verifier, export_verifier};

/// The exported plugin.
pub struct Exact;

impl Verifier for Exact {
    fn info() -> PluginInfo {
        PluginInfo::new("exact", env!("CARGO_PKG_VERSION"), &["exact", "numeric"])
    }

    fn verify(task: Task, response: String) -> Verdict {
        check(task.reference.as_deref(), &response)
    }
}

export_verifier!(Exact);
