//! The verifier pool: batches come back in order, faults included.

use proctor_plugin_host::{PluginConfig, Status, Task, VerifierPool};

use crate::{guests, host, load, load_exact};

#[test]
fn batches_come_back_in_input_order() {
    let host = host();
    let plugin = load_exact(&host);
    let pool = VerifierPool::new(2).unwrap();
    let items: Vec<(Task, String)> = (0..200)
        .map(|idx| {
            (
                Task::new(format!("t{idx}"), "p").with_reference(idx.to_string()),
                (idx - idx % 2).to_string(),
            )
        })
        .collect();
    let verdicts = pool.verify_batch(&plugin, items);
    assert_eq!(verdicts.len(), 200);
    for (idx, verdict) in verdicts.iter().enumerate() {
        let expected = if idx % 2 == 0 {
            Status::Correct
        } else {
            Status::Incorrect
        };
        assert_eq!(verdict.status, expected, "item {idx}");
    }
}

#[test]
fn faulting_plugins_do_not_stop_the_pool() {
    let host = host();
    let trap = load(
        &host,
        "trap",
        guests::hostile(guests::body::UNREACHABLE),
        PluginConfig::default(),
    );
    let exact = load_exact(&host);
    let pool = VerifierPool::new(2).unwrap();
    let task = Task::new("t", "p").with_reference("4");
    let faults = pool.verify_batch(&trap, vec![(task.clone(), "4".into()); 10]);
    assert!(faults.iter().all(|verdict| verdict.status == Status::Trap));
    assert_eq!(
        pool.verify(&exact, task, "4".into()).status,
        Status::Correct
    );
}
