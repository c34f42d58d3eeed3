//! Number sorting: sort decimal numbers in ascending or descending order.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    original_numbers: Vec<String>,
    /// `ascending` or `descending`.
    direction: String,
    sorted_numbers: Vec<String>,
}

/// Decimal numbers in `text` (optional sign, optional fraction), as f64.
fn decimals(text: &str) -> Vec<f64> {
    let mut found = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut idx = 0;
    while idx < chars.len() {
        if chars[idx].is_ascii_digit() {
            let negative = idx > 0 && matches!(chars[idx - 1], '-' | '−');
            let start = idx;
            while idx < chars.len()
                && (chars[idx].is_ascii_digit()
                    || (chars[idx] == '.' && chars.get(idx + 1).is_some_and(char::is_ascii_digit)))
            {
                idx += 1;
            }
            let body: String = chars[start..idx].iter().collect();
            if let Ok(value) = body.parse::<f64>() {
                found.push(if negative { -value } else { value });
            }
        } else {
            idx += 1;
        }
    }
    found
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let count = scale(difficulty * 2, 3, 30, 1);
    let max_decimals = scale(difficulty, 0, 2, 3);
    let magnitude = [100i64, 1000, 10_000][scale(difficulty, 0, 2, 4)];
    let numbers: Vec<String> = (0..count)
        .map(|_| {
            let decimals = rng.below(max_decimals + 1) as u32;
            let scaled = rng.range(
                -magnitude * 10i64.pow(decimals),
                magnitude * 10i64.pow(decimals),
            );
            let value = scaled as f64 / 10f64.powi(decimals as i32);
            format!("{value:.prec$}", prec = decimals as usize)
        })
        .collect();
    let ascending = rng.chance(1, 2);
    let mut sorted = numbers.clone();
    sorted.sort_by(|a, b| {
        let (x, y) = (
            a.parse::<f64>().unwrap_or(0.0),
            b.parse::<f64>().unwrap_or(0.0),
        );
        if ascending {
            x.total_cmp(&y)
        } else {
            y.total_cmp(&x)
        }
    });
    let direction = if ascending { "ascending" } else { "descending" };
    let prompt = format!(
        "Sort these numbers in {direction} order: {}\nAnswer format: a list of the numbers as strings, e.g. ['-69', '-13', '1', '7', '11.5'].",
        numbers.join(", ")
    );
    let reference = format!(
        "[{}]",
        sorted
            .iter()
            .map(|n| format!("'{n}'"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let meta = Meta {
        original_numbers: numbers,
        direction: direction.into(),
        sorted_numbers: sorted,
    };
    Ok(Generated {
        prompt,
        reference,
        format_example: "['-3', '2.5', '10']".into(),
        meta: encode(&meta),
    })
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let meta: Meta = meta_or_return!(meta);
    let want: Vec<f64> = meta
        .sorted_numbers
        .iter()
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    if want.len() != meta.sorted_numbers.len() {
        return LogicVerdict::invalid_task("sorted_numbers must be numbers");
    }
    let said = decimals(answer);
    if said.is_empty() {
        return LogicVerdict::unparsable("no numbers found");
    }
    if said.len() != want.len() {
        return LogicVerdict::incorrect(format!(
            "{} numbers given, expected {}",
            said.len(),
            want.len()
        ));
    }
    let right = said
        .iter()
        .zip(&want)
        .filter(|(a, b)| (*a - *b).abs() < 1e-9)
        .count();
    LogicVerdict::partial(
        right as f64 / want.len() as f64,
        format!("{right} of {} positions right", want.len()),
    )
}
