//! Final-answer extraction and comparison.

use proctor_guest_sdk::Verdict;

use crate::byte_scan::last_of;

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
    let answer = trim(trim(answer_region(response)).trim_end_matches('.'));
    (!answer.is_empty()).then_some(answer)
}

const HASHES: &[u8] = b"####";
const BOXED: &[u8] = b"\\boxed{";
/// Matched ignoring ASCII case.
const ANSWER: &[u8] = b"answer:";

/// The part of `text` that [`extract_answer`] trims: what the marker that wins introduces.
///
/// One backwards pass from one byte of interest to the previous ([`last_of`], mostly over whole
/// blocks): `#` throughout (the last `####` wins over everything before it, and ends the pass),
/// `\` until the last `\boxed{` is found, `:` (how `answer:` is found: the colon is much rarer
/// in text than an `a`) until the last `answer:` is found or a balanced `\boxed{…}` makes it
/// irrelevant. Once only `#` matters the pass looks for it alone.
fn answer_region(text: &str) -> &str {
    let bytes = text.as_bytes();
    // `Some(content)` once the last `\boxed{` is found: its content when the braces balance.
    let mut last_boxed: Option<Option<&str>> = None;
    let mut last_answer: Option<usize> = None;
    let mut end = bytes.len();
    loop {
        let only_hashes = match last_boxed {
            Some(content) => content.is_some() || last_answer.is_some(),
            None => false,
        };
        let found = if only_hashes {
            last_of(bytes, end, [b'#'])
        } else {
            last_of(bytes, end, [b'#', b'\\', b':'])
        };
        let Some(at) = found else {
            break;
        };
        match bytes[at] {
            // The last byte of the last `####`.
            b'#' if at >= 3 && bytes[at - 3..=at] == *HASHES => {
                return &text[at + 1..];
            }
            b'\\' if last_boxed.is_none() && bytes[at..].starts_with(BOXED) => {
                last_boxed = Some(boxed_content(text, at));
            }
            b':' if last_answer.is_none() => {
                last_answer = (at + 1)
                    .checked_sub(ANSWER.len())
                    .filter(|&start| bytes[start..=at].eq_ignore_ascii_case(ANSWER));
            }
            _ => {}
        }
        end = at;
    }
    match (last_boxed, last_answer) {
        (Some(Some(content)), _) => content,
        (_, Some(start)) => &text[start + ANSWER.len()..],
        _ => text,
    }
}

/// `str::trim` (Unicode whitespace).
///
/// Most texts it sees (answers, numbers) already start and end with a printable ASCII byte:
/// those are returned after two byte tests, before any loop (each loop iteration also checks
/// the deadline in wasm); the rest is out of line, so that callers stay small functions.
fn trim(text: &str) -> &str {
    if ends_are(text.as_bytes(), |byte| byte.is_ascii_graphic()) {
        return text;
    }
    trim_slowly(text)
}

/// [`trim`] of a text with whitespace or non-ASCII at an end: the cheaper ASCII trim when that
/// leaves ASCII non-whitespace at both ends, else the Unicode one.
#[inline(never)]
fn trim_slowly(text: &str) -> &str {
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
    let trimmed = strip_currency_and_percent(trim(text));
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

/// Whether `bytes` is not empty and its first and last bytes pass `test`.
fn ends_are(bytes: &[u8], test: impl Fn(u8) -> bool) -> bool {
    matches!((bytes.first(), bytes.last()), (Some(&first), Some(&last)) if test(first) && test(last))
}

/// `text` without leading `$` and trailing `%` signs (`trim_start_matches('$')` and
/// `trim_end_matches('%')`, done on bytes: both are ASCII).
fn strip_currency_and_percent(text: &str) -> &str {
    if ends_are(text.as_bytes(), |byte| byte != b'$' && byte != b'%') {
        return text;
    }
    strip_currency_and_percent_slowly(text)
}

#[inline(never)]
fn strip_currency_and_percent_slowly(text: &str) -> &str {
    let bytes = text.as_bytes();
    let start = bytes.iter().take_while(|&&byte| byte == b'$').count();
    let end = bytes.len()
        - bytes[start..]
            .iter()
            .rev()
            .take_while(|&&byte| byte == b'%')
            .count();
    &text[start..end]
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
            && let Some(number) = read_number(trim_separators(&text[start..end]))
        {
            return Some(number);
        }
        end = start;
    }
    None
}

/// `token` without the `.` and `,` at its ends (`trim_matches(['.', ','])`, on bytes).
fn trim_separators(token: &str) -> &str {
    let bytes = token.as_bytes();
    let separator = |byte: &u8| matches!(byte, b'.' | b',');
    if ends_are(bytes, |byte| !separator(&byte)) {
        return token;
    }
    let start = bytes.iter().take_while(|byte| separator(byte)).count();
    let end = bytes.len()
        - bytes[start..]
            .iter()
            .rev()
            .take_while(|byte| separator(byte))
            .count();
    &token[start..end]
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
        Number::Integer(value) => push_integer(out, value),
        Number::Real(value) => {
            use std::fmt::Write;
            let _ = write!(out, "{value}");
        }
    }
}

/// `value` in decimal, as `Display` writes it.
///
/// Digits come from 32-bit arithmetic once the value fits: wasm32 has no 64x64->128-bit
/// multiply, so a 64-bit division by 10 stays a hardware division there, where a 32-bit one
/// becomes a multiply and a shift. They are pushed one by one rather than copied as a slice: a
/// copy of unknown length is a call into the runtime in wasm (`memory.copy`).
fn push_integer(out: &mut String, value: i64) {
    if value < 0 {
        out.push('-');
    }
    let digit = |value: u32| char::from(b'0' + (value % 10) as u8);
    // Most answers are below 10,000: their digits without a loop.
    if let Some(small) = u32::try_from(value.unsigned_abs())
        .ok()
        .filter(|&small| small < 10_000)
    {
        if small >= 1000 {
            out.push(digit(small / 1000));
        }
        if small >= 100 {
            out.push(digit(small / 100));
        }
        if small >= 10 {
            out.push(digit(small / 10));
        }
        out.push(digit(small));
        return;
    }
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut rest = value.unsigned_abs();
    while rest > u64::from(u32::MAX) {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    let mut rest = rest as u32;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &digit in &digits[start..] {
        out.push(char::from(digit));
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

    /// [`answer_region`] written as its doc states the rules, one search per marker.
    fn region_by_the_rules(text: &str) -> &str {
        if let Some(at) = text.rfind("####") {
            return &text[at + 4..];
        }
        if let Some(content) = text
            .rfind("\\boxed{")
            .and_then(|at| boxed_content(text, at))
        {
            return content;
        }
        match text.to_ascii_lowercase().rfind("answer:") {
            Some(at) => &text[at + 7..],
            None => text,
        }
    }

    #[test]
    fn markers_far_apart_and_across_blocks() {
        let filler = "Some reasoning, without any marker in it at all. ".repeat(5);
        let cases = [
            format!("#### 1 {filler} \\boxed{{2}} {filler} answer: 3"),
            format!("answer: 1 {filler} \\boxed{{2}} {filler}"),
            format!("\\boxed{{1}} {filler} answer: 2 {filler} \\boxed{{3"),
            format!("{filler}ANSWER: 7{filler}"),
            format!("{filler}####{filler}"),
            format!("{filler}#### ##{filler}"),
            filler.clone(),
        ];
        for text in &cases {
            assert_eq!(answer_region(text), region_by_the_rules(text), "{text}");
        }
    }

    #[test]
    fn integers_are_written_on_both_sides_of_each_boundary() {
        let limit = i64::from(u32::MAX);
        let small = [
            0, 9, 10, 99, 100, 999, 1000, 9999, 10_000, -5, -9999, -10_000,
        ];
        let large = [limit - 1, limit, limit + 1, -limit - 1, i64::MAX, i64::MIN];
        for value in small.into_iter().chain(large) {
            let mut written = String::new();
            push_integer(&mut written, value);
            assert_eq!(written, value.to_string());
        }
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
        fn one_pass_finds_what_the_rules_name(
            text in "(?i)[#a:nswerboxd\\\\{} é]{0,40}|([ x#\\\\{}a:é]|####|\\\\boxed\\{|answer:|[a-z ]{8,40}){0,24}"
        ) {
            proptest::prop_assert_eq!(answer_region(&text), region_by_the_rules(&text));
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
        fn trim_is_the_standard_trim(text in "[ \t\n\u{b}\u{c}\r\u{1c}\u{85}\u{a0}\u{2003}a.]{0,12}") {
            proptest::prop_assert_eq!(trim(&text), text.trim());
        }

        #[test]
        fn currency_and_percent_strip_as_the_standard_trims_do(text in "[$% 1a]{0,8}") {
            proptest::prop_assert_eq!(strip_currency_and_percent(&text), text.trim_start_matches('$').trim_end_matches('%'));
        }

        #[test]
        fn separators_trim_as_the_standard_trim_does(text in "[.,1a]{0,8}") {
            proptest::prop_assert_eq!(trim_separators(&text), text.trim_matches(['.', ',']));
        }

        #[test]
        fn numbers_are_written_as_display_does(value in proptest::num::i64::ANY, small in -100_000i64..100_000) {
            proptest::prop_assert_eq!(comparison(Number::Integer(value), " = ", Number::Real(0.5)), format!("{value} = 0.5"));
            proptest::prop_assert_eq!(comparison(Number::Integer(small), " != ", Number::Integer(value)), format!("{small} != {value}"));
        }

        #[test]
        fn any_response_gets_a_contract_verdict(reference in proptest::option::of(".{0,12}"), response in ".{0,64}") {
            let verdict = check(reference.as_deref(), &response);
            proptest::prop_assert!(verdict.score == 0.0 || verdict.score == 1.0);
            proptest::prop_assert_eq!(verdict.score == 1.0, verdict.status == Status::Correct);
        }
    }
}
