//! proctor-models: the transformer engine behind proctor's policy, reference and learner.
//!
//! One implementation of the Qwen2 and Llama decoder ([`Model`]) serves inference (fused kernels,
//! per-row positions, [`KvCache`]) and training (differentiable ops on candle [`candle_core::Var`]s,
//! gradients for every parameter). [`LanguageModel::load`] reads a Hugging Face directory
//! (`config.json`, single or sharded safetensors, `tokenizer.json`, chat template from
//! `tokenizer_config.json`, eos/pad from `generation_config.json`) or creates `builtin:tiny`;
//! [`LanguageModel::save`] writes the same layout back. [`Generator`] samples batched,
//! left-padded prompts; [`sequence_logprobs`] / [`sequence_logprobs_train`] score completions.
//!
//! This is the only crate that imports candle; it re-exports [`candle_core`] and [`candle_nn`]
//! for the learner's optimizer and loss code. Feature `cuda` puts the same code on NVIDIA GPUs
//! ([`parse_device`] accepts `cpu`, `cuda`, `cuda:N`); the default build needs no CUDA.

mod builtin;
mod chat_template;
mod config;
mod error;
mod generate;
mod score;
mod tokenizer;
mod transformer;
mod weights;

use std::path::Path;

pub use builtin::{
    BUILTIN_NAMES, CHATML_TEMPLATE, builtin, tiny_config, tiny_tokenizer, tiny_tokenizer_json,
};
pub use candle_core::{self, DType, Device, Tensor, Var};
pub use candle_nn;
pub use chat_template::{ChatMessage, ChatTemplate};
pub use config::{Architecture, ModelConfig, RopeScaling};
pub use error::{Error, Result};
pub use generate::{FinishReason, Generation, GenerationRequest, Generator, SamplingParams};
pub use score::{CompletionLogprobs, sequence_logprobs, sequence_logprobs_train};
pub use tokenizer::{SpecialTokens, Tokenizer};
pub use transformer::{ForwardInput, KvCache, Model, positions_from_mask};
pub use weights::{Params, expected_shapes, init_params, load_params};

/// Prefix of model specs that name an embedded model instead of a directory.
pub const BUILTIN_PREFIX: &str = "builtin:";

/// Seed of the weights `builtin:NAME` starts from.
pub const BUILTIN_SEED: u64 = 0;

/// A model with its tokenizer: what `--model DIR|builtin:NAME` resolves to.
#[derive(Debug)]
pub struct LanguageModel {
    /// The transformer.
    pub model: Model,
    /// Its tokenizer, special tokens and chat template.
    pub tokenizer: Tokenizer,
}

impl LanguageModel {
    /// Loads `spec`: `builtin:NAME` (created in memory) or a Hugging Face model directory.
    pub fn load(spec: &str, device: &Device) -> Result<Self> {
        if let Some(name) = spec.strip_prefix(BUILTIN_PREFIX) {
            let (model, tokenizer) = builtin(name, BUILTIN_SEED, device)?;
            return Ok(LanguageModel { model, tokenizer });
        }
        Self::load_dir(Path::new(spec), device)
    }

    /// Loads a Hugging Face directory saved by transformers (or by [`LanguageModel::save`]).
    pub fn load_dir(dir: &Path, device: &Device) -> Result<Self> {
        if !dir.is_dir() {
            return Err(Error::MissingFile {
                path: dir.to_path_buf(),
            });
        }
        let config = ModelConfig::from_file(&dir.join("config.json"))?;
        let (mut eos, mut pad) = (config.eos_token_ids.clone(), config.pad_token_id);
        let generation_path = dir.join("generation_config.json");
        if generation_path.exists() {
            let text = std::fs::read_to_string(&generation_path)
                .map_err(|e| Error::io(&generation_path, e))?;
            let value: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| Error::InvalidFile {
                    path: generation_path.clone(),
                    message: e.to_string(),
                })?;
            let generation =
                ModelConfig::from_json(&generation_overlay(&config, &value), &generation_path)?;
            if !generation.eos_token_ids.is_empty() {
                eos = generation.eos_token_ids;
            }
            pad = generation.pad_token_id.or(pad);
        }
        let tokenizer = Tokenizer::from_dir(dir, &eos, pad)?;
        let params = load_params(dir, &config, device)?;
        Ok(LanguageModel {
            model: Model::from_params(config, params)?,
            tokenizer,
        })
    }

    /// Writes `config.json`, `generation_config.json`, `model.safetensors` (float32),
    /// `tokenizer.json` and `tokenizer_config.json` into `dir` (created if needed), loadable by transformers.
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let config = self.model.config();
        let write_json = |name: &str, value: &serde_json::Value| -> Result<()> {
            let path = dir.join(name);
            let text = serde_json::to_string_pretty(value).map_err(|e| Error::InvalidFile {
                path: path.clone(),
                message: e.to_string(),
            })?;
            std::fs::write(&path, text).map_err(|e| Error::io(&path, e))
        };
        write_json("config.json", &config.to_hf_json())?;
        let special = self.tokenizer.special_tokens();
        let eos = match special.eos_token_ids.as_slice() {
            [one] => serde_json::json!(one),
            many => serde_json::json!(many),
        };
        write_json(
            "generation_config.json",
            &serde_json::json!({"bos_token_id": config.bos_token_id, "eos_token_id": eos, "pad_token_id": special.pad_token_id}),
        )?;
        self.model
            .params()
            .save_safetensors(&dir.join("model.safetensors"))?;
        self.tokenizer.save(dir)
    }
}

/// generation_config.json only carries token ids: lay them over the model config so the same parser reads them.
fn generation_overlay(config: &ModelConfig, generation: &serde_json::Value) -> serde_json::Value {
    let mut merged = config.to_hf_json();
    for key in ["eos_token_id", "pad_token_id"] {
        if let (Some(object), Some(value)) = (merged.as_object_mut(), generation.get(key)) {
            object.insert(key.to_string(), value.clone());
        }
    }
    merged
}

/// Parses `cpu`, `cuda` or `cuda:N`; CUDA needs the `cuda` feature and a working driver.
pub fn parse_device(spec: &str) -> Result<Device> {
    let error = |message: &str| Error::Device {
        spec: spec.to_string(),
        message: message.to_string(),
    };
    let ordinal = match spec.trim() {
        "cpu" => return Ok(Device::Cpu),
        "cuda" => 0,
        other => other
            .strip_prefix("cuda:")
            .and_then(|n| n.parse::<usize>().ok())
            .ok_or_else(|| error("expected cpu, cuda or cuda:N"))?,
    };
    cuda_device(ordinal).map_err(|message| error(&message))
}

#[cfg(feature = "cuda")]
fn cuda_device(ordinal: usize) -> std::result::Result<Device, String> {
    // cudarc panics instead of returning an error when the driver library is missing.
    match std::panic::catch_unwind(|| Device::new_cuda(ordinal)) {
        Ok(Ok(device)) => Ok(device),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the CUDA driver could not be loaded".to_string()),
    }
}

#[cfg(not(feature = "cuda"))]
fn cuda_device(_ordinal: usize) -> std::result::Result<Device, String> {
    Err("proctor-models was built without the `cuda` feature".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_strings_parse() {
        assert!(matches!(parse_device("cpu"), Ok(Device::Cpu)));
        for bad in ["gpu", "cuda:x", "cuda:"] {
            assert!(
                parse_device(bad)
                    .unwrap_err()
                    .to_string()
                    .contains("expected cpu"),
                "{bad}"
            );
        }
        #[cfg(not(feature = "cuda"))]
        assert!(
            parse_device("cuda:0")
                .unwrap_err()
                .to_string()
                .contains("without the `cuda` feature")
        );
    }
}
