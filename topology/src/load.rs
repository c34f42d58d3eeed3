//! Loading a topology: TOML file, then `PROCTOR__…` environment overrides, then `--set` overrides,
//! layered through the `config` crate and deserialised strictly, collecting every problem at once.

use crate::schema::Topology;
use crate::suggest::closest;
use crate::validate::{ValidationContext, validate};
use crate::{ConfigIssue, Origin, TopologyError};
use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Prefix of environment variables that override topology keys: `PROCTOR__LEARNER__LR=1e-5`.
pub const ENV_PREFIX: &str = "PROCTOR__";

/// What to layer on top of the topology file.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `key.path=value` overrides from the command line, applied last (value is TOML, else a string).
    pub set: Vec<String>,
    /// Environment variables to read overrides from; `None` reads the process environment.
    pub env: Option<Vec<(String, String)>>,
}

/// A topology that parsed and validated, with where it came from.
#[derive(Debug, Clone)]
pub struct LoadedTopology {
    /// The resolved topology (defaults filled, relative paths resolved against the file's folder).
    pub topology: Topology,
    /// The file it was read from.
    pub file: PathBuf,
}

/// Reads, layers, deserialises and validates a topology file, reporting every problem at once.
pub fn load(
    file: &Path,
    options: &LoadOptions,
    context: &ValidationContext,
) -> Result<LoadedTopology, TopologyError> {
    let text = std::fs::read_to_string(file).map_err(|source| TopologyError::Read {
        file: file.to_path_buf(),
        source,
    })?;
    let base_dir = file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let topology = parse_str(&text, file, options)?;
    let topology = topology.resolve_paths(&base_dir);
    let issues = validate(&topology, context);
    if issues.is_empty() {
        Ok(LoadedTopology {
            topology,
            file: file.to_path_buf(),
        })
    } else {
        let origins = Overrides::collect(options)?;
        Err(TopologyError::Invalid {
            file: file.to_path_buf(),
            issues: issues
                .into_iter()
                .map(|issue| origins.attribute(issue, file))
                .collect(),
        })
    }
}

/// Parses topology text (no semantic validation, paths left as written).
pub fn parse_str(
    text: &str,
    file: &Path,
    options: &LoadOptions,
) -> Result<Topology, TopologyError> {
    check_toml_syntax(text, file)?;
    let overrides = Overrides::collect(options)?;
    let mut builder = config::Config::builder()
        .add_source(config::File::from_str(text, config::FileFormat::Toml));
    for (key, (value, _)) in &overrides.values {
        builder = builder
            .set_override(key.as_str(), to_config_value(value))
            .map_err(|error| TopologyError::Override {
                setting: key.clone(),
                reason: error.to_string(),
            })?;
    }
    let merged: serde_json::Value = builder
        .build()
        .and_then(|config| config.try_deserialize())
        .map_err(|error| TopologyError::Layering {
            file: file.to_path_buf(),
            reason: error.to_string(),
        })?;
    deserialize_collecting::<Topology>(merged).map_err(|issues| TopologyError::Invalid {
        file: file.to_path_buf(),
        issues: issues
            .into_iter()
            .map(|issue| overrides.attribute(issue, file))
            .collect(),
    })
}

/// Rejects malformed TOML up front so the error carries a line and column.
fn check_toml_syntax(text: &str, file: &Path) -> Result<(), TopologyError> {
    match text.parse::<toml::Table>() {
        Ok(_) => Ok(()),
        Err(error) => {
            let offset = error.span().map(|span| span.start).unwrap_or(0);
            let (line, column) = line_column(text, offset);
            Err(TopologyError::Syntax {
                file: file.to_path_buf(),
                line,
                column,
                reason: error.message().trim().to_string(),
            })
        }
    }
}

/// 1-based line and column of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.chars().count(), |newline| {
            before[newline + 1..].chars().count()
        })
        + 1;
    (line, column)
}

/// Deserialises strictly, collecting every error: after each failure the offending key is removed
/// and deserialisation retried, so one run reports all unknown keys and wrongly typed values.
///
/// A missing required field is reported by serde only after every key present in its table was
/// read without error, so removing that whole table loses nothing and lets the rest be checked.
fn deserialize_collecting<T: DeserializeOwned>(
    mut value: serde_json::Value,
) -> Result<T, Vec<ConfigIssue>> {
    let mut issues: Vec<ConfigIssue> = Vec::new();
    let mut removed: BTreeSet<String> = BTreeSet::new();
    loop {
        let error = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(parsed) if issues.is_empty() => return Ok(parsed),
            Ok(_) => return Err(issues),
            Err(error) => error,
        };
        let parent = error.path().to_string();
        let parent = if parent == "." { String::new() } else { parent };
        let message = error.inner().to_string();
        let issue = describe_serde_error(&parent, &message);
        let is_missing = message.starts_with("missing field");
        let already_reported = (is_missing && removed.contains(&issue.key))
            || issues.iter().any(|seen| seen.key == issue.key);
        let target = if is_missing {
            parent
        } else {
            issue.key.clone()
        };
        if !already_reported {
            issues.push(issue);
        }
        // Every round removes one key, so the loop ends within the size of the tree.
        if target.is_empty() || !remove_key(&mut value, &target) {
            return Err(issues);
        }
        removed.insert(target);
    }
}

/// Turns one serde error into an issue with a full key path and a "did you mean" hint.
fn describe_serde_error(parent: &str, message: &str) -> ConfigIssue {
    // serde_path_to_error already ends the path with an unknown field's name; other errors stop at the table.
    let join = |name: &str| {
        if parent == name || parent.ends_with(&format!(".{name}")) {
            parent.to_string()
        } else if parent.is_empty() {
            name.to_string()
        } else {
            format!("{parent}.{name}")
        }
    };
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or_default();
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        let key = join(name);
        let table = key.strip_suffix(name).unwrap_or_default();
        let hint = match closest(name, &expected) {
            Some(candidate) => format!(" (did you mean `{table}{candidate}`?)"),
            None => String::new(),
        };
        return ConfigIssue::new(
            key,
            format!(
                "unknown key{hint}; expected one of: {}",
                expected.join(", ")
            ),
        );
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let name = rest.split('`').next().unwrap_or_default();
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        let hint = match closest(name, &expected) {
            Some(candidate) => format!(" (did you mean `{candidate}`?)"),
            None => String::new(),
        };
        return ConfigIssue::new(
            parent.to_string(),
            format!(
                "unknown value `{name}`{hint}; expected one of: {}",
                expected.join(", ")
            ),
        );
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        return ConfigIssue::new(join(name), "required key is missing".to_string());
    }
    ConfigIssue::new(parent.to_string(), message.to_string())
}

/// Removes the value at a dotted key path (with `[i]` list indices); true when something was removed.
fn remove_key(value: &mut serde_json::Value, key: &str) -> bool {
    let segments: Vec<&str> = key.split('.').filter(|s| !s.is_empty()).collect();
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut cursor = value;
    for segment in parents {
        let (name, index) = split_index(segment);
        let Some(next) = cursor.get_mut(name) else {
            return false;
        };
        cursor = match index {
            Some(index) => match next.get_mut(index) {
                Some(element) => element,
                None => return false,
            },
            None => next,
        };
    }
    let (name, index) = split_index(last);
    match index {
        None => cursor
            .as_object_mut()
            .is_some_and(|map| map.remove(name).is_some()),
        Some(index) => match cursor.get_mut(name).and_then(|list| list.as_array_mut()) {
            Some(list) if index < list.len() => {
                list.remove(index);
                true
            }
            _ => false,
        },
    }
}

fn split_index(segment: &str) -> (&str, Option<usize>) {
    match segment.split_once('[') {
        Some((name, rest)) => (name, rest.trim_end_matches(']').parse().ok()),
        None => (segment, None),
    }
}

/// Override values with where each came from, in precedence order (environment, then `--set`).
struct Overrides {
    values: BTreeMap<String, (toml::Value, Origin)>,
}

impl Overrides {
    fn collect(options: &LoadOptions) -> Result<Self, TopologyError> {
        let mut values = BTreeMap::new();
        let env: Vec<(String, String)> = match &options.env {
            Some(pairs) => pairs.clone(),
            None => std::env::vars().collect(),
        };
        for (name, raw) in env {
            let Some(path) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let key = path.to_lowercase().replace("__", ".");
            values.insert(key, (parse_override_value(&raw), Origin::Env(name.clone())));
        }
        for setting in &options.set {
            let Some((key, raw)) = setting.split_once('=') else {
                return Err(TopologyError::Override {
                    setting: setting.clone(),
                    reason: "expected key.path=value".into(),
                });
            };
            let key = key.trim().to_string();
            if key.is_empty() {
                return Err(TopologyError::Override {
                    setting: setting.clone(),
                    reason: "the key path is empty".into(),
                });
            }
            values.insert(
                key,
                (
                    parse_override_value(raw.trim()),
                    Origin::Set(setting.clone()),
                ),
            );
        }
        Ok(Self { values })
    }

    /// Names where a problem's value came from: an override if one set that key (or a parent), else the file.
    fn attribute(&self, mut issue: ConfigIssue, file: &Path) -> ConfigIssue {
        let origin = self.values.iter().find_map(|(key, (_, origin))| {
            let covers = issue.key == *key
                || issue.key.starts_with(&format!("{key}."))
                || issue.key.starts_with(&format!("{key}["));
            covers.then(|| origin.clone())
        });
        if matches!(issue.origin, Origin::File(_)) || matches!(issue.origin, Origin::Unknown) {
            issue.origin = origin.unwrap_or_else(|| Origin::File(file.to_path_buf()));
        }
        issue
    }
}

/// An override value is read as a TOML value (`2`, `1e-5`, `true`, `["cpu", "cpu"]`), else taken as a string.
fn parse_override_value(raw: &str) -> toml::Value {
    let document = format!("value = {raw}");
    match document.parse::<toml::Table>() {
        Ok(mut table) => table
            .remove("value")
            .unwrap_or_else(|| toml::Value::String(raw.to_string())),
        Err(_) => toml::Value::String(raw.to_string()),
    }
}

fn to_config_value(value: &toml::Value) -> config::Value {
    let kind = match value {
        toml::Value::String(text) => config::ValueKind::String(text.clone()),
        toml::Value::Integer(number) => config::ValueKind::I64(*number),
        toml::Value::Float(number) => config::ValueKind::Float(*number),
        toml::Value::Boolean(flag) => config::ValueKind::Boolean(*flag),
        toml::Value::Datetime(datetime) => config::ValueKind::String(datetime.to_string()),
        toml::Value::Array(items) => {
            config::ValueKind::Array(items.iter().map(to_config_value).collect())
        }
        toml::Value::Table(table) => config::ValueKind::Table(
            table
                .iter()
                .map(|(key, item)| (key.clone(), to_config_value(item)))
                .collect(),
        ),
    };
    config::Value::new(None, kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_from_one() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
    }

    #[test]
    fn override_values_are_typed_like_toml() {
        assert_eq!(parse_override_value("3"), toml::Value::Integer(3));
        assert_eq!(parse_override_value("1e-5"), toml::Value::Float(1e-5));
        assert_eq!(parse_override_value("true"), toml::Value::Boolean(true));
        assert_eq!(
            parse_override_value("cuda:0"),
            toml::Value::String("cuda:0".into())
        );
        assert_eq!(
            parse_override_value(r#"["cpu", "cpu"]"#),
            toml::Value::Array(vec!["cpu".into(), "cpu".into()])
        );
    }

    #[test]
    fn remove_key_handles_nested_and_indexed_paths() {
        let mut value = serde_json::json!({"a": {"b": 1, "c": [{"d": 2}, {"d": 3}]}});
        assert!(remove_key(&mut value, "a.b"));
        assert!(remove_key(&mut value, "a.c[1].d"));
        assert!(!remove_key(&mut value, "a.zz"));
        assert_eq!(value, serde_json::json!({"a": {"c": [{"d": 2}, {}]}}));
    }
}
