//! Turns one raw `[[exercises.checks]]` table into a validated `Rule`.
//!
//! Every problem of the table is reported at once, each saying what is wrong
//! and how to fix it, so an instructor fixes info.toml in one pass. Nothing
//! here looks at Rust code: a rule that names an item the solution lacks is
//! found later, by `Check::missing_targets`.

use crate::suggest::closest;
use toml::Value;

use super::dependency::Dependency;
use super::fields::{
    arg_position, call_patterns, optional_string, path_field, patterns, required_string, stop_at,
    targets, type_name,
};
use super::kind::Kind;
use super::order::Direction;
use super::pattern::{CallPattern, PathPattern, PatternField, is_identifier};
use super::rules::Rule;
use super::target::{ItemKind, Target, TargetSpec};

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
        Kind::ForbidCalls => {
            let targets = targets(table, name, &mut errors);
            let calls = call_patterns(table, name, "calls", &mut errors);
            let stop_at = stop_at(table, &mut errors);
            match (targets, calls, stop_at) {
                (Some(targets), Some(calls), Some(stop_at)) => Some(Rule::ForbidCalls {
                    targets,
                    calls,
                    stop_at,
                }),
                _ => None,
            }
        }
        Kind::RequireCalls => {
            let targets = targets(table, name, &mut errors);
            let calls = call_patterns(table, name, "calls", &mut errors);
            match (targets, calls) {
                (Some(targets), Some(calls)) => Some(Rule::RequireCalls { targets, calls }),
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
            let stop_at = stop_at(table, &mut errors);
            match (targets, types, stop_at) {
                (Some(targets), Some(types), Some(stop_at)) => Some(Rule::ForbidTypes {
                    targets,
                    types,
                    stop_at,
                }),
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
        Kind::RequireCallsAfter | Kind::RequireCallsBefore => {
            let (field, direction) = match kind {
                Kind::RequireCallsBefore => ("before", Direction::Before),
                _ => ("after", Direction::After),
            };
            let targets = targets(table, name, &mut errors);
            let calls = call_patterns(table, name, "calls", &mut errors);
            let anchors = call_patterns(table, name, field, &mut errors);
            match (targets, calls, anchors) {
                (Some(targets), Some(calls), Some(anchors)) => Some(Rule::RequireOrder {
                    targets,
                    calls,
                    anchors,
                    direction,
                }),
                _ => None,
            }
        }
        Kind::RequireLiteralArgs => {
            let targets = targets(table, name, &mut errors);
            let calls = call_patterns(table, name, "calls", &mut errors);
            let calls = calls.filter(|calls| {
                let macros: Vec<&str> = calls
                    .iter()
                    .filter(|c| matches!(c, CallPattern::Macro(_)))
                    .map(CallPattern::text)
                    .collect();
                for text in &macros {
                    errors.push(format!(
                        "{name} judges the arguments of calls, and \"{text}\" is a macro; name a function or method, like calls = [\"Connection::execute\"]"
                    ));
                }
                macros.is_empty()
            });
            let arg = arg_position(table, &mut errors);
            match (targets, calls, arg) {
                (Some(targets), Some(calls), Some(arg)) => Some(Rule::RequireLiteralArgs {
                    targets,
                    calls,
                    arg,
                }),
                _ => None,
            }
        }
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
