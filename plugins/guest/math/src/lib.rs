//! Built-in `math` verifier: the `proctor-math` library (extraction, LaTeX parsing, exact
//! equivalence) exported through the guest SDK. All checking logic and its tests live in
//! `plugins/math`; this crate only maps its verdict onto the WIT one.

use proctor_guest_sdk::{PluginInfo, Task, Verdict, Verifier, export_verifier};
use proctor_math::MathStatus;

/// The exported plugin.
pub struct Math;

impl Verifier for Math {
    fn info() -> PluginInfo {
        PluginInfo::new("math", env!("CARGO_PKG_VERSION"), &["math"])
    }

    fn verify(task: Task, response: String) -> Verdict {
        let Some(gold) = task.reference.as_deref() else {
            return Verdict::invalid_task("the task has no reference answer to compare with");
        };
        let verdict = proctor_math::verify(gold, &response, &task.metadata);
        match verdict.status {
            MathStatus::Correct => Verdict::correct(verdict.detail),
            MathStatus::Incorrect => Verdict::incorrect(verdict.detail),
            MathStatus::Unparsable => Verdict::unparsable(verdict.detail),
            MathStatus::InvalidTask => Verdict::invalid_task(verdict.detail),
        }
    }
}

export_verifier!(Math);
