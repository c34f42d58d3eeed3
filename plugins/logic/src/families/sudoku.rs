//! Sudoku, 4×4 (`mini_sudoku`) and 9×9 (`sudoku`): unique-solution puzzles, grid answers.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return};
use crate::LogicVerdict;
use crate::grid::{Cells, blanks_right, number_grid};
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    /// 0 marks an empty cell.
    puzzle: Vec<Vec<i64>>,
    solution: Vec<Vec<i64>>,
    /// Box shape; inferred from the grid side (4 → 2×2, 6 → 2×3, 9 → 3×3) when absent.
    #[serde(default)]
    box_rows: usize,
    #[serde(default)]
    box_cols: usize,
}

/// A board of side `box_rows * box_cols` with digit bitmasks per row, column and box.
struct Board {
    size: usize,
    box_rows: usize,
    box_cols: usize,
    cells: Vec<u8>,
}

impl Board {
    fn box_of(&self, idx: usize) -> usize {
        let (row, col) = (idx / self.size, idx % self.size);
        (row / self.box_rows) * (self.size / self.box_cols) + col / self.box_cols
    }

    /// Counts solutions up to `limit`; stops with the board filled by the `limit`-th solution.
    /// With `rng`, digits are tried in random order (used to draw a random full grid).
    fn solve(&mut self, limit: usize, rng: Option<&mut Rng>) -> usize {
        let mut rng = rng;
        let (mut rows, mut cols, mut boxes) = (
            vec![0u32; self.size],
            vec![0u32; self.size],
            vec![0u32; self.size],
        );
        for idx in 0..self.cells.len() {
            let value = self.cells[idx];
            if value != 0 {
                rows[idx / self.size] |= 1 << value;
                cols[idx % self.size] |= 1 << value;
                boxes[self.box_of(idx)] |= 1 << value;
            }
        }
        let all = ((1u32 << (self.size + 1)) - 1) & !1;
        let mut best: Option<(usize, u32)> = None;
        for idx in 0..self.cells.len() {
            if self.cells[idx] == 0 {
                let mask = all
                    & !(rows[idx / self.size] | cols[idx % self.size] | boxes[self.box_of(idx)]);
                if best.is_none_or(|(_, m)| mask.count_ones() < m.count_ones()) {
                    best = Some((idx, mask));
                    if mask.count_ones() <= 1 {
                        break;
                    }
                }
            }
        }
        let Some((idx, mask)) = best else { return 1 };
        let mut digits: Vec<u8> = (1..=self.size as u8)
            .filter(|d| mask & (1 << d) != 0)
            .collect();
        if let Some(rng) = rng.as_deref_mut() {
            rng.shuffle(&mut digits);
        }
        let mut found = 0;
        for digit in digits {
            self.cells[idx] = digit;
            found += self.solve(limit - found, rng.as_deref_mut());
            if found >= limit {
                // Leave the solution in place for the caller when stopping at the first one.
                return found;
            }
        }
        self.cells[idx] = 0;
        found
    }
}

fn build(rng: &mut Rng, box_rows: usize, box_cols: usize, empties: usize) -> Generated {
    let size = box_rows * box_cols;
    let mut board = Board {
        size,
        box_rows,
        box_cols,
        cells: vec![0; size * size],
    };
    board.solve(1, Some(rng));
    let solution = board.cells.clone();
    let mut order: Vec<usize> = (0..size * size).collect();
    rng.shuffle(&mut order);
    let mut removed = 0;
    for idx in order {
        if removed == empties {
            break;
        }
        let saved = board.cells[idx];
        board.cells[idx] = 0;
        let mut probe = Board {
            size,
            box_rows,
            box_cols,
            cells: board.cells.clone(),
        };
        if probe.solve(2, None) == 1 {
            removed += 1;
        } else {
            board.cells[idx] = saved;
        }
    }
    let to_grid = |cells: &[u8]| -> Vec<Vec<i64>> {
        cells
            .chunks(size)
            .map(|row| row.iter().map(|&v| i64::from(v)).collect())
            .collect()
    };
    let render = |grid: &[Vec<i64>]| -> String {
        grid.iter()
            .map(|row| {
                row.iter()
                    .map(|&v| if v == 0 { "_".into() } else { v.to_string() })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let puzzle = to_grid(&board.cells);
    let solution = to_grid(&solution);
    let prompt = format!(
        "Solve this {size}x{size} Sudoku puzzle. Fill every _ so that each row, each column and each {box_rows}x{box_cols} box contains the digits 1-{size} exactly once:\n{}\n\nAnswer format: the completed {size}x{size} grid, one row per line, numbers separated by spaces.",
        render(&puzzle)
    );
    let reference = render(&solution);
    // A format example that gives nothing away: the digits in order.
    let example = (1..=size)
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(" ")
        + "\n...";
    let meta = Meta {
        puzzle,
        solution,
        box_rows,
        box_cols,
    };
    Generated {
        prompt,
        reference,
        format_example: example,
        meta: encode(&meta),
    }
}

pub(crate) fn generate_mini(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    Ok(build(rng, 2, 2, (6 + difficulty as usize).min(12)))
}

pub(crate) fn generate_full(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    Ok(build(rng, 3, 3, (30 + 3 * difficulty as usize).min(58)))
}

/// Whether `grid` is a complete valid sudoku that keeps every given of `puzzle`.
fn is_valid(
    grid: &[Vec<i64>],
    puzzle: &[Vec<i64>],
    box_rows: usize,
    box_cols: usize,
) -> Result<(), String> {
    let size = box_rows * box_cols;
    for (row, (cells, givens)) in grid.iter().zip(puzzle).enumerate() {
        for (col, (&value, &given)) in cells.iter().zip(givens).enumerate() {
            if value < 1 || value > size as i64 {
                return Err(format!(
                    "cell ({}, {}) holds {value}, outside 1-{size}",
                    row + 1,
                    col + 1
                ));
            }
            if given != 0 && given != value {
                return Err(format!(
                    "cell ({}, {}) changes the given {given}",
                    row + 1,
                    col + 1
                ));
            }
        }
    }
    let unit_ok = |cells: Vec<i64>| {
        let mut seen = vec![false; size + 1];
        cells
            .into_iter()
            .all(|v| !std::mem::replace(&mut seen[v as usize], true))
    };
    for idx in 0..size {
        if !unit_ok(grid[idx].clone()) {
            return Err(format!("row {} repeats a digit", idx + 1));
        }
        if !unit_ok(grid.iter().map(|row| row[idx]).collect()) {
            return Err(format!("column {} repeats a digit", idx + 1));
        }
        let (top, left) = (
            (idx / (size / box_cols)) * box_rows,
            (idx % (size / box_cols)) * box_cols,
        );
        let cells = (0..size)
            .map(|k| grid[top + k / box_cols][left + k % box_cols])
            .collect();
        if !unit_ok(cells) {
            return Err(format!("box {} repeats a digit", idx + 1));
        }
    }
    Ok(())
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let mut meta: Meta = meta_or_return!(meta);
    if meta.box_rows * meta.box_cols == 0 {
        (meta.box_rows, meta.box_cols) = match meta.puzzle.len() {
            4 => (2, 2),
            6 => (2, 3),
            9 => (3, 3),
            16 => (4, 4),
            _ => (0, 0),
        };
    }
    let size = meta.box_rows * meta.box_cols;
    let shaped = |g: &[Vec<i64>]| g.len() == size && g.iter().all(|r| r.len() == size);
    if size == 0 || size > 16 || !shaped(&meta.puzzle) || !shaped(&meta.solution) {
        return LogicVerdict::invalid_task(
            "puzzle and solution must be square grids of the box size",
        );
    }
    let grid = match number_grid(answer, size, size, Cells::Digits) {
        Ok(grid) => grid,
        Err(reason) => return LogicVerdict::unparsable(reason),
    };
    match is_valid(&grid, &meta.puzzle, meta.box_rows, meta.box_cols) {
        Ok(()) => LogicVerdict::correct("valid completed grid"),
        Err(reason) => {
            let (right, blanks) = blanks_right(&grid, &meta.puzzle, &meta.solution);
            let fraction = if blanks == 0 {
                0.0
            } else {
                right as f64 / blanks as f64
            };
            LogicVerdict::partial(
                fraction.min(0.99),
                format!("{reason}; {right} of {blanks} blanks right"),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn puzzles_are_unique() {
        for seed in 0..5 {
            let generated = generate_full(&mut Rng::new(seed), 4).expect("generates");
            let meta: Meta = serde_json::from_value(generated.meta).expect("round-trips");
            let cells: Vec<u8> = meta.puzzle.iter().flatten().map(|&v| v as u8).collect();
            let mut counter = Board {
                size: 9,
                box_rows: 3,
                box_cols: 3,
                cells: Vec::clone(&cells),
            };
            assert_eq!(counter.solve(2, None), 1);
            let mut board = Board {
                size: 9,
                box_rows: 3,
                box_cols: 3,
                cells,
            };
            assert_eq!(board.solve(1, None), 1);
            let solved: Vec<i64> = board.cells.iter().map(|&v| i64::from(v)).collect();
            assert_eq!(solved, meta.solution.concat());
        }
    }
}
