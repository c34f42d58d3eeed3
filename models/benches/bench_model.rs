//! The benchmark model shared by `benches/generation.rs` and `examples/bench_generate.rs`: a random Qwen2
//! of 4 layers, hidden 256, intermediate 688, 8 heads over 4 KV heads, with the qwen2-tiny fixture's
//! 509-token tokenizer, and 16 deterministic prompts of 24 tokens.

use std::path::PathBuf;

use proctor_models::{Device, LanguageModel, Model, ModelConfig, Tokenizer, init_params};

pub const BATCH: usize = 16;
pub const PROMPT_LEN: usize = 24;
pub const NEW_TOKENS: usize = 64;

pub fn fixture_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/qwen2-tiny");
    assert!(
        dir.join("tokenizer.json").exists(),
        "the benchmark needs the tokenizer of {}",
        dir.display()
    );
    dir
}

pub fn bench_model() -> LanguageModel {
    let config = serde_json::json!({
        "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "vocab_size": 509, "hidden_size": 256,
        "intermediate_size": 688, "num_hidden_layers": 4, "num_attention_heads": 8, "num_key_value_heads": 4,
        "max_position_embeddings": 512, "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "tie_word_embeddings": true,
        "hidden_act": "silu", "bos_token_id": 0, "eos_token_id": 2, "pad_token_id": 0
    });
    let config = ModelConfig::from_json(&config, std::path::Path::new("bench/config.json"))
        .expect("valid bench config");
    let params = init_params(&config, 1234, 0.02, &Device::Cpu).expect("bench parameters");
    let model = Model::from_params(config, params).expect("bench model");
    let tokenizer = Tokenizer::from_dir(&fixture_dir(), &[2], Some(0)).expect("fixture tokenizer");
    LanguageModel { model, tokenizer }
}

/// 16 prompts of 24 ids drawn from the non-special vocabulary (a fixed linear congruential sequence).
pub fn bench_prompts() -> Vec<Vec<u32>> {
    let mut state: u64 = 42;
    (0..BATCH)
        .map(|_| {
            (0..PROMPT_LEN)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    3 + ((state >> 33) % 506) as u32
                })
                .collect()
        })
        .collect()
}
