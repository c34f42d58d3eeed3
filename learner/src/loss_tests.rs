//! Hand-computed values and finite-difference gradient checks for the policy loss.

use super::*;
use crate::config::{ClipConfig, KlEstimator, LossAggregation};
use proctor_models::candle_core::{Device, Tensor, Var};

const CLIP: ClipConfig = ClipConfig {
    low: 0.2,
    high: 0.28,
};

fn t2(rows: &[&[f64]]) -> Tensor {
    let data: Vec<Vec<f64>> = rows.iter().map(|r| r.to_vec()).collect();
    Tensor::new(data, &Device::Cpu).unwrap()
}

fn t1(values: &[f64]) -> Tensor {
    Tensor::new(values, &Device::Cpu).unwrap()
}

fn settings(mode: LossAggregation, mask: &Tensor) -> PolicyLossSettings {
    PolicyLossSettings {
        clip: CLIP,
        kl_coef: 0.0,
        kl_estimator: KlEstimator::K3,
        entropy_coef: 0.0,
        scale: AggregationScale::for_mask(mode, mask, 0).unwrap(),
    }
}

fn assert_close(found: f64, expected: f64, what: &str) {
    assert!(
        (found - expected).abs() < 1e-9 * (1.0 + expected.abs()),
        "{what}: found {found}, expected {expected}"
    );
}

#[test]
fn ratio_is_clipped_at_both_bounds_only_against_the_advantage() {
    let logprobs = Var::from_tensor(&t2(&[
        &[1.5f64.ln()],
        &[0.5f64.ln()],
        &[1.5f64.ln()],
        &[0.5f64.ln()],
    ]))
    .unwrap();
    let behaviour = t2(&[&[0.0], &[0.0], &[0.0], &[0.0]]);
    let advantages = t1(&[1.0, -1.0, -1.0, 2.0]);
    let mask = t2(&[&[1.0], &[1.0], &[1.0], &[1.0]]);
    let input = PolicyLossInput {
        logprobs: logprobs.as_tensor(),
        behaviour_logprobs: &behaviour,
        advantages: &advantages,
        mask: &mask,
        ref_logprobs: None,
        entropy: None,
    };
    let out = policy_loss(&input, &settings(LossAggregation::TokenMean, &mask)).unwrap();
    // Per token: -1·1.28 (clipped high), max(0.5, 0.8) = 0.8 (clipped low), 1.5 and -1.0 unclipped.
    assert_close(
        scalar(&out.loss).unwrap(),
        (-1.28 + 0.8 + 1.5 - 1.0) / 4.0,
        "loss",
    );
    assert_eq!(out.stats.clipped_high, 1.0);
    assert_eq!(out.stats.clipped_low, 1.0);
    assert_close(out.stats.ratio_sum, 1.5 + 0.5 + 1.5 + 0.5, "ratio sum");
    let grads = out.loss.backward().unwrap();
    let grad = grads
        .get(logprobs.as_tensor())
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1::<f64>()
        .unwrap();
    // d(-A·ρ)/dlogp = -A·ρ for unclipped tokens, 0 for clipped ones; / 4 tokens.
    for (found, expected) in grad.iter().zip([0.0, 0.0, 1.5 / 4.0, -1.0 / 4.0]) {
        assert_close(*found, expected, "gradient");
    }
}

#[test]
fn each_kl_estimator_matches_hand_values() {
    let (half, quarter) = (0.5f64.ln(), 0.25f64.ln());
    let logprobs = t2(&[&[half, quarter]]);
    let reference = t2(&[&[quarter, half]]);
    let ln2 = 2f64.ln();
    let cases = [
        (KlEstimator::K1, [ln2, -ln2]),
        (KlEstimator::K2, [0.5 * ln2 * ln2, 0.5 * ln2 * ln2]),
        // r = π_ref/π = 0.5 then 2: r - ln r - 1.
        (KlEstimator::K3, [ln2 - 0.5, 1.0 - ln2]),
    ];
    for (estimator, expected) in cases {
        let found = kl_per_token(&logprobs, &reference, estimator)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f64>()
            .unwrap();
        for (f, e) in found.iter().zip(expected) {
            assert_close(*f, e, &format!("{estimator:?}"));
        }
        let host = sequence_kl(
            &[half as f32, quarter as f32],
            &[quarter as f32, half as f32],
            estimator,
        );
        assert!(
            (host - expected.iter().sum::<f64>()).abs() < 1e-6,
            "{estimator:?} host"
        );

        // In the loss: pg is 0 with zero advantages, so the loss is β · token-mean KL.
        let zeros = t2(&[&[0.0, 0.0]]);
        let mask = t2(&[&[1.0, 1.0]]);
        let input = PolicyLossInput {
            logprobs: &logprobs,
            behaviour_logprobs: &logprobs,
            advantages: &t1(&[0.0]),
            mask: &mask,
            ref_logprobs: Some(&reference),
            entropy: Some(&zeros),
        };
        let mut s = settings(LossAggregation::TokenMean, &mask);
        s.kl_coef = 0.1;
        s.kl_estimator = estimator;
        let out = policy_loss(&input, &s).unwrap();
        let mean = (expected[0] + expected[1]) / 2.0;
        assert_close(scalar(&out.loss).unwrap(), 0.1 * mean, "kl in loss");
        assert_close(out.kl_loss, mean, "kl_loss");
        assert_close(out.stats.kl_sum, 2.0 * mean, "kl_sum");
    }
}

#[test]
fn each_aggregation_mode_matches_hand_values_and_splits_exactly() {
    let per_token = t2(&[&[1.0, 2.0, 3.0, 9.0], &[4.0, 9.0, 9.0, 9.0], &[5.0; 4]]);
    let mask = t2(&[&[1.0, 1.0, 1.0, 0.0], &[1.0, 0.0, 0.0, 0.0], &[0.0; 4]]);
    let cases = [
        (LossAggregation::TokenMean, 0, 10.0 / 4.0),
        // (6/3 + 4/1) / 2 non-empty sequences.
        (LossAggregation::SeqMeanTokenMean, 0, 3.0),
        // Σ / (2 sequences · longest 3 tokens), then with a constant length of 5.
        (LossAggregation::SeqMeanTokenSumNorm, 0, 10.0 / 6.0),
        (LossAggregation::SeqMeanTokenSumNorm, 5, 1.0),
    ];
    for (mode, norm_length, expected) in cases {
        let scale = AggregationScale::for_mask(mode, &mask, norm_length).unwrap();
        let full = scalar(&aggregate(&per_token, &mask, &scale).unwrap()).unwrap();
        assert_close(full, expected, &format!("{mode:?}"));
        // Row by row with the step's scale adds up to the full batch.
        let split: f64 = (0..3)
            .map(|row| {
                let p = per_token.narrow(0, row, 1).unwrap();
                let m = mask.narrow(0, row, 1).unwrap();
                scalar(&aggregate(&p, &m, &scale).unwrap()).unwrap()
            })
            .sum();
        assert_close(split, expected, &format!("{mode:?} split"));
    }
    let empty =
        AggregationScale::for_mask(LossAggregation::TokenMean, &(&mask * 0.0).unwrap(), 0).unwrap();
    assert_eq!(
        scalar(&aggregate(&per_token, &mask, &empty).unwrap()).unwrap(),
        0.0
    );
}

#[test]
fn masked_tokens_change_nothing() {
    // The second token of each row is padding with wild values: same loss and stats as without it.
    let logprobs = t2(&[&[-1.0, 7.0], &[-2.0, -30.0]]);
    let behaviour = t2(&[&[-1.1, -9.0], &[-1.9, 4.0]]);
    let reference = t2(&[&[-0.8, 3.0], &[-2.2, 1.0]]);
    let entropy = t2(&[&[0.7, 100.0], &[0.3, -5.0]]);
    let mask = t2(&[&[1.0, 0.0], &[1.0, 0.0]]);
    let advantages = t1(&[1.0, -0.5]);
    let narrow = |t: &Tensor| t.narrow(1, 0, 1).unwrap();
    let mut s = settings(LossAggregation::TokenMean, &mask);
    s.kl_coef = 0.05;
    s.entropy_coef = 0.01;
    let with_padding = policy_loss(
        &PolicyLossInput {
            logprobs: &logprobs,
            behaviour_logprobs: &behaviour,
            advantages: &advantages,
            mask: &mask,
            ref_logprobs: Some(&reference),
            entropy: Some(&entropy),
        },
        &s,
    )
    .unwrap();
    let (l, b, r, e, m) = (
        narrow(&logprobs),
        narrow(&behaviour),
        narrow(&reference),
        narrow(&entropy),
        narrow(&mask),
    );
    let without = policy_loss(
        &PolicyLossInput {
            logprobs: &l,
            behaviour_logprobs: &b,
            advantages: &advantages,
            mask: &m,
            ref_logprobs: Some(&r),
            entropy: Some(&e),
        },
        &s,
    )
    .unwrap();
    assert_close(
        scalar(&with_padding.loss).unwrap(),
        scalar(&without.loss).unwrap(),
        "loss",
    );
    assert_eq!(with_padding.stats, without.stats);
    // Entropy bonus: pg + β·KL − c·entropy, by hand for these two tokens.
    let ratio0 = (0.1f64).exp();
    let pg = (-ratio0 + 0.5 * (-0.1f64).exp()) / 2.0;
    let k3 = |lp: f64, rf: f64| (rf - lp).exp() - (rf - lp) - 1.0;
    let kl = (k3(-1.0, -0.8) + k3(-2.0, -2.2)) / 2.0;
    let expected = pg + 0.05 * kl - 0.01 * (0.7 + 0.3) / 2.0;
    assert_close(scalar(&without.loss).unwrap(), expected, "hand loss");
}

/// A small deterministic generator for test values.
fn values(seed: u64, count: usize, low: f64, high: f64) -> Vec<f64> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            low + (high - low) * ((state >> 11) as f64 / (1u64 << 53) as f64)
        })
        .collect()
}

#[test]
fn gradients_match_finite_differences() {
    let (batch, len) = (3, 4);
    let n = batch * len;
    let logprobs = values(1, n, -3.0, -0.1);
    // Ratios spread over (0.6, 1.45): some clipped at each bound, none within 1e-3 of a kink.
    let log_ratios: Vec<f64> = values(2, n, -0.5, 0.37)
        .into_iter()
        .map(|r| {
            let ratio = f64::exp(r);
            if (ratio - 0.8).abs() < 1e-3 || (ratio - 1.28).abs() < 1e-3 {
                r + 0.01
            } else {
                r
            }
        })
        .collect();
    let behaviour: Vec<f64> = logprobs
        .iter()
        .zip(&log_ratios)
        .map(|(l, r)| l - r)
        .collect();
    let reference = values(3, n, -3.0, -0.1);
    let entropy = values(4, n, 0.1, 2.0);
    let mask_values = [1., 1., 1., 0., 1., 1., 0., 0., 1., 1., 1., 1.];
    let advantages = t1(&[1.3, -0.7, 0.4]);
    let make = |v: &[f64]| Tensor::from_vec(v.to_vec(), (batch, len), &Device::Cpu).unwrap();
    let (behaviour_t, reference_t, mask) = (make(&behaviour), make(&reference), make(&mask_values));
    for mode in [
        LossAggregation::TokenMean,
        LossAggregation::SeqMeanTokenMean,
        LossAggregation::SeqMeanTokenSumNorm,
    ] {
        for estimator in [KlEstimator::K1, KlEstimator::K2, KlEstimator::K3] {
            let mut s = settings(mode, &mask);
            s.kl_coef = 0.3;
            s.kl_estimator = estimator;
            s.entropy_coef = 0.2;
            let loss_of = |lp: &Tensor, ent: &Tensor| {
                policy_loss(
                    &PolicyLossInput {
                        logprobs: lp,
                        behaviour_logprobs: &behaviour_t,
                        advantages: &advantages,
                        mask: &mask,
                        ref_logprobs: Some(&reference_t),
                        entropy: Some(ent),
                    },
                    &s,
                )
                .unwrap()
            };
            let lp_var = Var::from_tensor(&make(&logprobs)).unwrap();
            let ent_var = Var::from_tensor(&make(&entropy)).unwrap();
            let grads = loss_of(lp_var.as_tensor(), ent_var.as_tensor())
                .loss
                .backward()
                .unwrap();
            let analytic = |var: &Var| {
                grads
                    .get(var.as_tensor())
                    .unwrap()
                    .flatten_all()
                    .unwrap()
                    .to_vec1::<f64>()
                    .unwrap()
            };
            let (g_lp, g_ent) = (analytic(&lp_var), analytic(&ent_var));
            let h = 1e-6;
            for i in 0..n {
                let numeric = |which: usize| {
                    let eval = |delta: f64| {
                        let (mut lp, mut ent) = (logprobs.clone(), entropy.clone());
                        if which == 0 {
                            lp[i] += delta;
                        } else {
                            ent[i] += delta;
                        }
                        scalar(&loss_of(&make(&lp), &make(&ent)).loss).unwrap()
                    };
                    (eval(h) - eval(-h)) / (2.0 * h)
                };
                for (which, analytic) in [(0, g_lp[i]), (1, g_ent[i])] {
                    let numeric = numeric(which);
                    assert!(
                        (numeric - analytic).abs() < 1e-6,
                        "{mode:?} {estimator:?} input {which} element {i}: numeric {numeric}, autograd {analytic}"
                    );
                }
            }
        }
    }
}
