//! A tiny wasm32 module over the library, to check that tasks generated in WASM are
//! byte-identical to native ones and to time generation and verification there.
//!
//! Build and run (needs the wasm32-unknown-unknown target and node):
//! `cargo build -p proctor-logic --release --target wasm32-unknown-unknown --example wasm_digest`
//! then `node plugins/logic/examples/wasm_digest.mjs <target-dir>`.

use proctor_logic::{GeneratedTask, generate, kinds, verify};

/// Number of task kinds.
#[unsafe(no_mangle)]
pub extern "C" fn kinds_count() -> u32 {
    kinds().len() as u32
}

fn task(kind_idx: u32, seed: u64, difficulty: u32) -> Option<GeneratedTask> {
    let kind = kinds().get(kind_idx as usize)?;
    generate(kind, seed, difficulty).ok()
}

/// FNV-1a digest of prompt, reference and metadata (the same digest as the pinned test table).
#[unsafe(no_mangle)]
pub extern "C" fn digest(kind_idx: u32, seed: u64, difficulty: u32) -> u64 {
    let Some(task) = task(kind_idx, seed, difficulty) else {
        return 0;
    };
    let text = format!(
        "{}\0{}\0{}",
        task.prompt,
        task.reference.as_deref().unwrap_or(""),
        task.metadata
    );
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Generates `count` tasks (seeds 0..count); returns how many succeeded.
#[unsafe(no_mangle)]
pub extern "C" fn generate_many(kind_idx: u32, count: u32, difficulty: u32) -> u32 {
    (0..u64::from(count))
        .filter(|&seed| task(kind_idx, seed, difficulty).is_some())
        .count() as u32
}

/// Verifies the reference of one task `count` times; returns the summed score.
#[unsafe(no_mangle)]
pub extern "C" fn verify_many(kind_idx: u32, count: u32, difficulty: u32) -> f64 {
    let Some(task) = task(kind_idx, 1, difficulty) else {
        return -1.0;
    };
    let response = format!(
        "<answer>{}</answer>",
        task.reference.as_deref().unwrap_or("")
    );
    (0..count)
        .map(|_| {
            verify(
                &task.prompt,
                task.reference.as_deref(),
                &task.metadata,
                &response,
            )
            .score
        })
        .sum()
}
