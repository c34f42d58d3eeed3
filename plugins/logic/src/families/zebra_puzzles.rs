//! Zebra (Einstein) puzzles: houses in a row, attribute clues, one question with a unique answer.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::answer::normalize_words;
use crate::rng::Rng;

/// (characteristic, phrase template with `{}` for the value, values); the first is names.
const ATTRIBUTES: &[(&str, &str, &[&str])] = &[
    (
        "name",
        "{}",
        &["Alice", "Bob", "Carol", "David", "Eric", "Fiona"],
    ),
    (
        "house colour",
        "the person in the {} house",
        &["red", "green", "blue", "yellow", "white", "purple"],
    ),
    (
        "drink",
        "the person who drinks {}",
        &["tea", "coffee", "milk", "water", "juice", "cocoa"],
    ),
    (
        "pet",
        "the person who keeps {}",
        &["cats", "dogs", "birds", "fish", "horses", "rabbits"],
    ),
    (
        "hobby",
        "the person who loves {}",
        &[
            "painting",
            "chess",
            "cycling",
            "gardening",
            "singing",
            "hiking",
        ],
    ),
];

/// One characteristic value: attribute index and value index.
type Item = (usize, usize);

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "clue", rename_all = "snake_case")]
enum Clue {
    InHouse { item: Item, house: usize },
    NotInHouse { item: Item, house: usize },
    Same { a: Item, b: Item },
    NotSame { a: Item, b: Item },
    DirectlyLeft { a: Item, b: Item },
    SomewhereLeft { a: Item, b: Item },
    NextTo { a: Item, b: Item },
}

impl Clue {
    /// Whether the clue holds given `house_of[attr][value]`, or `None` if an attribute is unassigned.
    fn holds(&self, house_of: &[Option<&[usize]>]) -> Option<bool> {
        let at = |(attr, value): Item| (*house_of.get(attr)?)?.get(value).copied();
        Some(match *self {
            Self::InHouse { item, house } => at(item)? == house,
            Self::NotInHouse { item, house } => at(item)? != house,
            Self::Same { a, b } => at(a)? == at(b)?,
            Self::NotSame { a, b } => at(a)? != at(b)?,
            Self::DirectlyLeft { a, b } => at(a)? + 1 == at(b)?,
            Self::SomewhereLeft { a, b } => at(a)? < at(b)?,
            Self::NextTo { a, b } => at(a)?.abs_diff(at(b)?) == 1,
        })
    }

    fn text(&self) -> String {
        let sentence = match *self {
            Self::InHouse { item, house } => {
                format!("{} lives in house {}", phrase(item), house + 1)
            }
            Self::NotInHouse { item, house } => {
                format!("{} does not live in house {}", phrase(item), house + 1)
            }
            Self::Same { a, b } => format!("{} is {}", phrase(a), phrase(b)),
            Self::NotSame { a, b } => format!("{} is not {}", phrase(a), phrase(b)),
            Self::DirectlyLeft { a, b } => {
                format!("{} is directly left of {}", phrase(a), phrase(b))
            }
            Self::SomewhereLeft { a, b } => {
                format!("{} is somewhere to the left of {}", phrase(a), phrase(b))
            }
            Self::NextTo { a, b } => {
                format!("{} and {} are next to each other", phrase(a), phrase(b))
            }
        };
        let mut chars = sentence.chars();
        chars
            .next()
            .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
            + "."
    }
}

fn phrase((attr, value): Item) -> String {
    let (_, template, values) = ATTRIBUTES[attr];
    template.replace("{}", values[value])
}

#[derive(Serialize, Deserialize)]
struct Meta {
    houses: usize,
    /// Attribute names used (the first is always `name`).
    attributes: Vec<String>,
    names: Vec<String>,
    clues: Vec<Clue>,
    /// The item asked about; the answer is the name of its owner.
    question_item: Item,
    answer: String,
}

/// Counts solutions, up to `limit`.
fn count_solutions(clues: &[Clue], attrs: usize, houses: usize, limit: usize) -> usize {
    solve(clues, attrs, houses, limit).0
}

/// Solution count (up to `limit`) and the first solution found (`house_of` per attribute).
///
/// A small constraint solver: each (attribute, value) keeps a bitmask of possible houses;
/// clues and the one-value-per-house rule prune the masks to a fixpoint, then the search
/// branches on the most constrained undecided value.
fn solve(
    clues: &[Clue],
    attrs: usize,
    houses: usize,
    limit: usize,
) -> (usize, Vec<Option<Vec<usize>>>) {
    let full: u32 = (1 << houses) - 1;
    let mut domains = vec![vec![full; houses]; attrs];
    let mut first = Vec::new();
    let count = branch(clues, &mut domains, houses, limit.max(1), &mut first);
    (count, first)
}

fn propagate(clues: &[Clue], domains: &mut [Vec<u32>], houses: usize) -> bool {
    let full: u32 = (1 << houses) - 1;
    loop {
        let before: Vec<Vec<u32>> = domains.to_vec();
        for clue in clues {
            match *clue {
                Clue::InHouse { item, house } => domains[item.0][item.1] &= 1 << house,
                Clue::NotInHouse { item, house } => domains[item.0][item.1] &= !(1 << house),
                Clue::Same { a, b } => {
                    let both = domains[a.0][a.1] & domains[b.0][b.1];
                    domains[a.0][a.1] = both;
                    domains[b.0][b.1] = both;
                }
                Clue::NotSame { a, b } => {
                    let (da, db) = (domains[a.0][a.1], domains[b.0][b.1]);
                    if da.count_ones() == 1 {
                        domains[b.0][b.1] &= !da;
                    }
                    if db.count_ones() == 1 {
                        domains[a.0][a.1] &= !db;
                    }
                }
                Clue::DirectlyLeft { a, b } => {
                    let (da, db) = (domains[a.0][a.1], domains[b.0][b.1]);
                    domains[b.0][b.1] &= (da << 1) & full;
                    domains[a.0][a.1] &= db >> 1;
                }
                Clue::SomewhereLeft { a, b } => {
                    let (da, db) = (domains[a.0][a.1], domains[b.0][b.1]);
                    if da == 0 || db == 0 {
                        return false;
                    }
                    let lowest_a = da.trailing_zeros();
                    let highest_b = 31 - db.leading_zeros();
                    domains[b.0][b.1] &= full & !((2u32 << lowest_a) - 1);
                    domains[a.0][a.1] &= (1u32 << highest_b) - 1;
                }
                Clue::NextTo { a, b } => {
                    let (da, db) = (domains[a.0][a.1], domains[b.0][b.1]);
                    domains[b.0][b.1] &= ((da << 1) | (da >> 1)) & full;
                    domains[a.0][a.1] &= ((db << 1) | (db >> 1)) & full;
                }
            }
        }
        for attr in domains.iter_mut() {
            for value in 0..houses {
                let mask = attr[value];
                if mask == 0 {
                    return false;
                }
                if mask.count_ones() == 1 {
                    for (other, other_mask) in attr.iter_mut().enumerate() {
                        if other != value {
                            *other_mask &= !mask;
                        }
                    }
                }
            }
            for house in 0..houses {
                let bit = 1u32 << house;
                let holders: Vec<usize> = (0..houses).filter(|&v| attr[v] & bit != 0).collect();
                match holders[..] {
                    [] => return false,
                    [only] => attr[only] = bit,
                    _ => {}
                }
            }
        }
        if domains.iter().flatten().any(|&m| m == 0) {
            return false;
        }
        if before == domains {
            return true;
        }
    }
}

fn branch(
    clues: &[Clue],
    domains: &mut [Vec<u32>],
    houses: usize,
    limit: usize,
    first: &mut Vec<Option<Vec<usize>>>,
) -> usize {
    if !propagate(clues, domains, houses) {
        return 0;
    }
    let open = domains
        .iter()
        .enumerate()
        .flat_map(|(a, masks)| {
            masks
                .iter()
                .enumerate()
                .map(move |(v, m)| (m.count_ones(), a, v))
        })
        .filter(|(ones, _, _)| *ones > 1)
        .min();
    let Some((_, attr, value)) = open else {
        // Every value has one house; confirm the clues on the complete assignment.
        let assignment: Vec<Vec<usize>> = domains
            .iter()
            .map(|masks| masks.iter().map(|m| m.trailing_zeros() as usize).collect())
            .collect();
        let view: Vec<Option<&[usize]>> = assignment.iter().map(|h| Some(h.as_slice())).collect();
        if !clues.iter().all(|c| c.holds(&view) == Some(true)) {
            return 0;
        }
        if first.is_empty() {
            *first = assignment.into_iter().map(Some).collect();
        }
        return 1;
    };
    let mask = domains[attr][value];
    let mut found = 0;
    for house in 0..houses {
        if mask & (1 << house) == 0 {
            continue;
        }
        let mut trial = domains.to_vec();
        trial[attr][value] = 1 << house;
        found += branch(clues, &mut trial, houses, limit - found, first);
        if found >= limit {
            break;
        }
    }
    found
}

fn random_clue(rng: &mut Rng, house_of: &[Option<Vec<usize>>], houses: usize) -> Clue {
    let attrs = house_of.len();
    let view: Vec<Option<&[usize]>> = house_of.iter().map(Option::as_deref).collect();
    let item = |rng: &mut Rng| (rng.below(attrs), rng.below(houses));
    loop {
        let (a, b) = (item(rng), item(rng));
        let clue = match rng.below(10) {
            0 | 1 => Clue::InHouse {
                item: a,
                house: rng.below(houses),
            },
            2 => Clue::NotInHouse {
                item: a,
                house: rng.below(houses),
            },
            3 | 4 => Clue::Same { a, b },
            5 => Clue::NotSame { a, b },
            6 | 7 => Clue::DirectlyLeft { a, b },
            8 => Clue::SomewhereLeft { a, b },
            _ => Clue::NextTo { a, b },
        };
        let distinct_attrs = match clue {
            Clue::Same { a, b } | Clue::NotSame { a, b } => a.0 != b.0,
            Clue::DirectlyLeft { a, b } | Clue::SomewhereLeft { a, b } | Clue::NextTo { a, b } => {
                a != b
            }
            _ => true,
        };
        if distinct_attrs && clue.holds(&view) == Some(true) {
            return clue;
        }
    }
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let houses = scale(difficulty, 3, 5, 3);
    let attrs = scale(difficulty, 3, 5, 3);
    let house_of: Vec<Option<Vec<usize>>> = (0..attrs)
        .map(|_| {
            let mut houses_for_values: Vec<usize> = (0..houses).collect();
            rng.shuffle(&mut houses_for_values);
            Some(houses_for_values)
        })
        .collect();
    let mut clues: Vec<Clue> = Vec::new();
    while count_solutions(&clues, attrs, houses, 2) > 1 {
        let clue = random_clue(rng, &house_of, houses);
        if !clues.contains(&clue) {
            clues.push(clue);
        }
        if clues.len() > 200 {
            return Err("zebra_puzzles: clue budget exhausted".into());
        }
    }
    // Drop clues that are not needed for uniqueness, in random order.
    let mut drop_order: Vec<usize> = (0..clues.len()).collect();
    rng.shuffle(&mut drop_order);
    let mut kept = clues.clone();
    for clue in drop_order.iter().map(|&idx| clues[idx].clone()) {
        let without: Vec<Clue> = kept.iter().filter(|c| **c != clue).cloned().collect();
        if count_solutions(&without, attrs, houses, 2) == 1 {
            kept = without;
        }
    }
    let clues = kept;
    let question_item = (1 + rng.below(attrs - 1), rng.below(houses));
    let house = house_of[question_item.0]
        .as_ref()
        .map_or(0, |h| h[question_item.1]);
    let name_houses = house_of[0].as_ref().map_or_else(Vec::new, Clone::clone);
    let name_idx = name_houses.iter().position(|&h| h == house).unwrap_or(0);
    let names: Vec<String> = ATTRIBUTES[0].2[..houses]
        .iter()
        .map(|n| n.to_string())
        .collect();
    let answer = names[name_idx].clone();
    let mut prompt = format!(
        "This is a logic puzzle. There are {houses} houses (numbered 1 on the left to {houses} on the right). Each house is occupied by a different person, and each person has a different value for each characteristic:\n"
    );
    for (name, _, values) in &ATTRIBUTES[..attrs] {
        prompt.push_str(&format!(" - {name}: {}\n", values[..houses].join(", ")));
    }
    prompt.push_str("\nClues:\n");
    for (idx, clue) in clues.iter().enumerate() {
        prompt.push_str(&format!("{}. {}\n", idx + 1, clue.text()));
    }
    prompt.push_str(&format!(
        "\nWhat is the name of {}? Provide only the name of the person as your final answer.",
        phrase(question_item)
    ));
    let meta = Meta {
        houses,
        attributes: ATTRIBUTES[..attrs]
            .iter()
            .map(|a| a.0.to_string())
            .collect(),
        names: names.clone(),
        clues,
        question_item,
        answer: answer.clone(),
    };
    Ok(Generated {
        prompt,
        reference: answer,
        format_example: names[0].clone(),
        meta: encode(&meta),
    })
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let meta: Meta = meta_or_return!(meta);
    let said = normalize_words(answer);
    let mentioned: Vec<&String> = meta
        .names
        .iter()
        .filter(|name| {
            said.split(|c: char| !c.is_alphanumeric())
                .any(|word| word == name.to_lowercase())
        })
        .collect();
    let chosen = if meta.names.iter().any(|n| n.to_lowercase() == said) {
        said
    } else if mentioned.len() == 1 {
        mentioned[0].to_lowercase()
    } else {
        return LogicVerdict::unparsable(format!(
            "expected one of the names {}",
            meta.names.join(", ")
        ));
    };
    if chosen == meta.answer.to_lowercase() {
        LogicVerdict::correct("right person")
    } else {
        LogicVerdict::incorrect(format!("{chosen} is not the person asked about"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn permutations(n: usize) -> Vec<Vec<usize>> {
        let mut all = vec![Vec::new()];
        for size in 0..n {
            let mut next = Vec::new();
            for perm in &all {
                for slot in 0..=size {
                    let mut extended: Vec<usize> = perm.clone();
                    extended.insert(slot, size);
                    next.push(extended);
                }
            }
            all = next;
        }
        all
    }

    /// Second method: enumerate every permutation per attribute and count consistent ones.
    fn brute_force_count(clues: &[Clue], attrs: usize, houses: usize) -> usize {
        let perms = permutations(houses);
        let mut count = 0;
        let mut idx = vec![0usize; attrs];
        loop {
            let view: Vec<Option<&[usize]>> =
                idx.iter().map(|&i| Some(perms[i].as_slice())).collect();
            count += usize::from(clues.iter().all(|c| c.holds(&view) == Some(true)));
            let mut pos = 0;
            while pos < attrs {
                idx[pos] += 1;
                if idx[pos] < perms.len() {
                    break;
                }
                idx[pos] = 0;
                pos += 1;
            }
            if pos == attrs {
                return count;
            }
        }
    }

    #[test]
    fn brute_force_agrees_on_uniqueness() {
        for seed in 0..3 {
            let generated = generate(&mut Rng::new(seed), 2).expect("generates");
            let meta: Meta = serde_json::from_value(generated.meta).expect("round-trips");
            assert_eq!(
                brute_force_count(&meta.clues, meta.attributes.len(), meta.houses),
                1
            );
        }
    }

    #[test]
    fn puzzles_are_unique_and_answer_matches_a_brute_force_solve() {
        for seed in 0..6 {
            let generated = generate(&mut Rng::new(seed), 9).expect("generates");
            let meta: Meta = serde_json::from_value(generated.meta).expect("round-trips");
            let (count, solution) = solve(&meta.clues, meta.attributes.len(), meta.houses, 3);
            assert_eq!(count, 1);
            let (attr, value) = meta.question_item;
            let house = solution[attr].as_ref().expect("solved")[value];
            let names = solution[0].as_ref().expect("solved");
            let owner = names
                .iter()
                .position(|&h| h == house)
                .expect("someone lives there");
            assert_eq!(meta.names[owner], meta.answer);
        }
    }
}
