//! Tokenizer (`tokenizer.json` via the tokenizers crate) with special tokens from the configs.

use std::path::Path;

use serde_json::{Map, Value};

use crate::chat_template::{ChatMessage, ChatTemplate};
use crate::error::{Error, Result};

/// Special token strings (for templates) and ids (for generation).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpecialTokens {
    /// `bos_token` of tokenizer_config.json.
    pub bos_token: Option<String>,
    /// `eos_token` of tokenizer_config.json.
    pub eos_token: Option<String>,
    /// `pad_token` of tokenizer_config.json.
    pub pad_token: Option<String>,
    /// `unk_token` of tokenizer_config.json.
    pub unk_token: Option<String>,
    /// Ids that end a generation (generation_config.json, config.json and the eos token, merged).
    pub eos_token_ids: Vec<u32>,
    /// Id used for padding batches.
    pub pad_token_id: u32,
}

/// A Hugging Face tokenizer with its special tokens and chat template.
pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
    special: SpecialTokens,
    chat_template: Option<ChatTemplate>,
    /// tokenizer_config.json as loaded, written back on save.
    config: Map<String, Value>,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("special", &self.special)
            .field("vocab_size", &self.vocab_size())
            .finish_non_exhaustive()
    }
}

impl Tokenizer {
    /// Wraps a tokenizer; `config` is the tokenizer_config.json object (special tokens, chat template).
    /// `model_eos` / `model_pad` come from config.json and generation_config.json.
    pub fn new(
        inner: tokenizers::Tokenizer,
        config: Map<String, Value>,
        model_eos: &[u32],
        model_pad: Option<u32>,
    ) -> Result<Self> {
        let token = |key: &str| match config.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Object(o)) => o.get("content").and_then(Value::as_str).map(str::to_string),
            _ => None,
        };
        let (bos_token, eos_token, pad_token, unk_token) = (
            token("bos_token"),
            token("eos_token"),
            token("pad_token"),
            token("unk_token"),
        );
        let mut eos_token_ids = model_eos.to_vec();
        if let Some(id) = eos_token.as_deref().and_then(|t| inner.token_to_id(t))
            && !eos_token_ids.contains(&id)
        {
            eos_token_ids.push(id);
        }
        let pad_token_id = model_pad
            .or_else(|| pad_token.as_deref().and_then(|t| inner.token_to_id(t)))
            .or_else(|| eos_token_ids.first().copied())
            .unwrap_or(0);
        let chat_template = match config.get("chat_template") {
            Some(Value::String(source)) => Some(ChatTemplate::new(source.clone())?),
            Some(Value::Array(named)) => {
                let default = named
                    .iter()
                    .find(|t| t.get("name").and_then(Value::as_str) == Some("default"))
                    .or(named.first());
                default
                    .and_then(|t| t.get("template"))
                    .and_then(Value::as_str)
                    .map(ChatTemplate::new)
                    .transpose()?
            }
            _ => None,
        };
        let special = SpecialTokens {
            bos_token,
            eos_token,
            pad_token,
            unk_token,
            eos_token_ids,
            pad_token_id,
        };
        Ok(Tokenizer {
            inner,
            special,
            chat_template,
            config,
        })
    }

    /// Loads `tokenizer.json`, `tokenizer_config.json` and `chat_template.jinja` (if present) from `dir`.
    pub fn from_dir(dir: &Path, model_eos: &[u32], model_pad: Option<u32>) -> Result<Self> {
        let path = dir.join("tokenizer.json");
        if !path.exists() {
            return Err(Error::MissingFile { path });
        }
        let inner = tokenizers::Tokenizer::from_file(&path).map_err(|e| Error::Tokenizer {
            context: path.display().to_string(),
            message: e.to_string(),
        })?;
        let config_path = dir.join("tokenizer_config.json");
        let mut config = if config_path.exists() {
            let text =
                std::fs::read_to_string(&config_path).map_err(|e| Error::io(&config_path, e))?;
            match serde_json::from_str(&text)
                .map_err(|e| Error::invalid(&config_path, e.to_string()))?
            {
                Value::Object(map) => map,
                _ => return Err(Error::invalid(&config_path, "top level is not an object")),
            }
        } else {
            Map::new()
        };
        let jinja_path = dir.join("chat_template.jinja");
        if jinja_path.exists() {
            let source =
                std::fs::read_to_string(&jinja_path).map_err(|e| Error::io(&jinja_path, e))?;
            config.insert("chat_template".into(), Value::String(source));
        }
        Self::new(inner, config, model_eos, model_pad)
    }

    /// Writes `tokenizer.json` and `tokenizer_config.json` (with the chat template) into `dir`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let path = dir.join("tokenizer.json");
        self.inner
            .save(&path, false)
            .map_err(|e| Error::Tokenizer {
                context: path.display().to_string(),
                message: e.to_string(),
            })?;
        let mut config = self.config.clone();
        config
            .entry("tokenizer_class")
            .or_insert_with(|| Value::String("PreTrainedTokenizerFast".into()));
        let config_path = dir.join("tokenizer_config.json");
        let text = serde_json::to_string_pretty(&Value::Object(config))
            .map_err(|e| Error::invalid(&config_path, e.to_string()))?;
        std::fs::write(&config_path, text).map_err(|e| Error::io(&config_path, e))
    }

    /// Token ids of `text`; `add_special_tokens` applies the post-processor (e.g. a BOS) as
    /// transformers' `encode` does by default. Chat-rendered text already carries its specials: pass false.
    pub fn encode(&self, text: &str, add_special_tokens: bool) -> Result<Vec<u32>> {
        let encoding =
            self.inner
                .encode(text, add_special_tokens)
                .map_err(|e| Error::Tokenizer {
                    context: format!("encoding {text:?}"),
                    message: e.to_string(),
                })?;
        Ok(encoding.get_ids().to_vec())
    }

    /// Ids of a chat prompt: the template rendered with the assistant turn opened, encoded without
    /// adding specials (the template already carries them), as transformers' `apply_chat_template`.
    pub fn encode_chat(&self, messages: &[ChatMessage]) -> Result<Vec<u32>> {
        self.encode(&self.apply_chat_template(messages, true)?, false)
    }

    /// Text of `ids`; invalid UTF-8 from byte-level tokens becomes U+FFFD as in transformers.
    pub fn decode(&self, ids: &[u32], skip_special_tokens: bool) -> Result<String> {
        self.inner
            .decode(ids, skip_special_tokens)
            .map_err(|e| Error::Tokenizer {
                context: format!("decoding {} ids", ids.len()),
                message: e.to_string(),
            })
    }

    /// Renders chat `messages` with the model's template.
    pub fn apply_chat_template(
        &self,
        messages: &[ChatMessage],
        add_generation_prompt: bool,
    ) -> Result<String> {
        let template = self
            .chat_template
            .as_ref()
            .ok_or_else(|| Error::ChatTemplate("the tokenizer has no chat_template".into()))?;
        template.render(messages, add_generation_prompt, &self.special)
    }

    /// The chat template, if the tokenizer config has one.
    pub fn chat_template(&self) -> Option<&ChatTemplate> {
        self.chat_template.as_ref()
    }

    /// Special tokens and ids.
    pub fn special_tokens(&self) -> &SpecialTokens {
        &self.special
    }

    /// Ids that end a generation.
    pub fn eos_token_ids(&self) -> &[u32] {
        &self.special.eos_token_ids
    }

    /// Id used to pad batches.
    pub fn pad_token_id(&self) -> u32 {
        self.special.pad_token_id
    }

    /// Vocabulary size including added tokens.
    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    /// The id of a token string, if it is in the vocabulary.
    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.inner.token_to_id(token)
    }

    /// The underlying tokenizers-crate tokenizer.
    pub fn inner(&self) -> &tokenizers::Tokenizer {
        &self.inner
    }
}
