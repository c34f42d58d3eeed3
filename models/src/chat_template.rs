//! Chat templates: Hugging Face Jinja templates rendered with minijinja as transformers renders them.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::tokenizer::SpecialTokens;

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
        env.add_filter("tojson", tojson);
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

/// `tojson` as transformers defines it: Python's `json.dumps` (`", "` and `": "` separators, no
/// HTML escaping, non-ASCII kept, keys in insertion order), with `indent` and `sort_keys`.
fn tojson(
    value: minijinja::Value,
    kwargs: minijinja::value::Kwargs,
) -> std::result::Result<String, minijinja::Error> {
    let indent: Option<usize> = kwargs.get("indent")?;
    let sort_keys: Option<bool> = kwargs.get("sort_keys")?;
    let mut out = String::new();
    write_json(&value, indent, sort_keys.unwrap_or(false), 0, &mut out)?;
    Ok(out)
}

fn write_json(
    value: &minijinja::Value,
    indent: Option<usize>,
    sort_keys: bool,
    depth: usize,
    out: &mut String,
) -> std::result::Result<(), minijinja::Error> {
    use minijinja::value::ValueKind;
    let quote = |text: &str| serde_json::to_string(text).unwrap_or_else(|_| String::from("\"\""));
    let newline = |out: &mut String, depth: usize| {
        if let Some(width) = indent {
            out.push('\n');
            out.push_str(&" ".repeat(width * depth));
        }
    };
    let separator = if indent.is_some() { "," } else { ", " };
    match value.kind() {
        ValueKind::Undefined | ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if value.is_true() { "true" } else { "false" }),
        ValueKind::Number => out.push_str(&value.to_string()),
        ValueKind::String => out.push_str(&quote(value.as_str().unwrap_or_default())),
        ValueKind::Map => {
            let mut keys: Vec<minijinja::Value> = value.try_iter()?.collect();
            if sort_keys {
                keys.sort_by_key(|key| key.to_string());
            }
            if keys.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            out.push('{');
            for (index, key) in keys.iter().enumerate() {
                if index > 0 {
                    out.push_str(separator);
                }
                newline(out, depth + 1);
                out.push_str(&quote(&key.to_string()));
                out.push_str(": ");
                write_json(&value.get_item(key)?, indent, sort_keys, depth + 1, out)?;
            }
            newline(out, depth);
            out.push('}');
        }
        _ => {
            let items: Vec<minijinja::Value> = value.try_iter()?.collect();
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(separator);
                }
                newline(out, depth + 1);
                write_json(item, indent, sort_keys, depth + 1, out)?;
            }
            newline(out, depth);
            out.push(']');
        }
    }
    Ok(())
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
    fn tojson_matches_python_json_dumps() {
        let source = "{{ {'b': [1, 2.5, none, true], 'a': 'x<\"y\"> é\n'} | tojson }}|{{ {'b': {}, 'a': [3]} | tojson(indent=2, sort_keys=true) }}";
        // Expected strings produced by Python's json.dumps with transformers' arguments.
        assert_eq!(
            render(source, &[], false).unwrap(),
            "{\"b\": [1, 2.5, null, true], \"a\": \"x<\\\"y\\\"> é\\n\"}|{\n  \"a\": [\n    3\n  ],\n  \"b\": {}\n}"
        );
    }

    #[test]
    fn syntax_errors_surface_at_compile() {
        assert!(ChatTemplate::new("{% for m in messages %}").is_err());
    }
}
