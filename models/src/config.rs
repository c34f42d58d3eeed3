//! Hugging Face `config.json` for the Qwen2 and Llama architectures, parsed and written back.

use std::path::Path;

use serde_json::{Map, Value, json};

use crate::error::{Error, Result};

/// The transformer families this crate implements with one code path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    /// Qwen2: biases on q/k/v projections, no bias on o_proj.
    Qwen2,
    /// Llama: no biases unless `attention_bias` / `mlp_bias` say otherwise.
    Llama,
}

impl Architecture {
    /// The `model_type` string Hugging Face uses.
    pub fn model_type(self) -> &'static str {
        match self {
            Architecture::Qwen2 => "qwen2",
            Architecture::Llama => "llama",
        }
    }

    /// The `architectures[0]` class name Hugging Face uses.
    pub fn class_name(self) -> &'static str {
        match self {
            Architecture::Qwen2 => "Qwen2ForCausalLM",
            Architecture::Llama => "LlamaForCausalLM",
        }
    }
}

/// How RoPE frequencies are rescaled for long contexts (`rope_type`).
#[derive(Debug, Clone, PartialEq)]
pub enum RopeScaling {
    /// Plain RoPE (`rope_type = "default"`).
    Default,
    /// Position interpolation: frequencies divided by `factor`.
    Linear {
        /// The interpolation factor.
        factor: f64,
    },
    /// Llama 3.x frequency-dependent scaling.
    Llama3 {
        /// Overall scale factor.
        factor: f64,
        /// Wavelengths longer than `original / low_freq_factor` are fully scaled.
        low_freq_factor: f64,
        /// Wavelengths shorter than `original / high_freq_factor` are kept.
        high_freq_factor: f64,
        /// Context length the model was pre-trained with.
        original_max_position_embeddings: f64,
    },
}

/// Everything the forward pass needs from `config.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelConfig {
    /// Which family (decides the default biases).
    pub architecture: Architecture,
    /// Rows of the embedding and `lm_head`.
    pub vocab_size: usize,
    /// Residual stream width.
    pub hidden_size: usize,
    /// SwiGLU inner width.
    pub intermediate_size: usize,
    /// Number of decoder layers.
    pub num_hidden_layers: usize,
    /// Query heads.
    pub num_attention_heads: usize,
    /// Key/value heads (grouped-query attention when fewer than query heads).
    pub num_key_value_heads: usize,
    /// Width of one head.
    pub head_dim: usize,
    /// RMSNorm epsilon.
    pub rms_norm_eps: f64,
    /// RoPE base (`rope_theta`, or `rope_parameters.rope_theta` in newer configs).
    pub rope_theta: f64,
    /// RoPE rescaling.
    pub rope_scaling: RopeScaling,
    /// Longest context the config declares (positions beyond it still work).
    pub max_position_embeddings: usize,
    /// `lm_head` shares the embedding matrix.
    pub tie_word_embeddings: bool,
    /// Biases on q/k/v projections.
    pub qkv_bias: bool,
    /// Bias on o_proj.
    pub o_bias: bool,
    /// Biases on gate/up/down projections.
    pub mlp_bias: bool,
    /// `bos_token_id` if the config names one.
    pub bos_token_id: Option<u32>,
    /// `eos_token_id` (an id or a list of ids).
    pub eos_token_ids: Vec<u32>,
    /// `pad_token_id` if the config names one.
    pub pad_token_id: Option<u32>,
    /// The original JSON, so that saving keeps keys this crate does not interpret.
    pub raw: Map<String, Value>,
}

impl ModelConfig {
    /// Reads and validates `config.json`.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                Error::MissingFile {
                    path: path.to_path_buf(),
                }
            } else {
                Error::io(path, source)
            }
        })?;
        let value: Value =
            serde_json::from_str(&text).map_err(|e| Error::invalid(path, e.to_string()))?;
        Self::from_json(&value, path)
    }

    /// Interprets an already parsed `config.json`; `path` is only used in error messages.
    pub fn from_json(value: &Value, path: &Path) -> Result<Self> {
        let raw = value
            .as_object()
            .ok_or_else(|| Error::invalid(path, "top level is not an object"))?
            .clone();
        let reader = Reader { raw: &raw, path };
        let architecture = reader.architecture()?;
        let hidden_size = reader.usize("hidden_size")?;
        let num_attention_heads = reader.usize("num_attention_heads")?;
        let num_key_value_heads = reader
            .opt_usize("num_key_value_heads")?
            .unwrap_or(num_attention_heads);
        let head_dim = reader
            .opt_usize("head_dim")?
            .unwrap_or(hidden_size / num_attention_heads.max(1));
        if let Some(act) = raw.get("hidden_act").and_then(Value::as_str)
            && act != "silu"
        {
            return Err(reader.unsupported("hidden_act", act));
        }
        if raw.get("use_sliding_window").and_then(Value::as_bool) == Some(true) {
            return Err(reader.unsupported("use_sliding_window", "true"));
        }
        let (rope_theta, rope_scaling) = reader.rope()?;
        let attention_bias = raw
            .get("attention_bias")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let (qkv_bias, o_bias) = match architecture {
            Architecture::Qwen2 => (true, false),
            Architecture::Llama => (attention_bias, attention_bias),
        };
        let config = ModelConfig {
            architecture,
            vocab_size: reader.usize("vocab_size")?,
            hidden_size,
            intermediate_size: reader.usize("intermediate_size")?,
            num_hidden_layers: reader.usize("num_hidden_layers")?,
            num_attention_heads,
            num_key_value_heads,
            head_dim,
            rms_norm_eps: reader.opt_f64("rms_norm_eps")?.unwrap_or(1e-6),
            rope_theta,
            rope_scaling,
            max_position_embeddings: reader.opt_usize("max_position_embeddings")?.unwrap_or(2048),
            tie_word_embeddings: raw
                .get("tie_word_embeddings")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            qkv_bias,
            o_bias,
            mlp_bias: raw
                .get("mlp_bias")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            bos_token_id: token_ids(raw.get("bos_token_id"), path, "bos_token_id")?
                .first()
                .copied(),
            eos_token_ids: token_ids(raw.get("eos_token_id"), path, "eos_token_id")?,
            pad_token_id: token_ids(raw.get("pad_token_id"), path, "pad_token_id")?
                .first()
                .copied(),
            raw,
        };
        config.validate(path)?;
        Ok(config)
    }

    /// Checks the head arithmetic so that shape errors surface at load time, not mid-forward.
    pub fn validate(&self, path: &Path) -> Result<()> {
        let checks: [(&str, bool); 5] = [
            ("num_attention_heads", self.num_attention_heads > 0),
            (
                "num_key_value_heads",
                self.num_key_value_heads > 0
                    && self
                        .num_attention_heads
                        .is_multiple_of(self.num_key_value_heads),
            ),
            (
                "head_dim",
                self.head_dim > 0 && self.head_dim.is_multiple_of(2),
            ),
            ("num_hidden_layers", self.num_hidden_layers > 0),
            ("vocab_size", self.vocab_size > 0),
        ];
        for (key, ok) in checks {
            if !ok {
                return Err(Error::invalid(
                    path,
                    format!(
                        "inconsistent {key} (heads {}, kv heads {}, head_dim {}, layers {}, vocab {})",
                        self.num_attention_heads,
                        self.num_key_value_heads,
                        self.head_dim,
                        self.num_hidden_layers,
                        self.vocab_size
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Query heads that share one key/value head.
    pub fn n_rep(&self) -> usize {
        self.num_attention_heads / self.num_key_value_heads
    }

    /// The config as Hugging Face transformers writes it (float32 weights).
    pub fn to_hf_json(&self) -> Value {
        let mut out = self.raw.clone();
        let rope_parameters = match &self.rope_scaling {
            RopeScaling::Default => json!({"rope_type": "default", "rope_theta": self.rope_theta}),
            RopeScaling::Linear { factor } => {
                json!({"rope_type": "linear", "factor": factor, "rope_theta": self.rope_theta})
            }
            RopeScaling::Llama3 {
                factor,
                low_freq_factor,
                high_freq_factor,
                original_max_position_embeddings,
            } => json!({
                "rope_type": "llama3",
                "factor": factor,
                "low_freq_factor": low_freq_factor,
                "high_freq_factor": high_freq_factor,
                "original_max_position_embeddings": original_max_position_embeddings,
                "rope_theta": self.rope_theta,
            }),
        };
        let eos = match self.eos_token_ids.as_slice() {
            [] => Value::Null,
            [one] => json!(one),
            many => json!(many),
        };
        let fields = [
            ("architectures", json!([self.architecture.class_name()])),
            ("model_type", json!(self.architecture.model_type())),
            ("vocab_size", json!(self.vocab_size)),
            ("hidden_size", json!(self.hidden_size)),
            ("intermediate_size", json!(self.intermediate_size)),
            ("num_hidden_layers", json!(self.num_hidden_layers)),
            ("num_attention_heads", json!(self.num_attention_heads)),
            ("num_key_value_heads", json!(self.num_key_value_heads)),
            ("head_dim", json!(self.head_dim)),
            ("hidden_act", json!("silu")),
            ("rms_norm_eps", json!(self.rms_norm_eps)),
            (
                "max_position_embeddings",
                json!(self.max_position_embeddings),
            ),
            ("tie_word_embeddings", json!(self.tie_word_embeddings)),
            ("bos_token_id", json!(self.bos_token_id)),
            ("eos_token_id", eos),
            ("pad_token_id", json!(self.pad_token_id)),
            ("dtype", json!("float32")),
            ("rope_parameters", rope_parameters.clone()),
            // Older transformers read these top-level keys; newer ones read rope_parameters.
            ("rope_theta", json!(self.rope_theta)),
        ];
        for (key, value) in fields {
            out.insert(key.to_string(), value);
        }
        out.remove("torch_dtype");
        if self.rope_scaling != RopeScaling::Default {
            out.insert("rope_scaling".to_string(), rope_parameters);
        }
        if self.architecture == Architecture::Llama {
            out.insert("attention_bias".to_string(), json!(self.qkv_bias));
            out.insert("mlp_bias".to_string(), json!(self.mlp_bias));
        }
        Value::Object(out)
    }

    /// RoPE inverse frequencies, one per pair of head dimensions, after rescaling.
    pub fn rope_inv_freq(&self) -> Vec<f64> {
        let dim = self.head_dim as f64;
        let base: Vec<f64> = (0..self.head_dim / 2)
            .map(|i| 1.0 / self.rope_theta.powf((2 * i) as f64 / dim))
            .collect();
        match self.rope_scaling {
            RopeScaling::Default => base,
            RopeScaling::Linear { factor } => base.into_iter().map(|f| f / factor).collect(),
            RopeScaling::Llama3 {
                factor,
                low_freq_factor,
                high_freq_factor,
                original_max_position_embeddings,
            } => {
                let low_freq_wavelen = original_max_position_embeddings / low_freq_factor;
                let high_freq_wavelen = original_max_position_embeddings / high_freq_factor;
                base.into_iter()
                    .map(|freq| {
                        let wavelen = 2.0 * std::f64::consts::PI / freq;
                        if wavelen < high_freq_wavelen {
                            freq
                        } else if wavelen > low_freq_wavelen {
                            freq / factor
                        } else {
                            let smooth = (original_max_position_embeddings / wavelen
                                - low_freq_factor)
                                / (high_freq_factor - low_freq_factor);
                            (1.0 - smooth) * freq / factor + smooth * freq
                        }
                    })
                    .collect()
            }
        }
    }
}

fn token_ids(value: Option<&Value>, path: &Path, key: &str) -> Result<Vec<u32>> {
    let as_id = |v: &Value| v.as_u64().and_then(|id| u32::try_from(id).ok());
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                as_id(item).ok_or_else(|| {
                    Error::invalid(path, format!("{key} has a non-integer entry {item}"))
                })
            })
            .collect(),
        Some(other) => as_id(other)
            .map(|id| vec![id])
            .ok_or_else(|| Error::invalid(path, format!("{key} is not a token id: {other}"))),
    }
}

/// Typed access to config keys with errors that name the key.
struct Reader<'a> {
    raw: &'a Map<String, Value>,
    path: &'a Path,
}

impl Reader<'_> {
    fn opt_usize(&self, key: &str) -> Result<Option<usize>> {
        match self.raw.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| {
                    Error::invalid(
                        self.path,
                        format!("{key} is not a non-negative integer: {v}"),
                    )
                }),
        }
    }

    fn usize(&self, key: &str) -> Result<usize> {
        self.opt_usize(key)?
            .ok_or_else(|| Error::invalid(self.path, format!("missing key {key}")))
    }

    fn opt_f64(&self, key: &str) -> Result<Option<f64>> {
        f64_at(self.raw.get(key), self.path, key)
    }

    fn unsupported(&self, key: &str, value: &str) -> Error {
        Error::Unsupported {
            path: self.path.to_path_buf(),
            key: key.to_string(),
            value: value.to_string(),
        }
    }

    fn architecture(&self) -> Result<Architecture> {
        let model_type = self.raw.get("model_type").and_then(Value::as_str);
        let class = self
            .raw
            .get("architectures")
            .and_then(|a| a.get(0))
            .and_then(Value::as_str);
        let name = model_type.or(class).unwrap_or("");
        match name {
            "qwen2" | "Qwen2ForCausalLM" => Ok(Architecture::Qwen2),
            "llama" | "LlamaForCausalLM" => Ok(Architecture::Llama),
            other => Err(Error::UnknownArchitecture {
                path: self.path.to_path_buf(),
                name: other.to_string(),
            }),
        }
    }

    /// `rope_parameters` (newer layout) wins over top-level `rope_theta` / `rope_scaling`.
    fn rope(&self) -> Result<(f64, RopeScaling)> {
        let params = self.raw.get("rope_parameters").filter(|v| v.is_object());
        let scaling = params.or_else(|| self.raw.get("rope_scaling").filter(|v| v.is_object()));
        let theta = match params.and_then(|p| p.get("rope_theta")) {
            Some(v) => f64_at(Some(v), self.path, "rope_parameters.rope_theta")?,
            None => self.opt_f64("rope_theta")?,
        }
        .unwrap_or(10_000.0);
        let Some(scaling) = scaling else {
            return Ok((theta, RopeScaling::Default));
        };
        let prefix = if params.is_some() {
            "rope_parameters"
        } else {
            "rope_scaling"
        };
        let field = |key: &str| -> Result<f64> {
            f64_at(scaling.get(key), self.path, &format!("{prefix}.{key}"))?
                .ok_or_else(|| Error::invalid(self.path, format!("missing key {prefix}.{key}")))
        };
        let rope_type = scaling
            .get("rope_type")
            .or_else(|| scaling.get("type"))
            .and_then(Value::as_str)
            .unwrap_or("default");
        let parsed = match rope_type {
            "default" => RopeScaling::Default,
            "linear" => RopeScaling::Linear {
                factor: field("factor")?,
            },
            "llama3" => RopeScaling::Llama3 {
                factor: field("factor")?,
                low_freq_factor: field("low_freq_factor")?,
                high_freq_factor: field("high_freq_factor")?,
                original_max_position_embeddings: field("original_max_position_embeddings")?,
            },
            other => return Err(self.unsupported(&format!("{prefix}.rope_type"), other)),
        };
        Ok((theta, parsed))
    }
}

fn f64_at(value: Option<&Value>, path: &Path, key: &str) -> Result<Option<f64>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| Error::invalid(path, format!("{key} is not a number: {v}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(value: Value) -> Result<ModelConfig> {
        ModelConfig::from_json(&value, Path::new("config.json"))
    }

    fn base() -> Value {
        json!({"model_type": "llama", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 16,
               "num_hidden_layers": 1, "num_attention_heads": 2})
    }

    #[test]
    fn rope_theta_from_either_layout() {
        let mut old = base();
        old["rope_theta"] = json!(500000.0);
        assert_eq!(parse(old).unwrap().rope_theta, 500000.0);
        let mut new = base();
        new["rope_parameters"] = json!({"rope_theta": 1e6, "rope_type": "default"});
        new["rope_theta"] = json!(5.0);
        assert_eq!(parse(new).unwrap().rope_theta, 1e6);
        assert_eq!(parse(base()).unwrap().rope_theta, 10_000.0);
    }

    #[test]
    fn defaults_and_biases_follow_the_architecture() {
        let llama = parse(base()).unwrap();
        assert_eq!(
            (llama.num_key_value_heads, llama.head_dim, llama.qkv_bias),
            (2, 4, false)
        );
        let mut qwen = base();
        qwen["model_type"] = json!("qwen2");
        let qwen = parse(qwen).unwrap();
        assert!(qwen.qkv_bias && !qwen.o_bias);
    }

    #[test]
    fn errors_name_the_key() {
        let mut unknown = base();
        unknown["model_type"] = json!("gpt2");
        assert!(parse(unknown).unwrap_err().to_string().contains("\"gpt2\""));
        let mut missing = base();
        missing.as_object_mut().unwrap().remove("hidden_size");
        assert!(
            parse(missing)
                .unwrap_err()
                .to_string()
                .contains("missing key hidden_size")
        );
        let mut bad_kv = base();
        bad_kv["num_key_value_heads"] = json!(3);
        assert!(
            parse(bad_kv)
                .unwrap_err()
                .to_string()
                .contains("num_key_value_heads")
        );
        let mut bad_rope = base();
        bad_rope["rope_parameters"] = json!({"rope_type": "yarn", "rope_theta": 1.0});
        assert!(
            parse(bad_rope)
                .unwrap_err()
                .to_string()
                .contains("rope_parameters.rope_type")
        );
    }

    #[test]
    fn hf_json_round_trips() {
        let mut value = base();
        value["eos_token_id"] = json!([3, 4]);
        value["rope_scaling"] = json!({"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
            "high_freq_factor": 4.0, "original_max_position_embeddings": 8192});
        let config = parse(value).unwrap();
        let again = parse(config.to_hf_json()).unwrap();
        assert_eq!(again.eos_token_ids, vec![3, 4]);
        assert_eq!(again.rope_scaling, config.rope_scaling);
        assert_eq!(again.rope_inv_freq(), config.rope_inv_freq());
    }
}
