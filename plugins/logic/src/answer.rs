//! Answer extraction: the last `<answer>…</answer>` block wins.

/// The answer text of a response: the content of the last `<answer>…</answer>` block
/// (tags matched case-insensitively; an unclosed last tag runs to the end), or the whole
/// response when it has no tag, so bare answers are still judged.
pub fn extract(response: &str) -> &str {
    let lower = response.to_ascii_lowercase();
    let Some(open) = lower.rfind("<answer>") else {
        return response.trim();
    };
    let start = open + "<answer>".len();
    let end = lower[start..]
        .find("</answer>")
        .map_or(response.len(), |offset| start + offset);
    response[start..end].trim()
}

/// Lowercases and collapses runs of whitespace, trimming punctuation at both ends.
pub fn normalize_words(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_string()
}

/// Fallback judgement against a reference answer: equal when their letters and digits match
/// case-insensitively (so spacing, separators and brackets do not matter), or when both are
/// one number of equal value.
pub fn compare_with_reference(answer: &str, reference: &str, why: &str) -> crate::LogicVerdict {
    let squeeze = |text: &str| -> String {
        text.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let number = |text: &str| text.trim().trim_end_matches('.').parse::<f64>().ok();
    let same = match (number(answer), number(reference)) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        _ => !squeeze(answer).is_empty() && squeeze(answer) == squeeze(reference),
    };
    if same {
        crate::LogicVerdict::correct(format!("matches the reference ({why})"))
    } else {
        crate::LogicVerdict::incorrect(format!("differs from the reference ({why})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_block_wins() {
        assert_eq!(extract("<answer>1</answer> then <ANSWER> 2 </Answer>"), "2");
        assert_eq!(extract("no tags here "), "no tags here");
        assert_eq!(extract("x <answer>open"), "open");
        assert_eq!(extract("<answer></answer>"), "");
    }

    #[test]
    fn extraction_handles_multibyte_text() {
        assert_eq!(extract("é<answer>ü</answer>ß"), "ü");
    }

    #[test]
    fn reference_fallback_ignores_layout() {
        assert_eq!(
            compare_with_reference("[[0, 1], [1, 0]]", "[[0,1],[1,0]]", "").score,
            1.0
        );
        assert_eq!(compare_with_reference("7.0", "7", "").score, 1.0);
        assert_eq!(compare_with_reference("Alice", "bob", "").score, 0.0);
        assert_eq!(compare_with_reference("--", "--", "").score, 0.0);
    }

    #[test]
    fn normalizes() {
        assert_eq!(normalize_words("  The  Cat. "), "the cat");
    }
}
