//! Course schedule: an order to take all courses that respects every prerequisite.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Generated, encode, meta_or_return, scale};
use crate::LogicVerdict;
use crate::grid::integers;
use crate::rng::Rng;

#[derive(Serialize, Deserialize)]
struct Meta {
    num_courses: usize,
    /// `(a, b)`: course `b` must be taken before course `a`.
    prerequisites: Vec<(usize, usize)>,
    /// One valid order.
    order: Vec<usize>,
}

pub(crate) fn generate(rng: &mut Rng, difficulty: u32) -> Result<Generated, String> {
    let num_courses = scale(difficulty * 2, 4, 24, 1);
    let mut order: Vec<usize> = (0..num_courses).collect();
    rng.shuffle(&mut order);
    let mut prerequisites = Vec::new();
    for idx in 1..num_courses {
        let wanted = 1 + rng.below(2.min(idx));
        for earlier in rng.sample(&order[..idx], wanted) {
            prerequisites.push((order[idx], earlier));
        }
    }
    rng.shuffle(&mut prerequisites);
    let listed = prerequisites
        .iter()
        .map(|(a, b)| format!("({a}, {b})"))
        .collect::<Vec<_>>()
        .join(", ");
    let prompt = format!(
        "There are a total of {num_courses} courses you have to take, labeled from 0 to {}.\n\nYou are given the following list of prerequisites, where (a, b) means that you must take course b before course a:\n[{listed}]\n\nFind an order in which you can take all the courses.\nAnswer format: all course labels in the order taken, comma separated, e.g. 2, 0, 1.",
        num_courses - 1
    );
    let reference = order
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let meta = Meta {
        num_courses,
        prerequisites,
        order,
    };
    Ok(Generated {
        prompt,
        reference,
        format_example: "2, 0, 1".into(),
        meta: encode(&meta),
    })
}

/// The part of the metadata the verifier reads. Reasoning Gym's variant of this family asks
/// whether the schedule is feasible at all: it has `courses` and a boolean `solution`.
#[derive(Deserialize)]
struct Check {
    num_courses: Option<usize>,
    prerequisites: Vec<(usize, usize)>,
    #[serde(default)]
    solution: Option<bool>,
}

pub(crate) fn verify(meta: &Value, answer: &str) -> LogicVerdict {
    let meta: Check = meta_or_return!(meta);
    let Some(n) = meta.num_courses else {
        let Some(feasible) = meta.solution else {
            return LogicVerdict::invalid_task("metadata needs num_courses");
        };
        let said = answer.trim().trim_end_matches('.').to_lowercase();
        let claim = match said.as_str() {
            "true" | "yes" => true,
            "false" | "no" => false,
            _ => return LogicVerdict::unparsable("expected True or False"),
        };
        return if claim == feasible {
            LogicVerdict::correct("right feasibility")
        } else {
            LogicVerdict::incorrect(format!(
                "the schedule is {}feasible",
                if feasible { "" } else { "not " }
            ))
        };
    };
    if n > 100_000 || meta.prerequisites.iter().any(|&(a, b)| a >= n || b >= n) {
        return LogicVerdict::invalid_task("prerequisites must name courses");
    }
    let said = integers(answer);
    if said.is_empty() {
        return LogicVerdict::unparsable("no course labels found");
    }
    let mut position = vec![usize::MAX; n];
    for (idx, &course) in said.iter().enumerate() {
        let Some(slot) = usize::try_from(course)
            .ok()
            .and_then(|c| position.get_mut(c))
        else {
            return LogicVerdict::incorrect(format!("course {course} does not exist"));
        };
        if *slot != usize::MAX {
            return LogicVerdict::incorrect(format!("course {course} is listed twice"));
        }
        *slot = idx;
    }
    if let Some(missing) = position.iter().position(|&p| p == usize::MAX) {
        return LogicVerdict::incorrect(format!("course {missing} is missing"));
    }
    let broken: Vec<&(usize, usize)> = meta
        .prerequisites
        .iter()
        .filter(|&&(a, b)| position[b] > position[a])
        .collect();
    if broken.is_empty() {
        return LogicVerdict::correct("every prerequisite comes first");
    }
    let kept = 1.0 - broken.len() as f64 / meta.prerequisites.len() as f64;
    LogicVerdict::partial(
        kept.min(0.99),
        format!(
            "{} of {} prerequisites violated, e.g. {} before {}",
            broken.len(),
            meta.prerequisites.len(),
            broken[0].0,
            broken[0].1
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kahn's algorithm taking the smallest available label: usually a different valid order.
    fn kahn(meta: &Meta) -> Vec<usize> {
        let mut done = vec![false; meta.num_courses];
        let mut order = Vec::new();
        while order.len() < meta.num_courses {
            let next = (0..meta.num_courses)
                .find(|&c| !done[c] && meta.prerequisites.iter().all(|&(a, b)| a != c || done[b]))
                .expect("acyclic");
            done[next] = true;
            order.push(next);
        }
        order
    }

    #[test]
    fn kahn_order_is_accepted() {
        for seed in 0..20 {
            let generated = generate(&mut Rng::new(seed), 6).expect("generates");
            let meta: Meta = serde_json::from_value(generated.meta.clone()).expect("round-trips");
            let order = kahn(&meta);
            let text = order
                .iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(" ");
            assert_eq!(verify(&generated.meta, &text).score, 1.0);
        }
    }
}
