//! The recorder actor: appends one JSON line per step to `RUN_DIR/metrics.jsonl`.

use crate::metrics::MetricsSnapshot;
use actix::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Everything recorded about one step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// The step number (1-based).
    pub step: u64,
    /// Unix time when the step finished, in seconds.
    pub unix_time_s: f64,
    /// Seconds the step took.
    pub step_s: f64,
    /// Seconds since the run (or the resumed run) started.
    pub elapsed_s: f64,
    /// Seconds each role spent busy during the step (`policy.busy_s`, …).
    pub timings_s: BTreeMap<String, f64>,
    /// Cumulative counters (`verifier.restarts`, `policy.retries`, …).
    pub counters: BTreeMap<String, u64>,
    /// Values the step reported (reward, accuracy, loss, KL, …).
    pub values: BTreeMap<String, f64>,
}

impl StepRecord {
    /// A record for `step` from the values a step reported and metric snapshots around it.
    pub fn new(
        step: u64,
        values: BTreeMap<String, f64>,
        before: &MetricsSnapshot,
        after: &MetricsSnapshot,
        step_s: f64,
        elapsed_s: f64,
    ) -> Self {
        let unix_time_s = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |since| since.as_secs_f64());
        Self {
            step,
            unix_time_s,
            step_s,
            elapsed_s,
            timings_s: after.timings_since(before),
            counters: after.counters.clone(),
            values,
        }
    }
}

/// Append a step record.
#[derive(Debug, Message)]
#[rtype(result = "std::io::Result<()>")]
pub struct RecordStep(pub StepRecord);

/// Writes step records as JSON lines, flushed after every line so a crash loses nothing recorded.
pub struct RecorderActor {
    path: PathBuf,
    writer: BufWriter<File>,
}

impl RecorderActor {
    /// Opens (appending) `metrics.jsonl` in `run_dir`.
    pub fn open(run_dir: &Path) -> std::io::Result<Self> {
        let path = run_dir.join("metrics.jsonl");
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        Ok(Self {
            path,
            writer: BufWriter::new(file),
        })
    }

    /// Starts the recorder on its own arbiter thread so file I/O never blocks message routing.
    pub fn start_on_own_thread(self) -> std::io::Result<Addr<Self>> {
        let arbiter = actix::Arbiter::try_new()?;
        Ok(Self::start_in_arbiter(&arbiter.handle(), move |_| self))
    }
}

impl Actor for RecorderActor {
    type Context = Context<Self>;
}

impl Handler<RecordStep> for RecorderActor {
    type Result = std::io::Result<()>;

    fn handle(
        &mut self,
        RecordStep(record): RecordStep,
        _context: &mut Context<Self>,
    ) -> Self::Result {
        serde_json::to_writer(&mut self.writer, &record).map_err(std::io::Error::other)?;
        self.writer.write_all(b"\n")?;
        self.writer.flush().map_err(|error| {
            std::io::Error::new(error.kind(), format!("{}: {error}", self.path.display()))
        })
    }
}

/// Reads `metrics.jsonl` back in step order, naming the line of any record that does not parse.
///
/// A step that ran again (after a recovery from a checkpoint, or `--resume` after a crash
/// between checkpoints) was appended again: its last record supersedes the earlier ones, which
/// stay in the file as a log of what happened.
pub fn read_records(path: &Path) -> Result<Vec<StepRecord>, String> {
    let text =
        std::fs::read_to_string(path).map_err(|error| format!("{}: {error}", path.display()))?;
    let mut records = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record: StepRecord = serde_json::from_str(line)
            .map_err(|error| format!("{}:{}: {error}", path.display(), number + 1))?;
        records.insert(record.step, record);
    }
    Ok(records.into_values().collect())
}
