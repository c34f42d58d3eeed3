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
    fn normalizes() {
        assert_eq!(normalize_words("  The  Cat. "), "the cat");
    }
}
