//! Autograd reaches every parameter through the training path (Qwen2 tied, Llama untied with biases).

use std::path::Path;

use proctor_models::{Device, Model, ModelConfig, init_params, sequence_logprobs_train};

fn assert_every_parameter_gets_a_gradient(config: ModelConfig) {
    let params = init_params(&config, 3, 0.1, &Device::Cpu).unwrap();
    let model = Model::from_params(config, params).unwrap();
    let prompts = vec![vec![5, 6, 7], vec![8, 9]];
    let completions = vec![vec![10, 11], vec![12, 13, 14]];
    let scored = sequence_logprobs_train(&model, &prompts, &completions, 1.0, 0).unwrap();
    let loss = scored.logprobs.sum_all().unwrap().neg().unwrap();
    let grads = loss.backward().unwrap();
    for (name, var) in model.params().iter() {
        let grad = grads
            .get(var.as_tensor())
            .unwrap_or_else(|| panic!("no gradient for {name}"));
        let magnitude = grad
            .abs()
            .unwrap()
            .sum_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!(
            magnitude > 0.0 && magnitude.is_finite(),
            "gradient of {name} is {magnitude}"
        );
    }
}

#[test]
fn qwen2_tied_every_parameter_gets_a_gradient() {
    assert_every_parameter_gets_a_gradient(proctor_models::tiny_config().unwrap());
}

#[test]
fn llama_untied_with_biases_every_parameter_gets_a_gradient() {
    let config = serde_json::json!({
        "model_type": "llama", "vocab_size": 32, "hidden_size": 16, "intermediate_size": 24, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "attention_bias": true, "mlp_bias": true,
        "tie_word_embeddings": false, "rope_theta": 500000.0
    });
    let config = ModelConfig::from_json(&config, Path::new("config.json")).unwrap();
    assert!(config.o_bias && config.mlp_bias && !config.tie_word_embeddings);
    assert_every_parameter_gets_a_gradient(config);
}
