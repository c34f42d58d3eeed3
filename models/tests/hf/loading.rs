//! Loading and saving Hugging Face directories: round trips, shards, and errors that name the culprit.

use std::collections::HashMap;
use std::path::Path;

use proctor_models::{ChatMessage, Device, ForwardInput, LanguageModel, Tensor};

use crate::fixture::{fixture_dir, max_abs_diff};

fn copy_fixture(to: &Path) {
    for entry in std::fs::read_dir(fixture_dir("qwen2-tiny")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        let mut permissions = std::fs::metadata(to.join(entry.file_name()))
            .unwrap()
            .permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        std::fs::set_permissions(to.join(entry.file_name()), permissions).unwrap();
    }
}

fn logits(lm: &LanguageModel) -> Vec<f32> {
    let ids = lm
        .tokenizer
        .encode(
            &lm.tokenizer
                .apply_chat_template(&[ChatMessage::user("12 + 7 = ?")], true)
                .unwrap(),
            false,
        )
        .unwrap();
    let mask = vec![1u8; ids.len()];
    lm.model
        .forward(&ForwardInput::from_padded(vec![ids], vec![mask]), None)
        .unwrap()
        .flatten_all()
        .unwrap()
        .to_vec1()
        .unwrap()
}

fn load_err(dir: &Path) -> String {
    LanguageModel::load_dir(dir, &Device::Cpu)
        .unwrap_err()
        .to_string()
}

fn weights(dir: &Path) -> HashMap<String, Tensor> {
    proctor_models::candle_core::safetensors::load(dir.join("model.safetensors"), &Device::Cpu)
        .unwrap()
}

#[test]
fn save_then_load_reproduces_the_model() {
    for spec in [
        fixture_dir("qwen2-tiny").to_string_lossy().into_owned(),
        "builtin:tiny".to_string(),
    ] {
        let original = LanguageModel::load(&spec, &Device::Cpu).unwrap();
        let dir = tempfile::tempdir().unwrap();
        original.save(dir.path()).unwrap();
        for file in [
            "config.json",
            "generation_config.json",
            "model.safetensors",
            "tokenizer.json",
            "tokenizer_config.json",
        ] {
            assert!(dir.path().join(file).exists(), "{spec}: {file} not written");
        }
        // Tied embeddings are saved once, as transformers does.
        assert!(!weights(dir.path()).contains_key("lm_head.weight"));
        let again = LanguageModel::load_dir(dir.path(), &Device::Cpu).unwrap();
        assert_eq!(
            max_abs_diff(&logits(&original), &logits(&again)),
            0.0,
            "{spec}"
        );
        assert_eq!(
            again.model.config().rope_theta,
            original.model.config().rope_theta
        );
        assert_eq!(
            again.tokenizer.eos_token_ids(),
            original.tokenizer.eos_token_ids()
        );
        assert_eq!(
            again.tokenizer.chat_template().unwrap().source(),
            original.tokenizer.chat_template().unwrap().source()
        );
    }
}

#[test]
fn sharded_checkpoints_load() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(dir.path());
    let tensors = weights(dir.path());
    std::fs::remove_file(dir.path().join("model.safetensors")).unwrap();
    let mut names: Vec<&String> = tensors.keys().collect();
    names.sort();
    let mut weight_map = serde_json::Map::new();
    for (shard, chunk) in names.chunks(names.len().div_ceil(2)).enumerate() {
        let file = format!("model-0000{}-of-00002.safetensors", shard + 1);
        let part: HashMap<String, Tensor> = chunk
            .iter()
            .map(|name| ((*name).clone(), tensors[*name].clone()))
            .collect();
        proctor_models::candle_core::safetensors::save(&part, dir.path().join(&file)).unwrap();
        for name in chunk {
            weight_map.insert((*name).clone(), serde_json::json!(file));
        }
    }
    let index = serde_json::json!({"metadata": {}, "weight_map": weight_map});
    std::fs::write(
        dir.path().join("model.safetensors.index.json"),
        index.to_string(),
    )
    .unwrap();
    let sharded = LanguageModel::load_dir(dir.path(), &Device::Cpu).unwrap();
    let single = LanguageModel::load_dir(&fixture_dir("qwen2-tiny"), &Device::Cpu).unwrap();
    assert_eq!(max_abs_diff(&logits(&sharded), &logits(&single)), 0.0);
}

#[test]
fn missing_or_inconsistent_files_name_the_culprit() {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(dir.path());
    let original = weights(dir.path());

    let mut without = original.clone();
    without.remove("model.layers.1.mlp.down_proj.weight");
    proctor_models::candle_core::safetensors::save(&without, dir.path().join("model.safetensors"))
        .unwrap();
    let message = load_err(dir.path());
    assert!(
        message.contains("missing tensor model.layers.1.mlp.down_proj.weight")
            && message.contains("model.safetensors"),
        "{message}"
    );

    let mut reshaped = original.clone();
    reshaped.insert(
        "model.norm.weight".into(),
        Tensor::zeros(63, proctor_models::DType::F32, &Device::Cpu).unwrap(),
    );
    proctor_models::candle_core::safetensors::save(&reshaped, dir.path().join("model.safetensors"))
        .unwrap();
    let message = load_err(dir.path());
    assert!(
        message.contains("model.norm.weight")
            && message.contains("[63]")
            && message.contains("[64]"),
        "{message}"
    );
    proctor_models::candle_core::safetensors::save(&original, dir.path().join("model.safetensors"))
        .unwrap();

    let config_path = dir.path().join("config.json");
    let config = std::fs::read_to_string(&config_path).unwrap();
    std::fs::write(&config_path, config.replace("\"qwen2\"", "\"mamba\"")).unwrap();
    let message = load_err(dir.path());
    assert!(
        message.contains("unknown architecture \"mamba\"") && message.contains("config.json"),
        "{message}"
    );
    std::fs::write(&config_path, config.replace("\"hidden_size\": 64,", "")).unwrap();
    assert!(load_err(dir.path()).contains("missing key hidden_size"));
    std::fs::write(&config_path, &config).unwrap();

    std::fs::remove_file(dir.path().join("tokenizer.json")).unwrap();
    assert!(
        load_err(dir.path()).contains("missing file")
            && load_err(dir.path()).contains("tokenizer.json")
    );
    std::fs::remove_file(&config_path).unwrap();
    assert!(load_err(dir.path()).contains("config.json"));
    assert!(
        LanguageModel::load("builtin:nope", &Device::Cpu)
            .unwrap_err()
            .to_string()
            .contains("builtin:nope")
    );
    assert!(load_err(&dir.path().join("absent")).contains("absent"));
}

#[test]
fn state_dict_round_trips_and_checks_shapes() {
    let source = LanguageModel::load("builtin:tiny", &Device::Cpu).unwrap();
    let target = LanguageModel::load_dir(&fixture_dir("qwen2-tiny"), &Device::Cpu).unwrap();
    // Different architectures: the update is refused and names a tensor.
    assert!(
        target
            .model
            .params()
            .load_state_dict(&source.model.params().state_dict().unwrap())
            .is_err()
    );
    let other = proctor_models::builtin("tiny", 99, &Device::Cpu).unwrap().0;
    other
        .params()
        .load_state_dict(&source.model.params().state_dict().unwrap())
        .unwrap();
    let logits_of = |model: &proctor_models::Model| {
        model
            .forward(
                &ForwardInput::from_padded(vec![vec![1, 40, 41]], vec![vec![1, 1, 1]]),
                None,
            )
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap()
    };
    assert_eq!(logits_of(&other), logits_of(&source.model));
    // The byte form used for weight updates across threads or processes.
    let shifted = proctor_models::builtin("tiny", 100, &Device::Cpu)
        .unwrap()
        .0;
    shifted
        .params()
        .load_safetensors_bytes(&source.model.params().to_safetensors_bytes().unwrap())
        .unwrap();
    assert_eq!(logits_of(&shifted), logits_of(&source.model));
    assert!(
        target
            .model
            .params()
            .load_safetensors_bytes(&source.model.params().to_safetensors_bytes().unwrap())
            .is_err()
    );
}

#[test]
fn models_can_move_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<LanguageModel>();
    assert_send_sync::<proctor_models::KvCache>();
}
