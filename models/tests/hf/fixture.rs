//! Access to the transformers-made fixtures (`shared/fixtures/*`, `models/tests/fixtures/*`) and their expected outputs.

use std::collections::HashMap;
use std::path::PathBuf;

use proctor_models::{ChatMessage, Device, LanguageModel, Tensor};

/// Fixtures made by this crate (`models/tests/fixtures/<name>`, see `make_llama_fixture.py` there).
pub const LOCAL_FIXTURES: &[&str] = &["llama-tiny"];

/// `models/tests/fixtures/<name>` for local fixtures, else `<repo>/../shared/fixtures/<name>`,
/// resolved from this crate's manifest directory.
pub fn fixture_dir(name: &str) -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = if LOCAL_FIXTURES.contains(&name) {
        manifest.join("tests/fixtures").join(name)
    } else {
        manifest.join("../../shared/fixtures").join(name)
    };
    assert!(
        dir.join("config.json").exists(),
        "fixture {} is missing: the tests expect the shared/ folder beside the repository (../shared/fixtures/{name})",
        dir.display()
    );
    dir
}

/// The parsed `expected.json` and `expected.safetensors` of a fixture.
pub struct Expected {
    pub conversations: Vec<Vec<ChatMessage>>,
    pub prompts: Vec<String>,
    pub prompt_token_ids: Vec<Vec<u32>>,
    pub tensors: HashMap<String, Tensor>,
}

impl Expected {
    pub fn load(name: &str) -> Self {
        let dir = fixture_dir(name);
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap())
                .unwrap();
        let conversations = serde_json::from_value(json["conversations"].clone()).unwrap();
        let prompts = serde_json::from_value(json["prompts"].clone()).unwrap();
        let prompt_token_ids = serde_json::from_value(json["prompt_token_ids"].clone()).unwrap();
        let tensors = proctor_models::candle_core::safetensors::load(
            dir.join("expected.safetensors"),
            &Device::Cpu,
        )
        .unwrap();
        Expected {
            conversations,
            prompts,
            prompt_token_ids,
            tensors,
        }
    }

    /// A 2-D integer tensor as rows of u32.
    pub fn ids(&self, name: &str) -> Vec<Vec<u32>> {
        self.tensors[name]
            .to_dtype(proctor_models::DType::I64)
            .unwrap()
            .to_vec2::<i64>()
            .unwrap()
            .into_iter()
            .map(|r| r.into_iter().map(|v| v as u32).collect())
            .collect()
    }

    pub fn f32_2d(&self, name: &str) -> Vec<Vec<f32>> {
        self.tensors[name]
            .to_dtype(proctor_models::DType::F32)
            .unwrap()
            .to_vec2::<f32>()
            .unwrap()
    }
}

pub fn load_model(name: &str) -> LanguageModel {
    LanguageModel::load_dir(&fixture_dir(name), &Device::Cpu).unwrap()
}

/// Largest absolute difference of two equally long slices.
pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}
