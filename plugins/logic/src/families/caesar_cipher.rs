//! Caesar cipher: decrypt a text whose letters were shifted by a fixed amount.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::words::text_words;
use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    cipher_text: String,
    clear_text: String,
    /// Letters were shifted forward by this many places.
    rotation: u8,
}

fn shift(text: &str, by: u8) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_uppercase() {
                (b'A' + (c as u8 - b'A' + by) % 26) as char
            } else {
                c
            }
        })
        .collect()
}

fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_uppercase)
        .collect()
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let count = scale(difficulty, 3, 16, 1);
    let vocabulary = text_words();
    let clear_text: String = (0..count)
        .map(|_| rng.pick(&vocabulary).to_uppercase())
        .collect::<Vec<_>>()
        .join(" ");
    let rotation = rng.range(1, 25) as u8;
    let cipher_text = shift(&clear_text, rotation);
    let prompt = format!(
        "Decrypt this Caesar cipher text: {cipher_text}\nAnswer format: only the decrypted text, in uppercase."
    );
    let meta = Meta {
        cipher_text,
        clear_text: clear_text.clone(),
        rotation,
    };
    Ok(Generated {
        prompt,
        reference: clear_text,
        format_example: "THE QUICK BROWN FOX".into(),
        meta: encode(&meta),
    })
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let meta: Meta = meta_or_return!(meta);
    let (said, want) = (words_of(answer), words_of(&meta.clear_text));
    if said.is_empty() {
        return LogicVerdict::unparsable("no words found");
    }
    let right = said.iter().zip(&want).filter(|(a, b)| a == b).count();
    let total = said.len().max(want.len());
    LogicVerdict::partial(
        right as f64 / total as f64,
        format!("{right} of {total} words right"),
    )
}
