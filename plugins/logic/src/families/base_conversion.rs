//! Base conversion: rewrite a number given in one base (2-36) in another.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return};
use crate::LogicVerdict;
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    decimal_value: u64,
    source_base: u32,
    target_base: u32,
    source_repr: String,
    target_repr: String,
}

fn to_base(mut value: u64, base: u32) -> String {
    if value == 0 {
        return "0".into();
    }
    let mut digits = Vec::new();
    while value > 0 {
        digits.push(char::from_digit((value % u64::from(base)) as u32, base).unwrap_or('?'));
        value /= u64::from(base);
    }
    digits.iter().rev().collect()
}

fn base_name(base: u32) -> String {
    match base {
        2 => "base-2 (binary)".into(),
        8 => "base-8 (octal)".into(),
        10 => "base-10 (decimal)".into(),
        16 => "base-16 (hexadecimal)".into(),
        other => format!("base-{other}"),
    }
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let bits = (6 + 3 * difficulty).min(40);
    let value = rng.range(1i64 << (bits - 2), (1i64 << bits) - 1) as u64;
    let common = [2u32, 8, 10, 16];
    let pick_base = |rng: &mut Rng| {
        if difficulty >= 4 && rng.chance(1, 2) {
            rng.range(3, 36) as u32
        } else {
            *rng.pick(&common)
        }
    };
    let source_base = pick_base(rng);
    let mut target_base = pick_base(rng);
    while target_base == source_base {
        target_base = pick_base(rng);
    }
    let (source_repr, target_repr) = (to_base(value, source_base), to_base(value, target_base));
    let prompt = format!(
        "Convert the {} number {source_repr} to {}.\nAnswer format: only the digits of the result, using lowercase letters a-z for digits above 9 and no prefix.",
        base_name(source_base),
        base_name(target_base)
    );
    let meta = Meta {
        decimal_value: value,
        source_base,
        target_base,
        source_repr,
        target_repr: target_repr.clone(),
    };
    Ok(Generated {
        prompt,
        reference: target_repr,
        format_example: "1a3f".into(),
        meta: encode(&meta),
    })
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let meta: Meta = meta_or_return!(meta);
    if !(2..=36).contains(&meta.target_base) {
        return LogicVerdict::invalid_task("target base must be 2-36");
    }
    let mut text: String = answer
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != ',')
        .collect::<String>()
        .to_lowercase();
    for (prefix, base) in [("0x", 16), ("0b", 2), ("0o", 8)] {
        if meta.target_base == base && text.starts_with(prefix) {
            text = text[2..].to_string();
        }
    }
    if let Some(idx) = text.find(['(', '_']) {
        text.truncate(idx); // "ff(16)" or "ff_16" subscript notation
    }
    if text.is_empty() {
        return LogicVerdict::unparsable("no digits found");
    }
    match u64::from_str_radix(&text, meta.target_base) {
        Err(_) => LogicVerdict::unparsable(format!(
            "`{text}` is not a base-{} number",
            meta.target_base
        )),
        Ok(value) if value == meta.decimal_value => LogicVerdict::correct("right value"),
        Ok(value) => LogicVerdict::incorrect(format!(
            "{text} is {value} in decimal, not {}",
            meta.decimal_value
        )),
    }
}
