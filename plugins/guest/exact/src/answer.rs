//! Final-answer extraction and comparison.

use proctor_guest_sdk::Verdict;

/// Relative tolerance for numeric answers.
const TOLERANCE: f64 = 1e-9;

/// Score `response` against `reference`.
pub fn check(reference: Option<&str>, response: &str) -> Verdict {
    let Some(reference) = reference
        .map(str::trim)
        .filter(|reference| !reference.is_empty())
    else {
        return Verdict::invalid_task("task has no reference answer");
    };
    let Some(answer) = extract_answer(response) else {
        return Verdict::unparsable("no answer found in the response");
    };
    if let Some(expected) = parse_number(reference) {
        let found = parse_number(answer).or_else(|| last_number(answer));
        return match found {
            None => Verdict::unparsable(format!("expected a number, found `{}`", shorten(answer))),
            Some(found) if (found - expected).abs() <= TOLERANCE * expected.abs().max(1.0) => {
                Verdict::correct(format!("{found} = {expected}"))
            }
            Some(found) => Verdict::incorrect(format!("{found} != {expected}")),
        };
    }
    if normalise(answer) == normalise(reference) {
        Verdict::correct("answer matches the reference")
    } else {
        Verdict::incorrect(format!(
            "`{}` does not match the reference",
            shorten(answer)
        ))
    }
}

/// The final answer of a response: after the last `####`, inside the last `\boxed{…}`, after the
/// last `answer:` (any case), or else the whole response; trimmed, without a trailing period.
pub fn extract_answer(response: &str) -> Option<&str> {
    let candidate = if let Some(position) = response.rfind("####") {
        &response[position + 4..]
    } else if let Some(boxed) = last_boxed(response) {
        boxed
    } else if let Some(position) = rfind_ignore_ascii_case(response, "answer:") {
        &response[position + "answer:".len()..]
    } else {
        response
    };
    let answer = candidate.trim().trim_end_matches('.').trim();
    (!answer.is_empty()).then_some(answer)
}

/// Parse a number written as `-1,234.5`, `$12`, `50%`, `3/4` or `1e-3`.
pub fn parse_number(text: &str) -> Option<f64> {
    let trimmed = text.trim().trim_start_matches('$').trim_end_matches('%');
    // Thousands separators are rare: copy only when there is one to drop.
    let cleaned: std::borrow::Cow<'_, str> = if trimmed.contains(',') {
        trimmed
            .chars()
            .filter(|&ch| ch != ',')
            .collect::<String>()
            .into()
    } else {
        trimmed.into()
    };
    if let Some((numerator, denominator)) = cleaned.split_once('/') {
        let numerator: f64 = numerator.trim().parse().ok()?;
        let denominator: f64 = denominator.trim().parse().ok()?;
        return (denominator != 0.0).then(|| numerator / denominator);
    }
    cleaned
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
}

/// The last number-looking token of `text`.
fn last_number(text: &str) -> Option<f64> {
    text.split(|ch: char| !(ch.is_ascii_digit() || matches!(ch, '.' | '-' | ',' | '/')))
        .filter(|token| !token.is_empty())
        .filter_map(|token| parse_number(token.trim_matches(|ch| ch == '.' || ch == ',')))
        .next_back()
}

/// Byte position of the last occurrence of `needle` (ASCII) in `haystack`, ignoring ASCII case;
/// the same answer as `haystack.to_ascii_lowercase().rfind(needle)` without the copy.
fn rfind_ignore_ascii_case(haystack: &str, needle: &str) -> Option<usize> {
    let (haystack, needle) = (haystack.as_bytes(), needle.as_bytes());
    (0..=haystack.len().checked_sub(needle.len())?)
        .rev()
        .find(|&start| haystack[start..start + needle.len()].eq_ignore_ascii_case(needle))
}

/// Content of the last `\boxed{…}` with balanced braces.
fn last_boxed(text: &str) -> Option<&str> {
    let start = text.rfind("\\boxed{")? + "\\boxed{".len();
    let mut depth = 1usize;
    for (offset, ch) in text[start..].char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&text[start..start + offset]);
                }
            }
            _ => {}
        }
    }
    None
}

fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn shorten(text: &str) -> String {
    text.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proctor_guest_sdk::Status;

    #[test]
    fn checks_answers() {
        let cases = [
            (Some("4"), "2+2 = 4", Status::Correct),
            (Some("4"), "#### 4", Status::Correct),
            (Some("4"), "so \\boxed{4}.", Status::Correct),
            (Some("1234"), "The answer: 1,234.", Status::Correct),
            (Some("0.75"), "3/4", Status::Correct),
            (Some("4"), "#### 5", Status::Incorrect),
            (Some("4"), "I don't know", Status::Unparsable),
            (Some("4"), "   ", Status::Unparsable),
            (Some("Paris"), "Answer: paris", Status::Correct),
            (Some("Paris"), "Answer: Lyon", Status::Incorrect),
            (None, "4", Status::InvalidTask),
            (Some(" "), "4", Status::InvalidTask),
        ];
        for (reference, response, status) in cases {
            let verdict = check(reference, response);
            assert_eq!(
                verdict.status, status,
                "{reference:?} vs {response:?}: {}",
                verdict.detail
            );
            let expected_score = if status == Status::Correct { 1.0 } else { 0.0 };
            assert_eq!(verdict.score, expected_score);
        }
    }

    #[test]
    fn parses_numbers() {
        assert_eq!(parse_number("-1,234.5"), Some(-1234.5));
        assert_eq!(parse_number("$12"), Some(12.0));
        assert_eq!(parse_number("50%"), Some(50.0));
        assert_eq!(parse_number("1/0"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("abc"), None);
    }

    #[test]
    fn nested_boxes_keep_their_braces() {
        assert_eq!(
            extract_answer("\\boxed{\\frac{1}{2}}"),
            Some("\\frac{1}{2}")
        );
    }

    proptest::proptest! {
        #[test]
        fn integers_are_checked_exactly(value in -1_000_000_000i64..1_000_000_000, offset in 1i64..1000) {
            let reference = value.to_string();
            proptest::prop_assert_eq!(check(Some(&reference), &format!("#### {value}")).status, Status::Correct);
            let wrong = format!("The answer is {}", value + offset);
            proptest::prop_assert_eq!(check(Some(&reference), &wrong).status, Status::Incorrect);
        }

        #[test]
        fn case_insensitive_search_matches_lowercasing(haystack in "(?i)[a-z: é]{0,40}(answer:)?[a-z: ]{0,10}") {
            proptest::prop_assert_eq!(
                rfind_ignore_ascii_case(&haystack, "answer:"),
                haystack.to_ascii_lowercase().rfind("answer:")
            );
        }

        #[test]
        fn any_response_gets_a_contract_verdict(reference in proptest::option::of(".{0,12}"), response in ".{0,64}") {
            let verdict = check(reference.as_deref(), &response);
            proptest::prop_assert!(verdict.score == 0.0 || verdict.score == 1.0);
            proptest::prop_assert_eq!(verdict.score == 1.0, verdict.status == Status::Correct);
        }
    }
}
