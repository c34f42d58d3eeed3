//! Futoshiki: a Latin square with inequality signs between neighbours; unique solution.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::grid::{Cells, blanks_right, number_grid};
use crate::rng::Rng;

/// `less` < `greater`, two orthogonally adjacent cells as (row, col).
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Inequality {
    less: (usize, usize),
    greater: (usize, usize),
}

#[derive(Serialize, Deserialize)]
struct Meta {
    size: usize,
    puzzle: Vec<Vec<i64>>,
    solution: Vec<Vec<i64>>,
    constraints: Vec<Inequality>,
}

struct Solver<'a> {
    size: usize,
    cells: Vec<i64>,
    constraints: &'a [Inequality],
}

impl Solver<'_> {
    fn allowed(&self, idx: usize, value: i64) -> bool {
        let (row, col) = (idx / self.size, idx % self.size);
        for k in 0..self.size {
            if self.cells[row * self.size + k] == value || self.cells[k * self.size + col] == value
            {
                return false;
            }
        }
        self.constraints.iter().all(|c| {
            let at = |(r, c): (usize, usize)| r * self.size + c;
            if at(c.less) == idx {
                let other = self.cells[at(c.greater)];
                value < self.size as i64 && (other == 0 || value < other)
            } else if at(c.greater) == idx {
                let other = self.cells[at(c.less)];
                value > 1 && (other == 0 || value > other)
            } else {
                true
            }
        })
    }

    fn count(&mut self, limit: usize, mut rng: Option<&mut Rng>) -> usize {
        let mut best: Option<(usize, Vec<i64>)> = None;
        for idx in 0..self.cells.len() {
            if self.cells[idx] == 0 {
                let options: Vec<i64> = (1..=self.size as i64)
                    .filter(|&v| self.allowed(idx, v))
                    .collect();
                if best.as_ref().is_none_or(|(_, b)| options.len() < b.len()) {
                    let done = options.len() <= 1;
                    best = Some((idx, options));
                    if done {
                        break;
                    }
                }
            }
        }
        let Some((idx, mut options)) = best else {
            return 1;
        };
        if let Some(rng) = rng.as_deref_mut() {
            rng.shuffle(&mut options);
        }
        let mut found = 0;
        for value in options {
            self.cells[idx] = value;
            found += self.count(limit - found, rng.as_deref_mut());
            if found >= limit {
                return found;
            }
        }
        self.cells[idx] = 0;
        found
    }
}

fn render(grid: &[Vec<i64>], constraints: &[Inequality]) -> String {
    let size = grid.len();
    let relation = |a: (usize, usize), b: (usize, usize)| -> Option<bool> {
        constraints.iter().find_map(|c| {
            if c.less == a && c.greater == b {
                Some(true)
            } else if c.less == b && c.greater == a {
                Some(false)
            } else {
                None
            }
        })
    };
    let mut lines = Vec::new();
    for (row, cells) in grid.iter().enumerate() {
        let mut line = String::new();
        for (col, &value) in cells.iter().enumerate() {
            line.push_str(&if value == 0 {
                "_".to_string()
            } else {
                value.to_string()
            });
            if col + 1 < size {
                line.push_str(match relation((row, col), (row, col + 1)) {
                    Some(true) => " < ",
                    Some(false) => " > ",
                    None => "   ",
                });
            }
        }
        lines.push(line);
        if row + 1 < size {
            let marks: Vec<&str> = (0..size)
                .map(|col| match relation((row, col), (row + 1, col)) {
                    Some(true) => "∧",
                    Some(false) => "∨",
                    None => " ",
                })
                .collect();
            lines.push(marks.join("   ").trim_end().to_string());
        }
    }
    lines.join("\n")
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let size = scale(difficulty, 4, 7, 3);
    let mut solver = Solver {
        size,
        cells: vec![0; size * size],
        constraints: &[],
    };
    solver.count(1, Some(rng));
    let solved = solver.cells.clone();
    let mut constraints = Vec::new();
    for row in 0..size {
        for col in 0..size {
            for (r2, c2) in [(row, col + 1), (row + 1, col)] {
                if r2 < size && c2 < size && rng.chance(2, 5) {
                    let (a, b) = ((row, col), (r2, c2));
                    let (va, vb) = (solved[row * size + col], solved[r2 * size + c2]);
                    constraints.push(if va < vb {
                        Inequality {
                            less: a,
                            greater: b,
                        }
                    } else {
                        Inequality {
                            less: b,
                            greater: a,
                        }
                    });
                }
            }
        }
    }
    let mut cells = solved.clone();
    let mut order: Vec<usize> = (0..size * size).collect();
    rng.shuffle(&mut order);
    for idx in order {
        let saved = cells[idx];
        cells[idx] = 0;
        let mut probe = Solver {
            size,
            cells: cells.clone(),
            constraints: &constraints,
        };
        if probe.count(2, None) != 1 {
            cells[idx] = saved;
        }
    }
    let to_grid =
        |cells: &[i64]| -> Vec<Vec<i64>> { cells.chunks(size).map(<[i64]>::to_vec).collect() };
    let (puzzle, solution) = (to_grid(&cells), to_grid(&solved));
    let prompt = format!(
        "Solve the following {size}x{size} Futoshiki puzzle:\n\n{}\n\nEach row and each column must contain each number from 1 to {size} exactly once. The signs < and > between cells of a row, and ∧ (upper is smaller) and ∨ (upper is larger) between cells of a column, must hold.\nAnswer format: the completed grid in the same layout as the puzzle (constraint signs may be kept or left out), one row per line, with every _ replaced by its number.",
        render(&puzzle, &constraints)
    );
    let reference = render(&solution, &constraints);
    // A format example that gives nothing away: the digits in order.
    let example = (1..=size)
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(" ")
        + "\n...";
    let meta = Meta {
        size,
        puzzle,
        solution,
        constraints,
    };
    Ok(Generated {
        prompt,
        reference,
        format_example: example,
        meta: encode(&meta),
    })
}

fn violation(grid: &[Vec<i64>], meta: &Meta) -> Option<String> {
    let size = meta.size as i64;
    for (row, (cells, givens)) in grid.iter().zip(&meta.puzzle).enumerate() {
        for (col, (&value, &given)) in cells.iter().zip(givens).enumerate() {
            if !(1..=size).contains(&value) {
                return Some(format!(
                    "cell ({}, {}) holds {value}, outside 1-{size}",
                    row + 1,
                    col + 1
                ));
            }
            if given != 0 && given != value {
                return Some(format!(
                    "cell ({}, {}) changes the given {given}",
                    row + 1,
                    col + 1
                ));
            }
        }
    }
    for idx in 0..meta.size {
        let mut row: Vec<i64> = grid[idx].clone();
        let mut col: Vec<i64> = grid.iter().map(|r| r[idx]).collect();
        row.sort_unstable();
        col.sort_unstable();
        let want: Vec<i64> = (1..=size).collect();
        if row != want {
            return Some(format!("row {} is not a permutation of 1-{size}", idx + 1));
        }
        if col != want {
            return Some(format!(
                "column {} is not a permutation of 1-{size}",
                idx + 1
            ));
        }
    }
    meta.constraints.iter().find_map(|c| {
        let (less, greater) = (grid[c.less.0][c.less.1], grid[c.greater.0][c.greater.1]);
        (less >= greater).then(|| {
            format!(
                "cell ({}, {}) must be smaller than cell ({}, {})",
                c.less.0 + 1,
                c.less.1 + 1,
                c.greater.0 + 1,
                c.greater.1 + 1
            )
        })
    })
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let meta: Meta = meta_or_return!(meta);
    let size = meta.size;
    let shaped = |g: &[Vec<i64>]| g.len() == size && g.iter().all(|r| r.len() == size);
    let in_range = |(r, c): (usize, usize)| r < size && c < size;
    if size == 0
        || size > 9
        || !shaped(&meta.puzzle)
        || !shaped(&meta.solution)
        || !meta
            .constraints
            .iter()
            .all(|c| in_range(c.less) && in_range(c.greater))
    {
        return LogicVerdict::invalid_task(
            "puzzle, solution and constraints must fit the board size",
        );
    }
    let grid = match number_grid(answer, size, size, Cells::Digits) {
        Ok(grid) => grid,
        Err(reason) => return LogicVerdict::unparsable(reason),
    };
    match violation(&grid, &meta) {
        None => LogicVerdict::correct("valid completed grid"),
        Some(reason) => {
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
            let generated = generate(&mut Rng::new(seed), 6).expect("generates");
            let meta: Meta = serde_json::from_value(generated.meta).expect("round-trips");
            let cells = meta.puzzle.concat();
            let mut solver = Solver {
                size: meta.size,
                cells,
                constraints: &meta.constraints,
            };
            assert_eq!(solver.count(2, None), 1);
        }
    }
}
