//! Spiral matrix: list a matrix's elements clockwise in a spiral from the top-left corner.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::grid::{integers, render};
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    matrix: Vec<Vec<i64>>,
    solution: Vec<i64>,
}

fn spiral(matrix: &[Vec<i64>]) -> Vec<i64> {
    let mut out = Vec::new();
    if matrix.is_empty() {
        return out;
    }
    let (mut top, mut bottom, mut left, mut right) = (
        0i64,
        matrix.len() as i64 - 1,
        0i64,
        matrix[0].len() as i64 - 1,
    );
    let at = |r: i64, c: i64| matrix[r as usize][c as usize];
    while top <= bottom && left <= right {
        out.extend((left..=right).map(|c| at(top, c)));
        out.extend((top + 1..=bottom).map(|r| at(r, right)));
        if top < bottom {
            out.extend((left..right).rev().map(|c| at(bottom, c)));
        }
        if left < right {
            out.extend((top + 1..bottom).rev().map(|r| at(r, left)));
        }
        (top, bottom, left, right) = (top + 1, bottom - 1, left + 1, right - 1);
    }
    out
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let rows = scale(difficulty, 2, 10, 1);
    let cols = rows + rng.below(2);
    let matrix: Vec<Vec<i64>> = (0..rows)
        .map(|_| (0..cols).map(|_| rng.range(0, 9)).collect())
        .collect();
    let solution = spiral(&matrix);
    let prompt = format!(
        "Given a matrix, your job is to generate a list of elements in spiral order, starting from the top-left element and moving clockwise.\n\nAnswer format: the elements in spiral order separated by spaces, e.g. 1 2 3 6 9 8 7 4 5\n\nFor the matrix below, what is the list of elements in spiral order?\n{}",
        render(&matrix)
    );
    let reference = solution
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(" ");
    let meta = Meta { matrix, solution };
    Ok(Generated {
        prompt,
        reference,
        format_example: "1 2 3 6 9 8 7 4 5".into(),
        meta: encode(&meta),
    })
}

/// The part of the metadata the verifier reads.
#[derive(Deserialize)]
struct Check {
    solution: Vec<i64>,
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let meta: Check = meta_or_return!(meta);
    if meta.solution.is_empty() {
        return LogicVerdict::invalid_task("empty solution");
    }
    let said = integers(answer);
    if said.is_empty() {
        return LogicVerdict::unparsable("no numbers found");
    }
    let prefix = said
        .iter()
        .zip(&meta.solution)
        .take_while(|(a, b)| a == b)
        .count();
    if said.len() != meta.solution.len() {
        let fraction = prefix as f64 / said.len().max(meta.solution.len()) as f64;
        return LogicVerdict::partial(
            fraction.min(0.99),
            format!(
                "{} elements given, expected {}",
                said.len(),
                meta.solution.len()
            ),
        );
    }
    LogicVerdict::partial(
        prefix as f64 / meta.solution.len() as f64,
        format!("first {prefix} elements right"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spirals() {
        let m = vec![vec![1, 2, 3], vec![4, 5, 6], vec![7, 8, 9]];
        assert_eq!(spiral(&m), vec![1, 2, 3, 6, 9, 8, 7, 4, 5]);
        let wide = vec![vec![1, 2, 3, 4], vec![5, 6, 7, 8]];
        assert_eq!(spiral(&wide), vec![1, 2, 3, 4, 8, 7, 6, 5]);
    }
}
