//! Time the `exact` checker compiled natively, to compare with the same code run as a wasm
//! component by the host (`cargo bench -p proctor-plugin-host --bench verify`, `reuse/rust-exact`).
//!
//! Run: `cargo run --release --manifest-path plugins/guest/Cargo.toml --example native_timing`

use std::hint::black_box;
use std::time::Instant;

fn main() {
    let iterations = 1_000_000u32;
    let started = Instant::now();
    for _ in 0..iterations {
        black_box(proctor_exact::check(
            black_box(Some("42")),
            black_box("The answer is 42"),
        ));
    }
    let per_call = started.elapsed() / iterations;
    println!("native exact::check: {per_call:?} per call ({iterations} calls)");
}
