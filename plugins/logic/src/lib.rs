//! proctor-logic: seeded logic-puzzle task families with generators and verifiers.
//!
//! Each family (knights and knaves, zebra puzzles, countdown, sudoku, ...) can
//! [`generate`] an unlimited stream of tasks, deterministic in `(kind, seed,
//! difficulty)`, and [`verify`] any response against a task's metadata. The
//! metadata JSON carries everything a verifier needs, so verification never
//! re-runs a generator. Verifiers accept any valid solution (another countdown
//! expression, another queens placement, another colouring), give partial credit
//! where it is meaningful and report malformed answers as
//! [`LogicStatus::Unparsable`] with the reason.
//!
//! The crate is plain Rust with no threads, clocks or I/O so it builds for
//! `wasm32-unknown-unknown`; its PRNG (SplitMix64, `src/rng.rs`) is written here
//! so task bytes stay stable across dependency upgrades. Family names follow
//! Reasoning Gym's dataset names where the two overlap.

mod answer;
mod expr;
mod families;
mod grid;
mod rng;

use serde_json::{Map, Value};

/// One generated task: what the policy sees plus what the verifier needs.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedTask {
    /// Stable identifier: `kind/difficulty/seed`.
    pub id: String,
    /// The task text, including the exact answer format and the `<answer>` tag instruction.
    pub prompt: String,
    /// One correct answer (verifiers accept any valid one).
    pub reference: Option<String>,
    /// JSON object text with `kind`, `seed`, `difficulty` and the family's puzzle data.
    pub metadata: String,
}

/// Outcome class of a verification, mirroring the WIT verdict status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogicStatus {
    /// Fully correct (score 1.0).
    Correct,
    /// Parsed but wrong (score 0.0).
    Incorrect,
    /// Parsed and partly right (0 < score < 1).
    Partial,
    /// The answer could not be read; `detail` says why.
    Unparsable,
    /// The task metadata itself is malformed or of an unknown kind.
    InvalidTask,
}

/// A verifier's judgement of one response.
#[derive(Debug, Clone, PartialEq)]
pub struct LogicVerdict {
    /// Reward in `[0, 1]`.
    pub score: f64,
    /// Outcome class.
    pub status: LogicStatus,
    /// Human-readable reason (what was wrong, or what was checked).
    pub detail: String,
}

impl LogicVerdict {
    pub(crate) fn correct(detail: impl Into<String>) -> Self {
        Self {
            score: 1.0,
            status: LogicStatus::Correct,
            detail: detail.into(),
        }
    }
    pub(crate) fn incorrect(detail: impl Into<String>) -> Self {
        Self {
            score: 0.0,
            status: LogicStatus::Incorrect,
            detail: detail.into(),
        }
    }
    pub(crate) fn unparsable(detail: impl Into<String>) -> Self {
        Self {
            score: 0.0,
            status: LogicStatus::Unparsable,
            detail: detail.into(),
        }
    }
    pub(crate) fn invalid_task(detail: impl Into<String>) -> Self {
        Self {
            score: 0.0,
            status: LogicStatus::InvalidTask,
            detail: detail.into(),
        }
    }
    /// Partial credit: `fraction` of 1 maps to correct, 0 to incorrect, else partial.
    pub(crate) fn partial(fraction: f64, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        if !fraction.is_finite() || fraction <= 0.0 {
            Self::incorrect(detail)
        } else if fraction >= 1.0 {
            Self::correct(detail)
        } else {
            Self {
                score: fraction,
                status: LogicStatus::Partial,
                detail,
            }
        }
    }
}

/// The task kinds this crate can generate and verify, in a stable order.
pub fn kinds() -> &'static [&'static str] {
    families::KIND_NAMES
}

/// Generates one task of `kind`, deterministic in `(kind, seed, difficulty)`.
///
/// Difficulty 0 is the easiest; each family scales size or search depth with it
/// and clamps at its own maximum (see the README). Every task is solvable and,
/// where the family needs it, has a unique solution (checked by the family's solver).
pub fn generate(kind: &str, seed: u64, difficulty: u32) -> Result<GeneratedTask, String> {
    let family = families::find(kind).ok_or_else(|| format!("unknown task kind `{kind}`"))?;
    let mut rng = rng::Rng::for_task(kind, seed, difficulty);
    // Every family saturates well below 100; clamping keeps its size arithmetic in range.
    let generated = (family.generate)(&mut rng, difficulty.min(100))?;
    let mut metadata = match generated.meta {
        Value::Object(map) => map,
        _ => return Err(format!("family `{kind}` produced non-object metadata")),
    };
    let mut head = Map::new();
    head.insert("kind".into(), Value::from(kind));
    head.insert("seed".into(), Value::from(seed));
    head.insert("difficulty".into(), Value::from(difficulty));
    head.append(&mut metadata);
    let prompt = format!(
        "{}\n\nThink it through, then give only your final answer inside <answer></answer> tags, for example <answer>{}</answer>.",
        generated.prompt.trim_end(),
        generated.format_example
    );
    let mut metadata = String::new();
    canonical_json(&Value::Object(head), &mut metadata);
    Ok(GeneratedTask {
        id: format!("{kind}/{difficulty}/{seed}"),
        prompt,
        reference: Some(generated.reference),
        metadata,
    })
}

/// Writes `value` as compact JSON with object keys sorted, so the metadata bytes do not
/// depend on whether some other crate enables serde_json's `preserve_order` feature.
fn canonical_json(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (idx, key) in keys.into_iter().enumerate() {
                if idx > 0 {
                    out.push(',');
                }
                out.push_str(&Value::from(key.as_str()).to_string());
                out.push(':');
                canonical_json(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (idx, item) in items.iter().enumerate() {
                if idx > 0 {
                    out.push(',');
                }
                canonical_json(item, out);
            }
            out.push(']');
        }
        leaf => out.push_str(&leaf.to_string()),
    }
}

/// Verifies `response` for a task described by `metadata_json` (as produced by [`generate`]).
///
/// Dispatches on the metadata's `kind` (or Reasoning Gym's `source_dataset`). The answer is
/// the text of the last `<answer>…</answer>` block, or the whole response when it has none.
/// The metadata alone decides; only when it lacks the family's puzzle data (as with tasks
/// imported from another library) is the answer compared with `reference` instead.
/// Never panics; unusable metadata gives [`LogicStatus::InvalidTask`].
pub fn verify(
    _prompt: &str,
    reference: Option<&str>,
    metadata_json: &str,
    response: &str,
) -> LogicVerdict {
    let mut metadata: Value = match serde_json::from_str(metadata_json) {
        Ok(value) => value,
        Err(err) => return LogicVerdict::invalid_task(format!("metadata is not JSON: {err}")),
    };
    let kind = metadata
        .get("kind")
        .or_else(|| metadata.get("source_dataset"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let Some(kind) = kind else {
        return LogicVerdict::invalid_task("metadata has no string `kind`");
    };
    let Some(family) = families::find(&kind) else {
        return LogicVerdict::invalid_task(format!("unknown task kind `{kind}`"));
    };
    // Imported tasks (no `kind`) may need the reference as puzzle data, e.g. an expected grid.
    if let (Some(reference), Value::Object(map)) = (reference, &mut metadata)
        && !map.contains_key("kind")
        && !map.contains_key("reference")
    {
        map.insert("reference".into(), Value::from(reference));
    }
    let answer = answer::extract(response);
    if answer.trim().is_empty() {
        return LogicVerdict::unparsable("empty answer");
    }
    let verdict = (family.verify)(&metadata, answer);
    match reference {
        Some(reference)
            if verdict.status == LogicStatus::InvalidTask && !reference.trim().is_empty() =>
        {
            answer::compare_with_reference(answer, reference, &verdict.detail)
        }
        _ => verdict,
    }
}
