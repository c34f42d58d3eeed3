//! Propositional satisfiability: find a true/false assignment satisfying a 3-CNF formula.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    num_vars: usize,
    /// Clauses of literals: `+k` is x_k, `-k` is NOT x_k (1-based).
    clauses: Vec<Vec<i64>>,
    /// The planted satisfying assignment, x1 first.
    solution: Vec<bool>,
}

fn satisfied(clause: &[i64], assignment: &[Option<bool>]) -> bool {
    clause.iter().any(|&literal| {
        let var = literal.unsigned_abs() as usize;
        assignment
            .get(var.wrapping_sub(1))
            .copied()
            .flatten()
            .is_some_and(|value| value == (literal > 0))
    })
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let num_vars = scale(difficulty, 4, 16, 1);
    // Near the 3-SAT threshold (4.26 clauses per variable), but never more than two thirds of
    // the distinct clauses the planted assignment satisfies (7 sign patterns per triple).
    let triples = num_vars * (num_vars - 1) * (num_vars - 2) / 6;
    let num_clauses = (num_vars * 4).min(triples * 7 * 2 / 3);
    let solution: Vec<bool> = (0..num_vars).map(|_| rng.chance(1, 2)).collect();
    let planted: Vec<Option<bool>> = solution.iter().copied().map(Some).collect();
    let vars: Vec<i64> = (1..=num_vars as i64).collect();
    let mut clauses: Vec<Vec<i64>> = Vec::new();
    while clauses.len() < num_clauses {
        let mut clause: Vec<i64> = rng
            .sample(&vars, 3)
            .into_iter()
            .map(|v| if rng.chance(1, 2) { v } else { -v })
            .collect();
        clause.sort_unstable_by_key(|l| l.abs());
        if satisfied(&clause, &planted) && !clauses.contains(&clause) {
            clauses.push(clause);
        }
    }
    let literal = |l: i64| {
        if l > 0 {
            format!("x{l}")
        } else {
            format!("NOT x{}", -l)
        }
    };
    let lines: Vec<String> = clauses
        .iter()
        .map(|clause| {
            format!(
                "({})",
                clause
                    .iter()
                    .map(|&l| literal(l))
                    .collect::<Vec<_>>()
                    .join(" OR ")
            )
        })
        .collect();
    let prompt = format!(
        "Find a truth assignment for the variables x1 to x{num_vars} that makes this formula true. The formula is the AND of the following clauses:\n{}\n\nAnswer format: every variable with its value, comma separated, e.g. x1=true, x2=false, ...",
        lines.join("\n")
    );
    let reference = solution
        .iter()
        .enumerate()
        .map(|(i, v)| format!("x{}={v}", i + 1))
        .collect::<Vec<_>>()
        .join(", ");
    let meta = Meta {
        num_vars,
        clauses,
        solution,
    };
    Ok(Generated {
        prompt,
        reference,
        format_example: "x1=true, x2=false, ...".into(),
        meta: encode(&meta),
    })
}

/// Reads `x1=true`, `x2 = F`, `x3: 0` style pairs.
fn parse(answer: &str, num_vars: usize) -> Result<Vec<Option<bool>>, String> {
    let lower = answer.to_lowercase();
    let mut assignment = vec![None; num_vars];
    let mut found = false;
    for piece in lower.split('x').skip(1) {
        let digits: String = piece.chars().take_while(char::is_ascii_digit).collect();
        let Ok(var) = digits.parse::<usize>() else {
            continue;
        };
        let rest = piece[digits.len()..].trim_start_matches(|c: char| {
            c.is_whitespace() || matches!(c, '=' | ':' | '-' | '>' | '→')
        });
        let value = if rest.starts_with("true") || rest.starts_with('t') || rest.starts_with('1') {
            true
        } else if rest.starts_with("false") || rest.starts_with('f') || rest.starts_with('0') {
            false
        } else {
            continue;
        };
        let Some(slot) = var.checked_sub(1).and_then(|idx| assignment.get_mut(idx)) else {
            return Err(format!("x{var} is not a variable of this formula"));
        };
        if slot.is_some_and(|v| v != value) {
            return Err(format!("x{var} is given both values"));
        }
        *slot = Some(value);
        found = true;
    }
    if !found {
        return Err("no xN=true/false assignments found".into());
    }
    Ok(assignment)
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let meta: Meta = meta_or_return!(meta);
    if meta.clauses.is_empty() || meta.num_vars > 10_000 {
        return LogicVerdict::invalid_task("formula needs clauses");
    }
    let assignment = match parse(answer, meta.num_vars) {
        Ok(assignment) => assignment,
        Err(reason) => return LogicVerdict::unparsable(reason),
    };
    let good = meta
        .clauses
        .iter()
        .filter(|c| satisfied(c, &assignment))
        .count();
    LogicVerdict::partial(
        good as f64 / meta.clauses.len() as f64,
        format!("{good} of {} clauses satisfied", meta.clauses.len()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exhaustive search for a satisfying assignment, scanning from all-false upwards.
    fn brute_force(meta: &Meta) -> Vec<bool> {
        (0u32..1 << meta.num_vars)
            .map(|mask| {
                (0..meta.num_vars)
                    .map(|v| mask & (1 << v) != 0)
                    .collect::<Vec<bool>>()
            })
            .find(|values| {
                let assignment: Vec<Option<bool>> = values.iter().copied().map(Some).collect();
                meta.clauses.iter().all(|c| satisfied(c, &assignment))
            })
            .expect("planted formulas are satisfiable")
    }

    #[test]
    fn brute_force_assignments_are_accepted() {
        for seed in 0..20 {
            let generated = generate(&mut Rng::new(seed), 5).expect("generates");
            let meta: Meta = serde_json::from_value(generated.meta.clone()).expect("round-trips");
            let found = brute_force(&meta);
            let text: Vec<String> = found
                .iter()
                .enumerate()
                .map(|(i, v)| format!("x{} = {}", i + 1, if *v { "T" } else { "F" }))
                .collect();
            assert_eq!(verify(&generated.meta, &text.join("\n")).score, 1.0);
        }
    }
}
