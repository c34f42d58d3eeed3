//! Countdown: reach a target with + - * / over given numbers, each used at most once.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::expr::{Ratio, evaluate, uses_only};
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    numbers: Vec<i64>,
    target: i64,
    /// One expression that reaches the target (informational; not read by the verifier).
    #[serde(default, skip_deserializing)]
    expression: String,
}

/// Combines all of `numbers` at random into one positive integer expression.
fn random_expression(rng: &mut Rng, numbers: &[i64]) -> Option<(i64, String)> {
    let mut pool: Vec<(i64, String, bool)> =
        numbers.iter().map(|&n| (n, n.to_string(), true)).collect();
    while pool.len() > 1 {
        let first = pool.swap_remove(rng.below(pool.len()));
        let second = pool.swap_remove(rng.below(pool.len()));
        let (a, b) = if first.0 >= second.0 {
            (first, second)
        } else {
            (second, first)
        };
        let wrap = |(_, text, atom): &(i64, String, bool)| {
            if *atom {
                text.clone()
            } else {
                format!("({text})")
            }
        };
        let mut options: Vec<(i64, char)> = vec![(a.0 + b.0, '+'), (a.0 * b.0, '*')];
        if a.0 > b.0 {
            options.push((a.0 - b.0, '-'));
        }
        if b.0 > 1 && a.0 % b.0 == 0 {
            options.push((a.0 / b.0, '/'));
        }
        let (value, op) = *rng.pick(&options);
        pool.push((value, format!("{} {op} {}", wrap(&a), wrap(&b)), false));
    }
    pool.pop().map(|(value, text, _)| (value, text))
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let count = scale(difficulty, 3, 6, 2);
    let max_target = [100, 300, 999][scale(difficulty, 0, 2, 3)];
    for _ in 0..10_000 {
        let numbers: Vec<i64> = (0..count).map(|_| rng.range(1, 100)).collect();
        let used = 2 + rng.below(count - 1);
        let Some((target, expression)) = random_expression(rng, &numbers[..used]) else {
            continue;
        };
        if !(10..=max_target).contains(&target) || numbers.contains(&target) {
            continue;
        }
        let mut shown = numbers.clone();
        rng.shuffle(&mut shown);
        let list = shown
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let prompt = format!(
            "Using the numbers {list}, create an expression that equals {target}.\nEach number may be used at most once; you do not have to use all of them.\nFinal answer format: one arithmetic expression with + - * / and parentheses, no '=' sign and no other text. Use '*' for multiplication and '/' for division."
        );
        let meta = Meta {
            numbers: shown,
            target,
            expression: expression.clone(),
        };
        return Ok(Generated {
            prompt,
            reference: expression,
            format_example: "(3 + 4) * 5".into(),
            meta: encode(&meta),
        });
    }
    Err("countdown: no puzzle found".into())
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let meta: Meta = meta_or_return!(meta);
    check_expression(answer, &meta.numbers, meta.target, false)
}

/// Shared check for countdown and the 24 game.
pub(crate) fn check_expression(
    answer: &str,
    numbers: &[i64],
    target: i64,
    use_all: bool,
) -> LogicVerdict {
    let evaluated = match evaluate(answer, Some(target)) {
        Ok(evaluated) => evaluated,
        Err(reason) => return LogicVerdict::unparsable(reason),
    };
    if !uses_only(&evaluated.numbers, numbers) {
        return LogicVerdict::incorrect(format!(
            "uses numbers {:?} that are not available (available: {numbers:?}, each once)",
            evaluated.numbers
        ));
    }
    if use_all && evaluated.numbers.len() != numbers.len() {
        return LogicVerdict::incorrect(format!("must use all of {numbers:?} exactly once"));
    }
    let Ratio { num, den } = evaluated.value;
    if evaluated.value.is_int(target) {
        LogicVerdict::correct(format!("expression equals {target}"))
    } else if den == 1 {
        LogicVerdict::incorrect(format!("expression equals {num}, not {target}"))
    } else {
        LogicVerdict::incorrect(format!("expression equals {num}/{den}, not {target}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solver_expressions_are_accepted_and_operator_changes_rejected() {
        for seed in 0..30 {
            let generated = generate(&mut Rng::new(seed), 4).expect("generates");
            let meta: Meta = serde_json::from_value(generated.meta.clone()).expect("round-trips");
            // Second method: exhaustive search over the numbers.
            let found = crate::expr::solve(&meta.numbers, meta.target, false).expect("solvable");
            assert_eq!(verify(&generated.meta, &found).score, 1.0, "{found}");
            // Change one operator; reject whenever the value moves off the target.
            for (from, to) in [('+', '-'), ('-', '+'), ('*', '+'), ('/', '*')] {
                let changed = generated.reference.replacen(from, &to.to_string(), 1);
                if changed == generated.reference {
                    continue;
                }
                let off_target = crate::expr::evaluate(&changed, None)
                    .is_ok_and(|e| !e.value.is_int(meta.target));
                if off_target {
                    assert!(verify(&generated.meta, &changed).score < 1.0, "{changed}");
                }
            }
        }
    }

    #[test]
    fn rejects_reused_numbers() {
        let verdict = check_expression("5 * 5", &[5, 2], 25, false);
        assert_eq!(verdict.status, crate::LogicStatus::Incorrect);
        assert_eq!(check_expression("5 * 5", &[5, 5], 25, false).score, 1.0);
    }
}
