//! Differences between two resolved topologies: what a resume would silently change.

use crate::schema::Topology;
use serde_json::Value;

/// Keys a resumed run may change without altering what was trained so far.
pub const RESUMABLE_CHANGES: &[&str] = &["run.steps", "run.checkpoint_every", "run.eval_every"];

/// Dotted key paths whose values differ between `before` and `after`.
pub fn differences(before: &Topology, after: &Topology) -> Vec<String> {
    let (Ok(before), Ok(after)) = (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return vec!["<topology could not be serialised>".into()];
    };
    let mut keys = Vec::new();
    collect(&before, &after, "", &mut keys);
    keys
}

fn collect(before: &Value, after: &Value, path: &str, keys: &mut Vec<String>) {
    match (before, after) {
        (Value::Object(left), Value::Object(right)) => {
            let mut names: Vec<&String> = left.keys().chain(right.keys()).collect();
            names.sort();
            names.dedup();
            for name in names {
                let child = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                collect(
                    left.get(name).unwrap_or(&Value::Null),
                    right.get(name).unwrap_or(&Value::Null),
                    &child,
                    keys,
                );
            }
        }
        (left, right) if left != right => keys.push(path.to_string()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LoadOptions, parse_str};
    use std::path::Path;

    #[test]
    fn lists_exactly_the_changed_keys() {
        let text = "[run]\nname = \"a\"\nsteps = 3\n[model]\npath = \"builtin:tiny\"\n[data]\ntrain = \"t.jsonl\"\n";
        let options = LoadOptions {
            set: Vec::new(),
            env: Some(Vec::new()),
        };
        let before = parse_str(text, Path::new("a.toml"), &options).unwrap();
        let changed = LoadOptions {
            set: vec!["run.steps=9".into(), "learner.clip.high=0.4".into()],
            env: Some(Vec::new()),
        };
        let after = parse_str(text, Path::new("a.toml"), &changed).unwrap();
        assert_eq!(
            differences(&before, &after),
            vec!["learner.clip.high", "run.steps"]
        );
        assert!(differences(&before, &before).is_empty());
    }
}
