//! The reward role: folds each rollout's verdicts into one scalar by the topology's weighted
//! sources. Overlong and KL shaping happen in the learner, which knows the sequence lengths.

use proctor_runtime::messages::CombineRewards;
use proctor_runtime::{ReplicaInfo, Role, RoleError, RoleFactory};
use proctor_topology::RewardSource;
use std::sync::Arc;

/// One reward replica: the weighted sources of `[reward]`.
pub struct RewardRole {
    sources: Vec<RewardSource>,
}

/// Builds reward replicas for `sources`.
pub fn reward_factory(sources: Vec<RewardSource>) -> RoleFactory<RewardRole> {
    Arc::new(move |_: &ReplicaInfo| {
        Ok(RewardRole {
            sources: sources.clone(),
        })
    })
}

/// The weighted sum of `sources` over `verdicts`: `verifier` is the mean score of every plugin,
/// a plugin name is that plugin's score. A missing or non-finite score is an error naming it
/// (the host turns guest faults into score-0 verdicts, so this means a broken pipeline).
pub fn combine(sources: &[RewardSource], item: &CombineRewards) -> Result<f64, String> {
    let score = |name: &str| -> Result<f64, String> {
        let verdict = item
            .verdicts
            .get(name)
            .ok_or_else(|| format!("no verdict from plugin `{name}`"))?;
        if verdict.score.is_finite() {
            Ok(verdict.score)
        } else {
            Err(format!("plugin `{name}` returned score {}", verdict.score))
        }
    };
    let mut reward = 0.0;
    for source in sources {
        let value = if source.from == "verifier" {
            if item.verdicts.is_empty() {
                return Err("no verifier verdicts to combine".into());
            }
            let mut sum = 0.0;
            for name in item.verdicts.keys() {
                sum += score(name)?;
            }
            sum / item.verdicts.len() as f64
        } else {
            score(&source.from)?
        };
        reward += source.weight * value;
    }
    Ok(reward)
}

impl Role for RewardRole {
    type Request = Vec<CombineRewards>;
    type Response = Vec<f64>;

    fn handle(&mut self, batch: Vec<CombineRewards>) -> Result<Vec<f64>, RoleError> {
        batch
            .iter()
            .enumerate()
            .map(|(index, item)| {
                combine(&self.sources, item)
                    .map_err(|reason| RoleError::fatal(format!("rollout {index}: {reason}")))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proctor_runtime::messages::Verdict;

    fn verdicts(scores: &[(&str, f64)]) -> CombineRewards {
        CombineRewards {
            verdicts: scores
                .iter()
                .map(|&(name, score)| {
                    (
                        name.to_string(),
                        Verdict {
                            score,
                            status: "correct".into(),
                            detail: String::new(),
                        },
                    )
                })
                .collect(),
            truncated: false,
        }
    }

    fn source(from: &str, weight: f64) -> RewardSource {
        RewardSource {
            from: from.into(),
            weight,
        }
    }

    #[test]
    fn sources_are_weighted_and_verifier_is_the_mean_of_plugins() {
        let item = verdicts(&[("math", 1.0), ("format", 0.5)]);
        assert_eq!(combine(&[source("verifier", 1.0)], &item), Ok(0.75));
        assert_eq!(
            combine(&[source("math", 2.0), source("format", -1.0)], &item),
            Ok(1.5)
        );
    }

    #[test]
    fn missing_or_broken_scores_are_named() {
        let item = verdicts(&[("math", f64::NAN)]);
        assert!(
            combine(&[source("math", 1.0)], &item)
                .unwrap_err()
                .contains("`math` returned score NaN")
        );
        assert!(
            combine(&[source("code", 1.0)], &item)
                .unwrap_err()
                .contains("no verdict from plugin `code`")
        );
    }
}
