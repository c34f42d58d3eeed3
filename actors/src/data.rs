//! Prompt data: JSONL datasets read into [`PromptTask`]s and a seeded, resumable cursor over them.
//!
//! A line is a JSON object with the prompt under `prompt_key`, an optional reference answer under
//! `answer_key`, and any other keys, which travel to the verifier as the task's metadata.

use proctor_runtime::messages::PromptTask;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// Why a dataset could not be read; names the file and line.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The file could not be read.
    #[error("cannot read dataset {path}: {source}")]
    Io {
        /// The dataset file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line is not what the dataset format requires.
    #[error("{path}:{line}: {message}")]
    Line {
        /// The dataset file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        message: String,
    },
    /// The file holds no task.
    #[error("dataset {0} has no tasks (expected one JSON object per line)")]
    Empty(PathBuf),
}

/// Which keys of a line hold the prompt and the reference answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataKeys {
    /// Key of the prompt text.
    pub prompt: String,
    /// Key of the reference answer (optional in each line).
    pub answer: String,
}

/// Whether each line must carry a reference answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answers {
    /// Supervised pairs: the answer is the target response.
    Required,
    /// Prompts for sampling: the verifier may need no reference.
    Optional,
}

/// Reads every task of a JSONL dataset; task ids are `FILE_STEM:LINE`.
pub fn read_tasks(
    path: &Path,
    keys: &DataKeys,
    answers: Answers,
) -> Result<Vec<PromptTask>, DataError> {
    let text = std::fs::read_to_string(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let stem = path.file_stem().map_or_else(
        || "data".to_string(),
        |stem| stem.to_string_lossy().into_owned(),
    );
    let mut tasks = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |message: String| DataError::Line {
            path: path.to_path_buf(),
            line: index + 1,
            message,
        };
        let value: Value =
            serde_json::from_str(line).map_err(|error| bad(format!("not JSON: {error}")))?;
        let Value::Object(mut fields) = value else {
            return Err(bad("expected a JSON object".into()));
        };
        let prompt = match fields.remove(&keys.prompt) {
            Some(Value::String(prompt)) if !prompt.trim().is_empty() => prompt,
            Some(Value::String(_)) => return Err(bad(format!("\"{}\" is empty", keys.prompt))),
            Some(other) => {
                return Err(bad(format!(
                    "\"{}\" must be a string, found {other}",
                    keys.prompt
                )));
            }
            None => return Err(bad(format!("no \"{}\" key", keys.prompt))),
        };
        let reference = match fields.remove(&keys.answer) {
            None | Some(Value::Null) if answers == Answers::Required => {
                return Err(bad(format!(
                    "no \"{}\" key: supervised pairs need an answer (the target response)",
                    keys.answer
                )));
            }
            None | Some(Value::Null) => None,
            Some(Value::String(answer)) => Some(answer),
            Some(number @ Value::Number(_)) => Some(number.to_string()),
            Some(other) => {
                return Err(bad(format!(
                    "\"{}\" must be a string or a number, found {other}",
                    keys.answer
                )));
            }
        };
        tasks.push(PromptTask {
            id: format!("{stem}:{}", index + 1),
            prompt,
            reference,
            metadata: Value::Object(Map::from_iter(fields)).to_string(),
        });
    }
    if tasks.is_empty() {
        return Err(DataError::Empty(path.to_path_buf()));
    }
    Ok(tasks)
}

/// Walks a dataset epoch after epoch, reshuffled each epoch by a seeded permutation.
/// Its whole state is `position` (tasks drawn so far), so a checkpoint restores it exactly.
#[derive(Debug, Clone)]
pub struct DataCursor {
    tasks: Vec<PromptTask>,
    shuffle: bool,
    seed: u64,
    position: u64,
    order: Vec<usize>,
    order_epoch: Option<u64>,
}

impl DataCursor {
    /// A cursor at the start of `tasks` (non-empty).
    pub fn new(tasks: Vec<PromptTask>, shuffle: bool, seed: u64) -> Self {
        DataCursor {
            tasks,
            shuffle,
            seed,
            position: 0,
            order: Vec::new(),
            order_epoch: None,
        }
    }

    /// Tasks drawn so far (over all epochs).
    pub fn position(&self) -> u64 {
        self.position
    }

    /// Moves to `position` (e.g. the one saved in a checkpoint).
    pub fn seek(&mut self, position: u64) {
        self.position = position;
    }

    /// The next `count` tasks.
    pub fn next_batch(&mut self, count: usize) -> Vec<PromptTask> {
        (0..count).map(|_| self.next_task()).collect()
    }

    fn next_task(&mut self) -> PromptTask {
        let len = self.tasks.len() as u64;
        let epoch = self.position / len;
        if self.order_epoch != Some(epoch) {
            self.order = (0..self.tasks.len()).collect();
            if self.shuffle {
                permute(&mut self.order, self.seed ^ epoch.wrapping_mul(0x9E37_79B9));
            }
            self.order_epoch = Some(epoch);
        }
        let index = self.order[(self.position % len) as usize];
        self.position += 1;
        self.tasks[index].clone()
    }
}

/// Fisher-Yates driven by SplitMix64: a permutation fixed by `seed` on every platform.
pub fn permute<T>(items: &mut [T], seed: u64) {
    let mut state = seed;
    for i in (1..items.len()).rev() {
        let j = (splitmix64(&mut state) % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// One step of SplitMix64.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> DataKeys {
        DataKeys {
            prompt: "prompt".into(),
            answer: "answer".into(),
        }
    }

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("train.jsonl");
        std::fs::write(&path, text).unwrap();
        (folder, path)
    }

    #[test]
    fn lines_become_tasks_with_the_other_keys_as_metadata() {
        let (_folder, path) = write(
            "{\"prompt\": \"What is 2 + 2?\", \"answer\": 4, \"level\": 1}\n\n{\"prompt\": \"Hi\"}\n",
        );
        let tasks = read_tasks(&path, &keys(), Answers::Optional).unwrap();
        assert_eq!(tasks.len(), 2);
        assert_eq!(tasks[0].id, "train:1");
        assert_eq!(tasks[0].reference.as_deref(), Some("4"));
        assert_eq!(tasks[0].metadata, "{\"level\":1}");
        assert_eq!(
            (tasks[1].id.as_str(), tasks[1].reference.as_ref()),
            ("train:3", None)
        );
    }

    #[test]
    fn bad_lines_are_named_by_file_and_line() {
        for (text, expected) in [
            ("{\"prompt\": \"a\"}\nnot json\n", ":2: not JSON"),
            ("[1, 2]\n", ":1: expected a JSON object"),
            ("{\"question\": \"a\"}\n", ":1: no \"prompt\" key"),
            ("{\"prompt\": 3}\n", ":1: \"prompt\" must be a string"),
            (
                "{\"prompt\": \"a\", \"answer\": [1]}\n",
                ":1: \"answer\" must be a string or a number",
            ),
        ] {
            let (_folder, path) = write(text);
            let message = read_tasks(&path, &keys(), Answers::Optional)
                .unwrap_err()
                .to_string();
            assert!(
                message.contains("train.jsonl") && message.contains(expected),
                "{message}"
            );
        }
        let (_folder, path) =
            write("{\"prompt\": \"a\", \"answer\": \"1\"}\n{\"prompt\": \"b\"}\n");
        let message = read_tasks(&path, &keys(), Answers::Required)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("train.jsonl:2: no \"answer\" key"),
            "{message}"
        );
        let (_folder, path) = write("\n\n");
        assert!(
            read_tasks(&path, &keys(), Answers::Optional)
                .unwrap_err()
                .to_string()
                .contains("no tasks")
        );
    }

    #[test]
    fn the_cursor_covers_each_epoch_once_and_resumes_exactly() {
        let tasks: Vec<PromptTask> = (0..5)
            .map(|i| PromptTask {
                id: i.to_string(),
                prompt: format!("p{i}"),
                reference: None,
                metadata: "{}".into(),
            })
            .collect();
        let mut cursor = DataCursor::new(tasks.clone(), true, 9);
        let drawn: Vec<String> = cursor.next_batch(10).into_iter().map(|t| t.id).collect();
        let mut first: Vec<&String> = drawn[..5].iter().collect();
        first.sort();
        assert_eq!(first, ["0", "1", "2", "3", "4"]);
        assert_ne!(drawn[..5], drawn[5..], "each epoch is reshuffled");

        let mut resumed = DataCursor::new(tasks, true, 9);
        resumed.seek(3);
        let rest: Vec<String> = resumed.next_batch(7).into_iter().map(|t| t.id).collect();
        assert_eq!(rest, drawn[3..]);
    }
}
