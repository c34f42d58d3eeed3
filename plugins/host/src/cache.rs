//! On-disk cache of precompiled components keyed by content hash and engine compatibility hash.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// How loading obtained a plugin's compiled component (see [`crate::LoadReport::cache`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CacheOutcome {
    /// Compiled now and written to the cache.
    Compiled,
    /// Deserialised from the cache: no compilation happened.
    Loaded,
    /// Compiled now; no cache directory is configured or it could not be written.
    Uncached,
}

/// Precompiled-artifact store for one engine.
pub(crate) struct ArtifactCache {
    dir: Option<PathBuf>,
    engine_key: String,
}

impl ArtifactCache {
    /// A cache in `dir` (created on first write) for artifacts of `engine`.
    pub(crate) fn new(engine: &Engine, dir: Option<PathBuf>) -> Self {
        let mut hasher = ShaHasher(Sha256::new());
        // The compatibility hash covers the wasmtime version, target, compiler flags and
        // tunables (fuel, epochs, memory layout): any change yields a new key.
        engine.precompile_compatibility_hash().hash(&mut hasher);
        let engine_key = hex(&hasher.0.finalize()[..8]);
        Self { dir, engine_key }
    }

    /// The component for `wasm` (component binary or text accepted by `Engine`) of plugin
    /// `label`, compiled at most once per content and engine.
    pub(crate) fn component(
        &self,
        engine: &Engine,
        wasm: &[u8],
        label: &str,
    ) -> wasmtime::Result<(Component, CacheOutcome)> {
        let Some(dir) = &self.dir else {
            return Ok((Component::new(engine, wasm)?, CacheOutcome::Uncached));
        };
        let content_key = hex(&Sha256::digest(wasm)[..16]);
        let path = dir.join(format!("{content_key}-{}.cwasm", self.engine_key));
        if path.is_file() {
            // SAFETY: the file was written by `store` below for this exact engine
            // configuration (the name carries the compatibility hash) and is only replaced by
            // atomic rename, so it is a complete artifact from `Engine::precompile_component`;
            // wasmtime additionally checks its header and version before using it. The cache
            // directory is trusted like the binary itself.
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => return Ok((component, CacheOutcome::Loaded)),
                Err(error) => {
                    tracing::warn!(path = %path.display(), %error, "discarding unusable cached plugin artifact")
                }
            }
        }
        // Large components (the CPython-based `code` built-in) take tens of seconds here: say
        // why the first use is slow and that it is once per machine.
        tracing::info!(
            "compiling plugin {label} ({} KiB) for this machine; later loads take it from {}",
            wasm.len() / 1024,
            dir.display()
        );
        let artifact = engine.precompile_component(wasm)?;
        let outcome = match store(dir, &path, &artifact) {
            Ok(()) => CacheOutcome::Compiled,
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "could not write plugin artifact cache");
                CacheOutcome::Uncached
            }
        };
        // SAFETY: `artifact` was produced by `precompile_component` on this very engine a
        // moment ago and never left this process.
        let component = unsafe { Component::deserialize(engine, &artifact)? };
        Ok((component, outcome))
    }
}

/// Write `artifact` to `path` atomically (temporary file in the same directory, then rename).
fn store(dir: &Path, path: &Path, artifact: &[u8]) -> std::io::Result<()> {
    static SEQUENCE: AtomicU64 = AtomicU64::new(0);
    std::fs::create_dir_all(dir)?;
    let temporary = dir.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        SEQUENCE.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(artifact)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Feeds `Hash` output into SHA-256 so the key is stable across processes and Rust versions.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn finish(&self) -> u64 {
        let digest = self.0.clone().finalize();
        u64::from_le_bytes(
            digest[..8]
                .try_into()
                .expect("a sha-256 digest has at least 8 bytes"),
        )
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
}
