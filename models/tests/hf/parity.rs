//! Parity with Hugging Face transformers on its fixtures (chat template, ids, logits, greedy tokens, log-probs).

use proctor_models::{
    ForwardInput, GenerationRequest, Generator, SamplingParams, sequence_logprobs,
};

use crate::fixture::{Expected, load_model, max_abs_diff};

const TOLERANCE: f32 = 1e-4;

fn chat_template_and_tokens_match_transformers(fixture: &str) {
    let (lm, expected) = (load_model(fixture), Expected::load(fixture));
    for ((conversation, prompt), ids) in expected
        .conversations
        .iter()
        .zip(&expected.prompts)
        .zip(&expected.prompt_token_ids)
    {
        let rendered = lm
            .tokenizer
            .apply_chat_template(conversation, true)
            .unwrap();
        assert_eq!(&rendered, prompt);
        assert_eq!(&lm.tokenizer.encode(&rendered, false).unwrap(), ids);
    }
    let json = expected_json(fixture);
    assert_eq!(
        u64::from(lm.tokenizer.pad_token_id()),
        json["pad_token_id"].as_u64().unwrap()
    );
    assert_eq!(
        lm.tokenizer.eos_token_ids(),
        &[json["eos_token_id"].as_u64().unwrap() as u32]
    );
}

/// The left-padded batch of expected.safetensors, checked against our own padding of the prompt ids.
fn padded_batch(expected: &Expected) -> ForwardInput {
    let input_ids = expected.ids("input_ids");
    let mask: Vec<Vec<u8>> = expected
        .ids("attention_mask")
        .into_iter()
        .map(|r| r.into_iter().map(|v| v as u8).collect())
        .collect();
    let width = input_ids[0].len();
    for ((row, mask_row), prompt) in input_ids.iter().zip(&mask).zip(&expected.prompt_token_ids) {
        let pad = width - prompt.len();
        assert_eq!(&row[pad..], prompt.as_slice());
        assert!(mask_row[..pad].iter().all(|&m| m == 0) && mask_row[pad..].iter().all(|&m| m == 1));
    }
    ForwardInput::from_padded(input_ids, mask)
}

fn logits_error(logits: &proctor_models::Tensor, expected: &Expected, input: &ForwardInput) -> f32 {
    let ours = logits.to_vec3::<f32>().unwrap();
    let theirs = expected.tensors["logits"].to_vec3::<f32>().unwrap();
    let mut worst = 0.0f32;
    for (b, mask_row) in input.attention_mask.iter().enumerate() {
        for (t, &m) in mask_row.iter().enumerate() {
            if m == 1 {
                worst = worst.max(max_abs_diff(&ours[b][t], &theirs[b][t]));
            }
        }
    }
    worst
}

fn expected_json(fixture: &str) -> serde_json::Value {
    serde_json::from_str(
        &std::fs::read_to_string(crate::fixture::fixture_dir(fixture).join("expected.json"))
            .unwrap(),
    )
    .unwrap()
}

fn logits_match_transformers_on_both_paths(fixture: &str) {
    let (lm, expected) = (load_model(fixture), Expected::load(fixture));
    let input = padded_batch(&expected);
    let inference = logits_error(&lm.model.forward(&input, None).unwrap(), &expected, &input);
    let training = logits_error(&lm.model.forward_train(&input).unwrap(), &expected, &input);
    eprintln!("{fixture} logits max abs error: inference {inference:.3e}, training {training:.3e}");
    assert!(
        inference <= TOLERANCE,
        "inference logits differ by {inference}"
    );
    assert!(
        training <= TOLERANCE,
        "training logits differ by {training}"
    );
}

fn greedy_generation_and_scoring_match_transformers(fixture: &str) {
    let (lm, expected) = (load_model(fixture), Expected::load(fixture));
    let greedy_tokens = expected.ids("greedy_new_tokens");
    let greedy_logprobs = expected.f32_2d("greedy_logprobs");
    let request = GenerationRequest {
        prompts: expected.prompt_token_ids.clone(),
        sampling: SamplingParams {
            temperature: 0.0,
            max_new_tokens: greedy_tokens[0].len(),
            stop_on_eos: false,
            ..SamplingParams::default()
        },
    };
    let generations = Generator::new(&lm.model, &lm.tokenizer)
        .generate(&request)
        .unwrap();
    let mut generated_error = 0.0f32;
    for (generation, (tokens, logprobs)) in generations
        .iter()
        .zip(greedy_tokens.iter().zip(&greedy_logprobs))
    {
        assert_eq!(
            &generation.token_ids, tokens,
            "greedy tokens of prompt {}",
            generation.prompt_index
        );
        generated_error = generated_error.max(max_abs_diff(&generation.logprobs, logprobs));
    }
    let scored = sequence_logprobs(
        &lm.model,
        &expected.prompt_token_ids,
        &greedy_tokens,
        1.0,
        lm.tokenizer.pad_token_id(),
    )
    .unwrap();
    let scored_error = scored
        .iter()
        .zip(&greedy_logprobs)
        .map(|(a, b)| max_abs_diff(a, b))
        .fold(0.0, f32::max);
    eprintln!(
        "{fixture} greedy logprobs max abs error: generation {generated_error:.3e}, teacher-forced {scored_error:.3e}"
    );
    assert!(generated_error <= TOLERANCE && scored_error <= TOLERANCE);
    let texts: Vec<String> =
        serde_json::from_value(expected_json(fixture)["greedy_text"].clone()).unwrap();
    for (generation, text) in generations.iter().zip(&texts) {
        assert_eq!(&generation.text, text);
    }
}

/// One test per (fixture, check), so a failure names both.
macro_rules! parity_tests {
    ($($module:ident => $fixture:literal),* $(,)?) => {$(
        mod $module {
            #[test]
            fn chat_template_and_tokens() {
                super::chat_template_and_tokens_match_transformers($fixture);
            }
            #[test]
            fn logits() {
                super::logits_match_transformers_on_both_paths($fixture);
            }
            #[test]
            fn greedy_tokens_and_logprobs() {
                super::greedy_generation_and_scoring_match_transformers($fixture);
            }
        }
    )*};
}

parity_tests! {
    qwen2_tiny => "qwen2-tiny",
    llama_tiny => "llama-tiny",
}
