//! Word ladder: change one letter at a time, through real words, from a start to an end word.

use std::collections::{BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::words::ladder_words;
use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    start_word: String,
    end_word: String,
    /// Words of this length that count as valid steps (uppercase); the embedded list when absent.
    #[serde(default)]
    vocabulary: Vec<String>,
    /// Words in a shortest ladder, both ends included.
    #[serde(default)]
    chain_length: usize,
    /// An imported task's reference ladder; its words count as known.
    #[serde(default, skip_serializing)]
    reference: String,
}

fn one_apart(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count() == 1
}

/// Breadth-first distances (in steps) from `start` over `words`, with back-pointers.
fn ladder_bfs(words: &[String], start: usize) -> (Vec<usize>, Vec<usize>) {
    let mut dist = vec![usize::MAX; words.len()];
    let mut previous = vec![usize::MAX; words.len()];
    dist[start] = 0;
    let mut queue = VecDeque::from([start]);
    while let Some(at) = queue.pop_front() {
        for next in 0..words.len() {
            if dist[next] == usize::MAX && one_apart(&words[at], &words[next]) {
                dist[next] = dist[at] + 1;
                previous[next] = at;
                queue.push_back(next);
            }
        }
    }
    (dist, previous)
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let length = if difficulty < 3 { 3 } else { 4 };
    let steps = scale(difficulty, 2, 7, 2);
    let words = ladder_words(length);
    for _ in 0..1000 {
        let start = rng.below(words.len());
        let (dist, previous) = ladder_bfs(&words, start);
        let far: Vec<usize> = (0..words.len())
            .filter(|&w| dist[w] != usize::MAX && dist[w] >= steps)
            .collect();
        let nearest = far.iter().map(|&w| dist[w]).min();
        let candidates: Vec<usize> = far
            .iter()
            .copied()
            .filter(|&w| Some(dist[w]) == nearest)
            .collect();
        if candidates.is_empty() {
            continue;
        }
        let end = *rng.pick(&candidates);
        let mut path = vec![end];
        while let Some(&at) = path.last().filter(|&&at| at != start) {
            path.push(previous[at]);
        }
        path.reverse();
        let chain: Vec<String> = path.iter().map(|&w| words[w].clone()).collect();
        let (start_word, end_word) = (words[start].clone(), words[end].clone());
        let prompt = format!(
            "Transform the word '{start_word}' into '{end_word}' by changing one letter at a time. Each step must be a valid English word of {length} letters.\nAnswer format: the whole ladder from {start_word} to {end_word} as a comma-separated sequence of uppercase words without spaces."
        );
        let meta = Meta {
            start_word,
            end_word,
            vocabulary: words.clone(),
            chain_length: chain.len(),
            reference: String::new(),
        };
        return Ok(Generated {
            prompt,
            reference: chain.join(","),
            format_example: "COLD,CORD,CARD,WARD,WARM".into(),
            meta: encode(&meta),
        });
    }
    Err("word_ladder: no ladder found".into())
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let mut meta: Meta = meta_or_return!(meta);
    if meta.vocabulary.is_empty() {
        // Imported task: the embedded list plus the words of its own reference ladder.
        meta.vocabulary = ladder_words(meta.end_word.len());
        meta.vocabulary.extend(
            meta.reference
                .split(|c: char| !c.is_alphabetic())
                .filter(|w| !w.is_empty())
                .map(str::to_uppercase),
        );
    }
    let ladder: Vec<String> = answer
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_uppercase)
        .collect();
    if ladder.len() < 2 {
        return LogicVerdict::unparsable("expected at least two words");
    }
    let (start, end) = (meta.start_word.to_uppercase(), meta.end_word.to_uppercase());
    if ladder[0] != start || ladder[ladder.len() - 1] != end {
        return LogicVerdict::incorrect(format!("the ladder must run from {start} to {end}"));
    }
    if let Some(pair) = ladder
        .windows(2)
        .find(|pair| !one_apart(&pair[0], &pair[1]))
    {
        return LogicVerdict::incorrect(format!(
            "{} -> {} does not change exactly one letter",
            pair[0], pair[1]
        ));
    }
    let known: BTreeSet<String> = meta.vocabulary.iter().map(|w| w.to_uppercase()).collect();
    let unknown: Vec<&String> = ladder.iter().filter(|w| !known.contains(*w)).collect();
    if unknown.is_empty() {
        return LogicVerdict::correct(format!("valid ladder of {} words", ladder.len()));
    }
    let score = 0.5f64.powi(unknown.len().min(60) as i32);
    LogicVerdict::partial(score, format!("words not in the vocabulary: {unknown:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_different_ladder_is_accepted() {
        let generated = generate(&mut Rng::new(11), 8).expect("generates");
        let meta: Meta = serde_json::from_value(generated.meta.clone()).expect("round-trips");
        // Second method: search backwards from the end word and reverse.
        let end = meta
            .vocabulary
            .iter()
            .position(|w| *w == meta.end_word)
            .expect("end is a word");
        let start = meta
            .vocabulary
            .iter()
            .position(|w| *w == meta.start_word)
            .expect("start is a word");
        let (_, previous) = ladder_bfs(&meta.vocabulary, end);
        let mut path = vec![start];
        while let Some(&at) = path.last().filter(|&&at| at != end) {
            path.push(previous[at]);
        }
        let ladder: Vec<&str> = path.iter().map(|&w| meta.vocabulary[w].as_str()).collect();
        assert_eq!(
            verify(&generated.meta, &ladder.join(" -> ").to_lowercase()).score,
            1.0
        );
    }
}
