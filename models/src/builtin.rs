//! `builtin:tiny`: a small Qwen2 with a byte-level tokenizer and ChatML template, created in memory from a seed.

use std::path::Path;

use candle_core::Device;
use serde_json::{Map, Value, json};

use crate::config::ModelConfig;
use crate::error::{Error, Result};
use crate::tokenizer::Tokenizer;
use crate::transformer::Model;
use crate::weights::init_params;

/// Names accepted after `builtin:`.
pub const BUILTIN_NAMES: &[&str] = &["tiny"];

/// The ChatML template the built-in model uses (the same as Qwen's, without tool calls).
pub const CHATML_TEMPLATE: &str = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

/// Special tokens of the built-in tokenizer, in id order: pad, chat turn start, chat turn end (eos).
const SPECIALS: [&str; 3] = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];

/// Config of `builtin:tiny`: 4 layers, hidden 128, 4 heads over 2 KV heads, tied embeddings,
/// vocabulary of 3 specials + 256 bytes (~0.62M parameters): small enough to SFT and GRPO on CPU in minutes.
pub fn tiny_config() -> Result<ModelConfig> {
    let value = json!({
        "architectures": ["Qwen2ForCausalLM"],
        "model_type": "qwen2",
        "vocab_size": SPECIALS.len() + 256,
        "hidden_size": 128,
        "intermediate_size": 256,
        "num_hidden_layers": 4,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "hidden_act": "silu",
        "max_position_embeddings": 512,
        "rms_norm_eps": 1e-6,
        "rope_parameters": {"rope_type": "default", "rope_theta": 10000.0},
        "tie_word_embeddings": true,
        "use_sliding_window": false,
        "bos_token_id": null,
        "eos_token_id": 2,
        "pad_token_id": 0,
        "initializer_range": 0.02,
    });
    ModelConfig::from_json(&value, Path::new("builtin:tiny/config.json"))
}

/// GPT-2's reversible byte-to-character map: printable bytes stand for themselves, the others are shifted past 255.
fn byte_to_char(byte: u8) -> char {
    let printable = |b: u8| matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
    if printable(byte) {
        return char::from(byte);
    }
    let shifted = (0..byte).filter(|&b| !printable(b)).count() as u32;
    char::from_u32(256 + shifted).expect("256..=323 are valid scalar values")
}

/// `tokenizer.json` of the built-in byte-level tokenizer (every byte is one token, no merges).
pub fn tiny_tokenizer_json() -> Value {
    let mut vocab = Map::new();
    for (id, token) in SPECIALS.iter().enumerate() {
        vocab.insert((*token).to_string(), json!(id));
    }
    for byte in 0..=255u8 {
        vocab.insert(
            byte_to_char(byte).to_string(),
            json!(SPECIALS.len() + usize::from(byte)),
        );
    }
    let added: Vec<Value> = SPECIALS
        .iter()
        .enumerate()
        .map(|(id, token)| json!({"id": id, "content": token, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}))
        .collect();
    let byte_level = |add_prefix_space: bool, trim_offsets: bool| json!({"type": "ByteLevel", "add_prefix_space": add_prefix_space, "trim_offsets": trim_offsets, "use_regex": true});
    json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": added,
        "normalizer": null,
        "pre_tokenizer": byte_level(false, true),
        "post_processor": byte_level(true, false),
        "decoder": byte_level(true, true),
        "model": {
            "type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
            "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
            "vocab": vocab, "merges": []
        }
    })
}

/// The built-in tokenizer with its ChatML template; `<|im_end|>` ends generations, `<|endoftext|>` pads.
pub fn tiny_tokenizer() -> Result<Tokenizer> {
    let text = tiny_tokenizer_json().to_string();
    let inner: tokenizers::Tokenizer =
        text.parse()
            .map_err(|e: tokenizers::Error| Error::Tokenizer {
                context: "builtin:tiny".into(),
                message: e.to_string(),
            })?;
    let config = json!({
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": null,
        "eos_token": SPECIALS[2],
        "pad_token": SPECIALS[0],
        "chat_template": CHATML_TEMPLATE,
        "model_max_length": 512,
    });
    let Value::Object(config) = config else {
        unreachable!("a json! object literal is an object")
    };
    Tokenizer::new(inner, config, &[2], Some(0))
}

/// The built-in model named `name` with weights drawn from `seed` (normal, std 0.02).
pub fn builtin(name: &str, seed: u64, device: &Device) -> Result<(Model, Tokenizer)> {
    match name {
        "tiny" => {
            let config = tiny_config()?;
            let params = init_params(&config, seed, 0.02, device)?;
            Ok((Model::from_params(config, params)?, tiny_tokenizer()?))
        }
        other => Err(Error::InvalidRequest(format!(
            "unknown built-in model builtin:{other} (known: {})",
            BUILTIN_NAMES.join(", ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_map_is_a_bijection() {
        let chars: std::collections::HashSet<char> = (0..=255u8).map(byte_to_char).collect();
        assert_eq!(chars.len(), 256);
        assert_eq!(byte_to_char(b'7'), '7');
        assert_eq!(byte_to_char(b' '), 'Ġ');
        assert_eq!(byte_to_char(b'\n'), 'Ċ');
    }

    #[test]
    fn arithmetic_round_trips_char_by_char() {
        let tokenizer = tiny_tokenizer().unwrap();
        let text = "<|im_start|>user\nWhat is 12 + 7 * (3 - 1) / 4?<|im_end|>\n";
        let ids = tokenizer.encode(text, false).unwrap();
        assert_eq!(ids[0], 1);
        assert_eq!(ids.iter().filter(|&&id| id == 2).count(), 1);
        assert_eq!(ids.len(), 2 + text.len() - "<|im_start|><|im_end|>".len());
        assert_eq!(tokenizer.decode(&ids, false).unwrap(), text);
        assert_eq!(
            tokenizer.decode(&ids, true).unwrap(),
            "user\nWhat is 12 + 7 * (3 - 1) / 4?\n"
        );
        assert_eq!(tokenizer.eos_token_ids(), &[2]);
        assert_eq!(tokenizer.pad_token_id(), 0);
    }

    #[test]
    fn tiny_is_small_and_deterministic() {
        let (model, _) = builtin("tiny", 7, &Device::Cpu).unwrap();
        let count = model.params().count();
        assert!((300_000..1_000_000).contains(&count), "{count} parameters");
        let (again, _) = builtin("tiny", 7, &Device::Cpu).unwrap();
        let (other, _) = builtin("tiny", 8, &Device::Cpu).unwrap();
        let weight = |m: &Model| {
            m.params()
                .var("model.layers.0.mlp.up_proj.weight")
                .unwrap()
                .flatten_all()
                .unwrap()
                .to_vec1::<f32>()
                .unwrap()
        };
        assert_eq!(weight(&model), weight(&again));
        assert_ne!(weight(&model), weight(&other));
        assert!(builtin("huge", 0, &Device::Cpu).is_err());
    }
}
