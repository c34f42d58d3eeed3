//! proctor-math: the built-in math answer verifier.
//!
//! [`verify`] takes a gold answer, a free-form model response and the task metadata (JSON) and
//! returns a [`MathVerdict`]. It works in three steps, each public for tests and benches:
//! [`extract`] finds the final answer in the response (`\boxed{}`, answer phrases, `<answer>` tags,
//! `#### N`, the last number), [`parse`] reads LaTeX or plain text into an [`Expr`] tree, and
//! [`equivalent`] decides equality: exact big-rational arithmetic where values are rational,
//! sampling at deterministic random points for expressions with variables, order-free sets,
//! ordered tuples, intervals, equations up to a constant factor, inequalities as intervals.
//! All work is bounded (nesting depth, number sizes in bits, evaluation steps), so pathological
//! answers end quickly with a verdict. The crate is plain Rust with no threads, clocks or files,
//! so it builds for `wasm32-unknown-unknown` unchanged.

mod clean;
mod commands;
mod equiv;
mod error;
mod eval;
mod expr;
mod extract;
mod lex;
mod parse;
mod relation;
mod rewrite;
mod sample;
mod value;

pub use equiv::equivalent;
pub use error::{Error, Result};
pub use expr::{Constant, Expr, Function, RelOp};
pub use extract::{Extracted, Source, extract, extract_gold};
pub use parse::parse;

/// Verification settings, read from the task metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct MathOptions {
    /// Relative tolerance when a decimal (possibly rounded) number takes part (`float_rel_tol`).
    pub float_rel_tol: f64,
    /// Accept a response that rounds to a decimal gold at the gold's places (`gold_rounding`).
    pub gold_rounding: bool,
}

impl Default for MathOptions {
    fn default() -> Self {
        MathOptions {
            float_rel_tol: 1e-6,
            gold_rounding: true,
        }
    }
}

impl MathOptions {
    /// Reads options from task metadata JSON; empty text gives the defaults, unknown keys are ignored.
    pub fn from_metadata(metadata_json: &str) -> Result<MathOptions> {
        let mut options = MathOptions::default();
        if metadata_json.trim().is_empty() {
            return Ok(options);
        }
        let value: serde_json::Value =
            serde_json::from_str(metadata_json).map_err(|e| Error::Metadata(e.to_string()))?;
        let Some(object) = value.as_object() else {
            return Ok(options);
        };
        if let Some(tol) = object.get("float_rel_tol") {
            let tol = tol
                .as_f64()
                .ok_or_else(|| Error::Metadata("float_rel_tol must be a number".into()))?;
            if !(0.0..1.0).contains(&tol) {
                return Err(Error::Metadata(format!(
                    "float_rel_tol must be in [0, 1), got {tol}"
                )));
            }
            options.float_rel_tol = tol;
        }
        if let Some(rounding) = object.get("gold_rounding") {
            options.gold_rounding = rounding
                .as_bool()
                .ok_or_else(|| Error::Metadata("gold_rounding must be a boolean".into()))?;
        }
        Ok(options)
    }
}

/// Outcome class of one verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathStatus {
    /// The response's answer equals the gold answer.
    Correct,
    /// An answer was read from the response and differs from the gold answer.
    Incorrect,
    /// No answer could be extracted or parsed from the response.
    Unparsable,
    /// The gold answer or the metadata cannot be read.
    InvalidTask,
}

impl MathStatus {
    /// Lowercase name, as the WIT verdict spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            MathStatus::Correct => "correct",
            MathStatus::Incorrect => "incorrect",
            MathStatus::Unparsable => "unparsable",
            MathStatus::InvalidTask => "invalid-task",
        }
    }
}

/// Result of [`verify`]: score 1.0 for correct, 0.0 otherwise, with what was extracted in `detail`.
#[derive(Debug, Clone, PartialEq)]
pub struct MathVerdict {
    /// 1.0 or 0.0.
    pub score: f64,
    /// Outcome class.
    pub status: MathStatus,
    /// Human-readable account: what was extracted from where, and why it failed.
    pub detail: String,
}

impl MathVerdict {
    fn new(status: MathStatus, detail: String) -> MathVerdict {
        let score = if status == MathStatus::Correct {
            1.0
        } else {
            0.0
        };
        MathVerdict {
            score,
            status,
            detail,
        }
    }
}

/// Longest answer detail echoed back, in characters.
const DETAIL_LIMIT: usize = 200;

fn shorten(text: &str) -> String {
    if text.chars().count() <= DETAIL_LIMIT {
        return text.to_string();
    }
    let head: String = text.chars().take(DETAIL_LIMIT).collect();
    format!("{head}…")
}

/// Checks a response against a gold answer (LaTeX or plain text) under the task metadata.
pub fn verify(gold: &str, response: &str, metadata_json: &str) -> MathVerdict {
    let options = match MathOptions::from_metadata(metadata_json) {
        Ok(options) => options,
        Err(error) => return MathVerdict::new(MathStatus::InvalidTask, error.to_string()),
    };
    let gold = match parse_gold(gold) {
        Ok(gold) => gold,
        Err(error) => {
            return MathVerdict::new(MathStatus::InvalidTask, format!("gold answer: {error}"));
        }
    };
    let candidates = extract::candidates(response);
    if candidates.is_empty() {
        return MathVerdict::new(MathStatus::Unparsable, "no answer found in response".into());
    }
    // A marked answer (tag, box, phrase, ####) is final: weak guesses are tried only without one.
    let strong = candidates.iter().any(|c| c.source.is_marked());
    let gold_is_text =
        matches!(gold.expr, Expr::Text(_)) || matches!(&gold.expr, Expr::Symbol(s) if s.len() == 1);
    let mut first_error = None;
    let mut marked_text = None;
    let gold_letter = equiv::choice_letter(&gold.expr);
    for candidate in candidates
        .iter()
        .filter(|c| c.source.is_marked() || !strong)
    {
        // Multiple choice: `(B) 12` or `\text{(B) } 12` answers with its letter, parsable or not.
        if let (Some(letter), Some(chosen)) =
            (gold_letter, extract::leading_choice(&candidate.text))
        {
            let status = if letter == chosen {
                MathStatus::Correct
            } else {
                MathStatus::Incorrect
            };
            let detail = format!(
                "extracted choice {chosen} from `{}` ({}); gold {letter}",
                shorten(&candidate.text),
                candidate.source.name()
            );
            return MathVerdict::new(status, detail);
        }
        match parse(&candidate.text) {
            // Prose caught by an answer phrase is tried last: a box or a number may follow.
            Ok(text @ Expr::Text(_)) if !gold_is_text => {
                if candidate.source.is_marked() && marked_text.is_none() {
                    marked_text = Some((candidate, text));
                }
                first_error.get_or_insert_with(|| {
                    format!(
                        "found only text `{}` ({})",
                        shorten(&candidate.text),
                        candidate.source.name()
                    )
                });
            }
            Ok(response_expr) => return judge(&gold, candidate, &response_expr, &options),
            Err(error) => {
                first_error.get_or_insert_with(|| {
                    format!(
                        "extracted `{}` ({}) but {error}",
                        shorten(&candidate.text),
                        candidate.source.name()
                    )
                });
            }
        }
    }
    if let Some((candidate, text)) = marked_text {
        return judge(&gold, candidate, &text, &options);
    }
    MathVerdict::new(
        MathStatus::Unparsable,
        first_error.unwrap_or_else(|| "no answer found in response".into()),
    )
}

/// A parsed gold answer with the text it was read from.
struct Gold {
    expr: Expr,
    text: String,
}

fn judge(
    gold: &Gold,
    candidate: &Extracted,
    response_expr: &Expr,
    options: &MathOptions,
) -> MathVerdict {
    let equal = equivalent(&gold.expr, response_expr, options)
        || extract::leading_choice(&candidate.text)
            .is_some_and(|letter| gold.expr == Expr::Symbol(letter.to_string()))
        || decimal_comma_equal(gold, &candidate.text, response_expr, options);
    let status = if equal {
        MathStatus::Correct
    } else {
        MathStatus::Incorrect
    };
    let detail = format!(
        "extracted `{}` ({}); gold `{}`",
        shorten(&candidate.text),
        candidate.source.name(),
        shorten(&gold.expr.to_latex())
    );
    MathVerdict::new(status, detail)
}

/// `1,22` with a decimal comma: the number 1.22 (not for thousands shapes such as `1,220`).
fn decimal_comma_reading(text: &str) -> Option<Expr> {
    let trimmed = text.trim();
    let unsigned = trimmed.strip_prefix('-').unwrap_or(trimmed);
    let (whole, fraction) = unsigned.split_once(',')?;
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let thousands_shape = whole.len() <= 3 && fraction.len() == 3 && whole != "0";
    if !digits(whole) || !digits(fraction) || thousands_shape {
        return None;
    }
    parse(&trimmed.replace(',', ".")).ok()
}

/// Equality when either side is read with a decimal comma.
fn decimal_comma_equal(
    gold: &Gold,
    response_text: &str,
    response_expr: &Expr,
    options: &MathOptions,
) -> bool {
    decimal_comma_reading(response_text).is_some_and(|r| equivalent(&gold.expr, &r, options))
        || decimal_comma_reading(&gold.text).is_some_and(|g| equivalent(&g, response_expr, options))
}

/// Parses a gold answer: its boxes or whole text, else what a response extraction finds in it.
fn parse_gold(gold: &str) -> Result<Gold> {
    let extracted =
        extract_gold(gold).ok_or_else(|| Error::Parse("gold answer is empty".into()))?;
    match parse(&extracted.text) {
        Ok(expr) => Ok(Gold {
            expr,
            text: extracted.text,
        }),
        Err(error) => {
            for candidate in extract::candidates(gold)
                .into_iter()
                .filter(|c| c.source.is_marked())
            {
                if let Ok(expr) = parse(&candidate.text) {
                    return Ok(Gold {
                        expr,
                        text: candidate.text,
                    });
                }
            }
            Err(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_carry_status_score_and_detail() {
        let verdict = verify("\\frac{1}{2}", "So the answer is $\\boxed{0.5}$.", "");
        assert_eq!(verdict.status, MathStatus::Correct);
        assert_eq!(verdict.score, 1.0);
        assert!(
            verdict.detail.contains("0.5") && verdict.detail.contains("boxed"),
            "{}",
            verdict.detail
        );
        assert_eq!(
            verify("2", "\\boxed{3}", "{}").status,
            MathStatus::Incorrect
        );
        assert_eq!(verify("2", "", "{}").status, MathStatus::Unparsable);
        assert_eq!(verify("", "2", "{}").status, MathStatus::InvalidTask);
        assert_eq!(verify("2", "2", "not json").status, MathStatus::InvalidTask);
    }

    #[test]
    fn metadata_sets_tolerance() {
        assert_eq!(
            verify("3.14159", "\\boxed{3.1416}", "").status,
            MathStatus::Incorrect
        );
        assert_eq!(
            verify("3.14159", "\\boxed{3.1416}", r#"{"float_rel_tol": 1e-4}"#).status,
            MathStatus::Correct
        );
        assert!(MathOptions::from_metadata(r#"{"float_rel_tol": "x"}"#).is_err());
    }
}
