//! What each kind of rule means: its summary line, the items it names, and
//! which module evaluates it (`presence` for forbid/require, `order`,
//! `literal`, `dependency`). A rule never panics and never passes by
//! default: an item it names that the file lacks is a violation at 1:1.

use super::Violation;
use super::dependency::{
    Dependency, depend_on_trait, dependency_entries, locate_dependency, require_impl, type_entries,
};
use super::index::FileIndex;
use super::literal::require_literal_args;
use super::matching::{call_match, type_match};
use super::order::{Direction, require_order};
use super::pattern::{CallPattern, PathPattern};
use super::presence::{forbid, require_calls};
use super::reach::{Evaluation, Key};
use super::target::{Target, TargetSpec};

/// A validated rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rule {
    ForbidCalls {
        targets: Vec<TargetSpec>,
        calls: Vec<CallPattern>,
        stop_at: Vec<CallPattern>,
    },
    RequireCalls {
        targets: Vec<TargetSpec>,
        calls: Vec<CallPattern>,
    },
    ForbidTypes {
        targets: Vec<TargetSpec>,
        types: Vec<PathPattern>,
        stop_at: Vec<CallPattern>,
    },
    RequireImpl {
        ty: PathPattern,
        trait_: PathPattern,
    },
    DependOnTrait {
        target: TargetSpec,
        dependency: Dependency,
        trait_: Option<PathPattern>,
    },
    /// `require_calls_after` and `require_calls_before`.
    RequireOrder {
        targets: Vec<TargetSpec>,
        calls: Vec<CallPattern>,
        anchors: Vec<CallPattern>,
        direction: Direction,
    },
    RequireLiteralArgs {
        targets: Vec<TargetSpec>,
        calls: Vec<CallPattern>,
        /// 1-based position of the argument, the receiver not counted.
        arg: usize,
    },
}

fn describe_targets(targets: &[TargetSpec]) -> String {
    targets
        .iter()
        .map(|t| match t.target {
            Target::File => "the file".to_string(),
            _ => t.text.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn list<'p>(patterns: impl Iterator<Item = &'p str>) -> String {
    patterns.collect::<Vec<_>>().join(", ")
}

impl Rule {
    pub(crate) fn summary(&self) -> String {
        match self {
            Rule::ForbidCalls { targets, calls, .. } => format!(
                "{} must not call {}",
                describe_targets(targets),
                list(calls.iter().map(CallPattern::text))
            ),
            Rule::RequireCalls { targets, calls } => {
                let one_of = if calls.len() > 1 { "one of " } else { "" };
                format!(
                    "{} must call {one_of}{}",
                    describe_targets(targets),
                    list(calls.iter().map(CallPattern::text))
                )
            }
            Rule::ForbidTypes { targets, types, .. } => format!(
                "{} must not mention {}",
                describe_targets(targets),
                list(types.iter().map(PathPattern::text))
            ),
            Rule::RequireImpl { ty, trait_ } => format!("{ty} must implement {trait_}"),
            Rule::DependOnTrait {
                target,
                dependency,
                trait_,
            } => {
                let over = match trait_ {
                    Some(t) => format!("a generic or dyn {t}"),
                    None => "a generic or dyn trait".to_string(),
                };
                format!(
                    "{} {} must be {over}, not a concrete type",
                    target.text,
                    dependency.describe()
                )
            }
            Rule::RequireOrder {
                targets,
                calls,
                anchors,
                direction,
            } => {
                let one_of = if calls.len() > 1 { "one of " } else { "" };
                format!(
                    "{} must call {one_of}{} {} {}",
                    describe_targets(targets),
                    list(calls.iter().map(CallPattern::text)),
                    direction.word(),
                    list(anchors.iter().map(CallPattern::text))
                )
            }
            Rule::RequireLiteralArgs {
                targets,
                calls,
                arg,
            } => format!(
                "{} must pass a literal or a constant as argument {arg} of {}",
                describe_targets(targets),
                list(calls.iter().map(CallPattern::text))
            ),
        }
    }

    pub(crate) fn missing_targets(&self, index: &FileIndex<'_>) -> Vec<String> {
        let missing = |spec: &TargetSpec| {
            spec.target != Target::File && index.resolve(&spec.target).is_empty()
        };
        match self {
            Rule::ForbidCalls { targets, .. }
            | Rule::RequireCalls { targets, .. }
            | Rule::ForbidTypes { targets, .. }
            | Rule::RequireOrder { targets, .. }
            | Rule::RequireLiteralArgs { targets, .. } => targets
                .iter()
                .filter(|t| missing(t))
                .map(|t| t.text.clone())
                .collect(),
            Rule::RequireImpl { ty, .. } => {
                if type_entries(index, ty).is_empty() {
                    vec![ty.text().to_string()]
                } else {
                    Vec::new()
                }
            }
            Rule::DependOnTrait {
                target, dependency, ..
            } => {
                let found = dependency_entries(index, target, dependency);
                if found.is_empty() {
                    return vec![target.text.clone()];
                }
                let has = found
                    .iter()
                    .any(|e| locate_dependency(index, e, dependency).is_some());
                if has {
                    Vec::new()
                } else {
                    vec![format!("{} of {}", dependency.describe(), target.text)]
                }
            }
        }
    }

    pub(crate) fn evaluate(&self, eval: &mut Evaluation<'_, '_>) -> Vec<Violation> {
        let mut violations = match self {
            Rule::ForbidCalls {
                targets,
                calls,
                stop_at,
            } => forbid(eval, targets, stop_at, true, |event| {
                calls.iter().find_map(|p| call_match(p, event))
            }),
            Rule::ForbidTypes {
                targets,
                types,
                stop_at,
            } => forbid(eval, targets, stop_at, false, |event| {
                types.iter().find_map(|p| type_match(p, event))
            }),
            Rule::RequireCalls { targets, calls } => require_calls(eval, targets, calls),
            Rule::RequireImpl { ty, trait_ } => require_impl(eval.index, ty, trait_),
            Rule::DependOnTrait {
                target,
                dependency,
                trait_,
            } => depend_on_trait(eval.index, target, dependency, trait_.as_ref()),
            Rule::RequireOrder {
                targets,
                calls,
                anchors,
                direction,
            } => require_order(eval, targets, calls, anchors, *direction),
            Rule::RequireLiteralArgs {
                targets,
                calls,
                arg,
            } => require_literal_args(eval, targets, calls, *arg),
        };
        violations.sort_by_key(|v| (v.line, v.column));
        violations.dedup();
        violations
    }
}

pub(crate) fn not_found(index: &FileIndex<'_>, spec: &TargetSpec, expect_fn: bool) -> Violation {
    let mut detail = format!("{} not found", spec.describe(expect_fn));
    if let Some(near) = index.suggest(&spec.text) {
        detail.push_str(&format!("; did you mean {near}?"));
    }
    Violation {
        line: 1,
        column: 1,
        detail,
    }
}

/// What a target scans: entries, or `None` for the whole file.
pub(crate) fn target_keys(index: &FileIndex<'_>, spec: &TargetSpec) -> Vec<Key> {
    match spec.target {
        Target::File => vec![None],
        _ => index.resolve(&spec.target).into_iter().map(Some).collect(),
    }
}
