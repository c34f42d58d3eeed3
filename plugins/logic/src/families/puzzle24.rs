//! The 24 game: combine four numbers, each exactly once, with + - * / to make 24.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::countdown::check_expression;
use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::expr::solve;
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    numbers: Vec<i64>,
    #[serde(default = "default_target")]
    target: i64,
    /// One solution (informational; not read by the verifier).
    #[serde(default, skip_deserializing)]
    expression: String,
}

fn default_target() -> i64 {
    24
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let max_value = scale(difficulty, 9, 13, 2) as i64;
    for _ in 0..10_000 {
        let numbers: Vec<i64> = (0..4).map(|_| rng.range(1, max_value)).collect();
        let Some(expression) = solve(&numbers, 24, true) else {
            continue;
        };
        let list = numbers
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let prompt = format!(
            "Make 24 using {list}. You must use each number exactly once. You can use the operators +, -, *, / and parentheses.\nFinal answer format: one arithmetic expression, no '=' sign, using '*' for multiplication and '/' for division."
        );
        let meta = Meta {
            numbers,
            target: 24,
            expression: expression.clone(),
        };
        return Ok(Generated {
            prompt,
            reference: expression,
            format_example: "(1 + 2 + 3) * 4".into(),
            meta: encode(&meta),
        });
    }
    Err("puzzle24: no solvable numbers found".into())
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let meta: Meta = meta_or_return!(meta);
    check_expression(answer, &meta.numbers, meta.target, true)
}
