//! Binary matrix distances: the Manhattan distance from each cell to the nearest 0.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::grid::{Cells, grid_verdict, render};
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    matrix: Vec<Vec<i64>>,
    solution: Vec<Vec<i64>>,
}

fn distances(matrix: &[Vec<i64>]) -> Vec<Vec<i64>> {
    let n = matrix.len();
    let mut dist = vec![vec![i64::MAX; n]; n];
    let mut queue = VecDeque::new();
    for r in 0..n {
        for c in 0..n {
            if matrix[r][c] == 0 {
                dist[r][c] = 0;
                queue.push_back((r, c));
            }
        }
    }
    while let Some((r, c)) = queue.pop_front() {
        for (nr, nc) in [
            (r.wrapping_sub(1), c),
            (r + 1, c),
            (r, c.wrapping_sub(1)),
            (r, c + 1),
        ] {
            if nr < n && nc < n && dist[nr][nc] == i64::MAX {
                dist[nr][nc] = dist[r][c] + 1;
                queue.push_back((nr, nc));
            }
        }
    }
    dist
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let n = scale(difficulty, 3, 14, 1);
    let zero_in_ten = if difficulty >= 5 { 1 } else { 3 };
    let mut cells: Vec<i64> = (0..n * n)
        .map(|_| i64::from(!rng.chance(zero_in_ten, 10)))
        .collect();
    cells[0] = 0;
    rng.shuffle(&mut cells);
    let matrix: Vec<Vec<i64>> = cells.chunks(n).map(<[i64]>::to_vec).collect();
    let solution = distances(&matrix);
    let prompt = format!(
        "Given a square matrix, your job is to find the taxicab (Manhattan) distance of the nearest 0 for each cell.\n\nAnswer format: a matrix of the same size as the input, where each cell contains the distance to the nearest 0; one row per line, numbers separated by spaces.\n\nFind the distance to the nearest 0 for each cell in the matrix below:\n{}",
        render(&matrix)
    );
    let reference = render(&solution);
    let meta = Meta { matrix, solution };
    Ok(Generated {
        prompt,
        reference,
        format_example: "0 1 2\n1 2 3\n...".into(),
        meta: encode(&meta),
    })
}

/// The part of the metadata the verifier reads.
#[derive(Deserialize)]
struct Check {
    solution: Vec<Vec<i64>>,
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let meta: Check = meta_or_return!(meta);
    if meta.solution.is_empty() {
        return LogicVerdict::invalid_task("empty solution");
    }
    grid_verdict(answer, &meta.solution, Cells::Integers)
}
