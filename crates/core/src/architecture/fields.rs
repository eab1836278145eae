//! Readers of one field of a check table: a target list, a pattern list,
//! a path, a string, a position. Each pushes what is wrong with the field,
//! and how to write it instead, onto the table's list of problems.

use toml::Value;

use super::pattern::{CallPattern, PathPattern, PatternField};
use super::target::TargetSpec;

pub(crate) const IN_EXAMPLE: &str =
    "in = \"create_user_handler\" (a fn, \"Type::method\", \"impl Type\", \"mod name\" or \"*\")";

/// A list of call patterns in `field`, required.
pub(crate) fn call_patterns(
    table: &toml::Table,
    kind: &str,
    field: &str,
    errors: &mut Vec<String>,
) -> Option<Vec<CallPattern>> {
    let example = match field {
        "after" => "after = [\"UserRepository::save\"]",
        "before" => "before = [\"ProductRepository::find\"]",
        _ => "calls = [\"Connection::execute\"]",
    };
    patterns(table, kind, field, example, errors, CallPattern::parse)
}

/// `stop_at`, optional: calls whose insides are not the target's doing.
pub(crate) fn stop_at(table: &toml::Table, errors: &mut Vec<String>) -> Option<Vec<CallPattern>> {
    if !table.contains_key("stop_at") {
        return Some(Vec::new());
    }
    let example = "stop_at = [\"ProjectService::create_project\"]";
    match strings(table, "stop_at", example) {
        Ok(Some(texts)) if texts.is_empty() => {
            errors.push(format!(
                "field \"stop_at\" is empty; name the calls to stop at, like {example}, or leave it out"
            ));
            None
        }
        _ => patterns(table, "", "stop_at", example, errors, CallPattern::parse),
    }
}

/// `arg`: which argument, counted from 1 without the receiver; 1 if absent.
pub(crate) fn arg_position(table: &toml::Table, errors: &mut Vec<String>) -> Option<usize> {
    match table.get("arg") {
        None => Some(1),
        Some(Value::Integer(n)) if *n >= 1 => usize::try_from(*n).ok(),
        Some(Value::Integer(n)) => {
            errors.push(format!(
                "field \"arg\" counts arguments from 1, the receiver not counted; {n} is not a position, write arg = 1 for the first"
            ));
            None
        }
        Some(other) => {
            errors.push(format!(
                "field \"arg\" must be a number, like arg = 1 (the first argument after the receiver); found {}",
                type_name(other)
            ));
            None
        }
    }
}

pub(crate) fn targets(
    table: &toml::Table,
    kind: &str,
    errors: &mut Vec<String>,
) -> Option<Vec<TargetSpec>> {
    let texts = match strings(table, "in", "in = \"create_user_handler\"") {
        Ok(Some(texts)) => texts,
        Ok(None) => {
            errors.push(format!(
                "check \"{kind}\" is missing field \"in\"; add {IN_EXAMPLE}"
            ));
            return None;
        }
        Err(problem) => {
            errors.push(problem);
            return None;
        }
    };
    if texts.is_empty() {
        errors.push(format!("field \"in\" is empty; add {IN_EXAMPLE}"));
        return None;
    }
    let mut specs = Vec::new();
    let mut ok = true;
    for text in texts {
        match TargetSpec::parse(&text) {
            Ok(spec) => specs.push(spec),
            Err(reason) => {
                errors.push(format!("malformed target \"{text}\" in \"in\": {reason}"));
                ok = false;
            }
        }
    }
    ok.then_some(specs)
}

pub(crate) fn patterns<T>(
    table: &toml::Table,
    kind: &str,
    field: &str,
    example: &str,
    errors: &mut Vec<String>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<Vec<T>> {
    let texts = match strings(table, field, example) {
        Ok(Some(texts)) => texts,
        Ok(None) => {
            errors.push(format!(
                "check \"{kind}\" is missing field \"{field}\"; add {example}"
            ));
            return None;
        }
        Err(problem) => {
            errors.push(problem);
            return None;
        }
    };
    if texts.is_empty() {
        errors.push(format!(
            "field \"{field}\" is empty; list at least one pattern, like {example}"
        ));
        return None;
    }
    let mut parsed = Vec::new();
    let mut ok = true;
    for text in texts {
        match parse(&text) {
            Ok(p) => parsed.push(p),
            Err(reason) => {
                errors.push(format!("malformed pattern \"{text}\" in {field}: {reason}"));
                ok = false;
            }
        }
    }
    ok.then_some(parsed)
}

pub(crate) fn path_field(
    table: &toml::Table,
    kind: &str,
    field: &str,
    pattern_field: PatternField,
    required: bool,
    errors: &mut Vec<String>,
) -> Option<PathPattern> {
    let example = match pattern_field {
        PatternField::Type => "type = \"InMemoryUsers\"",
        _ => "trait = \"UserRepository\"",
    };
    let text = if required {
        required_string(table, kind, field, example, errors)?
    } else {
        optional_string(table, field, example, errors)?
    };
    match PathPattern::parse(&text, pattern_field) {
        Ok(p) => Some(p),
        Err(reason) => {
            errors.push(format!("malformed pattern \"{text}\" in {field}: {reason}"));
            None
        }
    }
}

pub(crate) fn required_string(
    table: &toml::Table,
    kind: &str,
    field: &str,
    example: &str,
    errors: &mut Vec<String>,
) -> Option<String> {
    if !table.contains_key(field) {
        errors.push(format!(
            "check \"{kind}\" is missing field \"{field}\"; add {example}"
        ));
        return None;
    }
    optional_string(table, field, example, errors)
}

pub(crate) fn optional_string(
    table: &toml::Table,
    field: &str,
    example: &str,
    errors: &mut Vec<String>,
) -> Option<String> {
    match table.get(field)? {
        Value::String(s) => Some(s.clone()),
        other => {
            errors.push(format!(
                "field \"{field}\" must be a string, like {example}; found {}",
                type_name(other)
            ));
            None
        }
    }
}

/// A string or an array of strings; `Ok(None)` when the field is absent.
pub(crate) fn strings(
    table: &toml::Table,
    field: &str,
    example: &str,
) -> Result<Option<Vec<String>>, String> {
    match table.get(field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(vec![s.clone()])),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                other => Err(format!(
                    "field \"{field}\" must list strings, like {example}; item {} is {}",
                    i + 1,
                    type_name(other)
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(format!(
            "field \"{field}\" must be a string or a list of strings, like {example}; found {}",
            type_name(other)
        )),
    }
}

pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}
