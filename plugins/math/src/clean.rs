//! Token clean-up before parsing: text answers, joining and unit words, layout environments, raw bounds.

use crate::lex::Token;

/// Words that join several answers, read as a comma.
pub(crate) const JOINING_WORDS: &[&str] = &["and", "or"];

/// Deepest bracket nesting in the raw text (a cheap check before tokenizing).
pub(crate) fn bracket_depth(text: &str) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0;
    for byte in text.bytes() {
        match byte {
            b'{' | b'(' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// An answer made only of words (and brackets/commas) is text: its words, lowercased, space-joined.
pub(crate) fn text_answer(tokens: &[Token]) -> Option<String> {
    let mut words = Vec::new();
    for token in tokens {
        match token {
            Token::Word(word) => words.push(word.to_lowercase()),
            Token::Ident(letter) if tokens.len() > 1 => words.push(letter.to_lowercase()),
            Token::LParen
            | Token::RParen
            | Token::Comma
            | Token::Minus
            | Token::LBrace
            | Token::RBrace => {}
            _ => return None,
        }
    }
    let joined = words.join(" ");
    let all_joining = words.iter().all(|w| JOINING_WORDS.contains(&w.as_str()));
    (!words.is_empty() && !all_joining && tokens.iter().any(|t| matches!(t, Token::Word(_))))
        .then_some(joined)
}

/// Turns joining words into commas, drops unit and filler words and layout environments.
pub(crate) fn clean_tokens(tokens: Vec<Token>) -> Vec<Token> {
    /// Dropping a unit word also drops its exponent: `12 \mathrm{cm}^2` is 12.
    #[derive(PartialEq)]
    enum Unit {
        None,
        Dropped,
        Power,
        BracedPower,
    }
    let mut out = Vec::with_capacity(tokens.len());
    let mut unit = Unit::None;
    let mut seen_begin = false;
    for token in tokens {
        match (&unit, &token) {
            (Unit::Dropped, Token::Caret) => {
                unit = Unit::Power;
                continue;
            }
            (Unit::Power, Token::LBrace) => {
                unit = Unit::BracedPower;
                continue;
            }
            (Unit::Power, _) => {
                unit = Unit::None;
                continue;
            }
            (Unit::BracedPower, Token::RBrace) => {
                unit = Unit::None;
                continue;
            }
            (Unit::BracedPower, _) => continue,
            _ => unit = Unit::None,
        }
        match token {
            Token::Word(word) => {
                let lower = word.to_lowercase();
                if JOINING_WORDS.contains(&lower.as_str()) && !out.is_empty() {
                    out.push(Token::Comma);
                } else {
                    unit = Unit::Dropped;
                }
            }
            Token::Begin(env) | Token::End(env) if is_layout_env(&env) => {}
            Token::Amp if !seen_begin => {}
            Token::RowSep if !seen_begin => out.push(Token::Comma),
            other => {
                seen_begin |= matches!(other, Token::Begin(_));
                out.push(other);
            }
        }
    }
    while matches!(out.last(), Some(Token::Comma | Token::Rel(_))) {
        out.pop();
    }
    let leading_commas = out.iter().take_while(|t| matches!(t, Token::Comma)).count();
    out.drain(..leading_commas);
    out
}

pub(crate) fn is_layout_env(env: &str) -> bool {
    matches!(
        env,
        "align"
            | "aligned"
            | "equation"
            | "gather"
            | "gathered"
            | "eqnarray"
            | "split"
            | "multline"
            | "center"
            | "displaymath"
            | "math"
    )
}
