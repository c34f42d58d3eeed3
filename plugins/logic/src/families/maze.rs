//! Maze: the minimum number of steps from start to goal in a walled grid of arbitrary symbols.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::grid::integers;
use crate::rng::Rng;

/// Symbols drawn for walls, passages, start and goal (no quotes, backticks or backslashes).
const SYMBOLS: &[char] = &[
    '#', '.', '@', '%', '+', '=', '~', '&', '!', '?', ':', ';', 'o', 'x', 'A', 'B', 'C', 'D', 'E',
    'F', 'G', 'H', 'J', 'K', 'L', 'M', 'N', 'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'Y', 'Z', '$',
    '^', '<', '>', '{', '}',
];

#[derive(Serialize, Deserialize)]
struct Meta {
    grid: Vec<String>,
    start: char,
    goal: char,
    wall: char,
    path: char,
    shortest_path_length: usize,
}

/// Breadth-first distance from `start` to `goal`, walking on anything but `wall`.
fn distance(grid: &[Vec<char>], start: char, goal: char, wall: char) -> Option<usize> {
    let from = grid
        .iter()
        .enumerate()
        .find_map(|(r, row)| row.iter().position(|&c| c == start).map(|c| (r, c)))?;
    let mut dist = vec![vec![usize::MAX; grid[0].len()]; grid.len()];
    dist[from.0][from.1] = 0;
    let mut queue = VecDeque::from([from]);
    while let Some((r, c)) = queue.pop_front() {
        if grid[r][c] == goal {
            return Some(dist[r][c]);
        }
        let neighbours = [
            (r.wrapping_sub(1), c),
            (r + 1, c),
            (r, c.wrapping_sub(1)),
            (r, c + 1),
        ];
        for (nr, nc) in neighbours {
            if nr < grid.len()
                && nc < grid[nr].len()
                && grid[nr][nc] != wall
                && dist[nr][nc] == usize::MAX
            {
                dist[nr][nc] = dist[r][c] + 1;
                queue.push_back((nr, nc));
            }
        }
    }
    None
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let size = scale(difficulty, 5, 16, 1);
    let min_dist = (2 + difficulty as usize).min(20);
    let chosen = rng.sample(SYMBOLS, 4);
    let (wall, path, start, goal) = (chosen[0], chosen[1], chosen[2], chosen[3]);
    for _ in 0..10_000 {
        let mut grid: Vec<Vec<char>> = (0..size)
            .map(|r| {
                (0..size)
                    .map(|c| {
                        let border = r == 0 || c == 0 || r + 1 == size || c + 1 == size;
                        if border || rng.chance(3, 10) {
                            wall
                        } else {
                            path
                        }
                    })
                    .collect()
            })
            .collect();
        let mut cell = || (1 + rng.below(size - 2), 1 + rng.below(size - 2));
        let (s, g) = (cell(), cell());
        if s == g || grid[s.0][s.1] == wall || grid[g.0][g.1] == wall {
            continue;
        }
        grid[s.0][s.1] = start;
        grid[g.0][g.1] = goal;
        let Some(steps) = distance(&grid, start, goal, wall) else {
            continue;
        };
        if steps < min_dist {
            continue;
        }
        let rows: Vec<String> = grid.iter().map(|row| row.iter().collect()).collect();
        let prompt = format!(
            "Navigate from '{start}' (start) to '{goal}' (goal):\n\n```\n{}\n```\nLegend: '{wall}' = Wall, '{path}' = Passage\n\nWhat is the minimum number of steps to reach the goal? Each step moves one cell up, down, left or right.\nAnswer format: only the number of steps.",
            rows.join("\n")
        );
        let meta = Meta {
            grid: rows,
            start,
            goal,
            wall,
            path,
            shortest_path_length: steps,
        };
        return Ok(Generated {
            prompt,
            reference: steps.to_string(),
            format_example: "7".into(),
            meta: encode(&meta),
        });
    }
    Err("maze: no maze at the requested distance".into())
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let meta: Meta = meta_or_return!(meta);
    let numbers = integers(answer);
    let [steps] = numbers[..] else {
        return LogicVerdict::unparsable(format!(
            "expected one number of steps, found {}",
            numbers.len()
        ));
    };
    if steps == meta.shortest_path_length as i64 {
        LogicVerdict::correct("minimum number of steps")
    } else {
        LogicVerdict::incorrect(format!("{steps} is not the minimum number of steps"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_distance_matches_a_fresh_search() {
        for seed in 0..20 {
            let generated = generate(&mut Rng::new(seed), 5).expect("generates");
            let meta: Meta = serde_json::from_value(generated.meta).expect("round-trips");
            let grid: Vec<Vec<char>> = meta.grid.iter().map(|row| row.chars().collect()).collect();
            assert_eq!(
                distance(&grid, meta.start, meta.goal, meta.wall),
                Some(meta.shortest_path_length)
            );
        }
    }
}
