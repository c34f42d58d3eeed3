//! Plain serde types exchanged with callers of the host: tasks, verdicts, plugin descriptions.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// One task a response is checked against (mirrors WIT `types.task`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Stable identifier of the task.
    pub id: String,
    /// The prompt the model saw.
    pub prompt: String,
    /// The reference answer, when the task has one.
    #[serde(default)]
    pub reference: Option<String>,
    /// Task-specific data as JSON text. In JSON input it may be written either as a string
    /// holding JSON text or as any JSON value (which is stored as its compact text).
    #[serde(default = "empty_metadata", deserialize_with = "metadata_text")]
    pub metadata: String,
}

impl Task {
    /// A task with no reference and empty metadata (`{}`).
    pub fn new(id: impl Into<String>, prompt: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            prompt: prompt.into(),
            reference: None,
            metadata: empty_metadata(),
        }
    }

    /// The same task with `reference` as its reference answer.
    #[must_use]
    pub fn with_reference(mut self, reference: impl Into<String>) -> Self {
        self.reference = Some(reference.into());
        self
    }

    /// The same task with `metadata` (JSON text) as its metadata.
    #[must_use]
    pub fn with_metadata(mut self, metadata: impl Into<String>) -> Self {
        self.metadata = metadata.into();
        self
    }
}

fn empty_metadata() -> String {
    "{}".to_owned()
}

fn metadata_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(text) => Ok(text),
        serde_json::Value::Null => Ok(empty_metadata()),
        other => Ok(other.to_string()),
    }
}

/// Why a verdict has its score: the guest's own statuses, then the host's fault statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// The response solves the task (guest status).
    Correct,
    /// The response is a well-formed wrong answer (guest status).
    Incorrect,
    /// The response is partly right (guest status).
    Partial,
    /// No answer could be extracted from the response (guest status).
    Unparsable,
    /// The task is malformed for this plugin (guest status).
    InvalidTask,
    /// The guest ran out of fuel or past its wall-clock deadline (host status).
    Timeout,
    /// The guest trapped: `unreachable`, a panic, a bad memory access (host status).
    Trap,
    /// The guest tried to grow its memory past the cap (host status).
    MemoryLimit,
    /// The guest returned something the contract forbids: score NaN or outside [0, 1],
    /// an oversized or out-of-bounds string, a bad enum value (host status).
    InvalidOutput,
}

impl Status {
    /// Every status, guest statuses first.
    pub const ALL: [Status; 9] = [
        Status::Correct,
        Status::Incorrect,
        Status::Partial,
        Status::Unparsable,
        Status::InvalidTask,
        Status::Timeout,
        Status::Trap,
        Status::MemoryLimit,
        Status::InvalidOutput,
    ];

    /// True for the statuses the host assigns when a guest misbehaves.
    pub fn is_fault(self) -> bool {
        matches!(
            self,
            Status::Timeout | Status::Trap | Status::MemoryLimit | Status::InvalidOutput
        )
    }

    /// The kebab-case name used in JSON and in the WIT enum.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Correct => "correct",
            Status::Incorrect => "incorrect",
            Status::Partial => "partial",
            Status::Unparsable => "unparsable",
            Status::InvalidTask => "invalid-task",
            Status::Timeout => "timeout",
            Status::Trap => "trap",
            Status::MemoryLimit => "memory-limit",
            Status::InvalidOutput => "invalid-output",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The reward for one response; serialises as `{"score":…, "status":…, "detail":…}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// Reward in [0, 1]; always 0 for fault statuses.
    pub score: f64,
    /// Why the score is what it is.
    pub status: Status,
    /// Human-readable explanation from the guest, or the host's reason for a fault.
    pub detail: String,
}

impl Verdict {
    /// A fault verdict (score 0) assigned by the host.
    pub fn fault(status: Status, detail: impl Into<String>) -> Self {
        Self {
            score: 0.0,
            status,
            detail: detail.into(),
        }
    }
}

/// Which WIT world a plugin implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum World {
    /// Exports `info` and `verify`.
    Verifier,
    /// Exports `info`, `verify` and `generate`.
    Environment,
}

impl World {
    /// The world's WIT name.
    pub fn as_str(self) -> &'static str {
        match self {
            World::Verifier => "verifier",
            World::Environment => "environment",
        }
    }
}

impl fmt::Display for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a loaded plugin says about itself plus what the host found out while loading it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PluginInfo {
    /// Name reported by the plugin's `info()`.
    pub name: String,
    /// Version reported by the plugin's `info()`.
    pub version: String,
    /// Task kinds reported by the plugin's `info()`.
    pub kinds: Vec<String>,
    /// World the component exports.
    pub world: World,
    /// WIT package version the component imports, e.g. `proctor:verifier@0.1.0` (served by the
    /// host's ABI for that major.minor).
    pub package: String,
    /// Whether the component imports WASI (served with nothing granted).
    pub uses_wasi: bool,
}
