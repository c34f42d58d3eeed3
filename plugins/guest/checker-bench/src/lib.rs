//! The `exact` checker in a loop, exported from a plain (core) wasm module.
//!
//! The host's benchmark (`plugins/host/benches/verify.rs`, group `checker`) runs these loops
//! under the host's own engine settings and times the same loops compiled natively, so the ratio
//! measures the checker's code as wasm against native code, apart from the per-call component
//! boundary (measured by the `verify/*` benchmarks).
//!
//! Built by `plugins/guest/build.sh` into `plugins/host/benches/data/checker-bench.wasm`.

use std::hint::black_box;

use proctor_exact::samples::{LONG, SHORT};

/// Check `(reference, response)` `times` times; returns how many were correct (so the work
/// cannot be optimised away, and the host can assert on it).
fn repeat((reference, response): (&str, &str), times: u32) -> u32 {
    let mut correct = 0;
    for _ in 0..times {
        let verdict = proctor_exact::check(black_box(Some(reference)), black_box(response));
        correct += u32::from(verdict.score == 1.0);
    }
    correct
}

/// [`SHORT`] checked `times` times.
#[unsafe(no_mangle)]
pub extern "C" fn exact_check_short(times: u32) -> u32 {
    repeat(SHORT, times)
}

/// [`LONG`] checked `times` times.
#[unsafe(no_mangle)]
pub extern "C" fn exact_check_long(times: u32) -> u32 {
    repeat(LONG, times)
}
