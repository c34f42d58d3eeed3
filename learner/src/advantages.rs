//! Sequence-level advantages from grouped rewards: GRPO (Dr.GRPO), RLOO, REINFORCE++ and REINFORCE++-baseline.

/// Added to a standard deviation before dividing, so constant rewards give zeros, not NaN.
pub const STD_EPS: f64 = 1e-6;

/// Which baseline and normalisation turn rewards into advantages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdvantageEstimator {
    /// `(r - mean_group) / (std_group + eps)`; without std normalisation it is Dr.GRPO's `r - mean_group`.
    Grpo {
        /// Divide by the group's (unbiased) standard deviation.
        normalize_std: bool,
    },
    /// `r_i - mean_{j≠i} r_j` within the group (0 for a group of one).
    Rloo,
    /// `(r - mean_batch) / (std_batch + eps)` over every sequence of the step.
    ReinforcePlusPlus,
    /// `(r - mean_group) / (std_batch + eps)`: group baseline, batch-wide scale.
    ReinforcePlusPlusBaseline,
}

/// Advantages with the same shape as `groups` (one reward per sampled response, grouped by prompt).
pub fn compute_advantages(groups: &[Vec<f64>], estimator: AdvantageEstimator) -> Vec<Vec<f64>> {
    match estimator {
        AdvantageEstimator::Grpo { normalize_std } => groups
            .iter()
            .map(|group| {
                let mean = mean(group);
                let scale = if normalize_std {
                    1.0 / (sample_std(group, mean) + STD_EPS)
                } else {
                    1.0
                };
                group.iter().map(|r| (r - mean) * scale).collect()
            })
            .collect(),
        AdvantageEstimator::Rloo => groups
            .iter()
            .map(|group| {
                let n = group.len();
                if n < 2 {
                    return vec![0.0; n];
                }
                let sum: f64 = group.iter().sum();
                group
                    .iter()
                    .map(|r| r - (sum - r) / (n - 1) as f64)
                    .collect()
            })
            .collect(),
        AdvantageEstimator::ReinforcePlusPlus => {
            let all: Vec<f64> = groups.iter().flatten().copied().collect();
            let mean = mean(&all);
            let scale = 1.0 / (sample_std(&all, mean) + STD_EPS);
            groups
                .iter()
                .map(|group| group.iter().map(|r| (r - mean) * scale).collect())
                .collect()
        }
        AdvantageEstimator::ReinforcePlusPlusBaseline => {
            let centred: Vec<Vec<f64>> = groups
                .iter()
                .map(|group| {
                    let mean = mean(group);
                    group.iter().map(|r| r - mean).collect()
                })
                .collect();
            let all: Vec<f64> = centred.iter().flatten().copied().collect();
            let scale = 1.0 / (sample_std(&all, self::mean(&all)) + STD_EPS);
            centred
                .into_iter()
                .map(|group| group.into_iter().map(|a| a * scale).collect())
                .collect()
        }
    }
}

/// Whether a group can teach anything: false when all its rewards are equal (dynamic sampling drops it).
pub fn has_signal(rewards: &[f64]) -> bool {
    rewards.windows(2).any(|pair| pair[0] != pair[1])
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// Unbiased standard deviation (as `torch.std`); 0 for fewer than two values.
fn sample_std(values: &[f64], mean: f64) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let sum_sq: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    (sum_sq / (values.len() - 1) as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ALL: [AdvantageEstimator; 5] = [
        AdvantageEstimator::Grpo {
            normalize_std: true,
        },
        AdvantageEstimator::Grpo {
            normalize_std: false,
        },
        AdvantageEstimator::Rloo,
        AdvantageEstimator::ReinforcePlusPlus,
        AdvantageEstimator::ReinforcePlusPlusBaseline,
    ];

    fn close(a: &[Vec<f64>], b: &[Vec<f64>], tolerance: f64) -> bool {
        a.iter()
            .flatten()
            .zip(b.iter().flatten())
            .all(|(x, y)| (x - y).abs() <= tolerance * (1.0 + x.abs().max(y.abs())))
    }

    #[test]
    fn hand_computed_values() {
        let groups = vec![vec![1.0, 0.0, 0.0, 1.0], vec![3.0, 1.0]];
        // Group 0: mean 0.5, unbiased std sqrt(1/3); group 1: mean 2, std sqrt(2).
        let s0 = (1.0f64 / 3.0).sqrt() + STD_EPS;
        let s1 = 2f64.sqrt() + STD_EPS;
        let grpo = compute_advantages(
            &groups,
            AdvantageEstimator::Grpo {
                normalize_std: true,
            },
        );
        let expected = vec![
            vec![0.5 / s0, -0.5 / s0, -0.5 / s0, 0.5 / s0],
            vec![1.0 / s1, -1.0 / s1],
        ];
        assert!(close(&grpo, &expected, 1e-12), "{grpo:?}");
        let dr = compute_advantages(
            &groups,
            AdvantageEstimator::Grpo {
                normalize_std: false,
            },
        );
        assert_eq!(dr, vec![vec![0.5, -0.5, -0.5, 0.5], vec![1.0, -1.0]]);
        // RLOO: 1 - (0 + 0 + 1) / 3 = 2/3; 0 - 2/3.
        let rloo = compute_advantages(&groups, AdvantageEstimator::Rloo);
        let expected = vec![
            vec![2.0 / 3.0, -2.0 / 3.0, -2.0 / 3.0, 2.0 / 3.0],
            vec![2.0, -2.0],
        ];
        assert!(close(&rloo, &expected, 1e-12), "{rloo:?}");
        // REINFORCE++ over all six rewards: mean 1, sum of squares 0+1+1+0+4+0 = 6, std sqrt(6/5).
        let rpp = compute_advantages(&groups, AdvantageEstimator::ReinforcePlusPlus);
        let s = (6.0f64 / 5.0).sqrt() + STD_EPS;
        let expected = vec![vec![0.0, -1.0 / s, -1.0 / s, 0.0], vec![2.0 / s, 0.0]];
        assert!(close(&rpp, &expected, 1e-12), "{rpp:?}");
        // Baseline: centred [.5,-.5,-.5,.5,1,-1]; squares sum 3, std sqrt(3/5).
        let base = compute_advantages(&groups, AdvantageEstimator::ReinforcePlusPlusBaseline);
        let s = (3.0f64 / 5.0).sqrt() + STD_EPS;
        let expected = vec![
            vec![0.5 / s, -0.5 / s, -0.5 / s, 0.5 / s],
            vec![1.0 / s, -1.0 / s],
        ];
        assert!(close(&base, &expected, 1e-12), "{base:?}");
    }

    #[test]
    fn signal_needs_two_different_rewards() {
        assert!(!has_signal(&[]));
        assert!(!has_signal(&[1.0]));
        assert!(!has_signal(&[0.5, 0.5, 0.5]));
        assert!(has_signal(&[0.5, 0.5, 1.0]));
    }

    fn groups_strategy() -> impl Strategy<Value = Vec<Vec<f64>>> {
        prop::collection::vec(prop::collection::vec(-10.0f64..10.0, 1..9), 1..6)
    }

    proptest! {
        #[test]
        fn group_baselines_are_zero_mean_within_each_group(groups in groups_strategy()) {
            for estimator in [ALL[0], ALL[1], ALL[2], ALL[4]] {
                for group in compute_advantages(&groups, estimator) {
                    let sum: f64 = group.iter().sum();
                    prop_assert!(sum.abs() < 1e-6, "{estimator:?}: {sum}");
                }
            }
            let all: f64 = compute_advantages(&groups, ALL[3]).iter().flatten().sum();
            prop_assert!(all.abs() < 1e-6);
        }

        #[test]
        fn constant_groups_give_zeros(values in prop::collection::vec((-10.0f64..10.0, 1usize..9), 1..6)) {
            let groups: Vec<Vec<f64>> = values.iter().map(|&(r, n)| vec![r; n]).collect();
            for estimator in [ALL[0], ALL[1], ALL[2], ALL[4]] {
                let advantages = compute_advantages(&groups, estimator);
                prop_assert!(advantages.iter().flatten().all(|a| a.abs() < 1e-6), "{estimator:?}: {advantages:?}");
            }
            // REINFORCE++ normalises over the batch: zeros when the whole batch is constant.
            let flat = vec![vec![values[0].0; 5]; 3];
            // The batch mean of equal values can miss by an ulp, which ε-normalisation scales to ~1e-9.
            prop_assert!(compute_advantages(&flat, ALL[3]).iter().flatten().all(|a| a.abs() < 1e-6));
        }

        #[test]
        fn shifting_rewards_changes_nothing(groups in groups_strategy(), shift in -100.0f64..100.0) {
            let shifted: Vec<Vec<f64>> = groups.iter().map(|g| g.iter().map(|r| r + shift).collect()).collect();
            for estimator in ALL {
                let a = compute_advantages(&groups, estimator);
                let b = compute_advantages(&shifted, estimator);
                prop_assert!(close(&a, &b, 1e-6), "{estimator:?}: {a:?} vs {b:?}");
            }
        }

        #[test]
        fn shapes_are_kept(groups in groups_strategy()) {
            for estimator in ALL {
                let advantages = compute_advantages(&groups, estimator);
                prop_assert_eq!(advantages.len(), groups.len());
                for (a, g) in advantages.iter().zip(&groups) {
                    prop_assert_eq!(a.len(), g.len());
                }
            }
        }
    }
}
