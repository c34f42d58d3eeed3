//! Soak check: generates 200 seeds at every difficulty 0-12 for the given kinds and asserts
//! each reference verifies to 1.0; prints the time per kind.
//!
//! Run: `cargo run -p proctor-logic --release --example soak -- knights_knaves sudoku ...`
fn main() {
    let kinds: Vec<String> = std::env::args().skip(1).collect();
    for kind in kinds {
        let start = std::time::Instant::now();
        for d in 0..=12u32 {
            for seed in 0..200u64 {
                let task = proctor_logic::generate(&kind, seed, d).expect("generates");
                let answer = task.reference.clone().unwrap_or_default();
                let verdict = proctor_logic::verify(
                    &task.prompt,
                    task.reference.as_deref(),
                    &task.metadata,
                    &answer,
                );
                assert_eq!(verdict.score, 1.0, "{kind} {seed} {d}");
            }
        }
        println!(
            "{kind}: 2600 tasks (d0-12 x 200 seeds) in {:?}",
            start.elapsed()
        );
    }
}
