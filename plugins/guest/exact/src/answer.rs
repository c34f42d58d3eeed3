//! Final-answer extraction and comparison.

use proctor_guest_sdk::Verdict;

/// Relative tolerance for numeric answers.
const TOLERANCE: f64 = 1e-9;

/// Score `response` against `reference`.
pub fn check(reference: Option<&str>, response: &str) -> Verdict {
    let Some(reference) = reference
        .map(trim)
        .filter(|reference| !reference.is_empty())
    else {
        return Verdict::invalid_task("task has no reference answer");
    };
    let Some(answer) = extract_answer(response) else {
        return Verdict::unparsable("no answer found in the response");
    };
    if let Some(expected) = read_number(reference) {
        let found = read_number(answer).or_else(|| last_number(answer));
        return match found {
            None => Verdict::unparsable(format!("expected a number, found `{}`", shorten(answer))),
            Some(found) if found.matches(expected) => {
                Verdict::correct(comparison(found, " = ", expected))
            }
            Some(found) => Verdict::incorrect(comparison(found, " != ", expected)),
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
    let markers = Markers::find(response);
    let candidate = if let Some(position) = markers.hashes {
        &response[position + HASHES.len()..]
    } else if let Some(boxed) = markers
        .boxed
        .and_then(|start| boxed_content(response, start))
    {
        boxed
    } else if let Some(position) = markers.answer {
        &response[position + ANSWER.len()..]
    } else {
        response
    };
    let answer = trim(trim(candidate).trim_end_matches('.'));
    (!answer.is_empty()).then_some(answer)
}

const HASHES: &[u8] = b"####";
const BOXED: &[u8] = b"\\boxed{";
/// Matched ignoring ASCII case.
const ANSWER: &[u8] = b"answer:";

/// Byte positions of the last `####`, the last `\boxed{` and the last `answer:` (any case).
///
/// One backwards pass finds all three, and stops at the last `####` since that marker wins
/// whatever precedes it. (Three separate scans cost three times the loop overhead, which wasm
/// code pays more for than native code: every loop iteration also checks the deadline.)
#[derive(Debug, Default, PartialEq)]
struct Markers {
    hashes: Option<usize>,
    boxed: Option<usize>,
    answer: Option<usize>,
}

impl Markers {
    fn find(text: &str) -> Self {
        let bytes = text.as_bytes();
        let at = |start: usize, marker: &[u8]| {
            bytes.len() - start >= marker.len()
                && bytes[start..start + marker.len()].eq_ignore_ascii_case(marker)
        };
        let mut markers = Markers::default();
        let mut end = bytes.len();
        while end > 0 {
            // Skip whole 16-byte blocks that hold no marker's first or last byte (most of any
            // text), then 8-byte words.
            while end >= 16 && !may_hold_marker(&bytes[end - 16..end]) {
                end -= 16;
            }
            if end >= 8 && !may_hold_marker(&bytes[end - 8..end]) {
                end -= 8;
                continue;
            }
            let Some(last) = end.checked_sub(1) else {
                break;
            };
            end = last;
            match bytes[end] {
                b'#' if at(end, HASHES) => {
                    markers.hashes = Some(end);
                    break;
                }
                b'\\' if markers.boxed.is_none() && bytes[end..].starts_with(BOXED) => {
                    markers.boxed = Some(end);
                }
                // `answer:` is recognised by its colon, much rarer in text than an `a`.
                b':' if markers.answer.is_none() => {
                    markers.answer = (end + 1)
                        .checked_sub(ANSWER.len())
                        .filter(|&start| at(start, ANSWER));
                }
                _ => {}
            }
        }
        markers
    }
}

/// Whether any byte of `block` (8 or 16 bytes) is `#`, `\\` or `:` (the bytes that start or
/// end a marker), tested a 64-bit word at a time: SWAR zero-byte detection, exact, no false
/// negatives, one branch per block.
fn may_hold_marker(block: &[u8]) -> bool {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGHS: u64 = ONES << 7;
    let marker_bytes = |word: u64| {
        let zero_bytes = |byte: u8| {
            let diff = word ^ (ONES * u64::from(byte));
            diff.wrapping_sub(ONES) & !diff
        };
        zero_bytes(b'#') | zero_bytes(b'\\') | zero_bytes(b':')
    };
    let word = |at: usize| u64::from_le_bytes(block[at..at + 8].try_into().expect("8 bytes"));
    let found = match block.len() {
        16 => marker_bytes(word(0)) | marker_bytes(word(8)),
        _ => marker_bytes(word(0)),
    };
    found & HIGHS != 0
}

/// `str::trim` (Unicode whitespace), by way of the cheaper ASCII trim when that leaves ASCII
/// non-whitespace at both ends, as it does for nearly every answer.
fn trim(text: &str) -> &str {
    let trimmed = text.trim_ascii();
    let plain_end = |byte: Option<&u8>| byte.is_some_and(|&byte| byte.is_ascii() && byte != 0x0b);
    let bytes = trimmed.as_bytes();
    if plain_end(bytes.first()) && plain_end(bytes.last()) {
        trimmed
    } else {
        trimmed.trim()
    }
}

/// Parse a number written as `-1,234.5`, `$12`, `50%`, `3/4` or `1e-3`.
pub fn parse_number(text: &str) -> Option<f64> {
    read_number(text).map(Number::to_f64)
}

/// A number read from an answer: exact while it is an integer that fits in an `i64`.
///
/// Most reference answers are integers; comparing them exactly is both stricter (no tolerance
/// that grows with the magnitude) and cheaper, since it needs neither float parsing nor float
/// formatting (whose 128-bit multiplications wasm32 has to emulate).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Number {
    Integer(i64),
    Real(f64),
}

impl Number {
    fn to_f64(self) -> f64 {
        match self {
            Number::Integer(value) => value as f64,
            Number::Real(value) => value,
        }
    }

    /// Equal integers, or values within the relative [`TOLERANCE`].
    fn matches(self, expected: Number) -> bool {
        match (self, expected) {
            (Number::Integer(found), Number::Integer(expected)) => found == expected,
            (found, expected) => {
                let (found, expected) = (found.to_f64(), expected.to_f64());
                (found - expected).abs() <= TOLERANCE * expected.abs().max(1.0)
            }
        }
    }
}

/// [`parse_number`] keeping integers exact.
fn read_number(text: &str) -> Option<Number> {
    let trimmed = trim(text).trim_start_matches('$').trim_end_matches('%');
    // Every number this accepts starts with a sign, a digit or a point: anything else (most
    // often a whole sentence) is rejected before the float parser is tried.
    if !trimmed
        .bytes()
        .next()
        .is_some_and(|first| first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.'))
    {
        return None;
    }
    match parse_integer(trimmed) {
        Some(integer) => Some(Number::Integer(integer)),
        None => read_real(trimmed),
    }
}

/// The float half of [`read_number`]: decimals, exponents, fractions, thousands separators.
/// Kept out of line so the integer path stays a small function (the float parser inlined into
/// it made every call pay for a large stack frame, which wasm code generation feels the most).
#[inline(never)]
fn read_real(trimmed: &str) -> Option<Number> {
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
        return (denominator != 0.0).then(|| Number::Real(numerator / denominator));
    }
    cleaned
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
        .map(Number::Real)
}

/// An optionally signed run of digits (commas allowed between them, as thousands separators)
/// that fits in an `i64`; `None` for anything else, which then goes through the float parser.
fn parse_integer(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        rest => (false, rest),
    };
    if !digits.first()?.is_ascii_digit() {
        return None;
    }
    // Accumulate as a negative number so that `i64::MIN` fits. The bound is checked before
    // multiplying: `checked_mul` on `i64` becomes an emulated 128-bit multiply on wasm32.
    let mut value: i64 = 0;
    for &byte in digits {
        match byte {
            b'0'..=b'9' => {
                if value < i64::MIN / 10 {
                    return None;
                }
                value = (value * 10).checked_sub(i64::from(byte - b'0'))?;
            }
            b',' => {}
            _ => return None,
        }
    }
    if negative {
        Some(value)
    } else {
        value.checked_neg()
    }
}

/// The last number-looking token of `text`: the last maximal run of digits, `.`, `-`, `,` and
/// `/` that reads as a number once stray `.`/`,` at its ends are dropped. Scanned as bytes from
/// the end (every byte of those runs is ASCII, so the slices stay on char boundaries).
fn last_number(text: &str) -> Option<Number> {
    let bytes = text.as_bytes();
    let in_token = |byte: u8| byte.is_ascii_digit() || matches!(byte, b'.' | b'-' | b',' | b'/');
    let mut end = bytes.len();
    while end > 0 {
        while end > 0 && !in_token(bytes[end - 1]) {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && in_token(bytes[start - 1]) {
            start -= 1;
        }
        if start < end
            && let Some(number) = read_number(text[start..end].trim_matches(['.', ',']))
        {
            return Some(number);
        }
        end = start;
    }
    None
}

/// `found`, `relation`, `expected` as the verdict's detail; integers are written without the
/// formatting machinery (this runs on every numeric verdict).
fn comparison(found: Number, relation: &str, expected: Number) -> String {
    let mut detail = String::with_capacity(48);
    push_number(&mut detail, found);
    detail.push_str(relation);
    push_number(&mut detail, expected);
    detail
}

fn push_number(out: &mut String, number: Number) {
    match number {
        Number::Integer(value) => {
            let mut digits = [0u8; 20];
            let mut start = digits.len();
            let mut rest = value.unsigned_abs();
            loop {
                start -= 1;
                digits[start] = b'0' + (rest % 10) as u8;
                rest /= 10;
                if rest == 0 {
                    break;
                }
            }
            if value < 0 {
                out.push('-');
            }
            out.push_str(std::str::from_utf8(&digits[start..]).expect("ASCII digits"));
        }
        Number::Real(value) => {
            use std::fmt::Write;
            let _ = write!(out, "{value}");
        }
    }
}

/// Content of the `\boxed{…}` starting at byte `start`, when its braces balance.
fn boxed_content(text: &str, start: usize) -> Option<&str> {
    let start = start + BOXED.len();
    let mut depth = 1usize;
    for (offset, byte) in text.as_bytes()[start..].iter().enumerate() {
        match byte {
            b'{' => depth += 1,
            b'}' => {
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
        assert_eq!(parse_number("1,000,000"), Some(1e6));
        assert_eq!(parse_number("-0"), Some(0.0));
    }

    #[test]
    fn integers_are_exact_and_overflow_falls_back_to_floats() {
        assert_eq!(parse_integer("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_integer("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_integer("9223372036854775808"), None);
        assert_eq!(parse_integer("1.5"), None);
        assert_eq!(parse_integer(",1"), None);
        assert_eq!(parse_integer("-"), None);
        assert_eq!(
            read_number("99999999999999999999"),
            Some(Number::Real(1e20))
        );
        // A float tolerance would call these equal (1e-9 of 1e17 is 1e8); as integers they differ.
        assert_eq!(
            check(Some("100000000000000000"), "#### 100000000000000001").status,
            Status::Incorrect
        );
        assert_eq!(check(Some("42"), "#### 42.0").status, Status::Correct);
        assert_eq!(check(Some("0.5"), "#### 1/2").status, Status::Correct);
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
        fn integer_parsing_agrees_with_the_standard_parser(text in "[-+]?[0-9]{1,21}|.{0,8}") {
            proptest::prop_assume!(!text.contains(','));
            proptest::prop_assert_eq!(parse_integer(&text), text.parse::<i64>().ok());
        }

        #[test]
        fn one_pass_finds_the_last_of_each_marker(text in "(?i)[#a:nswerboxd\\\\{} é]{0,40}|[ x#\\\\{a:]{0,50}(####|\\\\boxed\\{|answer:)[ xy:]{0,50}") {
            let hashes = text.rfind("####");
            let expected = Markers {
                hashes,
                // Scanning stops at the last `####`: markers before it are never needed.
                boxed: text.rfind("\\boxed{").filter(|&at| hashes.is_none_or(|hashes| at > hashes)),
                answer: text
                    .to_ascii_lowercase()
                    .rfind("answer:")
                    .filter(|&at| hashes.is_none_or(|hashes| at > hashes)),
            };
            proptest::prop_assert_eq!(Markers::find(&text), expected);
        }

        #[test]
        fn block_filter_sees_every_marker_byte(block in proptest::array::uniform16(proptest::num::u8::ANY), half in proptest::bool::ANY) {
            let block = if half { &block[..8] } else { &block[..] };
            let expected = block.iter().any(|byte| matches!(byte, b'#' | b'\\' | b':'));
            proptest::prop_assert_eq!(may_hold_marker(block), expected);
        }

        #[test]
        fn last_number_is_the_last_token_that_reads_as_a_number(text in "[0-9a-z .,/$%-]{0,24}") {
            let by_split = text
                .split(|ch: char| !(ch.is_ascii_digit() || matches!(ch, '.' | '-' | ',' | '/')))
                .filter(|token| !token.is_empty())
                .filter_map(|token| read_number(token.trim_matches(|ch| ch == '.' || ch == ',')))
                .next_back();
            proptest::prop_assert_eq!(last_number(&text), by_split);
        }

        #[test]
        fn trim_is_the_standard_trim(text in "[ \t\n\u{b}\u{c}\r\u{a0}\u{2003}a.]{0,12}") {
            proptest::prop_assert_eq!(trim(&text), text.trim());
        }

        #[test]
        fn numbers_are_written_as_display_does(value in proptest::num::i64::ANY) {
            proptest::prop_assert_eq!(comparison(Number::Integer(value), " = ", Number::Real(0.5)), format!("{value} = 0.5"));
        }

        #[test]
        fn any_response_gets_a_contract_verdict(reference in proptest::option::of(".{0,12}"), response in ".{0,64}") {
            let verdict = check(reference.as_deref(), &response);
            proptest::prop_assert!(verdict.score == 0.0 || verdict.score == 1.0);
            proptest::prop_assert_eq!(verdict.score == 1.0, verdict.status == Status::Correct);
        }
    }
}
