//! Turns one raw `[[exercises.checks]]` table into a validated `Rule`.
//!
//! Every problem of the table is reported at once, each saying what is wrong
//! and how to fix it, so an instructor fixes info.toml in one pass. Nothing
//! here looks at Rust code: a rule that names an item the solution lacks is
//! found later, by `Check::missing_targets`.

use crate::suggest::closest;
use toml::Value;

use super::kind::Kind;
use super::pattern::{
    CallPattern, ItemKind, PathPattern, PatternField, Target, TargetSpec, is_identifier,
};
use super::rules::{Dependency, Rule};

const IN_EXAMPLE: &str =
    "in = \"create_user_handler\" (a fn, \"Type::method\", \"impl Type\", \"mod name\" or \"*\")";

pub(crate) fn parse(table: &toml::Table) -> Result<(Rule, String), Vec<String>> {
    let mut errors = Vec::new();
    let kind = match table.get("kind") {
        None => {
            errors.push(format!(
                "check is missing field \"kind\"; add kind = \"forbid_calls\" (one of {})",
                Kind::names()
            ));
            None
        }
        Some(Value::String(name)) => match Kind::from_name(name) {
            Some(kind) => Some(kind),
            None => {
                errors.push(match closest(name, Kind::ALL.map(Kind::name)) {
                    Some(near) => {
                        format!("unknown check kind \"{name}\"; did you mean \"{near}\"?")
                    }
                    None => format!(
                        "unknown check kind \"{name}\"; use one of {}",
                        Kind::names()
                    ),
                });
                None
            }
        },
        Some(other) => {
            errors.push(format!(
                "field \"kind\" must be a string, like kind = \"forbid_calls\"; found {}",
                type_name(other)
            ));
            None
        }
    };

    for key in table.keys() {
        if key == "kind" {
            continue;
        }
        if let Some(problem) = unknown_field(key, kind) {
            errors.push(problem);
        }
    }

    let Some(kind) = kind else {
        return Err(errors);
    };
    let name = kind.name();

    let message = required_string(
        table,
        name,
        "message",
        "message = \"...\" telling the learner what to change",
        &mut errors,
    );
    if message.as_deref().is_some_and(|m| m.trim().is_empty()) {
        errors.push("field \"message\" is empty; write what the learner should change".to_string());
    }

    let rule = match kind {
        Kind::ForbidCalls | Kind::RequireCalls => {
            let targets = targets(table, name, &mut errors);
            let calls = patterns(
                table,
                name,
                "calls",
                "calls = [\"Connection::execute\"]",
                &mut errors,
                CallPattern::parse,
            );
            match (targets, calls, kind) {
                (Some(targets), Some(calls), Kind::ForbidCalls) => {
                    Some(Rule::ForbidCalls { targets, calls })
                }
                (Some(targets), Some(calls), _) => Some(Rule::RequireCalls { targets, calls }),
                _ => None,
            }
        }
        Kind::ForbidTypes => {
            let targets = targets(table, name, &mut errors);
            let types = patterns(
                table,
                name,
                "types",
                "types = [\"HashMap\"]",
                &mut errors,
                |text| PathPattern::parse(text, PatternField::Types),
            );
            match (targets, types) {
                (Some(targets), Some(types)) => Some(Rule::ForbidTypes { targets, types }),
                _ => None,
            }
        }
        Kind::RequireImpl => {
            let ty = path_field(table, name, "type", PatternField::Type, true, &mut errors);
            let trait_ = path_field(table, name, "trait", PatternField::Trait, true, &mut errors);
            match (ty, trait_) {
                (Some(ty), Some(trait_)) => Some(Rule::RequireImpl { ty, trait_ }),
                _ => None,
            }
        }
        Kind::DependOnTrait => depend_on_trait(table, name, &mut errors),
    };

    match (rule, message) {
        (Some(rule), Some(message)) if errors.is_empty() => Ok((rule, message)),
        _ => Err(errors),
    }
}

fn depend_on_trait(table: &toml::Table, kind: &str, errors: &mut Vec<String>) -> Option<Rule> {
    let target = match table.get("in") {
        None => {
            errors.push(format!(
                "check \"{kind}\" is missing field \"in\"; add in = \"UserService\" (a struct, with field) or in = \"UserService::new\" (a fn, with param)"
            ));
            None
        }
        Some(Value::String(text)) => match TargetSpec::parse(text) {
            Ok(spec) => Some(spec),
            Err(reason) => {
                errors.push(format!("malformed target \"{text}\" in \"in\": {reason}"));
                None
            }
        },
        Some(other) => {
            errors.push(format!(
                "field \"in\" of {kind} names one struct or fn, like in = \"UserService\"; found {}",
                type_name(other)
            ));
            None
        }
    };
    let field = optional_string(table, "field", "field = \"repo\"", errors);
    let param = optional_string(table, "param", "param = \"repo\"", errors);
    let trait_ = path_field(table, kind, "trait", PatternField::Trait, false, errors);
    let dependency = match (field, param) {
        (Some(_), Some(_)) => {
            errors.push(
                "use either \"field\" (a struct field) or \"param\" (a fn parameter), not both"
                    .to_string(),
            );
            None
        }
        (None, None) => {
            if !table.contains_key("field") && !table.contains_key("param") {
                errors.push(format!(
                    "check \"{kind}\" is missing field \"field\" or \"param\"; add field = \"repo\" for a struct field or param = \"repo\" for a fn parameter"
                ));
            }
            None
        }
        (Some(name), None) => {
            if is_identifier(&name)
                || (!name.is_empty() && name.chars().all(|c| c.is_ascii_digit()))
            {
                Some(Dependency::Field(name))
            } else {
                errors.push(format!(
                    "field \"field\" must name a struct field, like field = \"repo\" (or \"0\" in a tuple struct); \"{name}\" is not one"
                ));
                None
            }
        }
        (None, Some(name)) => {
            if is_identifier(&name) {
                Some(Dependency::Param(name))
            } else {
                errors.push(format!(
                    "field \"param\" must name a fn parameter, like param = \"repo\"; \"{name}\" is not one"
                ));
                None
            }
        }
    };
    let (target, dependency) = (target?, dependency?);
    let fits = matches!(
        (&target.target, &dependency),
        (
            Target::Item {
                kind: None | Some(ItemKind::Struct),
                ..
            },
            Dependency::Field(_)
        ) | (
            Target::Item {
                kind: None | Some(ItemKind::Fn),
                ..
            },
            Dependency::Param(_)
        )
    );
    if !fits {
        errors.push(match dependency {
            Dependency::Field(_) => format!(
                "{kind} with \"field\" needs a struct in \"in\", like in = \"UserService\"; \"{}\" is not one",
                target.text
            ),
            Dependency::Param(_) => format!(
                "{kind} with \"param\" needs a fn or method in \"in\", like in = \"UserService::new\"; \"{}\" is not one",
                target.text
            ),
        });
        return None;
    }
    Some(Rule::DependOnTrait {
        target,
        dependency,
        trait_,
    })
}

/// The problem with `key`, if the kind does not take it.
fn unknown_field(key: &str, kind: Option<Kind>) -> Option<String> {
    let all = Kind::all_fields();
    let Some(kind) = kind else {
        // With an unknown kind only names no kind takes are reported.
        if all.contains(&key) {
            return None;
        }
        return Some(match closest(key, all) {
            Some(near) => format!("unknown field \"{key}\" in check; did you mean \"{near}\"?"),
            None => format!("unknown field \"{key}\" in check"),
        });
    };
    let fields = kind.fields();
    if fields.contains(&key) {
        return None;
    }
    let name = kind.name();
    let near = closest(key, fields.iter().copied());
    let takes = fields.join(", ");
    Some(if all.contains(&key) {
        match near {
            Some(near) => format!(
                "field \"{key}\" does not apply to kind \"{name}\"; did you mean \"{near}\"?"
            ),
            None => format!("field \"{key}\" does not apply to kind \"{name}\"; it takes {takes}"),
        }
    } else {
        match near {
            Some(near) => format!("unknown field \"{key}\" in check; did you mean \"{near}\"?"),
            None => format!("unknown field \"{key}\" in check; kind \"{name}\" takes {takes}"),
        }
    })
}

fn targets(table: &toml::Table, kind: &str, errors: &mut Vec<String>) -> Option<Vec<TargetSpec>> {
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

fn patterns<T>(
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

fn path_field(
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

fn required_string(
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

fn optional_string(
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
fn strings(table: &toml::Table, field: &str, example: &str) -> Result<Option<Vec<String>>, String> {
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

fn type_name(value: &Value) -> &'static str {
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
