//! Syllogisms: does a categorical conclusion follow from the premises? (Yes/No)

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::answer::normalize_words;
use crate::rng::Rng;

const TERMS: &[&str] = &[
    "mortals",
    "humans",
    "children",
    "adults",
    "parents",
    "philosophers",
    "students",
    "teachers",
    "doctors",
    "scientists",
    "artists",
    "musicians",
    "writers",
    "programmers",
    "engineers",
    "lawyers",
    "chefs",
    "animals",
    "mammals",
    "dogs",
    "cats",
    "birds",
    "reptiles",
    "insects",
    "butterflies",
    "bees",
    "horses",
    "elephants",
    "lions",
    "tigers",
    "whales",
    "dolphins",
];

/// A categorical statement `quantifier subject predicate` over term indices.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Statement {
    /// `all`, `no`, `some` or `some_not`.
    quantifier: Quantifier,
    subject: usize,
    predicate: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Quantifier {
    All,
    No,
    Some,
    SomeNot,
}

impl Statement {
    /// Truth in a model: bit `region` of `model` says whether that Venn region is non-empty;
    /// bit `t` of a region index says whether the region lies inside term `t`.
    /// The Venn regions the statement talks about, and whether they must be empty
    /// (`All`, `No`) or have an inhabitant (`Some`, `SomeNot`). Bit `t` of a region index
    /// says whether the region lies inside term `t`.
    fn regions(&self, regions: usize) -> (u64, bool) {
        let inside = |region: usize, term: usize| region & (1 << term) != 0;
        let (s, p) = (self.subject, self.predicate);
        let negative_predicate = matches!(self.quantifier, Quantifier::All | Quantifier::SomeNot);
        let mask = (0..regions)
            .filter(|&r| inside(r, s) && inside(r, p) != negative_predicate)
            .fold(0u64, |mask, r| mask | (1 << r));
        (
            mask,
            matches!(self.quantifier, Quantifier::All | Quantifier::No),
        )
    }

    fn text(&self, names: &[String]) -> String {
        let (s, p) = (&names[self.subject], &names[self.predicate]);
        match self.quantifier {
            Quantifier::All => format!("All {s} are {p}"),
            Quantifier::No => format!("No {s} are {p}"),
            Quantifier::Some => format!("Some {s} are {p}"),
            Quantifier::SomeNot => format!("Some {s} are not {p}"),
        }
    }
}

/// Validity over all models; with `existential_import`, every term must be non-empty.
fn follows(
    premises: &[Statement],
    conclusion: &Statement,
    terms: usize,
    existential_import: bool,
) -> bool {
    let regions = 1usize << terms;
    let term_masks: Vec<u64> = (0..terms)
        .map(|t| {
            (0..regions)
                .filter(|r| r & (1 << t) != 0)
                .fold(0u64, |m, r| m | (1 << r))
        })
        .collect();
    let premise_masks: Vec<(u64, bool)> = premises.iter().map(|p| p.regions(regions)).collect();
    let (conclusion_mask, conclusion_empty) = conclusion.regions(regions);
    (0..1u64 << regions).all(|model| {
        let terms_inhabited = term_masks.iter().all(|&m| model & m != 0);
        let relevant = (!existential_import || terms_inhabited)
            && premise_masks
                .iter()
                .all(|&(mask, empty)| (model & mask == 0) == empty);
        !relevant || (model & conclusion_mask == 0) == conclusion_empty
    })
}

#[derive(Serialize, Deserialize)]
struct Meta {
    terms: Vec<String>,
    premises: Vec<Statement>,
    conclusion: Statement,
    is_valid: bool,
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let num_premises = scale(difficulty, 2, 3, 4);
    let num_terms = num_premises + 1;
    let names: Vec<String> = rng
        .sample(TERMS, num_terms)
        .into_iter()
        .map(String::from)
        .collect();
    let want_valid = rng.chance(1, 2);
    let quantifiers = [
        Quantifier::All,
        Quantifier::No,
        Quantifier::Some,
        Quantifier::SomeNot,
    ];
    for _ in 0..20_000 {
        let mut pick = |a: usize, b: usize| {
            let (subject, predicate) = if rng.chance(1, 2) { (a, b) } else { (b, a) };
            Statement {
                quantifier: *rng.pick(&quantifiers),
                subject,
                predicate,
            }
        };
        let mut premises: Vec<Statement> = (0..num_premises).map(|k| pick(k, k + 1)).collect();
        let conclusion = pick(0, num_terms - 1);
        let modern = follows(&premises, &conclusion, num_terms, false);
        // Keep only syllogisms on which modern and traditional (existential) logic agree.
        if modern != want_valid || modern != follows(&premises, &conclusion, num_terms, true) {
            continue;
        }
        rng.shuffle(&mut premises);
        let listed: Vec<String> = premises
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{}. {}", i + 1, p.text(&names)))
            .collect();
        let prompt = format!(
            "Consider these statements:\n{}\n\nDoes it logically follow that:\n{}?\nAnswer format: Yes or No.",
            listed.join("\n"),
            conclusion.text(&names)
        );
        let reference = if modern { "Yes" } else { "No" }.to_string();
        let meta = Meta {
            terms: names,
            premises,
            conclusion,
            is_valid: modern,
        };
        return Ok(Generated {
            prompt,
            reference,
            format_example: "Yes".into(),
            meta: encode(&meta),
        });
    }
    Err("syllogism: no matching syllogism found".into())
}

/// The part of the metadata the verifier reads.
#[derive(Deserialize)]
struct Check {
    is_valid: bool,
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let meta: Check = meta_or_return!(meta);
    let said = normalize_words(answer);
    let first = said
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    let claim = match first {
        "yes" | "true" | "valid" | "follows" => true,
        "no" | "false" | "invalid" | "not" => false,
        _ => return LogicVerdict::unparsable("expected Yes or No"),
    };
    // "Yes/No" or "yes ... no" hedges both ways.
    let words: Vec<&str> = said.split(|c: char| !c.is_alphanumeric()).collect();
    if words.contains(&"yes") && words.contains(&"no") {
        return LogicVerdict::unparsable("answer says both yes and no");
    }
    if claim == meta.is_valid {
        LogicVerdict::correct("right judgement")
    } else {
        LogicVerdict::incorrect(format!(
            "the conclusion {}",
            if meta.is_valid {
                "follows"
            } else {
                "does not follow"
            }
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(quantifier: Quantifier, subject: usize, predicate: usize) -> Statement {
        Statement {
            quantifier,
            subject,
            predicate,
        }
    }

    #[test]
    fn classic_forms() {
        // Barbara: all A are B, all B are C, so all A are C.
        assert!(follows(
            &[st(Quantifier::All, 0, 1), st(Quantifier::All, 1, 2)],
            &st(Quantifier::All, 0, 2),
            3,
            false
        ));
        // Undistributed middle: all A are B, all C are B does not give all A are C.
        assert!(!follows(
            &[st(Quantifier::All, 0, 1), st(Quantifier::All, 2, 1)],
            &st(Quantifier::All, 0, 2),
            3,
            false
        ));
        // Darapti needs existential import.
        let darapti = [st(Quantifier::All, 1, 0), st(Quantifier::All, 1, 2)];
        assert!(!follows(&darapti, &st(Quantifier::Some, 0, 2), 3, false));
        assert!(follows(&darapti, &st(Quantifier::Some, 0, 2), 3, true));
    }
}
