//! Tokenizer (`tokenizer.json` via the tokenizers crate), special tokens from the configs, and the Jinja chat template.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// One chat turn, as Hugging Face chat templates receive it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// `system`, `user` or `assistant`.
    pub role: String,
    /// The text of the turn.
    pub content: String,
}

impl ChatMessage {
    /// A message with the given role.
    pub fn new(role: impl Into<String>, content: impl Into<String>) -> Self {
        ChatMessage {
            role: role.into(),
            content: content.into(),
        }
    }

    /// A `user` message.
    pub fn user(content: impl Into<String>) -> Self {
        Self::new("user", content)
    }
}

/// A compiled chat template rendered as transformers does (`trim_blocks`, `lstrip_blocks`,
/// `raise_exception`, Python string methods such as `.strip()`).
pub struct ChatTemplate {
    source: String,
    env: minijinja::Environment<'static>,
}

impl std::fmt::Debug for ChatTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatTemplate")
            .field("source", &self.source)
            .finish()
    }
}

const TEMPLATE_NAME: &str = "chat";

impl ChatTemplate {
    /// Compiles `source`; a syntax error is reported here rather than at first use.
    pub fn new(source: impl Into<String>) -> Result<Self> {
        let source = source.into();
        let mut env = minijinja::Environment::new();
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_function(
            "raise_exception",
            |message: String| -> std::result::Result<String, minijinja::Error> {
                Err(minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    message,
                ))
            },
        );
        env.add_function("strftime_now", |format: String| strftime_now(&format));
        env.add_template_owned(TEMPLATE_NAME, source.clone())
            .map_err(|e| Error::ChatTemplate(format!("{e:#}")))?;
        Ok(ChatTemplate { source, env })
    }

    /// The Jinja source.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Renders `messages`; `add_generation_prompt` appends the opening of the assistant turn.
    pub fn render(
        &self,
        messages: &[ChatMessage],
        add_generation_prompt: bool,
        tokens: &SpecialTokens,
    ) -> Result<String> {
        let template = self
            .env
            .get_template(TEMPLATE_NAME)
            .map_err(|e| Error::ChatTemplate(format!("{e:#}")))?;
        let ctx = minijinja::context! {
            messages => messages,
            add_generation_prompt => add_generation_prompt,
            bos_token => tokens.bos_token.clone().unwrap_or_default(),
            eos_token => tokens.eos_token.clone().unwrap_or_default(),
            pad_token => tokens.pad_token.clone().unwrap_or_default(),
            unk_token => tokens.unk_token.clone().unwrap_or_default(),
        };
        template
            .render(ctx)
            .map_err(|e| Error::ChatTemplate(format!("{e:#}")))
    }
}

/// The current UTC time formatted with the strftime subset chat templates use (`%Y %m %d %e %b %B %H %M %S %y %%`).
fn strftime_now(format: &str) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, of_day) = ((seconds / 86_400) as i64, seconds % 86_400);
    // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let month_name = MONTHS[(month - 1) as usize];
    let mut out = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('Y') => out.push_str(&year.to_string()),
            Some('y') => out.push_str(&format!("{:02}", year % 100)),
            Some('m') => out.push_str(&format!("{month:02}")),
            Some('d') => out.push_str(&format!("{day:02}")),
            Some('e') => out.push_str(&format!("{day:>2}")),
            Some('B') => out.push_str(month_name),
            Some('b') => out.push_str(&month_name[..3]),
            Some('H') => out.push_str(&format!("{:02}", of_day / 3600)),
            Some('M') => out.push_str(&format!("{:02}", of_day / 60 % 60)),
            Some('S') => out.push_str(&format!("{:02}", of_day % 60)),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn render(
        source: &str,
        messages: &[ChatMessage],
        add_generation_prompt: bool,
    ) -> Result<String> {
        let tokens = SpecialTokens {
            bos_token: Some("<s>".into()),
            eos_token: Some("</s>".into()),
            ..SpecialTokens::default()
        };
        ChatTemplate::new(source)?.render(messages, add_generation_prompt, &tokens)
    }

    #[test]
    fn hf_template_features_render() {
        let source = "{{ bos_token }}{% for m in messages %}\n  {% if m['role'] == 'user' %}\n[U]{{ m['content'].strip() }}\n  {% else %}\n[A]{{ m.content | trim }}{{ eos_token }}\n  {% endif %}\n{% endfor %}\n{% if add_generation_prompt %}[A]{% endif %}";
        let messages = [
            ChatMessage::user("  hi "),
            ChatMessage::new("assistant", "yo "),
        ];
        assert_eq!(
            render(source, &messages, true).unwrap(),
            "<s>[U]hi\n[A]yo</s>\n[A]"
        );
    }

    #[test]
    fn raise_exception_is_an_error() {
        let source = "{% if messages[0]['role'] != 'user' %}{{ raise_exception('first must be user') }}{% endif %}ok";
        assert_eq!(
            render(source, &[ChatMessage::user("x")], false).unwrap(),
            "ok"
        );
        let err = render(source, &[ChatMessage::new("system", "x")], false).unwrap_err();
        assert!(err.to_string().contains("first must be user"), "{err}");
    }

    #[test]
    fn strftime_now_formats_a_date() {
        let date = render(
            "{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%Y-%m-%d %%') }}",
            &[],
            false,
        )
        .unwrap();
        let (short, iso) = date.split_once('|').unwrap();
        assert_eq!(short.len(), 11, "{short}");
        assert!(
            iso.len() == 12 && iso.ends_with(" %") && iso.as_bytes()[4] == b'-',
            "{iso}"
        );
        assert!(short.ends_with(&iso[..4]));
    }

    #[test]
    fn python_string_methods_namespaces_and_json_work() {
        // Constructs common in Hugging Face templates (Qwen/Llama style), written for this test.
        let source = concat!(
            "{%- set ns = namespace(system='', count=0) -%}",
            "{%- for message in messages -%}",
            "{%- if message['role'] == 'system' -%}{%- set ns.system = message['content'].strip() -%}",
            "{%- else -%}{%- set ns.count = ns.count + 1 -%}{%- endif -%}",
            "{%- endfor -%}",
            "[{{ ns.system.upper() }}|{{ ns.count }}]",
            "{%- for message in messages if message.role != 'system' -%}",
            "{{ '\n' if not loop.first }}{{ message.role }}:",
            "{%- if message.content.startswith('/') -%}cmd={{ message.content.lstrip('/').split(' ')[0] }}",
            "{%- else -%}{{ message.content | tojson }}{%- endif -%}",
            "{{ '.' if loop.last }}",
            "{%- endfor -%}",
            "{%- if tools is defined and tools -%}TOOLS{%- endif -%}",
            "{{ ' ok'.replace('ok', 'done') if messages | length > 2 }}",
        );
        let messages = [
            ChatMessage::new("system", "  be kind "),
            ChatMessage::user("say \"hi\""),
            ChatMessage::new("assistant", "/run fast now"),
        ];
        assert_eq!(
            render(source, &messages, true).unwrap(),
            "[BE KIND|2]user:\"say \\\"hi\\\"\"\nassistant:cmd=run. done"
        );
    }

    #[test]
    fn syntax_errors_surface_at_compile() {
        assert!(ChatTemplate::new("{% for m in messages %}").is_err());
    }
}
