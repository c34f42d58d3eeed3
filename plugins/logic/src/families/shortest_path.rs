//! Shortest path on a grid: move from `*` to `#` through open cells; any shortest route counts.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    /// Rows of `*` (start), `#` (goal), `O` (open) and `X` (blocked).
    matrix: Vec<String>,
    /// Number of moves on a shortest path.
    shortest_length: usize,
}

const MOVES: [(&str, i64, i64); 4] = [
    ("right", 0, 1),
    ("down", 1, 0),
    ("left", 0, -1),
    ("up", -1, 0),
];

fn find(grid: &[Vec<u8>], target: u8) -> Option<(usize, usize)> {
    grid.iter()
        .enumerate()
        .find_map(|(r, row)| row.iter().position(|&c| c == target).map(|c| (r, c)))
}

/// How a cell was reached: the previous cell and the move name.
type Step = (usize, usize, &'static str);

/// Breadth-first search; returns the move names of one shortest path from `*` to `#`.
fn bfs(grid: &[Vec<u8>]) -> Option<Vec<&'static str>> {
    let start = find(grid, b'*')?;
    let (rows, cols) = (grid.len(), grid[0].len());
    let mut previous: Vec<Vec<Option<Step>>> = vec![vec![None; cols]; rows];
    let mut seen = vec![vec![false; cols]; rows];
    seen[start.0][start.1] = true;
    let mut queue = VecDeque::from([start]);
    while let Some((r, c)) = queue.pop_front() {
        if grid[r][c] == b'#' {
            let mut path = Vec::new();
            let mut at = (r, c);
            while let Some((pr, pc, name)) = previous[at.0][at.1] {
                path.push(name);
                at = (pr, pc);
            }
            path.reverse();
            return Some(path);
        }
        for (name, dr, dc) in MOVES {
            let (nr, nc) = (r as i64 + dr, c as i64 + dc);
            if nr < 0 || nc < 0 || nr >= rows as i64 || nc >= cols as i64 {
                continue;
            }
            let (nr, nc) = (nr as usize, nc as usize);
            if !seen[nr][nc] && grid[nr][nc] != b'X' {
                seen[nr][nc] = true;
                previous[nr][nc] = Some((r, c, name));
                queue.push_back((nr, nc));
            }
        }
    }
    None
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let rows = scale(difficulty, 4, 14, 1);
    for _ in 0..10_000 {
        let cols = rows + rng.below(3);
        let mut grid: Vec<Vec<u8>> = (0..rows)
            .map(|_| {
                (0..cols)
                    .map(|_| if rng.chance(3, 10) { b'X' } else { b'O' })
                    .collect()
            })
            .collect();
        let start = (rng.below(rows), rng.below(cols));
        let goal = (rng.below(rows), rng.below(cols));
        if start == goal {
            continue;
        }
        grid[start.0][start.1] = b'*';
        grid[goal.0][goal.1] = b'#';
        let Some(path) = bfs(&grid) else { continue };
        if path.len() < 2 + difficulty.min(8) as usize {
            continue;
        }
        let matrix: Vec<String> = grid
            .iter()
            .map(|row| String::from_utf8_lossy(row).into_owned())
            .collect();
        let shown: Vec<String> = matrix
            .iter()
            .map(|row| row.chars().map(String::from).collect::<Vec<_>>().join(" "))
            .collect();
        let prompt = format!(
            "Your task is to find the shortest path from the start to the destination point in a grid.\n\nThe grid is represented as a matrix with the following types of cells:\n- *: your starting point\n- #: your destination point\n- O: an open cell\n- X: a blocked cell\n\nYou may only move in four directions: up, down, left, and right, and only through open cells.\n\nAnswer format: the sequence of moves from * to #, separated by spaces, e.g. right right down down up left\n\nFind a shortest path from * to # in the following grid:\n{}",
            shown.join("\n")
        );
        let meta = Meta {
            matrix,
            shortest_length: path.len(),
        };
        return Ok(Generated {
            prompt,
            reference: path.join(" "),
            format_example: "right down down".into(),
            meta: encode(&meta),
        });
    }
    Err("shortest_path: no grid with a path found".into())
}

fn parse(answer: &str) -> Result<Vec<(i64, i64)>, String> {
    let mut moves = Vec::new();
    let mut spaced = String::new();
    for c in answer.chars() {
        match c {
            '→' => spaced.push_str(" right "),
            '←' => spaced.push_str(" left "),
            '↑' => spaced.push_str(" up "),
            '↓' => spaced.push_str(" down "),
            c if c.is_alphabetic() => spaced.push(c),
            _ => spaced.push(' '),
        }
    }
    for word in spaced.split_whitespace() {
        let step = match word.to_lowercase().as_str() {
            "right" | "r" | "east" | "e" => (0, 1),
            "left" | "l" | "west" | "w" => (0, -1),
            "up" | "u" | "north" | "n" => (-1, 0),
            "down" | "d" | "south" | "s" => (1, 0),
            other => return Err(format!("`{other}` is not a direction")),
        };
        moves.push(step);
    }
    if moves.is_empty() {
        return Err("no moves found".into());
    }
    Ok(moves)
}

/// Grid rows as strings, or as lists of one-character strings (Reasoning Gym).
#[derive(Deserialize)]
#[serde(untagged)]
enum Rows {
    Strings(Vec<String>),
    Cells(Vec<Vec<String>>),
}

/// The part of the metadata the verifier reads.
#[derive(Deserialize)]
struct Check {
    matrix: Rows,
    shortest_length: Option<usize>,
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let meta: Check = meta_or_return!(meta);
    let grid: Vec<Vec<u8>> = match meta.matrix {
        Rows::Strings(rows) => rows.iter().map(|row| row.as_bytes().to_vec()).collect(),
        Rows::Cells(rows) => rows.iter().map(|row| row.concat().into_bytes()).collect(),
    };
    let (Some(start), Some(goal)) = (find(&grid, b'*'), find(&grid, b'#')) else {
        return LogicVerdict::invalid_task("matrix needs a * and a #");
    };
    let shortest = match meta.shortest_length {
        Some(length) => Some(length),
        None => bfs(&grid).map(|path| path.len()),
    };
    let Some(shortest) = shortest else {
        // Imported tasks may have no path; the expected answer is then "infeasible".
        return if answer.trim().eq_ignore_ascii_case("infeasible") {
            LogicVerdict::correct("no path exists")
        } else {
            LogicVerdict::incorrect("no path exists; the answer is infeasible")
        };
    };
    let moves = match parse(answer) {
        Ok(moves) => moves,
        Err(reason) => return LogicVerdict::unparsable(reason),
    };
    let (mut r, mut c) = (start.0 as i64, start.1 as i64);
    for (step, (dr, dc)) in moves.iter().enumerate() {
        (r, c) = (r + dr, c + dc);
        let cell = usize::try_from(r)
            .ok()
            .and_then(|r| grid.get(r))
            .and_then(|row| usize::try_from(c).ok().and_then(|c| row.get(c)));
        match cell {
            None => return LogicVerdict::incorrect(format!("move {} leaves the grid", step + 1)),
            Some(b'X') => {
                return LogicVerdict::incorrect(format!("move {} enters a blocked cell", step + 1));
            }
            Some(_) => {}
        }
    }
    if (r, c) != (goal.0 as i64, goal.1 as i64) {
        return LogicVerdict::incorrect("the path does not end at #");
    }
    if moves.len() <= shortest {
        LogicVerdict::correct(format!("shortest path of {} moves", moves.len()))
    } else {
        LogicVerdict::partial(
            0.5,
            format!(
                "valid path of {} moves, shortest is {shortest}",
                moves.len()
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Second method: depth-first search over all simple paths up to the shortest length,
    /// preferring moves in the reverse order, so it often finds a different shortest path.
    fn another_shortest(
        grid: &[Vec<u8>],
        at: (usize, usize),
        left: usize,
        path: &mut Vec<&'static str>,
    ) -> bool {
        if grid[at.0][at.1] == b'#' {
            return true;
        }
        if left == 0 {
            return false;
        }
        for (name, dr, dc) in MOVES.iter().rev() {
            let (nr, nc) = (at.0 as i64 + dr, at.1 as i64 + dc);
            let Some(&cell) = usize::try_from(nr)
                .ok()
                .and_then(|r| grid.get(r))
                .and_then(|row| usize::try_from(nc).ok().and_then(|c| row.get(c)))
            else {
                continue;
            };
            if cell == b'X' || cell == b'*' {
                continue;
            }
            path.push(name);
            if another_shortest(grid, (nr as usize, nc as usize), left - 1, path) {
                return true;
            }
            path.pop();
        }
        false
    }

    #[test]
    fn a_different_shortest_path_is_accepted_and_a_longer_one_is_partial() {
        let mut differed = false;
        for seed in 0..30 {
            let generated = generate(&mut Rng::new(seed), 2).expect("generates");
            let meta: Meta = serde_json::from_value(generated.meta.clone()).expect("round-trips");
            let grid: Vec<Vec<u8>> = meta
                .matrix
                .iter()
                .map(|row| row.as_bytes().to_vec())
                .collect();
            let start = find(&grid, b'*').expect("start");
            let mut path = Vec::new();
            assert!(another_shortest(
                &grid,
                start,
                meta.shortest_length,
                &mut path
            ));
            let answer = path.join(" ");
            assert_eq!(verify(&generated.meta, &answer).score, 1.0, "{answer}");
            differed |= answer != generated.reference;
            // A detour: step back and forth once on the first move.
            let back = match path[0] {
                "right" => "left",
                "left" => "right",
                "up" => "down",
                _ => "up",
            };
            let detour = format!("{} {back} {answer}", path[0]);
            assert_eq!(
                verify(&generated.meta, &detour).status,
                crate::LogicStatus::Partial,
                "{detour}"
            );
        }
        assert!(
            differed,
            "the second search should sometimes find another path"
        );
    }
}
