//! Knights and knaves: who always tells the truth and who always lies (unique solution).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::rng::Rng;

const NAMES: &[&str] = &[
    "Emma",
    "Liam",
    "Olivia",
    "Noah",
    "Ava",
    "Ethan",
    "Sophia",
    "Mason",
    "Isabella",
    "William",
    "Mia",
    "James",
    "Charlotte",
    "Benjamin",
    "Amelia",
    "Lucas",
    "Harper",
    "Henry",
    "Evelyn",
    "Alexander",
    "Abigail",
    "Michael",
    "Emily",
    "Daniel",
    "Jacob",
    "Sofia",
    "Logan",
    "Avery",
    "Jackson",
    "Ella",
    "Sebastian",
    "Scarlett",
    "Jack",
    "Grace",
    "Aiden",
    "Chloe",
    "Owen",
    "Victoria",
    "Samuel",
    "Riley",
    "Matthew",
    "Aria",
    "Joseph",
    "Lily",
    "Luke",
    "Aurora",
    "David",
    "Zoey",
    "Oliver",
    "Penelope",
];

/// (truthful term, lying term), as in the classic puzzle and its common variants.
const TERMS: &[(&str, &str)] = &[
    ("knight", "knave"),
    ("saint", "sinner"),
    ("hero", "villain"),
    ("angel", "devil"),
    ("sage", "fool"),
    ("pioneer", "laggard"),
    ("altruist", "egoist"),
];

/// A statement about the inhabitants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Statement {
    /// "`person` is a knight" (`truthful`) or "... is a knave"; `negated` adds "not".
    Is {
        person: usize,
        truthful: bool,
        negated: bool,
    },
    And {
        parts: Vec<Statement>,
    },
    Or {
        parts: Vec<Statement>,
    },
    Implies {
        parts: Vec<Statement>,
    },
    Iff {
        parts: Vec<Statement>,
    },
}

impl Statement {
    fn holds(&self, knights: &[bool]) -> bool {
        match self {
            Self::Is {
                person,
                truthful,
                negated,
            } => knights.get(*person).is_some_and(|k| *k == *truthful) != *negated,
            Self::And { parts } => parts.iter().all(|p| p.holds(knights)),
            Self::Or { parts } => parts.iter().any(|p| p.holds(knights)),
            Self::Implies { parts } => {
                parts.len() == 2 && (!parts[0].holds(knights) || parts[1].holds(knights))
            }
            Self::Iff { parts } => {
                parts.len() == 2 && parts[0].holds(knights) == parts[1].holds(knights)
            }
        }
    }

    fn text(&self, names: &[String], terms: (&str, &str)) -> String {
        let join = |parts: &[Statement], word: &str| {
            parts
                .iter()
                .map(|p| p.text(names, terms))
                .collect::<Vec<_>>()
                .join(word)
        };
        match self {
            Self::Is {
                person,
                truthful,
                negated,
            } => {
                let name = names.get(*person).map_or("someone", String::as_str);
                let role = if *truthful { terms.0 } else { terms.1 };
                format!(
                    "{name} is {}{} {role}",
                    if *negated { "not " } else { "" },
                    article(role)
                )
            }
            Self::And { parts } => join(parts, " and "),
            Self::Or { parts } => join(parts, " or "),
            Self::Implies { parts } => format!("if {}", join(parts, " then ")),
            Self::Iff { parts } => join(parts, " if and only if "),
        }
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

#[derive(Serialize, Deserialize)]
struct Meta {
    names: Vec<String>,
    /// Statement trees in this crate's shape; other shapes (imported tasks) are ignored and
    /// the answer is then judged against `solution` alone.
    #[serde(default)]
    statements: Value,
    /// `true` = truthful (knight) per person; the unique solution.
    solution: Vec<bool>,
    /// (truthful term, lying term).
    #[serde(default)]
    terms: Option<(String, String)>,
    /// Reasoning Gym's spelling of the terms: `{"knight": ..., "knave": ...}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    knight_knave_terms: Option<Value>,
}

impl Meta {
    fn statements(&self) -> Option<Vec<Statement>> {
        Vec::<Statement>::deserialize(&self.statements).ok()
    }

    fn terms(&self) -> (String, String) {
        if let Some(terms) = &self.terms {
            return terms.clone();
        }
        let rg = |key: &str| {
            self.knight_knave_terms
                .as_ref()
                .and_then(|t| t.get(key))
                .and_then(Value::as_str)
                .map(String::from)
        };
        (
            rg("knight").unwrap_or_else(|| "knight".into()),
            rg("knave").unwrap_or_else(|| "knave".into()),
        )
    }
}

fn leaf(rng: &mut Rng, speaker: usize, people: usize) -> Statement {
    loop {
        let person = rng.below(people);
        let truthful = rng.chance(1, 2);
        let negated = rng.chance(1, 4);
        // A speaker calling themself a liar is a paradox; skip self-reference entirely.
        if person != speaker {
            return Statement::Is {
                person,
                truthful,
                negated,
            };
        }
    }
}

/// `count` distinct leaves about people other than `speaker`.
fn leaves(rng: &mut Rng, speaker: usize, people: usize, count: usize) -> Vec<Statement> {
    let mut parts: Vec<Statement> = Vec::new();
    while parts.len() < count {
        let candidate = leaf(rng, speaker, people);
        // Two leaves about the same person make trivial or contradictory compounds.
        let same_person = |p: &Statement, c: &Statement| matches!((p, c), (Statement::Is { person: a, .. }, Statement::Is { person: b, .. }) if a == b);
        let fresh_person = !parts.iter().any(|p| same_person(p, &candidate)) || people <= count;
        if fresh_person && !parts.contains(&candidate) {
            parts.push(candidate);
        }
    }
    parts
}

fn statement(rng: &mut Rng, speaker: usize, people: usize, width: usize) -> Statement {
    let wide = |rng: &mut Rng| 2 + rng.below(width.min(people - 1).max(2) - 1);
    match rng.below(6) {
        0 | 1 => leaf(rng, speaker, people),
        2 => {
            let count = wide(rng);
            Statement::And {
                parts: leaves(rng, speaker, people, count),
            }
        }
        3 => {
            let count = wide(rng);
            Statement::Or {
                parts: leaves(rng, speaker, people, count),
            }
        }
        4 => Statement::Implies {
            parts: leaves(rng, speaker, people, 2),
        },
        _ => Statement::Iff {
            parts: leaves(rng, speaker, people, 2),
        },
    }
}

fn solutions(statements: &[Statement], limit: usize) -> Vec<Vec<bool>> {
    let people = statements.len();
    let mut found = Vec::new();
    for mask in 0..(1u32 << people) {
        let knights: Vec<bool> = (0..people).map(|p| mask & (1 << p) != 0).collect();
        if statements
            .iter()
            .enumerate()
            .all(|(p, s)| s.holds(&knights) == knights[p])
        {
            found.push(knights);
            if found.len() >= limit {
                break;
            }
        }
    }
    found
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let people = scale(difficulty, 2, 7, 2);
    let width = scale(difficulty, 2, 3, 4);
    let names: Vec<String> = rng
        .sample(NAMES, people)
        .into_iter()
        .map(String::from)
        .collect();
    let terms = *rng.pick(TERMS);
    for _ in 0..20_000 {
        let statements: Vec<Statement> = (0..people)
            .map(|p| statement(rng, p, people, width))
            .collect();
        let found = solutions(&statements, 2);
        if found.len() != 1 {
            continue;
        }
        let solution = found[0].clone();
        let mut prompt = format!(
            "A very special island is inhabited only by {t}s and {f}s. {T}s always tell the truth, and {f}s always lie. You meet {people} inhabitants: {list}.",
            t = terms.0,
            f = terms.1,
            T = capitalize(terms.0),
            list = name_list(&names),
        );
        for (speaker, stmt) in statements.iter().enumerate() {
            prompt.push_str(&format!(
                " {} said, \"{}.\"",
                names[speaker],
                capitalize(&stmt.text(&names, terms))
            ));
        }
        let example = name_list(
            &names
                .iter()
                .map(|n| format!("{n} is {} {}/{}", article(terms.0), terms.0, terms.1))
                .collect::<Vec<_>>(),
        );
        prompt.push_str(&format!(
            " So who is {a} {t} and who is {b} {f}? (Format your answer like: \"{example}\")",
            a = article(terms.0),
            b = article(terms.1),
            t = terms.0,
            f = terms.1
        ));
        let reference = name_list(
            &names
                .iter()
                .zip(&solution)
                .map(|(name, knight)| {
                    let role = if *knight { terms.0 } else { terms.1 };
                    format!("{name} is {} {role}", article(role))
                })
                .collect::<Vec<_>>(),
        );
        // Placeholder names, so the example hints at no one's role.
        let format_example = format!(
            "Alex is {} {}, Sam is {} {}, ...",
            article(terms.0),
            terms.0,
            article(terms.1),
            terms.1
        );
        let meta = Meta {
            names,
            statements: encode(&statements),
            solution,
            terms: Some((terms.0.into(), terms.1.into())),
            knight_knave_terms: None,
        };
        return Ok(Generated {
            prompt,
            reference: format!("{reference}."),
            format_example,
            meta: encode(&meta),
        });
    }
    Err("knights_knaves: no uniquely solvable puzzle found".into())
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn name_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

/// Reads "Name is a knight, ..." style answers into one role per named person.
fn parse(answer: &str, meta: &Meta) -> Result<Vec<Option<bool>>, String> {
    let cleaned: String = answer
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let names: Vec<String> = meta.names.iter().map(|n| n.to_lowercase()).collect();
    let (good, bad) = meta.terms();
    let truthy = [
        good.to_lowercase(),
        "knight".into(),
        "truthful".into(),
        "truth".into(),
    ];
    let liars = [
        bad.to_lowercase(),
        "knave".into(),
        "liar".into(),
        "lying".into(),
    ];
    let mut roles: Vec<Option<bool>> = vec![None; names.len()];
    let mut current: Option<usize> = None;
    let mut negated = false;
    for token in cleaned.split_whitespace() {
        let token = token.trim_end_matches('s');
        if let Some(idx) = names.iter().position(|n| n.trim_end_matches('s') == token) {
            current = Some(idx);
            negated = false;
        } else if token == "not" || token == "isn" {
            negated = true;
        } else {
            let role = if truthy.iter().any(|t| t.trim_end_matches('s') == token) {
                Some(true)
            } else if liars.iter().any(|t| t.trim_end_matches('s') == token) {
                Some(false)
            } else {
                None
            };
            if let (Some(role), Some(person)) = (role, current) {
                let role = role != negated;
                if roles[person].is_some_and(|r| r != role) {
                    return Err(format!("{} is given both roles", meta.names[person]));
                }
                roles[person] = Some(role);
                current = None;
                negated = false;
            }
        }
    }
    if roles.iter().all(Option::is_none) {
        return Err("no \"<name> is a <role>\" assignments found".into());
    }
    Ok(roles)
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let meta: Meta = meta_or_return!(meta);
    let statements = meta.statements();
    let people = meta.names.len();
    if people != meta.solution.len()
        || people > 16
        || statements.as_ref().is_some_and(|s| s.len() != people)
    {
        return LogicVerdict::invalid_task("names, statements and solution differ in length");
    }
    let roles = match parse(answer, &meta) {
        Ok(roles) => roles,
        Err(reason) => return LogicVerdict::unparsable(reason),
    };
    if roles.iter().all(Option::is_some) {
        let knights: Vec<bool> = roles.iter().map(|r| r.unwrap_or(false)).collect();
        let consistent = match &statements {
            Some(statements) => statements
                .iter()
                .enumerate()
                .all(|(p, s)| s.holds(&knights) == knights[p]),
            None => knights == meta.solution,
        };
        if consistent {
            return LogicVerdict::correct("every statement is consistent with the assignment");
        }
    }
    let right = roles
        .iter()
        .zip(&meta.solution)
        .filter(|(r, s)| **r == Some(**s))
        .count();
    let missing = roles.iter().filter(|r| r.is_none()).count();
    LogicVerdict::partial(
        right as f64 / meta.solution.len() as f64,
        format!(
            "{right} of {} people right, {missing} unassigned",
            meta.solution.len()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_puzzles_have_unique_solutions() {
        for seed in 0..20 {
            let generated = generate(&mut Rng::new(seed), 6).expect("generates");
            let meta: Meta = serde_json::from_value(generated.meta).expect("round-trips");
            let statements = meta.statements().expect("this crate's statements");
            assert_eq!(solutions(&statements, 3), vec![meta.solution.clone()]);
        }
    }

    #[test]
    fn parses_other_phrasings() {
        let generated = generate(&mut Rng::new(3), 0).expect("generates");
        let meta: Meta = serde_json::from_value(generated.meta.clone()).expect("round-trips");
        let phrased: Vec<String> = meta
            .names
            .iter()
            .zip(&meta.solution)
            .map(|(n, k)| {
                format!(
                    "{}: {}",
                    n.to_uppercase(),
                    if *k { "Knight" } else { "Knave" }
                )
            })
            .collect();
        let verdict = verify(&generated.meta, &phrased.join("; "));
        assert_eq!(verdict.score, 1.0, "{}", verdict.detail);
        let negated: Vec<String> = meta
            .names
            .iter()
            .zip(&meta.solution)
            .map(|(n, k)| format!("{n} is {}a knight", if *k { "" } else { "not " }))
            .collect();
        assert_eq!(verify(&generated.meta, &negated.join(", ")).score, 1.0);
    }
}
