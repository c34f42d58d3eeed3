//! Atomic, checksummed checkpoints under `RUN_DIR/checkpoints/step-N/` with a `LATEST` pointer and fallback to the last good one.
//!
//! Layout written by [`crate::Learner::save_checkpoint`]:
//! `model/` (Hugging Face: config.json, generation_config.json, model.safetensors, tokenizer files),
//! `reference.safetensors`, `optimizer.safetensors`, `learner.json` (step counters, schedule,
//! config), `training.json` ([`TrainingState`]: the caller's data cursor, RNG state and extras) and
//! `manifest.json` (size and SHA-256 of every other file). The directory is assembled under a
//! temporary name, synced, renamed into place, and only then is `LATEST` replaced.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Name of the manifest inside a checkpoint directory.
pub const MANIFEST: &str = "manifest.json";
/// Name of the pointer file in `RUN_DIR/checkpoints/`.
pub const LATEST: &str = "LATEST";
/// Manifest format written by this version.
pub const FORMAT_VERSION: u32 = 1;

/// The caller's progress, saved with the weights so a resumed run continues exactly.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrainingState {
    /// Coordinator steps completed.
    pub step: u64,
    /// Position in the training data (next example or batch to draw).
    pub data_cursor: u64,
    /// State of the caller's random generators (e.g. seeds or counters of counter-based streams).
    pub rng_state: Vec<u64>,
    /// Anything else the caller needs to resume (metrics so far, sampler state).
    pub extra: serde_json::Value,
}

/// One file recorded in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Path relative to the checkpoint directory, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Lowercase hex SHA-256 of the content.
    pub sha256: String,
}

/// Content checksums of a checkpoint, for corruption and truncation detection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT_VERSION`] of the writer.
    pub format: u32,
    /// Learner step the checkpoint holds.
    pub step: u64,
    /// Every file except the manifest itself.
    pub files: Vec<ManifestEntry>,
}

/// A verified checkpoint found in a run directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    /// The `step-N` directory.
    pub dir: PathBuf,
    /// Its learner step.
    pub step: u64,
    /// Newer checkpoints that failed verification, with the reason (to log; they are kept on disk).
    pub skipped: Vec<String>,
}

/// `RUN_DIR/checkpoints`.
pub fn checkpoints_dir(run_dir: &Path) -> PathBuf {
    run_dir.join("checkpoints")
}

/// Writes checkpoint `step` under `run_dir`: `write_files` fills a temporary directory, then the
/// manifest is added, everything is synced, the directory is renamed to `step-N` and `LATEST`
/// is pointed at it. Returns the final directory.
pub fn write(
    run_dir: &Path,
    step: u64,
    write_files: impl FnOnce(&Path) -> Result<()>,
) -> Result<PathBuf> {
    let root = checkpoints_dir(run_dir);
    std::fs::create_dir_all(&root).map_err(|e| Error::io(&root, e))?;
    let name = format!("step-{step}");
    let temp = root.join(format!(".{name}.tmp"));
    if temp.exists() {
        std::fs::remove_dir_all(&temp).map_err(|e| Error::io(&temp, e))?;
    }
    std::fs::create_dir_all(&temp).map_err(|e| Error::io(&temp, e))?;
    write_files(&temp)?;
    let mut files = Vec::new();
    for path in list_files(&temp)? {
        let relative = relative_name(&temp, &path);
        let (bytes, sha256) = hash_file(&path)?;
        sync_file(&path)?;
        files.push(ManifestEntry {
            path: relative,
            bytes,
            sha256,
        });
    }
    let manifest = Manifest {
        format: FORMAT_VERSION,
        step,
        files,
    };
    let manifest_path = temp.join(MANIFEST);
    let text = serde_json::to_string_pretty(&manifest)
        .map_err(|e| Error::checkpoint(&manifest_path, e.to_string()))?;
    write_synced(&manifest_path, text.as_bytes())?;
    sync_dir(&temp);
    let target = root.join(&name);
    if target.exists() {
        // Re-saving a step (e.g. after a resume): move the old copy aside before replacing it.
        let old = root.join(format!(".{name}.old"));
        if old.exists() {
            std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
        }
        std::fs::rename(&target, &old).map_err(|e| Error::io(&target, e))?;
        std::fs::rename(&temp, &target).map_err(|e| Error::io(&target, e))?;
        std::fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    } else {
        std::fs::rename(&temp, &target).map_err(|e| Error::io(&target, e))?;
    }
    let latest_temp = root.join(format!(".{LATEST}.tmp"));
    write_synced(&latest_temp, format!("{name}\n").as_bytes())?;
    let latest = root.join(LATEST);
    std::fs::rename(&latest_temp, &latest).map_err(|e| Error::io(&latest, e))?;
    sync_dir(&root);
    Ok(target)
}

/// Checks every file of the checkpoint in `dir` against its manifest; the error names the
/// first file that is missing, truncated or corrupted.
pub fn verify(dir: &Path) -> Result<Manifest> {
    let manifest_path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&manifest_path)
        .map_err(|e| Error::checkpoint(&manifest_path, format!("unreadable: {e}")))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| Error::checkpoint(&manifest_path, format!("invalid manifest: {e}")))?;
    if manifest.format > FORMAT_VERSION {
        return Err(Error::checkpoint(
            &manifest_path,
            format!(
                "format {} is newer than this build reads ({FORMAT_VERSION})",
                manifest.format
            ),
        ));
    }
    for entry in &manifest.files {
        let path = dir.join(&entry.path);
        if entry
            .path
            .split('/')
            .any(|part| part == ".." || part.is_empty())
        {
            return Err(Error::checkpoint(
                &manifest_path,
                format!("bad path {}", entry.path),
            ));
        }
        let size = std::fs::metadata(&path)
            .map_err(|e| Error::checkpoint(&path, format!("missing: {e}")))?
            .len();
        if size != entry.bytes {
            return Err(Error::checkpoint(
                &path,
                format!(
                    "truncated or resized: expected {} bytes, found {size}",
                    entry.bytes
                ),
            ));
        }
        let (_, sha256) = hash_file(&path)?;
        if sha256 != entry.sha256 {
            return Err(Error::checkpoint(
                &path,
                format!("corrupted: sha256 {sha256}, manifest says {}", entry.sha256),
            ));
        }
    }
    Ok(manifest)
}

/// The newest checkpoint that verifies: the one `LATEST` names, else the highest `step-N` that
/// passes. Failures are reported in [`Checkpoint::skipped`]; nothing is deleted.
pub fn latest(run_dir: &Path) -> Result<Checkpoint> {
    let root = checkpoints_dir(run_dir);
    let mut candidates: Vec<(u64, PathBuf)> = Vec::new();
    let latest_path = root.join(LATEST);
    let mut skipped = Vec::new();
    if let Ok(text) = std::fs::read_to_string(&latest_path) {
        let name = text.trim();
        match name
            .strip_prefix("step-")
            .and_then(|n| n.parse::<u64>().ok())
        {
            Some(step) => candidates.push((step, root.join(name))),
            None => skipped.push(format!(
                "{}: names {name:?}, not a step",
                latest_path.display()
            )),
        }
    }
    let entries = std::fs::read_dir(&root).map_err(|e| Error::NoCheckpoint {
        dir: root.clone(),
        message: e.to_string(),
    })?;
    let mut others: Vec<(u64, PathBuf)> = entries
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().to_string();
            let step = name.strip_prefix("step-")?.parse::<u64>().ok()?;
            Some((step, entry.path()))
        })
        .filter(|candidate| !candidates.contains(candidate))
        .collect();
    others.sort_by_key(|candidate| std::cmp::Reverse(candidate.0));
    candidates.extend(others);
    for (step, dir) in candidates {
        match verify(&dir) {
            Ok(manifest) if manifest.step == step => {
                return Ok(Checkpoint { dir, step, skipped });
            }
            Ok(manifest) => skipped.push(format!(
                "{}: manifest says step {}",
                dir.display(),
                manifest.step
            )),
            Err(e) => skipped.push(e.to_string()),
        }
    }
    Err(Error::NoCheckpoint {
        dir: root,
        message: if skipped.is_empty() {
            "no step-N directories".into()
        } else {
            skipped.join("; ")
        },
    })
}

/// Deletes all but the newest `keep` checkpoints, never the one `LATEST` names.
pub fn prune(run_dir: &Path, keep: usize) -> Result<()> {
    let root = checkpoints_dir(run_dir);
    let latest = std::fs::read_to_string(root.join(LATEST)).unwrap_or_default();
    let mut steps: Vec<(u64, PathBuf)> = std::fs::read_dir(&root)
        .map_err(|e| Error::io(&root, e))?
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().to_string();
            Some((name.strip_prefix("step-")?.parse().ok()?, entry.path()))
        })
        .collect();
    steps.sort_by_key(|candidate| std::cmp::Reverse(candidate.0));
    for (step, dir) in steps.into_iter().skip(keep) {
        if latest.trim() != format!("step-{step}") {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
    }
    Ok(())
}

/// Reads and parses a JSON file of a checkpoint.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::checkpoint(path, e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| Error::checkpoint(path, e.to_string()))
}

/// Writes a value as pretty JSON.
pub(crate) fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| Error::checkpoint(path, e.to_string()))?;
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}

fn list_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current).map_err(|e| Error::io(&current, e))? {
            let path = entry.map_err(|e| Error::io(&current, e))?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

fn relative_name(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .expect("listed files are under the checkpoint directory")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .collect::<Vec<_>>()
        .join("/")
}

fn hash_file(path: &Path) -> Result<(u64, String)> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::checkpoint(path, e.to_string()))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let read = file
            .read(&mut buffer)
            .map_err(|e| Error::checkpoint(path, e.to_string()))?;
        if read == 0 {
            break;
        }
        total += read as u64;
        hasher.update(&buffer[..read]);
    }
    let hex = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok((total, hex))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    file.write_all(bytes).map_err(|e| Error::io(path, e))?;
    file.sync_all().map_err(|e| Error::io(path, e))
}

fn sync_file(path: &Path) -> Result<()> {
    std::fs::File::open(path)
        .and_then(|file| file.sync_all())
        .map_err(|e| Error::io(path, e))
}

/// Best effort: directory fsync makes renames durable on Linux; not every platform allows it.
fn sync_dir(dir: &Path) {
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn save(run_dir: &Path, step: u64, payload: &[u8]) -> PathBuf {
        write(run_dir, step, |dir| {
            std::fs::create_dir_all(dir.join("model")).unwrap();
            std::fs::write(dir.join("model/weights.bin"), payload).unwrap();
            std::fs::write(dir.join("state.json"), format!("{{\"step\": {step}}}")).unwrap();
            Ok(())
        })
        .unwrap()
    }

    #[test]
    fn corruption_names_the_file_and_the_previous_checkpoint_is_used() {
        let run = tempfile::tempdir().unwrap();
        save(run.path(), 1, b"first weights");
        let second = save(run.path(), 2, b"second weights");
        assert_eq!(
            std::fs::read_to_string(checkpoints_dir(run.path()).join(LATEST)).unwrap(),
            "step-2\n"
        );
        assert_eq!(latest(run.path()).unwrap().step, 2);
        let manifest = verify(&second).unwrap();
        assert_eq!(manifest.files.len(), 2);
        assert!(manifest.files.iter().any(|f| f.path == "model/weights.bin"));

        // Flip one byte: same size, different content.
        let weights = second.join("model/weights.bin");
        let mut bytes = std::fs::read(&weights).unwrap();
        bytes[3] ^= 0x40;
        std::fs::write(&weights, &bytes).unwrap();
        let message = verify(&second).unwrap_err().to_string();
        assert!(
            message.contains("weights.bin") && message.contains("corrupted"),
            "{message}"
        );
        let found = latest(run.path()).unwrap();
        assert_eq!(found.step, 1);
        assert_eq!(found.skipped.len(), 1);
        assert!(found.skipped[0].contains("weights.bin"));
        assert!(second.exists(), "a bad checkpoint is reported, not deleted");

        // Truncation is named as such.
        std::fs::write(&weights, b"sec").unwrap();
        let message = verify(&second).unwrap_err().to_string();
        assert!(
            message.contains("weights.bin") && message.contains("truncated"),
            "{message}"
        );

        // A missing manifest too; with nothing valid left, the error lists what was wrong.
        std::fs::remove_file(checkpoints_dir(run.path()).join("step-1").join(MANIFEST)).unwrap();
        let message = latest(run.path()).unwrap_err().to_string();
        assert!(
            message.contains("manifest.json") && message.contains("weights.bin"),
            "{message}"
        );
    }

    #[test]
    fn interrupted_writes_leave_the_previous_checkpoint_in_place() {
        let run = tempfile::tempdir().unwrap();
        save(run.path(), 5, b"good");
        let failed = write(run.path(), 6, |_| Err(Error::Config("disk full".into())));
        assert!(failed.is_err());
        let found = latest(run.path()).unwrap();
        assert_eq!((found.step, found.skipped.len()), (5, 0));
        // Re-saving the same step replaces it atomically; pruning keeps LATEST.
        save(run.path(), 6, b"six");
        save(run.path(), 6, b"six again");
        save(run.path(), 7, b"seven");
        prune(run.path(), 2).unwrap();
        let root = checkpoints_dir(run.path());
        assert!(!root.join("step-5").exists());
        assert!(root.join("step-6").exists() && root.join("step-7").exists());
        assert_eq!(
            std::fs::read(root.join("step-6/model/weights.bin")).unwrap(),
            b"six again"
        );
    }
}
