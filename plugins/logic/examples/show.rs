//! Prints one task (prompt, reference, metadata) per family, for eyeballing.
//!
//! Run: `cargo run -p proctor-logic --example show [KIND] [SEED] [DIFFICULTY]`
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seed = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let difficulty = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(3);
    for kind in proctor_logic::kinds()
        .iter()
        .filter(|k| args.first().is_none_or(|a| a == "all" || a == *k))
    {
        match proctor_logic::generate(kind, seed, difficulty) {
            Ok(task) => println!(
                "===== {}\n{}\n----- reference\n{}\n----- metadata\n{}\n",
                task.id,
                task.prompt,
                task.reference.unwrap_or_default(),
                task.metadata
            ),
            Err(err) => println!("===== {kind}: {err}"),
        }
    }
}
