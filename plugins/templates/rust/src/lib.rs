//! {{name}}: a proctor verifier plugin (WIT world `verifier` of `proctor:verifier@0.1.0`).
//! Build: `proctor plugin build .`; check: `proctor plugin check {{name}}.wasm`.

wit_bindgen::generate!({ path: "wit", world: "verifier" });

use proctor::verifier::types::Status;

struct Plugin;

impl Guest for Plugin {
    fn info() -> PluginInfo {
        PluginInfo {
            name: "{{name}}".into(),
            version: "0.1.0".into(),
            kinds: vec!["exact".into()],
        }
    }

    /// Exact match of the trimmed response against the reference answer; replace with your check.
    fn verify(task: Task, response: String) -> Verdict {
        let Some(reference) = task.reference else {
            return verdict(0.0, Status::InvalidTask, "task has no reference answer");
        };
        if response.trim().is_empty() {
            verdict(0.0, Status::Unparsable, "empty response")
        } else if response.trim() == reference.trim() {
            verdict(1.0, Status::Correct, "matches the reference")
        } else {
            verdict(0.0, Status::Incorrect, "does not match the reference")
        }
    }
}

fn verdict(score: f64, status: Status, detail: &str) -> Verdict {
    Verdict {
        score,
        status,
        detail: detail.into(),
    }
}

export!(Plugin);
