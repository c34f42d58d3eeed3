//! Parameters as candle `Var`s keyed by Hugging Face tensor names; safetensors loading (single or sharded) and saving.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor, Var};

use crate::config::ModelConfig;
use crate::error::{Error, Result};

/// The trainable parameters of a model, by Hugging Face name (tied `lm_head` is not a separate entry).
#[derive(Debug, Clone)]
pub struct Params {
    vars: BTreeMap<String, Var>,
    device: Device,
}

impl Params {
    /// Wraps already created variables.
    pub fn new(vars: BTreeMap<String, Var>, device: Device) -> Self {
        Params { vars, device }
    }

    /// The variable named `name` (an error names it when absent).
    pub fn var(&self, name: &str) -> Result<Var> {
        self.vars
            .get(name)
            .cloned()
            .ok_or_else(|| Error::MissingTensor {
                path: PathBuf::from("<parameters>"),
                tensor: name.to_string(),
            })
    }

    /// All variables in name order, e.g. to hand to an optimizer.
    pub fn vars(&self) -> Vec<Var> {
        self.vars.values().cloned().collect()
    }

    /// `(name, variable)` pairs in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Var)> {
        self.vars.iter().map(|(name, var)| (name.as_str(), var))
    }

    /// Number of scalar parameters.
    pub fn count(&self) -> usize {
        self.vars.values().map(|v| v.elem_count()).sum()
    }

    /// Device of the variables.
    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Detached copies of the current values, by name.
    pub fn state_dict(&self) -> Result<BTreeMap<String, Tensor>> {
        self.vars
            .iter()
            .map(|(name, var)| Ok((name.clone(), var.as_tensor().detach().copy()?)))
            .collect()
    }

    /// Overwrites every variable from `tensors` (e.g. a weight update from the learner); all names
    /// must be present with the same shapes, extra names are an error too.
    pub fn load_state_dict(&self, tensors: &BTreeMap<String, Tensor>) -> Result<()> {
        let source = PathBuf::from("<state dict>");
        for (name, var) in &self.vars {
            let tensor = tensors.get(name).ok_or_else(|| Error::MissingTensor {
                path: source.clone(),
                tensor: name.clone(),
            })?;
            if tensor.dims() != var.dims() {
                return Err(Error::ShapeMismatch {
                    path: source,
                    tensor: name.clone(),
                    found: tensor.dims().to_vec(),
                    expected: var.dims().to_vec(),
                });
            }
        }
        if let Some(extra) = tensors.keys().find(|name| !self.vars.contains_key(*name)) {
            return Err(Error::InvalidRequest(format!(
                "state dict has unknown tensor {extra}"
            )));
        }
        for (name, var) in &self.vars {
            var.set(
                &tensors[name]
                    .to_dtype(DType::F32)?
                    .to_device(&self.device)?,
            )?;
        }
        Ok(())
    }

    /// Writes `model.safetensors` (float32, `format = pt` metadata as transformers expects).
    pub fn save_safetensors(&self, path: &Path) -> Result<()> {
        let bytes = self.to_safetensors_bytes()?;
        std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
    }

    /// The current values as a safetensors buffer (float32): a weight update that can cross a
    /// thread or process boundary and be checksummed.
    pub fn to_safetensors_bytes(&self) -> Result<Vec<u8>> {
        let mut data: Vec<(String, Vec<u8>, Vec<usize>)> = Vec::with_capacity(self.vars.len());
        for (name, var) in &self.vars {
            let values = var
                .as_tensor()
                .detach()
                .flatten_all()?
                .to_dtype(DType::F32)?
                .to_vec1::<f32>()?;
            let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            data.push((name.clone(), bytes, var.dims().to_vec()));
        }
        let views = data
            .iter()
            .map(|(name, bytes, shape)| {
                safetensors::tensor::TensorView::new(safetensors::Dtype::F32, shape.clone(), bytes)
                    .map(|view| (name.clone(), view))
                    .map_err(|e| Error::InvalidRequest(format!("tensor {name}: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let metadata = Some(HashMap::from([("format".to_string(), "pt".to_string())]));
        safetensors::serialize(views, metadata)
            .map_err(|e| Error::InvalidRequest(format!("serializing parameters: {e}")))
    }

    /// Overwrites every variable from a buffer made by [`Params::to_safetensors_bytes`] (same names and shapes).
    pub fn load_safetensors_bytes(&self, bytes: &[u8]) -> Result<()> {
        let tensors = candle_core::safetensors::load_buffer(bytes, &Device::Cpu)?;
        self.load_state_dict(&tensors.into_iter().collect())
    }
}

/// Shapes of every tensor the config requires, by Hugging Face name.
pub fn expected_shapes(config: &ModelConfig) -> BTreeMap<String, Vec<usize>> {
    let (h, i, v) = (
        config.hidden_size,
        config.intermediate_size,
        config.vocab_size,
    );
    let (q_out, kv_out) = (
        config.num_attention_heads * config.head_dim,
        config.num_key_value_heads * config.head_dim,
    );
    let mut shapes = BTreeMap::new();
    let mut add = |name: String, shape: Vec<usize>| {
        shapes.insert(name, shape);
    };
    add("model.embed_tokens.weight".into(), vec![v, h]);
    add("model.norm.weight".into(), vec![h]);
    if !config.tie_word_embeddings {
        add("lm_head.weight".into(), vec![v, h]);
    }
    for layer in 0..config.num_hidden_layers {
        let p = format!("model.layers.{layer}");
        let linears = [
            ("self_attn.q_proj", q_out, h, config.qkv_bias),
            ("self_attn.k_proj", kv_out, h, config.qkv_bias),
            ("self_attn.v_proj", kv_out, h, config.qkv_bias),
            ("self_attn.o_proj", h, q_out, config.o_bias),
            ("mlp.gate_proj", i, h, config.mlp_bias),
            ("mlp.up_proj", i, h, config.mlp_bias),
            ("mlp.down_proj", h, i, config.mlp_bias),
        ];
        for (name, out_features, in_features, bias) in linears {
            add(
                format!("{p}.{name}.weight"),
                vec![out_features, in_features],
            );
            if bias {
                add(format!("{p}.{name}.bias"), vec![out_features]);
            }
        }
        add(format!("{p}.input_layernorm.weight"), vec![h]);
        add(format!("{p}.post_attention_layernorm.weight"), vec![h]);
    }
    shapes
}

/// Loads `model.safetensors` or the shards listed in `model.safetensors.index.json` from `dir`,
/// checks every tensor against `config`, and makes float32 variables on `device`.
pub fn load_params(dir: &Path, config: &ModelConfig, device: &Device) -> Result<Params> {
    let single = dir.join("model.safetensors");
    let index = dir.join("model.safetensors.index.json");
    // Which file holds each tensor.
    let mut location: HashMap<String, PathBuf> = HashMap::new();
    let files: Vec<PathBuf> = if single.exists() {
        vec![single.clone()]
    } else if index.exists() {
        let text = std::fs::read_to_string(&index).map_err(|e| Error::io(&index, e))?;
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| Error::invalid(&index, e.to_string()))?;
        let map = value
            .get("weight_map")
            .and_then(|m| m.as_object())
            .ok_or_else(|| Error::invalid(&index, "missing key weight_map"))?;
        let mut files = Vec::new();
        for (name, file) in map {
            let file = file.as_str().ok_or_else(|| {
                Error::invalid(&index, format!("weight_map.{name} is not a file name"))
            })?;
            let path = dir.join(file);
            if !files.contains(&path) {
                files.push(path.clone());
            }
            location.insert(name.clone(), path);
        }
        files
    } else {
        return Err(Error::MissingFile { path: single });
    };
    let mut tensors: HashMap<String, (Tensor, PathBuf)> = HashMap::new();
    for file in &files {
        if !file.exists() {
            return Err(Error::MissingFile { path: file.clone() });
        }
        let loaded = candle_core::safetensors::load(file, &Device::Cpu)
            .map_err(|e| Error::invalid(file, e.to_string()))?;
        tensors.extend(
            loaded
                .into_iter()
                .map(|(name, tensor)| (name, (tensor, file.clone()))),
        );
    }
    let report_path = |name: &str| {
        location.get(name).cloned().unwrap_or_else(|| {
            if files.len() == 1 {
                files[0].clone()
            } else {
                index.clone()
            }
        })
    };
    let mut vars = BTreeMap::new();
    for (name, shape) in expected_shapes(config) {
        let (tensor, file) = tensors.remove(&name).ok_or_else(|| Error::MissingTensor {
            path: report_path(&name),
            tensor: name.clone(),
        })?;
        if tensor.dims() != shape.as_slice() {
            return Err(Error::ShapeMismatch {
                path: file,
                tensor: name,
                found: tensor.dims().to_vec(),
                expected: shape,
            });
        }
        let var = Var::from_tensor(&tensor.to_dtype(DType::F32)?.to_device(device)?)?;
        vars.insert(name, var);
    }
    Ok(Params::new(vars, device.clone()))
}

/// Deterministic initialisation from `seed`: normal(0, `std`) matrices, unit norms, zero biases (as transformers' `_init_weights`).
pub fn init_params(config: &ModelConfig, seed: u64, std: f64, device: &Device) -> Result<Params> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut vars = BTreeMap::new();
    for (name, shape) in expected_shapes(config) {
        let count: usize = shape.iter().product();
        let values: Vec<f32> = if name.ends_with("norm.weight") {
            vec![1.0; count]
        } else if name.ends_with(".bias") {
            vec![0.0; count]
        } else {
            (0..count)
                .map(|_| {
                    // Box-Muller: two uniforms to one standard normal.
                    let u1: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
                    let u2: f64 = rng.random::<f64>();
                    ((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos() * std) as f32
                })
                .collect()
        };
        vars.insert(
            name,
            Var::from_tensor(&Tensor::from_vec(values, shape, device)?)?,
        );
    }
    Ok(Params::new(vars, device.clone()))
}
