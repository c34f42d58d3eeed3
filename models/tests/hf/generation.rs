//! Generation behaviour: batching invariance, seeds, n samples, stops, and agreement with teacher-forced scoring.

use proctor_models::{
    Device, FinishReason, GenerationRequest, Generator, LanguageModel, SamplingParams, Tokenizer,
    sequence_logprobs,
};

use crate::fixture::{load_model, max_abs_diff};

fn builtin() -> LanguageModel {
    LanguageModel::load("builtin:tiny", &Device::Cpu).unwrap()
}

fn prompts(lm: &LanguageModel) -> Vec<Vec<u32>> {
    [
        "What is 2 + 2?",
        "Compute 17 * 3 and explain the steps.",
        "1+1",
    ]
    .iter()
    .map(|text| {
        lm.tokenizer
            .encode(
                &lm.tokenizer
                    .apply_chat_template(&[proctor_models::ChatMessage::user(*text)], true)
                    .unwrap(),
                false,
            )
            .unwrap()
    })
    .collect()
}

fn sampling(temperature: f32, max_new_tokens: usize) -> SamplingParams {
    SamplingParams {
        temperature,
        max_new_tokens,
        stop_on_eos: false,
        ..SamplingParams::default()
    }
}

#[test]
fn batched_greedy_equals_one_prompt_at_a_time() {
    let lm = builtin();
    let generator = Generator::new(&lm.model, &lm.tokenizer);
    let prompts = prompts(&lm);
    let batched = generator
        .generate(&GenerationRequest {
            prompts: prompts.clone(),
            sampling: sampling(0.0, 10),
        })
        .unwrap();
    for (index, prompt) in prompts.iter().enumerate() {
        let alone = generator
            .generate(&GenerationRequest {
                prompts: vec![prompt.clone()],
                sampling: sampling(0.0, 10),
            })
            .unwrap();
        assert_eq!(alone[0].token_ids, batched[index].token_ids);
        assert!(max_abs_diff(&alone[0].logprobs, &batched[index].logprobs) < 1e-4);
    }
}

#[test]
fn seeds_reproduce_and_samples_differ() {
    let lm = builtin();
    let generator = Generator::new(&lm.model, &lm.tokenizer);
    let request = |seed| GenerationRequest {
        prompts: prompts(&lm),
        sampling: SamplingParams {
            n: 3,
            seed,
            ..sampling(1.0, 12)
        },
    };
    let first = generator.generate(&request(5)).unwrap();
    assert_eq!(first.len(), 9);
    let order: Vec<(usize, usize)> = first
        .iter()
        .map(|g| (g.prompt_index, g.sample_index))
        .collect();
    assert_eq!(
        order,
        (0..3)
            .flat_map(|p| (0..3).map(move |s| (p, s)))
            .collect::<Vec<_>>()
    );
    assert_eq!(first, generator.generate(&request(5)).unwrap());
    assert_ne!(
        first[0].token_ids, first[1].token_ids,
        "two samples of one prompt should differ"
    );
    assert_ne!(first, generator.generate(&request(6)).unwrap());
    // A sequence's stream depends on its (prompt index, sample index), not on the other prompts or their padding.
    let other_batch = vec![prompts(&lm)[2].clone(), prompts(&lm)[1].clone()];
    let second = generator
        .generate(&GenerationRequest {
            prompts: other_batch,
            sampling: SamplingParams {
                n: 3,
                seed: 5,
                ..sampling(1.0, 12)
            },
        })
        .unwrap();
    assert_eq!(second[5].token_ids, first[5].token_ids);
}

#[test]
fn sampled_logprobs_agree_with_teacher_forcing() {
    let lm = builtin();
    let prompts = prompts(&lm);
    let temperature = 0.7;
    let request = GenerationRequest {
        prompts: prompts.clone(),
        sampling: SamplingParams {
            n: 2,
            seed: 1,
            top_p: 0.9,
            top_k: 50,
            ..sampling(temperature, 16)
        },
    };
    let generations = Generator::new(&lm.model, &lm.tokenizer)
        .generate(&request)
        .unwrap();
    let prompt_rows: Vec<Vec<u32>> = generations
        .iter()
        .map(|g| prompts[g.prompt_index].clone())
        .collect();
    let completions: Vec<Vec<u32>> = generations.iter().map(|g| g.token_ids.clone()).collect();
    let scored = sequence_logprobs(
        &lm.model,
        &prompt_rows,
        &completions,
        temperature,
        lm.tokenizer.pad_token_id(),
    )
    .unwrap();
    for (generation, scored) in generations.iter().zip(&scored) {
        assert!(
            max_abs_diff(&generation.logprobs, scored) < 1e-4,
            "{:?} vs {scored:?}",
            generation.logprobs
        );
    }
}

#[test]
fn stop_strings_eos_and_length_end_sequences() {
    let lm = load_model("qwen2-tiny");
    let prompt = lm
        .tokenizer
        .encode(
            &lm.tokenizer
                .apply_chat_template(
                    &[proctor_models::ChatMessage::user("What is 12 + 7?")],
                    true,
                )
                .unwrap(),
            false,
        )
        .unwrap();
    // The fixture's greedy continuation of this prompt is "KKKKKKKKKKKK", one token per K.
    let greedy = |stop: Vec<String>, stop_on_eos: bool, tokenizer: &Tokenizer| {
        let sampling = SamplingParams {
            temperature: 0.0,
            max_new_tokens: 6,
            stop,
            stop_on_eos,
            ..SamplingParams::default()
        };
        Generator::new(&lm.model, tokenizer)
            .generate(&GenerationRequest {
                prompts: vec![prompt.clone()],
                sampling,
            })
            .unwrap()
            .remove(0)
    };
    let by_length = greedy(Vec::new(), true, &lm.tokenizer);
    assert_eq!(
        (by_length.text.as_str(), by_length.finish_reason),
        ("KKKKKK", FinishReason::Length)
    );
    let by_string = greedy(vec!["xyz".into(), "KKK".into()], true, &lm.tokenizer);
    assert_eq!(
        (
            by_string.text.as_str(),
            by_string.token_ids.len(),
            by_string.finish_reason
        ),
        ("", 3, FinishReason::Stop)
    );
    // Make "K" an end-of-sequence token: the sequence stops after it, keeping it in the ids.
    let k = lm.tokenizer.token_to_id("K").unwrap();
    let config = serde_json::from_str(
        &std::fs::read_to_string(
            crate::fixture::fixture_dir("qwen2-tiny").join("tokenizer_config.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let k_stops = Tokenizer::new(lm.tokenizer.inner().clone(), config, &[k], Some(0)).unwrap();
    let by_eos = greedy(Vec::new(), true, &k_stops);
    assert_eq!(
        (by_eos.token_ids.clone(), by_eos.finish_reason),
        (vec![k], FinishReason::Stop)
    );
    let ignoring_eos = greedy(Vec::new(), false, &k_stops);
    assert_eq!(
        (ignoring_eos.token_ids.len(), ignoring_eos.finish_reason),
        (6, FinishReason::Length)
    );
}

#[test]
fn early_finishers_leave_the_batch_without_disturbing_others() {
    let lm = load_model("qwen2-tiny");
    let expected = crate::fixture::Expected::load("qwen2-tiny");
    let sampling = SamplingParams {
        temperature: 0.0,
        max_new_tokens: 12,
        stop: vec!["KK".into()],
        ..SamplingParams::default()
    };
    let generations = Generator::new(&lm.model, &lm.tokenizer)
        .generate(&GenerationRequest {
            prompts: expected.prompt_token_ids.clone(),
            sampling,
        })
        .unwrap();
    assert_eq!(generations[0].token_ids.len(), 2);
    let greedy = expected.ids("greedy_new_tokens");
    assert_eq!(generations[1].token_ids, greedy[1]);
    assert_eq!(generations[2].token_ids, greedy[2]);
}
