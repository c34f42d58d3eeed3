//! Rotate matrix: the square matrix turned clockwise by 90, 180 or 270 degrees.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::grid::{Cells, grid_verdict, render};
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    matrix: Vec<Vec<i64>>,
    num_rotations: usize,
    solution: Vec<Vec<i64>>,
}

fn rotate_once(matrix: &[Vec<i64>]) -> Vec<Vec<i64>> {
    let n = matrix.len();
    (0..n)
        .map(|r| (0..n).map(|c| matrix[n - 1 - c][r]).collect())
        .collect()
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let n = scale(difficulty, 2, 10, 1);
    let matrix: Vec<Vec<i64>> = (0..n)
        .map(|_| (0..n).map(|_| rng.range(0, 9)).collect())
        .collect();
    let num_rotations = 1 + rng.below(3);
    let mut solution = matrix.clone();
    for _ in 0..num_rotations {
        solution = rotate_once(&solution);
    }
    let prompt = format!(
        "Given a square matrix, your job is to rotate it clockwise by {} degrees.\n\nAnswer format: the rotated matrix, one row per line, numbers separated by spaces.\n\nRotate the matrix below clockwise by {} degrees:\n{}",
        90 * num_rotations,
        90 * num_rotations,
        render(&matrix)
    );
    let reference = render(&solution);
    let meta = Meta {
        matrix,
        num_rotations,
        solution,
    };
    Ok(Generated {
        prompt,
        reference,
        format_example: "3 1\n4 2".into(),
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
