//! Prints the time to generate and verify a few tasks per family and difficulty.
//!
//! Run: `cargo run -p proctor-logic --release --example timing [KIND...]`
use std::io::Write;

use proctor_logic::{generate, kinds, verify};

fn main() {
    let only: Vec<String> = std::env::args().skip(1).collect();
    for kind in kinds()
        .iter()
        .filter(|k| only.is_empty() || only.iter().any(|o| o == *k))
    {
        let mut line = format!("{kind:22}");
        for difficulty in [0u32, 3, 5, 8, 10] {
            let start = std::time::Instant::now();
            let mut worst = 0.0f64;
            for seed in 0..6 {
                let one = std::time::Instant::now();
                let task = generate(kind, seed, difficulty).expect("generates");
                let answer = format!(
                    "<answer>{}</answer>",
                    task.reference.as_deref().unwrap_or("")
                );
                let _ = verify(
                    &task.prompt,
                    task.reference.as_deref(),
                    &task.metadata,
                    &answer,
                );
                worst = worst.max(one.elapsed().as_secs_f64());
            }
            line.push_str(&format!(
                " d{difficulty}: {:7.2}ms (max {:7.2})",
                start.elapsed().as_secs_f64() * 1000.0 / 6.0,
                worst * 1000.0
            ));
        }
        println!("{line}");
        let _ = std::io::stdout().flush();
    }
}
