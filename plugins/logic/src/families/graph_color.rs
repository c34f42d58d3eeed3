//! Graph colouring: colour the vertices so that no edge joins two vertices of the same colour.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return};
use crate::LogicVerdict;
use crate::grid::integers;
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    vertices: usize,
    edges: Vec<(usize, usize)>,
    /// Allowed colours are `1..=num_colors`.
    num_colors: usize,
    /// One valid colouring, by vertex.
    possible_answer: Vec<usize>,
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let vertices = (5 + 2 * difficulty as usize).min(25);
    let num_colors = if difficulty >= 6 { 4 } else { 3 };
    {
        // Plant a colouring, then only join differently coloured vertices: always colourable.
        let planted: Vec<usize> = (0..vertices).map(|_| 1 + rng.below(num_colors)).collect();
        let mut edges = Vec::new();
        for a in 0..vertices {
            for b in a + 1..vertices {
                if planted[a] != planted[b] && rng.chance(2 + u32::from(num_colors == 4), 5) {
                    edges.push((a, b));
                }
            }
        }
        let possible_answer = planted;
        let vertex_list = (0..vertices)
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let edge_list = edges
            .iter()
            .map(|(a, b)| format!("({a}, {b})"))
            .collect::<Vec<_>>()
            .join(", ");
        let color_list = (1..=num_colors)
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let prompt = format!(
            "Please provide a coloring for this graph such that every vertex is not connected to a vertex of the same color. The graph has these properties:\n\nVertices: [{vertex_list}]\nEdges: [{edge_list}]\nPossible colors: [{color_list}]\n\nReturn your solution as a JSON map of vertices to colors. (For example: {{\"0\": 1, \"1\": 2, \"2\": 3}}.)"
        );
        let reference = to_json(&possible_answer);
        let meta = Meta {
            vertices,
            edges,
            num_colors,
            possible_answer,
        };
        Ok(Generated {
            prompt,
            reference,
            format_example: "{\"0\": 1, \"1\": 2, ...}".into(),
            meta: encode(&meta),
        })
    }
}

fn to_json(colouring: &[usize]) -> String {
    let pairs: Vec<String> = colouring
        .iter()
        .enumerate()
        .map(|(v, c)| format!("\"{v}\": {c}"))
        .collect();
    format!("{{{}}}", pairs.join(", "))
}

/// Reads `{"0": 1, ...}` JSON, or any "vertex: colour" pairs of integers.
fn parse(answer: &str, vertices: usize) -> Result<Vec<Option<i64>>, String> {
    let mut colouring = vec![None; vertices];
    let pairs: Vec<(i64, i64)> =
        match serde_json::from_str::<serde_json::Map<String, Value>>(answer) {
            Ok(map) => map
                .iter()
                .map(|(key, value)| {
                    let vertex = key
                        .trim()
                        .parse::<i64>()
                        .map_err(|_| format!("vertex key `{key}` is not a number"))?;
                    let color = value
                        .as_i64()
                        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
                        .ok_or_else(|| format!("colour of vertex {key} is not a number"))?;
                    Ok((vertex, color))
                })
                .collect::<Result<_, String>>()?,
            Err(_) => {
                let numbers = integers(answer);
                if numbers.is_empty() || !numbers.len().is_multiple_of(2) {
                    return Err("expected a JSON map of vertices to colours".into());
                }
                numbers.chunks(2).map(|pair| (pair[0], pair[1])).collect()
            }
        };
    for (vertex, color) in pairs {
        let Some(slot) = usize::try_from(vertex)
            .ok()
            .and_then(|v| colouring.get_mut(v))
        else {
            return Err(format!("vertex {vertex} does not exist"));
        };
        if slot.is_some_and(|c| c != color) {
            return Err(format!("vertex {vertex} is given two colours"));
        }
        *slot = Some(color);
    }
    Ok(colouring)
}

/// Reasoning Gym's graph description (`puzzle` in its metadata).
#[derive(Deserialize)]
struct ImportedGraph {
    vertices: Vec<usize>,
    edges: Vec<(usize, usize)>,
    color_options: Vec<i64>,
}

/// The part of the metadata the verifier reads; either this crate's fields or `puzzle`.
#[derive(Deserialize)]
struct Check {
    #[serde(default)]
    vertices: usize,
    #[serde(default)]
    edges: Vec<(usize, usize)>,
    #[serde(default)]
    num_colors: usize,
    #[serde(default)]
    puzzle: Option<ImportedGraph>,
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let mut meta: Check = meta_or_return!(meta);
    if let Some(graph) = meta.puzzle.take() {
        meta.vertices = graph
            .vertices
            .iter()
            .max()
            .map_or(0, |&v| v + 1)
            .max(graph.vertices.len());
        meta.edges = graph.edges;
        meta.num_colors = graph.color_options.len();
    }
    if meta.vertices == 0
        || meta.vertices > 10_000
        || meta
            .edges
            .iter()
            .any(|&(a, b)| a >= meta.vertices || b >= meta.vertices)
    {
        return LogicVerdict::invalid_task(
            "the graph needs vertices, and edge endpoints must be vertices",
        );
    }
    let colouring = match parse(answer, meta.vertices) {
        Ok(colouring) => colouring,
        Err(reason) => return LogicVerdict::unparsable(reason),
    };
    if let Some(vertex) = colouring.iter().position(Option::is_none) {
        return LogicVerdict::incorrect(format!("vertex {vertex} has no colour"));
    }
    let allowed = 1..=meta.num_colors as i64;
    if let Some((vertex, color)) = colouring
        .iter()
        .enumerate()
        .find(|(_, c)| !c.is_some_and(|c| allowed.contains(&c)))
    {
        return LogicVerdict::incorrect(format!(
            "vertex {vertex} uses colour {color:?}, allowed 1-{}",
            meta.num_colors
        ));
    }
    let clashes: Vec<&(usize, usize)> = meta
        .edges
        .iter()
        .filter(|(a, b)| colouring[*a] == colouring[*b])
        .collect();
    if clashes.is_empty() {
        return LogicVerdict::correct("proper colouring");
    }
    let fraction = 1.0 - clashes.len() as f64 / meta.edges.len() as f64;
    LogicVerdict::partial(
        fraction.min(0.99),
        format!(
            "{} of {} edges join same-coloured vertices, e.g. {:?}",
            clashes.len(),
            meta.edges.len(),
            clashes[0]
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Backtracking colouring (most-constrained vertex first); a second solver for tests too.
    fn colour(
        vertices: usize,
        edges: &[(usize, usize)],
        colors: usize,
        order: &[usize],
    ) -> Option<Vec<usize>> {
        fn search(
            assigned: &mut Vec<usize>,
            adjacency: &[Vec<usize>],
            colors: usize,
            order: &[usize],
            pos: usize,
        ) -> bool {
            let Some(&vertex) = order.get(pos) else {
                return true;
            };
            for color in 1..=colors {
                if adjacency[vertex].iter().all(|&n| assigned[n] != color) {
                    assigned[vertex] = color;
                    if search(assigned, adjacency, colors, order, pos + 1) {
                        return true;
                    }
                }
            }
            assigned[vertex] = 0;
            false
        }
        let mut adjacency = vec![Vec::new(); vertices];
        for &(a, b) in edges {
            adjacency[a].push(b);
            adjacency[b].push(a);
        }
        let mut assigned = vec![0; vertices];
        search(&mut assigned, &adjacency, colors, order, 0).then_some(assigned)
    }

    #[test]
    fn another_colouring_is_accepted() {
        for seed in 0..20 {
            let generated = generate(&mut Rng::new(seed), 4).expect("generates");
            let meta: Meta = serde_json::from_value(generated.meta.clone()).expect("round-trips");
            // A different solver: natural vertex order, colours permuted.
            let order: Vec<usize> = (0..meta.vertices).collect();
            let other =
                colour(meta.vertices, &meta.edges, meta.num_colors, &order).expect("colourable");
            let permuted: Vec<usize> = other.iter().map(|c| c % meta.num_colors + 1).collect();
            assert_eq!(verify(&generated.meta, &to_json(&permuted)).score, 1.0);
            let lines: Vec<String> = permuted
                .iter()
                .enumerate()
                .map(|(v, c)| format!("{v}: {c}"))
                .collect();
            assert_eq!(verify(&generated.meta, &lines.join("\n")).score, 1.0);
        }
    }
}
