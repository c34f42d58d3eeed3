//! Cryptarithm: letters stand for distinct digits in a column addition; unique solution.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return};
use crate::LogicVerdict;
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    /// Addends as letter words, e.g. `["SEND", "MORE"]`.
    words_letters: Vec<String>,
    result_letters: String,
    /// The unique solution, letter to digit (absent letters give no partial credit).
    #[serde(default)]
    letter_to_digit: BTreeMap<String, u8>,
}

/// Columns from the right: the addend letters and the result letter in each.
struct Puzzle {
    letters: Vec<char>,
    columns: Vec<(Vec<usize>, usize)>,
    leading: Vec<usize>,
}

impl Puzzle {
    fn new(words: &[String], result: &str) -> Option<Self> {
        let mut letters: Vec<char> = Vec::new();
        let width = result.len();
        let mut columns = Vec::new();
        for col in 0..width {
            let mut index_of = |c: char| -> usize {
                letters.iter().position(|&l| l == c).unwrap_or_else(|| {
                    letters.push(c);
                    letters.len() - 1
                })
            };
            let addends: Vec<usize> = words
                .iter()
                .filter_map(|w| w.chars().rev().nth(col))
                .collect::<Vec<char>>()
                .into_iter()
                .map(&mut index_of)
                .collect();
            let out = index_of(result.chars().rev().nth(col)?);
            columns.push((addends, out));
        }
        if words.iter().any(|w| w.len() > width) || letters.len() > 10 {
            return None;
        }
        let leading = words
            .iter()
            .map(String::as_str)
            .chain([result])
            .filter(|w| w.len() > 1)
            .filter_map(|w| w.chars().next())
            .filter_map(|c| letters.iter().position(|&l| l == c))
            .collect();
        Some(Self {
            letters,
            columns,
            leading,
        })
    }

    /// Whether the columns fully assigned so far add up (carries from the right).
    fn consistent(&self, digits: &[Option<u8>]) -> bool {
        let mut carry = 0u32;
        for (addends, out) in &self.columns {
            let mut sum = carry;
            for &letter in addends {
                match digits[letter] {
                    Some(d) => sum += u32::from(d),
                    None => return true,
                }
            }
            match digits[*out] {
                Some(d) if sum % 10 == u32::from(d) => carry = sum / 10,
                Some(_) => return false,
                None => return true,
            }
        }
        carry == 0
    }

    /// The only digit `letter` can take when it is the result letter of the lowest column
    /// whose addends (and every column to its right) are already assigned.
    fn forced_digit(&self, digits: &[Option<u8>], letter: usize) -> Option<u8> {
        let mut carry = 0u32;
        for (addends, out) in &self.columns {
            let mut sum = carry;
            for &addend in addends {
                sum += u32::from(digits[addend]?);
            }
            match digits[*out] {
                Some(_) => carry = sum / 10,
                None if *out == letter => return Some((sum % 10) as u8),
                None => return None,
            }
        }
        None
    }

    fn count(
        &self,
        digits: &mut Vec<Option<u8>>,
        next: usize,
        limit: usize,
        first: &mut Option<Vec<u8>>,
    ) -> usize {
        if next == self.letters.len() {
            if first.is_none() {
                *first = Some(digits.iter().map(|d| d.unwrap_or(0)).collect());
            }
            return 1;
        }
        let mut found = 0;
        let forced = self.forced_digit(digits, next);
        for digit in 0..10u8 {
            if forced.is_some_and(|f| f != digit)
                || digits.contains(&Some(digit))
                || (digit == 0 && self.leading.contains(&next))
            {
                continue;
            }
            digits[next] = Some(digit);
            if self.consistent(digits) {
                found += self.count(digits, next + 1, limit - found, first);
                if found >= limit {
                    break;
                }
            }
        }
        digits[next] = None;
        found
    }

    fn solutions(&self, limit: usize) -> (usize, Option<Vec<u8>>) {
        let mut first = None;
        let count = self.count(&mut vec![None; self.letters.len()], 0, limit, &mut first);
        (count, first)
    }
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let addends = if difficulty >= 4 { 3 } else { 2 };
    let max_len = (3 + difficulty as usize / 3).min(5);
    for _ in 0..50_000 {
        let numbers: Vec<u64> = (0..addends)
            .map(|_| {
                let len = rng.range(2, max_len as i64) as u32;
                rng.range(10i64.pow(len - 1), 10i64.pow(len) - 1) as u64
            })
            .collect();
        let total: u64 = numbers.iter().sum();
        let mut digit_letter = [' '; 10];
        let mut alphabet: Vec<char> = ('A'..='Z').collect();
        rng.shuffle(&mut alphabet);
        for (digit, letter) in digit_letter.iter_mut().zip(alphabet) {
            *digit = letter;
        }
        let spell = |n: u64| -> String {
            n.to_string()
                .bytes()
                .map(|b| digit_letter[usize::from(b - b'0')])
                .collect()
        };
        let words: Vec<String> = numbers.iter().map(|&n| spell(n)).collect();
        let result = spell(total);
        let Some(puzzle) = Puzzle::new(&words, &result) else {
            continue;
        };
        // Cheap filter: puzzles whose letters recur little rarely have one solution, so ask
        // for at least two occurrences per letter before the (costly) solution count.
        let occurrences: usize = words.iter().map(String::len).sum::<usize>() + result.len();
        if occurrences < 2 * puzzle.letters.len() {
            continue;
        }
        let (count, first) = puzzle.solutions(2);
        let Some(solution) = first.filter(|_| count == 1) else {
            continue;
        };
        let letter_to_digit: BTreeMap<String, u8> = puzzle
            .letters
            .iter()
            .map(char::to_string)
            .zip(solution)
            .collect();
        let width = result
            .len()
            .max(words.iter().map(String::len).max().unwrap_or(0));
        let mut lines: Vec<String> = Vec::new();
        for (idx, word) in words.iter().enumerate() {
            let sign = if idx + 1 == words.len() { "+ " } else { "  " };
            lines.push(format!("{sign}{word:>width$}"));
        }
        lines.push("-".repeat(width + 2));
        lines.push(format!("  {result:>width$}"));
        let prompt = format!(
            "Solve this cryptarithm:\n\n{}\n\nEach letter stands for a unique digit (0-9). No leading letter can be zero.\nAnswer format: a comma separated mapping from letters to digits that satisfies the equation, e.g. \"A=1,B=2,C=3\" (without quotes).",
            lines.join("\n")
        );
        let reference = letter_to_digit
            .iter()
            .map(|(l, d)| format!("{l}={d}"))
            .collect::<Vec<_>>()
            .join(",");
        let meta = Meta {
            words_letters: words,
            result_letters: result,
            letter_to_digit,
        };
        return Ok(Generated {
            prompt,
            reference,
            format_example: "A=1,B=2,C=3".into(),
            meta: encode(&meta),
        });
    }
    Err("cryptarithm: no unique puzzle found".into())
}

/// Reads `A=1, B=2` (also `A: 1`, `A -> 1`) pairs.
fn parse(answer: &str) -> Result<Vec<(char, u8)>, String> {
    let chars: Vec<char> = answer.chars().collect();
    let mut pairs = Vec::new();
    let mut idx = 0;
    while idx < chars.len() {
        let letter = chars[idx];
        let boundary = idx == 0 || !chars[idx - 1].is_alphanumeric();
        if letter.is_ascii_alphabetic() && boundary {
            let mut probe = idx + 1;
            while probe < chars.len() && matches!(chars[probe], ' ' | '=' | ':' | '-' | '>' | '→')
            {
                probe += 1;
            }
            let separated = chars[idx + 1..probe]
                .iter()
                .any(|c| matches!(c, '=' | ':' | '>' | '→'));
            if separated
                && probe < chars.len()
                && chars[probe].is_ascii_digit()
                && chars.get(probe + 1).is_none_or(|c| !c.is_ascii_digit())
            {
                pairs.push((letter.to_ascii_uppercase(), chars[probe] as u8 - b'0'));
                idx = probe + 1;
                continue;
            }
        }
        idx += 1;
    }
    if pairs.is_empty() {
        return Err("no LETTER=DIGIT pairs found".into());
    }
    Ok(pairs)
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let meta: Meta = meta_or_return!(meta);
    let Some(puzzle) = Puzzle::new(&meta.words_letters, &meta.result_letters) else {
        return LogicVerdict::invalid_task(
            "words do not form a column addition of at most 10 letters",
        );
    };
    let pairs = match parse(answer) {
        Ok(pairs) => pairs,
        Err(reason) => return LogicVerdict::unparsable(reason),
    };
    let mut digits: Vec<Option<u8>> = vec![None; puzzle.letters.len()];
    for (letter, digit) in pairs {
        let Some(idx) = puzzle.letters.iter().position(|&l| l == letter) else {
            continue;
        };
        if digits[idx].is_some_and(|d| d != digit) {
            return LogicVerdict::unparsable(format!("letter {letter} is given two digits"));
        }
        digits[idx] = Some(digit);
    }
    let right = puzzle
        .letters
        .iter()
        .zip(&digits)
        .filter(|(l, d)| {
            meta.letter_to_digit
                .get(&l.to_string())
                .is_some_and(|md| Some(*md) == **d)
        })
        .count();
    let fraction = (right as f64 / puzzle.letters.len() as f64).min(0.99);
    let detail = format!(
        "{right} of {} letters match the solution",
        puzzle.letters.len()
    );
    if digits.iter().any(Option::is_none) {
        return LogicVerdict::partial(fraction, format!("some letters have no digit; {detail}"));
    }
    let assigned: Vec<u8> = digits.iter().map(|d| d.unwrap_or(0)).collect();
    let mut sorted = assigned.clone();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != assigned.len() {
        return LogicVerdict::partial(fraction, format!("two letters share a digit; {detail}"));
    }
    if puzzle.leading.iter().any(|&l| assigned[l] == 0) {
        return LogicVerdict::partial(fraction, format!("a leading letter is zero; {detail}"));
    }
    if puzzle.consistent(&digits) {
        LogicVerdict::correct("the addition holds")
    } else {
        LogicVerdict::partial(fraction, format!("the addition does not hold; {detail}"))
    }
}
