//! Built-in `logic` environment: the `proctor-logic` puzzle families (seeded generators and
//! verifiers) exported through the guest SDK as world `environment`. All logic and its tests
//! live in `plugins/logic`; this crate maps its types onto the WIT ones.

use proctor_guest_sdk::{Environment, PluginInfo, Task, Verdict, export_environment};
use proctor_logic::LogicStatus;

/// The exported plugin.
pub struct Logic;

impl Environment for Logic {
    fn info() -> PluginInfo {
        PluginInfo::new("logic", env!("CARGO_PKG_VERSION"), proctor_logic::kinds())
    }

    fn verify(task: Task, response: String) -> Verdict {
        let verdict = proctor_logic::verify(
            &task.prompt,
            task.reference.as_deref(),
            &task.metadata,
            &response,
        );
        match verdict.status {
            LogicStatus::Correct => Verdict::correct(verdict.detail),
            LogicStatus::Incorrect => Verdict::incorrect(verdict.detail),
            LogicStatus::Partial => Verdict::partial(verdict.score, verdict.detail),
            LogicStatus::Unparsable => Verdict::unparsable(verdict.detail),
            LogicStatus::InvalidTask => Verdict::invalid_task(verdict.detail),
        }
    }

    fn generate(kind: String, seed: u64, difficulty: u32) -> Result<Task, String> {
        let generated = proctor_logic::generate(&kind, seed, difficulty)?;
        Ok(Task {
            id: generated.id,
            prompt: generated.prompt,
            reference: generated.reference,
            metadata: generated.metadata,
        })
    }
}

export_environment!(Logic);
