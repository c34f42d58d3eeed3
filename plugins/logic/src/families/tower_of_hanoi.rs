//! Tower of Hanoi (3 or 4 pegs): a move list; optimal length scores 1, longer ones partially.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::grid::integers;
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    num_disks: usize,
    num_pegs: usize,
    start_peg: usize,
    target_peg: usize,
    /// Length of an optimal solution (Frame-Stewart for four pegs).
    solution_length: usize,
}

/// Minimal moves for `disks` disks on `pegs` pegs, with the best split for four or more pegs.
fn optimal(disks: usize, pegs: usize) -> (usize, usize) {
    if disks == 0 {
        return (0, 0);
    }
    if pegs == 3 || disks == 1 {
        return ((1usize << disks) - 1, disks - 1);
    }
    (1..disks)
        .map(|top| {
            (
                2 * optimal(top, pegs).0 + optimal(disks - top, pegs - 1).0,
                top,
            )
        })
        .min()
        .unwrap_or((usize::MAX, 0))
}

/// Appends moves (disk, from, to) taking `disks` from `from` to `to` using `spare` pegs.
fn solve(
    disks: &[usize],
    from: usize,
    to: usize,
    spare: &[usize],
    moves: &mut Vec<(usize, usize, usize)>,
) {
    match disks {
        [] => {}
        [only] => moves.push((*only, from, to)),
        _ => {
            let pegs = spare.len() + 2;
            let top = if pegs == 3 {
                disks.len() - 1
            } else {
                optimal(disks.len(), pegs).1
            };
            let (upper, lower) = disks.split_at(top);
            let helper = spare[0];
            let mut around: Vec<usize> = spare[1..].to_vec();
            around.push(to);
            solve(upper, from, helper, &around, moves);
            solve(lower, from, to, &spare[1..], moves);
            let mut back: Vec<usize> = spare[1..].to_vec();
            back.push(from);
            solve(upper, helper, to, &back, moves);
        }
    }
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let num_pegs = if difficulty >= 6 { 4 } else { 3 };
    let num_disks = scale(difficulty % 6 + difficulty / 6 * 2, 3, 8, 1);
    let pegs: Vec<usize> = (1..=num_pegs).collect();
    let chosen = rng.sample(&pegs, 2);
    let (start_peg, target_peg) = (chosen[0], chosen[1]);
    let spare: Vec<usize> = pegs
        .iter()
        .copied()
        .filter(|p| *p != start_peg && *p != target_peg)
        .collect();
    let disks: Vec<usize> = (1..=num_disks).collect();
    let mut moves = Vec::new();
    solve(&disks, start_peg, target_peg, &spare, &mut moves);
    let prompt = format!(
        "Solve the Tower of Hanoi problem with {num_disks} disks and {num_pegs} pegs.\nMove all disks from Peg {start_peg} to Peg {target_peg} following the rules:\n- Only one disk can be moved at a time.\n- A larger disk cannot be placed on top of a smaller disk.\n- All disks must be on a peg at all times.\nDisks are numbered 1 (smallest) to {num_disks} (largest). Use as few moves as possible.\n\nAnswer format: one move per line, each written as 'Move disk X from Peg Y to Peg Z', with no other text."
    );
    let reference: Vec<String> = moves
        .iter()
        .map(|(d, f, t)| format!("Move disk {d} from Peg {f} to Peg {t}"))
        .collect();
    let meta = Meta {
        num_disks,
        num_pegs,
        start_peg,
        target_peg,
        solution_length: moves.len(),
    };
    Ok(Generated {
        prompt,
        reference: reference.join("\n"),
        format_example: "Move disk 1 from Peg 1 to Peg 3\n...".into(),
        meta: encode(&meta),
    })
}

/// One move per line: three numbers (disk, from, to) or two (from, to); number-free lines are skipped.
fn parse(answer: &str) -> Result<Vec<(Option<i64>, i64, i64)>, String> {
    let mut moves = Vec::new();
    for (line_no, line) in answer.lines().enumerate() {
        let lower = line.to_lowercase();
        let body = lower
            .split_once(':')
            .filter(|(head, _)| head.trim().starts_with("step"))
            .map_or(lower.as_str(), |(_, rest)| rest);
        let numbers = integers(&body.replace('-', " "));
        match numbers[..] {
            [] => {}
            [from, to] => moves.push((None, from, to)),
            [disk, from, to] => moves.push((Some(disk), from, to)),
            _ => {
                return Err(format!(
                    "line {} is not a move: `{}`",
                    line_no + 1,
                    line.trim()
                ));
            }
        }
    }
    if moves.is_empty() {
        return Err("no moves found".into());
    }
    Ok(moves)
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let meta: Meta = meta_or_return!(meta);
    let pegs = meta.num_pegs;
    if !(3..=10).contains(&pegs)
        || meta.num_disks > 64
        || !(1..=pegs).contains(&meta.start_peg)
        || !(1..=pegs).contains(&meta.target_peg)
    {
        return LogicVerdict::invalid_task("pegs must be numbered 1..num_pegs");
    }
    let moves = match parse(answer) {
        Ok(moves) => moves,
        Err(reason) => return LogicVerdict::unparsable(reason),
    };
    let mut state: Vec<Vec<i64>> = vec![Vec::new(); pegs + 1];
    state[meta.start_peg] = (1..=meta.num_disks as i64).rev().collect();
    for (idx, &(disk, from, to)) in moves.iter().enumerate() {
        let step = idx + 1;
        let valid_peg = |p: i64| p >= 1 && p <= pegs as i64;
        if !valid_peg(from) || !valid_peg(to) || from == to {
            return LogicVerdict::incorrect(format!(
                "move {step}: pegs {from} -> {to} are not valid"
            ));
        }
        let (from, to) = (from as usize, to as usize);
        let Some(&top) = state[from].last() else {
            return LogicVerdict::incorrect(format!("move {step}: peg {from} is empty"));
        };
        if disk.is_some_and(|d| d != top) {
            return LogicVerdict::incorrect(format!(
                "move {step}: disk {} is not on top of peg {from}",
                disk.unwrap_or(0)
            ));
        }
        if state[to].last().is_some_and(|&below| below < top) {
            return LogicVerdict::incorrect(format!(
                "move {step}: disk {top} would sit on a smaller disk"
            ));
        }
        state[from].pop();
        state[to].push(top);
    }
    if state[meta.target_peg].len() != meta.num_disks {
        return LogicVerdict::incorrect("not all disks end on the target peg");
    }
    if moves.len() <= meta.solution_length {
        LogicVerdict::correct(format!("solved in {} moves", moves.len()))
    } else {
        LogicVerdict::partial(
            meta.solution_length as f64 / moves.len() as f64,
            format!(
                "solved in {} moves, optimal is {}",
                moves.len(),
                meta.solution_length
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longer_legal_solutions_get_partial_credit() {
        let generated = generate(&mut Rng::new(5), 2).expect("generates");
        let meta: Meta = serde_json::from_value(generated.meta.clone()).expect("round-trips");
        // Second method: a wasteful but legal solution, moving disk 1 away and back first.
        let spare = (1..=3)
            .find(|p| *p != meta.start_peg && *p != meta.target_peg)
            .expect("three pegs");
        let wasteful = format!(
            "Move disk 1 from Peg {s} to Peg {spare}\nMove disk 1 from Peg {spare} to Peg {s}\n{}",
            generated.reference,
            s = meta.start_peg
        );
        let verdict = verify(&generated.meta, &wasteful);
        assert_eq!(verdict.status, crate::LogicStatus::Partial);
        let optimal = meta.solution_length as f64;
        assert!((verdict.score - optimal / (optimal + 2.0)).abs() < 1e-12);
        // Four pegs allow shorter solutions than three.
        let four = generate(&mut Rng::new(5), 7).expect("generates");
        let four_meta: Meta = serde_json::from_value(four.meta).expect("round-trips");
        assert!(four_meta.solution_length < (1 << four_meta.num_disks) - 1);
    }

    #[test]
    fn frame_stewart_counts() {
        assert_eq!(optimal(5, 3).0, 31);
        assert_eq!(optimal(5, 4).0, 13);
        assert_eq!(optimal(8, 4).0, 33);
    }
}
