//! Family relationships: read a family story, name how one person is related to another.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::rng::Rng;

const MALE: &[&str] = &[
    "James", "John", "Robert", "Michael", "William", "David", "Richard", "Joseph", "Thomas",
    "Charles", "Peter", "Daniel", "Matthew", "Andrew", "George", "Edward", "Henry", "Samuel",
    "Oliver", "Jack", "Harry", "Noah",
];
const FEMALE: &[&str] = &[
    "Mary",
    "Patricia",
    "Jennifer",
    "Linda",
    "Elizabeth",
    "Barbara",
    "Susan",
    "Jessica",
    "Sarah",
    "Karen",
    "Emma",
    "Lisa",
    "Anna",
    "Margaret",
    "Victoria",
    "Charlotte",
    "Sophia",
    "Isabella",
    "Olivia",
    "Emily",
    "Grace",
    "Alice",
];

#[derive(Clone)]
struct Person {
    name: String,
    male: bool,
    spouse: Option<usize>,
    parents: Vec<usize>,
}

#[derive(Serialize, Deserialize)]
struct Meta {
    person1: String,
    person2: String,
    relationship: String,
}

/// How `a` is related to `b`, as one word, if the family has a name for it.
fn relation(people: &[Person], a: usize, b: usize) -> Option<&'static str> {
    let (pa, pb) = (&people[a], &people[b]);
    let gendered =
        |male: &'static str, female: &'static str| Some(if pa.male { male } else { female });
    let grandparents = |p: &Person| -> Vec<usize> {
        p.parents
            .iter()
            .flat_map(|&x| people[x].parents.clone())
            .collect()
    };
    let siblings = |x: usize, y: usize| {
        x != y && !people[x].parents.is_empty() && people[x].parents == people[y].parents
    };
    if pb.parents.contains(&a) {
        gendered("father", "mother")
    } else if pa.parents.contains(&b) {
        gendered("son", "daughter")
    } else if pa.spouse == Some(b) {
        gendered("husband", "wife")
    } else if siblings(a, b) {
        gendered("brother", "sister")
    } else if grandparents(pb).contains(&a) {
        gendered("grandfather", "grandmother")
    } else if grandparents(pa).contains(&b) {
        gendered("grandson", "granddaughter")
    } else if pb.parents.iter().any(|&parent| siblings(a, parent)) {
        gendered("uncle", "aunt")
    } else if pa.parents.iter().any(|&parent| siblings(b, parent)) {
        gendered("nephew", "niece")
    } else if pb
        .spouse
        .is_some_and(|spouse| people[spouse].parents.contains(&a))
    {
        gendered("father-in-law", "mother-in-law")
    } else if pa
        .spouse
        .is_some_and(|spouse| people[spouse].parents.contains(&b))
    {
        gendered("son-in-law", "daughter-in-law")
    } else {
        None
    }
}

fn build(rng: &mut Rng, size: usize) -> Vec<Person> {
    let mut males: Vec<&str> = MALE.to_vec();
    let mut females: Vec<&str> = FEMALE.to_vec();
    rng.shuffle(&mut males);
    rng.shuffle(&mut females);
    let mut people: Vec<Person> = Vec::new();
    let mut add = |people: &mut Vec<Person>, male: bool, parents: Vec<usize>| -> usize {
        let name = if male { males.pop() } else { females.pop() }
            .unwrap_or("Sam")
            .to_string();
        people.push(Person {
            name,
            male,
            spouse: None,
            parents,
        });
        people.len() - 1
    };
    let marry = |people: &mut Vec<Person>, a: usize, b: usize| {
        people[a].spouse = Some(b);
        people[b].spouse = Some(a);
    };
    let grandpa = add(&mut people, true, vec![]);
    let grandma = add(&mut people, false, vec![]);
    marry(&mut people, grandpa, grandma);
    let mut couples = Vec::new();
    let children = 2 + usize::from(size > 7);
    for _ in 0..children {
        let male = rng.chance(1, 2);
        let child = add(&mut people, male, vec![grandpa, grandma]);
        if people.len() + 1 < size {
            let spouse = add(&mut people, !male, vec![]);
            marry(&mut people, child, spouse);
            couples.push(if male {
                (child, spouse)
            } else {
                (spouse, child)
            });
        }
    }
    while people.len() < size && !couples.is_empty() {
        let (father, mother) = *rng.pick(&couples);
        let male = rng.chance(1, 2);
        add(&mut people, male, vec![father, mother]);
    }
    people
}

fn story(people: &[Person]) -> String {
    let mut parts = Vec::new();
    for (idx, person) in people.iter().enumerate() {
        if let Some(spouse) = person.spouse.filter(|&s| s > idx) {
            parts.push(format!(
                "{} is married to {}.",
                person.name, people[spouse].name
            ));
            let kids: Vec<&str> = people
                .iter()
                .filter(|p| p.parents.contains(&idx) && p.parents.contains(&spouse))
                .map(|p| p.name.as_str())
                .collect();
            match kids.as_slice() {
                [] => {}
                [one] => parts.push(format!("They have a child called {one}.")),
                [rest @ .., last] => parts.push(format!(
                    "They have children called {} and {last}.",
                    rest.join(", ")
                )),
            }
        }
    }
    parts.join(" ")
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let size = scale(difficulty, 4, 12, 1);
    let people = build(rng, size);
    for _ in 0..1000 {
        let (a, b) = (rng.below(people.len()), rng.below(people.len()));
        if a == b {
            continue;
        }
        let Some(word) = relation(&people, a, b) else {
            continue;
        };
        let (person1, person2) = (people[a].name.clone(), people[b].name.clone());
        let prompt = format!(
            "{}\n\nWhat is {person1} to {person2}? (The word describes {person1}: if Ann were Bob's mother, the answer to \"What is Ann to Bob?\" would be mother.)\nAnswer format: only the single word (or hyphenated word such as mother-in-law) for the relationship.",
            story(&people)
        );
        let meta = Meta {
            person1,
            person2,
            relationship: word.into(),
        };
        return Ok(Generated {
            prompt,
            reference: word.into(),
            format_example: "grandmother".into(),
            meta: encode(&meta),
        });
    }
    Err("family_relationships: no related pair found".into())
}

fn canonical(text: &str) -> String {
    let lower = text.trim().trim_end_matches('.').to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|w| {
            !w.is_empty() && !matches!(*w, "the" | "a" | "an" | "is" | "his" | "her" | "their")
        })
        .collect();
    words.join("-")
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let meta: Meta = meta_or_return!(meta);
    let said = canonical(answer);
    if said.is_empty() {
        return LogicVerdict::unparsable("no relationship word found");
    }
    let want = canonical(&meta.relationship);
    let synonyms: &[(&str, &str)] = &[
        ("mom", "mother"),
        ("mum", "mother"),
        ("dad", "father"),
        ("grandma", "grandmother"),
        ("grandpa", "grandfather"),
    ];
    let said = synonyms
        .iter()
        .find(|(alias, _)| *alias == said)
        .map_or(said.clone(), |(_, word)| (*word).to_string());
    if said == want {
        LogicVerdict::correct("right relationship")
    } else {
        LogicVerdict::incorrect(format!(
            "{person1} is {person2}'s {want}",
            person1 = meta.person1,
            person2 = meta.person2
        ))
    }
}
