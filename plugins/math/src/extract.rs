//! Finds the final answer in a free-form response: boxes, answer phrases, tags, math spans, numbers.

/// Where an extracted answer came from (reported in the verdict detail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `<answer>…</answer>` tags.
    AnswerTag,
    /// The last `\boxed{}` / `\fbox{}` (distinct adjacent boxes are joined as a list).
    Boxed,
    /// "final answer is …", "the answer is …", "answer: …".
    AnswerPhrase,
    /// GSM8K style `#### N`.
    Hashes,
    /// The whole (short) response.
    Whole,
    /// The last math span holding the last number.
    LastMath,
    /// The last number in the text.
    LastNumber,
}

impl Source {
    /// Whether the response marked this answer as final (tag, box, phrase, `####`).
    pub fn is_marked(self) -> bool {
        matches!(
            self,
            Source::AnswerTag | Source::Boxed | Source::AnswerPhrase | Source::Hashes
        )
    }

    /// Short name used in verdict details.
    pub fn name(self) -> &'static str {
        match self {
            Source::AnswerTag => "answer tag",
            Source::Boxed => "boxed",
            Source::AnswerPhrase => "answer phrase",
            Source::Hashes => "####",
            Source::Whole => "whole response",
            Source::LastMath => "last math span",
            Source::LastNumber => "last number",
        }
    }
}

/// An answer found in a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The answer text, delimiters removed.
    pub text: String,
    /// How it was found.
    pub source: Source,
}

/// Longest whole response still read as an answer by itself.
const WHOLE_LIMIT: usize = 120;

const PHRASES: &[&str] = &[
    "final answer is",
    "final answer:",
    "the answer is",
    "answer is",
    "answer:",
    "answer :",
];

/// Extracts the final answer from a model response (the first of [`candidates`]).
pub fn extract(response: &str) -> Option<Extracted> {
    candidates(response).into_iter().next()
}

/// Every answer the response offers, most trusted first: answer tag, boxes, answer phrase, `####`,
/// the whole response when short, then the last math span or number.
pub fn candidates(response: &str) -> Vec<Extracted> {
    let response = after_thinking(response);
    let mut found = Vec::new();
    let mut push = |text: String, source: Source| {
        if let Some(extracted) = non_empty(text, source)
            && !found.contains(&extracted)
        {
            found.push(extracted);
        }
    };
    if let Some(inner) = answer_tag(response) {
        push(
            last_boxes(inner).unwrap_or_else(|| clean(inner)),
            Source::AnswerTag,
        );
    }
    // Box and answer phrase: whichever comes last in the response is tried first.
    let last_box_start = boxes(response).last().map(|(start, _, _)| *start);
    let phrase = answer_phrase(response);
    let phrase_first = matches!((&phrase, last_box_start), (Some((phrase_pos, _)), Some(box_pos)) if *phrase_pos > box_pos);
    if phrase_first && let Some((_, text)) = &phrase {
        push(text.clone(), Source::AnswerPhrase);
    }
    if let Some(text) = last_boxes(response) {
        push(text, Source::Boxed);
    }
    if let Some((_, text)) = phrase {
        push(text, Source::AnswerPhrase);
    }
    if let Some(pos) = response.rfind("####") {
        let line = response[pos + 4..].lines().next().unwrap_or("");
        push(clean(line), Source::Hashes);
    }
    let trimmed = response.trim();
    let last_span = last_math_span(response);
    if last_span.is_none() && trimmed.chars().count() <= WHOLE_LIMIT && !is_prose(trimmed) {
        push(clean(trimmed), Source::Whole);
    }
    if let Some(extracted) = last_number(response) {
        push(extracted.text, extracted.source);
    }
    if let Some(span) = last_span {
        push(clean(span), Source::LastMath);
    }
    found
}

/// Text with more than a few plain words is an explanation, not an answer by itself.
fn is_prose(text: &str) -> bool {
    let words = text
        .split(|c: char| c.is_whitespace() || c == '$')
        .filter(|word| word.len() >= 3 && word.chars().all(char::is_alphabetic))
        .count();
    words > 3 || (words > 0 && text.chars().any(|c| c.is_ascii_digit()) && !text.contains('\\'))
}

/// A multiple-choice letter at the start of an answer: `C`, `(C)`, `\textbf{(C)} 25`, `C) 25`.
pub fn leading_choice(answer: &str) -> Option<char> {
    let mut rest = answer.trim();
    for prefix in ["\\textbf{", "\\text{", "\\mathrm{", "\\mathbf{", "{", "("] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest).trim_start();
    }
    rest = rest.strip_prefix('(').unwrap_or(rest);
    let mut chars = rest.chars();
    let letter = chars.next()?;
    let next = chars.next();
    let standalone = next.is_none_or(|c| !c.is_alphanumeric());
    (letter.is_ascii_uppercase() && letter <= 'J' && standalone).then_some(letter)
}

/// Extracts the answer from a gold string: its box when it has one, else the whole string.
pub fn extract_gold(gold: &str) -> Option<Extracted> {
    // Several boxes in a gold answer are one answer when only spaces or a short list separator
    // stand between them (`\boxed{1}\boxed{2}`, `\boxed{1} papers and \boxed{2} bins`).
    let found = boxes(gold);
    if let Some((mut start, _, last)) = found.last().cloned() {
        let mut contents = vec![clean(&last)];
        for (box_start, box_end, content) in found.iter().rev().skip(1) {
            let between = &gold[*box_end..start];
            let blank = !between.chars().any(char::is_alphanumeric);
            let lowered = between.to_ascii_lowercase();
            let listed = between.len() <= 60
                && (between.contains(',')
                    || lowered
                        .split(|c: char| !c.is_alphabetic())
                        .any(|w| w == "and"));
            if !(blank || listed) {
                break;
            }
            let content = clean(content);
            if !contents.contains(&content) {
                contents.insert(0, content);
            }
            start = *box_start;
        }
        return non_empty(contents.join(", "), Source::Boxed);
    }
    if let Some(pos) = gold.rfind("####") {
        return non_empty(clean(&gold[pos + 4..]), Source::Hashes);
    }
    non_empty(clean(gold), Source::Whole)
}

fn non_empty(text: String, source: Source) -> Option<Extracted> {
    (!text.trim().is_empty()).then_some(Extracted { text, source })
}

/// Only the part after the last `</think>`, when that part says anything.
fn after_thinking(response: &str) -> &str {
    // A chat-template token ends the response: what follows is another turn.
    // (A token with only blanks before it opens the response and is kept.)
    let content_start = response
        .find(|c: char| !c.is_whitespace())
        .map_or(response.len(), |pos| pos + 1);
    let response = ["<|im_start|>", "<|im_end|>", "<|endoftext|>", "<|eot_id|>"]
        .iter()
        .filter_map(|token| {
            response
                .get(content_start..)?
                .find(token)
                .map(|pos| pos + content_start)
        })
        .min()
        .map_or(response, |end| &response[..end]);
    match response.rfind("</think>") {
        Some(pos)
            if response[pos..]
                .chars()
                .any(|c| c.is_ascii_digit() || c == '\\' || c.is_alphabetic()) =>
        {
            &response[pos + 8..]
        }
        _ => response,
    }
}

fn answer_tag(response: &str) -> Option<&str> {
    let start = response.rfind("<answer>")? + "<answer>".len();
    let rest = &response[start..];
    Some(match rest.find("</answer>") {
        Some(end) => &rest[..end],
        None => rest,
    })
}

/// Content of the balanced `{…}` starting at byte `open` (which must be `{`): (content, end).
fn braced(text: &str, open: usize) -> Option<(&str, usize)> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut idx = open;
    while idx < bytes.len() {
        match bytes[idx] {
            b'\\' => idx += 1,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((&text[open + 1..idx], idx + 1));
                }
            }
            _ => {}
        }
        idx += 1;
    }
    None
}

/// All `\boxed{}`/`\fbox{}` contents with their byte spans, in order.
fn boxes(text: &str) -> Vec<(usize, usize, String)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(rel) = text[from..].find(['\\']) {
        let at = from + rel;
        let rest = &text[at..];
        let name_len = if rest.starts_with("\\boxed") {
            6
        } else if rest.starts_with("\\fbox") {
            5
        } else {
            from = at + 1;
            continue;
        };
        let mut cursor = at + name_len;
        while text[cursor..].starts_with([' ', '\n', '\t']) {
            cursor += 1;
        }
        if text[cursor..].starts_with('{') {
            match braced(text, cursor) {
                Some((content, end)) => {
                    // Scanning resumes after the box, so a box inside a box stays part of the outer one.
                    found.push((at, end, content.to_string()));
                    from = end;
                }
                None => {
                    // Unclosed box: take the rest of the text.
                    found.push((at, text.len(), text[cursor + 1..].to_string()));
                    break;
                }
            }
        } else {
            // `\boxed 5`: one token.
            let token: String = text[cursor..]
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '$')
                .collect();
            let end = cursor + token.len();
            if !token.is_empty() {
                found.push((at, end, token));
            }
            from = end.max(at + 1);
        }
    }
    found
}

/// The last box, joined with distinct boxes right before it (separated only by commas, "and", spaces).
fn last_boxes(text: &str) -> Option<String> {
    let found = boxes(text);
    let (mut start, _, last) = found.last()?.clone();
    let mut group = vec![clean(&last)];
    for (box_start, box_end, content) in found.iter().rev().skip(1) {
        let between = &text[*box_end..start];
        if !is_separator(between) {
            break;
        }
        let content = clean(content);
        if !group.contains(&content) {
            group.insert(0, content);
        }
        start = *box_start;
    }
    Some(group.join(", "))
}

fn is_separator(between: &str) -> bool {
    let stripped = between
        .replace("\\text{", "")
        .replace("\\quad", "")
        .replace(['$', ',', ';', '}', '{', '(', ')', '\\', '.'], " ")
        .to_lowercase();
    let explicit = between.contains([',', ';'])
        || stripped
            .split_whitespace()
            .any(|word| matches!(word, "and" | "or"));
    // Labels such as "for part (a) and" may sit between the boxes of a multi-part answer.
    let filler = |word: &str| {
        matches!(
            word,
            "and"
                | "or"
                | "&"
                | "for"
                | "part"
                | "parts"
                | "a"
                | "b"
                | "c"
                | "d"
                | "i"
                | "ii"
                | "iii"
                | "respectively"
                | "also"
                | "text"
                | "="
        ) || is_answer_label(word)
    };
    explicit && between.len() <= 60 && stripped.split_whitespace().all(filler)
}

/// A variable that labels the next boxed answer: `y_2` in `\boxed{…} and y_2 = \boxed{…}`.
fn is_answer_label(word: &str) -> bool {
    let mut chars = word.chars();
    let first_is_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest: String = chars.collect();
    let subscript_ok = rest.is_empty()
        || rest
            .strip_prefix('_')
            .is_some_and(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric()));
    first_is_letter && subscript_ok && word.len() <= 6
}

/// The answer after the last answer phrase, with the phrase's byte position.
fn answer_phrase(text: &str) -> Option<(usize, String)> {
    let lower = text.to_ascii_lowercase();
    let (pos, phrase) = PHRASES
        .iter()
        .filter_map(|p| lower.rfind(p).map(|pos| (pos, *p)))
        .max_by_key(|(pos, p)| (*pos, p.len()))?;
    let rest = &text[pos + phrase.len()..];
    let mut segment = rest.trim_start();
    if let Some(end) = segment
        .find('\n')
        .filter(|_| !segment.starts_with("\\[") && !segment.starts_with("$$"))
    {
        segment = &segment[..end];
    } else if segment.starts_with("\\[") || segment.starts_with("$$") {
        let close = if segment.starts_with("\\[") {
            "\\]"
        } else {
            "$$"
        };
        if let Some(end) = segment[2..].find(close) {
            segment = &segment[..end + 4];
        }
    }
    for stop in ["I hope", "i hope", "Hope it", "<|"] {
        if let Some(end) = segment.find(stop) {
            segment = &segment[..end];
        }
    }
    let sentence = sentence_end(segment);
    let mut segment = sentence.as_str();
    // "The largest $n$ is 34": keep what follows the last " is ".
    let lowered = segment.to_ascii_lowercase();
    if let Some(is_pos) = lowered.rfind(" is ") {
        segment = &segment[is_pos + 4..];
    }
    let cleaned = clean(segment);
    (!cleaned.is_empty()).then_some((pos, cleaned))
}

/// Cuts a segment at the first sentence end (". " followed by a capital), keeping decimals.
fn sentence_end(segment: &str) -> String {
    let chars: Vec<char> = segment.chars().collect();
    let mut in_math = false;
    for idx in 0..chars.len() {
        if chars[idx] == '$' && (idx == 0 || chars[idx - 1] != '\\') {
            in_math = !in_math;
        }
        if chars[idx] == '.' && !in_math {
            let next = chars.get(idx + 1).copied();
            if next.is_none_or(char::is_whitespace)
                && chars
                    .get(idx + 2)
                    .is_none_or(|c| c.is_uppercase() || *c == '\n')
            {
                return chars[..idx].iter().collect();
            }
        }
    }
    segment.to_string()
}

/// The last number; when it lies in a math span, the whole span.
fn last_number(text: &str) -> Option<Extracted> {
    let bytes = text.as_bytes();
    let mut limit = bytes.len();
    let (start, end) = loop {
        let end = bytes[..limit].iter().rposition(u8::is_ascii_digit)?;
        let mut start = end;
        while start > 0
            && (bytes[start - 1].is_ascii_digit()
                || bytes[start - 1] == b'.'
                || bytes[start - 1] == b',')
        {
            start -= 1;
        }
        while start < end && !bytes[start].is_ascii_digit() {
            start += 1;
        }
        // A digit glued to a preceding letter is part of a name (`AZYUK2A`, `x2`), not a number.
        if start > 0 && bytes[start - 1].is_ascii_alphabetic() {
            limit = start;
            continue;
        }
        break (start, end);
    };
    let mut start = start;
    // `2/3` is one number.
    if start > 1 && bytes[start - 1] == b'/' && bytes[start - 2].is_ascii_digit() {
        start -= 1;
        while start > 0 && bytes[start - 1].is_ascii_digit() {
            start -= 1;
        }
    }
    if start > 0 && bytes[start - 1] == b'-' {
        start -= 1;
    }
    if let Some(span) = enclosing_math(text, end) {
        let content = clean(span);
        if crate::parse::parse(&content).is_ok() {
            return non_empty(content, Source::LastMath);
        }
    }
    non_empty(
        text[start..=end].trim_matches(',').to_string(),
        Source::LastNumber,
    )
}

/// The content of the last math span, if the text has one.
fn last_math_span(text: &str) -> Option<&str> {
    let mut last = None;
    let mut idx = 0;
    while let Some((body_start, body_end, close_len)) = next_math_span(text, idx) {
        last = Some(&text[body_start..body_end]);
        idx = body_end + close_len;
    }
    last
}

/// The next math span at or after byte `from`: (body start, body end, closing delimiter length).
fn next_math_span(text: &str, from: usize) -> Option<(usize, usize, usize)> {
    let bytes = text.as_bytes();
    let mut idx = from;
    while idx < bytes.len() {
        let rest = &text[idx..];
        let (open_len, close) = if rest.starts_with("$$") {
            (2, "$$")
        } else if rest.starts_with('$') && (idx == 0 || bytes[idx - 1] != b'\\') {
            (1, "$")
        } else if rest.starts_with("\\(") {
            (2, "\\)")
        } else if rest.starts_with("\\[") {
            (2, "\\]")
        } else {
            idx += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let body_start = idx + open_len;
        let mut search = body_start;
        let body_end = loop {
            let found = text[search..].find(close)? + search;
            if close == "$" && found > 0 && bytes[found - 1] == b'\\' {
                search = found + 1;
                continue;
            }
            break found;
        };
        return Some((body_start, body_end, close.len()));
    }
    None
}

/// The math span (`$…$`, `$$…$$`, `\(…\)`, `\[…\]`) containing byte `at`, if any.
fn enclosing_math(text: &str, at: usize) -> Option<&str> {
    let mut idx = 0;
    while let Some((body_start, body_end, close_len)) = next_math_span(text, idx) {
        if (body_start..body_end).contains(&at) {
            return Some(&text[body_start..body_end]);
        }
        if body_start > at {
            return None;
        }
        idx = body_end + close_len;
    }
    None
}

/// Removes math delimiters, trailing punctuation and `\Rightarrow` lead-ins.
pub fn clean(text: &str) -> String {
    let mut text = text.trim().to_string();
    for delimiter in ["\\[", "\\]", "\\(", "\\)", "$$"] {
        text = text.replace(delimiter, " ");
    }
    // Unescaped `$` are delimiters; `\$` is a currency sign, also dropped.
    text = text.replace("\\$", " ").replace('$', " ");
    for arrow in [
        "\\Rightarrow",
        "\\implies",
        "\\Longrightarrow",
        "\\therefore",
    ] {
        if let Some(pos) = text.rfind(arrow) {
            text = text[pos + arrow.len()..].to_string();
        }
    }
    let trimmed = text
        .trim()
        .trim_matches('*')
        .trim()
        .trim_end_matches(['.', ',', ';', ':', '?'])
        .trim()
        .trim_start_matches(':')
        .trim();
    trimmed.strip_suffix("\\.").unwrap_or(trimmed).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn got(response: &str) -> (String, Source) {
        let e = extract(response).expect("extracts");
        (e.text, e.source)
    }

    #[test]
    fn last_box_wins_with_nested_braces() {
        assert_eq!(
            got("first \\boxed{1} then \\boxed{\\frac{1}{2}}."),
            ("\\frac{1}{2}".into(), Source::Boxed)
        );
        assert_eq!(got("so \\fbox{x^{2}}"), ("x^{2}".into(), Source::Boxed));
    }

    #[test]
    fn identical_boxes_are_not_concatenated() {
        assert_eq!(got("\\boxed{5} \\boxed{5}").0, "5");
        assert_eq!(got("$\\boxed{2}$ and $\\boxed{3}$").0, "2, 3");
    }

    #[test]
    fn finds_phrases_tags_and_hashes() {
        assert_eq!(
            got("The final answer is $28\\%$. I hope it is correct."),
            ("28\\%".into(), Source::AnswerPhrase)
        );
        assert_eq!(
            got("Final Answer: The largest $n$ is 34."),
            ("34".into(), Source::AnswerPhrase)
        );
        assert_eq!(
            got("<think>2</think><answer>7</answer>"),
            ("7".into(), Source::AnswerTag)
        );
        assert_eq!(got("so 3 + 4\n#### 7"), ("7".into(), Source::Hashes));
        assert_eq!(
            got("<|im_start|>assistant\nThe answer is 7.<|im_end|>\n<|im_start|>user\n8").0,
            "7"
        );
    }

    #[test]
    fn falls_back_to_last_number_or_math() {
        assert_eq!(
            got("We add them up and pay 7.78 dollars for the fudge in total today."),
            ("7.78".into(), Source::LastNumber)
        );
        assert_eq!(
            got("After a long computation we obtain the value $\\frac{14}{3}$ as the result here."),
            ("\\frac{14}{3}".into(), Source::LastMath)
        );
        assert_eq!(
            got("$-\\frac{10}{9}$"),
            ("-\\frac{10}{9}".into(), Source::LastMath)
        );
        assert_eq!(got("x = -5"), ("x = -5".into(), Source::Whole));
    }
}
