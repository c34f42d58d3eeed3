//! Policy and reference roles served by supervised pools on the embedded tiny model.

use super::*;
use proctor_runtime::messages::{GenerateRollouts, PromptTask, ReferenceLogprobs};
use proctor_runtime::{Actor, Metrics, RestartPolicy, RolePool, submit};

fn task(id: &str, prompt: &str) -> PromptTask {
    PromptTask {
        id: id.into(),
        prompt: prompt.into(),
        reference: None,
        metadata: "{}".into(),
    }
}

fn spec(weights: &WeightStore) -> PolicySpec {
    PolicySpec {
        model: "builtin:tiny".into(),
        devices: vec!["cpu".into()],
        sampling: proctor_topology::SamplingParams {
            max_new_tokens: 6,
            ..Default::default()
        },
        weights: weights.clone(),
    }
}

fn generate(step: u64, min_weights_version: u64) -> GenerateRollouts {
    GenerateRollouts {
        step,
        min_weights_version,
        prompts: vec![task("a", "What is 1 + 2?"), task("b", "What is 5 * 3?")],
        samples_per_prompt: 3,
        seed: 42,
        greedy: false,
    }
}

#[actix_rt::test]
async fn policy_rollouts_match_reference_scoring_of_the_same_weights() {
    let weights = WeightStore::default();
    let metrics = Metrics::default();
    let policy = RolePool::new(
        "policy",
        2,
        policy_factory(spec(&weights)),
        RestartPolicy::default(),
        metrics.clone(),
    )
    .start();
    let reference = RolePool::new(
        "reference",
        1,
        reference_factory(
            "builtin:tiny".into(),
            "cpu".into(),
            WeightStore::default(),
            1.0,
        ),
        RestartPolicy::default(),
        metrics.clone(),
    )
    .start();

    let batches = submit(&policy, "policy", vec![generate(1, 0)])
        .await
        .unwrap();
    let rollouts = &batches[0];
    assert_eq!(rollouts.len(), 6);
    assert_eq!(
        rollouts
            .iter()
            .filter(|rollout| rollout.task_id == "b")
            .count(),
        3
    );
    assert!(rollouts.iter().all(|rollout| rollout.weights_version == 0));

    // Sampling at temperature 1 records the behaviour log-probs teacher forcing recomputes.
    let batch: ReferenceBatch = rollouts
        .iter()
        .map(|rollout| ReferenceLogprobs {
            prompt_token_ids: rollout.prompt_token_ids.clone(),
            completion_token_ids: rollout.completion_token_ids.clone(),
        })
        .collect();
    let scored = submit(&reference, "reference", vec![batch])
        .await
        .unwrap()
        .remove(0);
    for (rollout, reference_logprobs) in rollouts.iter().zip(&scored) {
        assert_eq!(reference_logprobs.len(), rollout.behaviour_logprobs.len());
        for (behaviour, reference) in rollout.behaviour_logprobs.iter().zip(reference_logprobs) {
            assert!(
                (behaviour - reference).abs() < 1e-4,
                "{behaviour} vs {reference}"
            );
        }
    }
    assert_eq!(metrics.get("policy.completed"), 1);
}

#[actix_rt::test]
async fn policies_generate_with_the_version_a_step_requires() {
    let weights = WeightStore::default();
    let policy = RolePool::new(
        "policy",
        1,
        policy_factory(spec(&weights)),
        RestartPolicy::default(),
        Metrics::default(),
    )
    .start();
    let before = submit(&policy, "policy", vec![generate(1, 0)])
        .await
        .unwrap()
        .remove(0);

    // Publish perturbed weights as version 1: zeroed embeddings change every completion.
    let donor =
        proctor_models::LanguageModel::load("builtin:tiny", &proctor_models::Device::Cpu).unwrap();
    let tensors = donor.model.params().state_dict().unwrap();
    let zeroed: std::collections::BTreeMap<String, proctor_models::Tensor> = tensors
        .into_iter()
        .map(|(name, tensor)| {
            let tensor = if name.contains("norm") {
                tensor
            } else {
                (tensor * 0.5).unwrap()
            };
            (name, tensor)
        })
        .collect();
    donor.model.params().load_state_dict(&zeroed).unwrap();
    weights
        .publish(proctor_learner::WeightUpdate::from_model(&donor.model, 1).unwrap())
        .unwrap();

    let after = submit(&policy, "policy", vec![generate(2, 1)])
        .await
        .unwrap()
        .remove(0);
    assert!(after.iter().all(|rollout| rollout.weights_version == 1));
    assert_ne!(
        before
            .iter()
            .map(|rollout| &rollout.behaviour_logprobs)
            .collect::<Vec<_>>(),
        after
            .iter()
            .map(|rollout| &rollout.behaviour_logprobs)
            .collect::<Vec<_>>()
    );
    // A version never published fails loudly instead of generating with stale weights.
    let error = submit(&policy, "policy", vec![generate(3, 7)])
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("weights version 7 requested"),
        "{error}"
    );
}
