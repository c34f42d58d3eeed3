//! Conway's Game of Life: the board after a number of steps on a wrapping (toroidal) grid.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::grid::{Cells, grid_verdict};
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    board: Vec<Vec<i64>>,
    simulation_steps: usize,
    result: Vec<Vec<i64>>,
}

fn step(board: &[Vec<i64>]) -> Vec<Vec<i64>> {
    let (rows, cols) = (board.len(), board[0].len());
    (0..rows)
        .map(|r| {
            (0..cols)
                .map(|c| {
                    let mut live = 0;
                    for dr in [rows - 1, 0, 1] {
                        for dc in [cols - 1, 0, 1] {
                            if (dr, dc) != (0, 0) {
                                live += board[(r + dr) % rows][(c + dc) % cols];
                            }
                        }
                    }
                    i64::from(live == 3 || (live == 2 && board[r][c] == 1))
                })
                .collect()
        })
        .collect()
}

fn json_grid(grid: &[Vec<i64>]) -> String {
    let rows: Vec<String> = grid
        .iter()
        .map(|row| {
            format!(
                "[{}]",
                row.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
            )
        })
        .collect();
    format!("[{}]", rows.join(",\n "))
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let size = scale(difficulty, 4, 12, 1);
    let steps = scale(difficulty, 1, 3, 5);
    let board: Vec<Vec<i64>> = (0..size)
        .map(|_| (0..size).map(|_| i64::from(rng.chance(3, 10))).collect())
        .collect();
    let mut result = board.clone();
    for _ in 0..steps {
        result = step(&result);
    }
    let prompt = format!(
        "What will this Game of Life board look like after {steps} step(s) of simulation? Assume a Moore neighborhood (8 neighbours) and wrapping topology (the edges wrap around). A live cell with 2 or 3 live neighbours survives, a dead cell with exactly 3 becomes alive, every other cell is dead.\nAnswer format: an array of arrays representing rows in the grid from top to bottom in JSON format, e.g. [[0,1,0],[0,1,0],[0,1,0]].\n\n{}",
        json_grid(&board)
    );
    let reference = json_grid(&result).replace('\n', "");
    let meta = Meta {
        board,
        simulation_steps: steps,
        result,
    };
    Ok(Generated {
        prompt,
        reference,
        format_example: "[[0,1,0],[0,1,0],[0,1,0]]".into(),
        meta: encode(&meta),
    })
}

/// The part of the metadata the verifier reads. Imported tasks carry no result grid; their
/// reference answer (a JSON grid) is used instead.
#[derive(Deserialize)]
struct Check {
    #[serde(default)]
    result: Vec<Vec<i64>>,
    #[serde(default)]
    reference: String,
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let mut meta: Check = meta_or_return!(meta);
    if meta.result.is_empty() {
        meta.result = serde_json::from_str(&meta.reference).unwrap_or_default();
    }
    let cols = meta.result.first().map_or(0, Vec::len);
    if cols == 0 || meta.result.iter().any(|row| row.len() != cols) {
        return LogicVerdict::invalid_task("no rectangular result grid");
    }
    grid_verdict(answer, &meta.result, Cells::Digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blinker_oscillates() {
        let blinker = vec![
            vec![0, 0, 0, 0, 0],
            vec![0, 0, 1, 0, 0],
            vec![0, 0, 1, 0, 0],
            vec![0, 0, 1, 0, 0],
            vec![0, 0, 0, 0, 0],
        ];
        let turned = step(&blinker);
        assert_eq!(turned[2], vec![0, 1, 1, 1, 0]);
        assert_eq!(step(&turned), blinker);
    }
}
