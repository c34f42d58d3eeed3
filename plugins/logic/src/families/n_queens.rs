//! N-queens completion: some queens are placed, place the rest so none attack each other.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    #[serde(default)]
    n: usize,
    /// Pre-placed queens as (row, col).
    #[serde(default)]
    placed: Vec<(usize, usize)>,
    /// One full solution: the queen's column for each row (informational).
    #[serde(default, skip_deserializing)]
    solution: Vec<usize>,
    /// Reasoning Gym's starting board (rows of "_" and "Q"), used when `n` is absent.
    #[serde(default, skip_serializing)]
    puzzle: Vec<Vec<String>>,
}

/// Fills `cols[row..]` so that no queens attack, trying columns in `order`.
fn place(cols: &mut Vec<usize>, n: usize, fixed: &[Option<usize>], order: &[usize]) -> bool {
    let row = cols.len();
    if row == n {
        return true;
    }
    let candidates: Vec<usize> = fixed[row].map_or_else(|| order.to_vec(), |c| vec![c]);
    for col in candidates {
        let safe = cols
            .iter()
            .enumerate()
            .all(|(r, &c)| c != col && row - r != col.abs_diff(c));
        if safe {
            cols.push(col);
            if place(cols, n, fixed, order) {
                return true;
            }
            cols.pop();
        }
    }
    false
}

/// Any completion of the fixed queens (a second, deterministic solver).
fn complete(n: usize, placed: &[(usize, usize)], order: &[usize]) -> Option<Vec<usize>> {
    let mut fixed = vec![None; n];
    for &(row, col) in placed {
        fixed[row] = Some(col);
    }
    let mut cols = Vec::new();
    place(&mut cols, n, &fixed, order).then_some(cols)
}

fn render(n: usize, queens: &[(usize, usize)]) -> String {
    (0..n)
        .map(|row| {
            (0..n)
                .map(|col| {
                    if queens.contains(&(row, col)) {
                        "Q"
                    } else {
                        "_"
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let n = scale(difficulty, 4, 10, 1);
    let removed = (2 + difficulty as usize / 2).min(n);
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    let solution = complete(n, &[], &order).ok_or("n_queens: no solution")?;
    let mut rows: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut rows);
    let mut placed: Vec<(usize, usize)> = rows[removed..]
        .iter()
        .map(|&row| (row, solution[row]))
        .collect();
    placed.sort_unstable();
    let all: Vec<(usize, usize)> = solution.iter().copied().enumerate().collect();
    let prompt = format!(
        "Your job is to complete an {n} x {n} chess board with {n} queens in total, such that no two attack each other (no two share a row, column or diagonal).\n\nThe board below already has {} queen(s). Place the remaining {removed} queen(s) by replacing underscores (_) with Q:\n{}\n\nAnswer format: the full board in the same format, one row per line, cells separated by spaces.",
        placed.len(),
        render(n, &placed)
    );
    let reference = render(n, &all);
    let meta = Meta {
        n,
        placed,
        solution,
        puzzle: Vec::new(),
    };
    Ok(Generated {
        prompt,
        reference,
        format_example: "_ Q _ _\n...".into(),
        meta: encode(&meta),
    })
}

fn parse(answer: &str, n: usize) -> Result<Vec<(usize, usize)>, String> {
    let read = |line: &str| -> Vec<bool> {
        line.chars()
            .filter_map(|c| match c {
                'Q' | 'q' | '♛' | '♕' | '1' => Some(true),
                '_' | '.' | '0' | '-' | '·' | '*' => Some(false),
                _ => None,
            })
            .collect()
    };
    let rows: Vec<Vec<bool>> = answer.lines().map(read).filter(|r| !r.is_empty()).collect();
    let rows = if rows.len() == n && rows.iter().all(|r| r.len() == n) {
        rows
    } else {
        let flat: Vec<bool> = rows.concat();
        if flat.len() != n * n {
            return Err(format!(
                "expected an {n}x{n} board of Q and _, found {} cells",
                flat.len()
            ));
        }
        flat.chunks(n).map(<[bool]>::to_vec).collect()
    };
    Ok(rows
        .iter()
        .enumerate()
        .flat_map(|(r, row)| {
            row.iter()
                .enumerate()
                .filter(|(_, q)| **q)
                .map(move |(c, _)| (r, c))
        })
        .collect())
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let mut meta: Meta = meta_or_return!(meta);
    if meta.n == 0 {
        meta.n = meta.puzzle.len();
        meta.placed = meta
            .puzzle
            .iter()
            .enumerate()
            .flat_map(|(r, row)| {
                row.iter()
                    .enumerate()
                    .filter(|(_, cell)| cell.as_str() == "Q")
                    .map(move |(c, _)| (r, c))
            })
            .collect();
    }
    if meta.n == 0 || meta.n > 32 {
        return LogicVerdict::invalid_task("board size must be 1-32");
    }
    let queens = match parse(answer, meta.n) {
        Ok(queens) => queens,
        Err(reason) => return LogicVerdict::unparsable(reason),
    };
    if let Some(missing) = meta.placed.iter().find(|q| !queens.contains(q)) {
        return LogicVerdict::incorrect(format!(
            "the given queen at ({}, {}) was removed",
            missing.0 + 1,
            missing.1 + 1
        ));
    }
    if queens.len() != meta.n {
        return LogicVerdict::incorrect(format!(
            "{} queens on the board, need {}",
            queens.len(),
            meta.n
        ));
    }
    for (i, a) in queens.iter().enumerate() {
        for b in &queens[i + 1..] {
            if a.0 == b.0 || a.1 == b.1 || a.0.abs_diff(b.0) == a.1.abs_diff(b.1) {
                return LogicVerdict::incorrect(format!(
                    "queens at ({}, {}) and ({}, {}) attack each other",
                    a.0 + 1,
                    a.1 + 1,
                    b.0 + 1,
                    b.1 + 1
                ));
            }
        }
    }
    LogicVerdict::correct("no two queens attack each other")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_different_completion_is_accepted() {
        let mut accepted_other = false;
        for seed in 0..40 {
            let generated = generate(&mut Rng::new(seed), 10).expect("generates");
            let meta: Meta = serde_json::from_value(generated.meta.clone()).expect("round-trips");
            let order: Vec<usize> = (0..meta.n).rev().collect();
            let other = complete(meta.n, &meta.placed, &order).expect("solvable");
            let queens: Vec<(usize, usize)> = other.iter().copied().enumerate().collect();
            let board = render(meta.n, &queens);
            assert_eq!(verify(&generated.meta, &board).score, 1.0);
            accepted_other |= board != generated.reference;
        }
        assert!(accepted_other, "some seed should admit a second completion");
    }
}
