//! Letter counting: how many times does a letter occur in a text (case-insensitive)?

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::words::text_words;
use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::grid::integers;
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    span: String,
    letter: char,
    count: usize,
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let count_words = scale(difficulty * 2, 4, 30, 1);
    let vocabulary = text_words();
    let span: Vec<&str> = (0..count_words).map(|_| *rng.pick(&vocabulary)).collect();
    let joined = span.join(" ");
    let letters: Vec<char> = joined.chars().filter(char::is_ascii_alphabetic).collect();
    let letter = if rng.chance(1, 10) {
        (b'a' + rng.below(26) as u8) as char
    } else {
        *rng.pick(&letters)
    };
    // Sentence-case the text so the count has to ignore case.
    let mut text = joined.clone();
    if let Some(first) = text.get(..1).map(str::to_uppercase) {
        text.replace_range(..1, &first);
    }
    let count = text
        .chars()
        .filter(|c| c.eq_ignore_ascii_case(&letter))
        .count();
    let prompt = format!(
        "How many times does the letter \"{letter}\" appear in the text: \"{text}\"? Count upper and lower case.\nAnswer format: only the number."
    );
    let meta = Meta {
        span: text,
        letter,
        count,
    };
    Ok(Generated {
        prompt,
        reference: count.to_string(),
        format_example: "3".into(),
        meta: encode(&meta),
    })
}

/// The part of the metadata the verifier reads (Reasoning Gym spelling accepted).
#[derive(Deserialize)]
struct Check {
    #[serde(alias = "target_letter")]
    letter: char,
    /// The text, as one string or as a list of words.
    span: Value,
    count: Option<usize>,
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let check: Check = meta_or_return!(meta);
    let text = match &check.span {
        Value::String(text) => text.clone(),
        Value::Array(words) => words
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    };
    let counted = text
        .chars()
        .filter(|c| c.eq_ignore_ascii_case(&check.letter))
        .count();
    let meta = Meta {
        span: text,
        letter: check.letter,
        count: check.count.unwrap_or(counted),
    };
    let numbers = integers(answer);
    let [said] = numbers[..] else {
        return LogicVerdict::unparsable(format!("expected one number, found {}", numbers.len()));
    };
    if said == meta.count as i64 {
        LogicVerdict::correct("right count")
    } else {
        LogicVerdict::incorrect(format!("{said} is not the count"))
    }
}
