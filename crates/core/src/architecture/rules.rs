//! What each kind of rule means, evaluated against a file's index and the
//! events its items produce. A rule never panics and never passes by
//! default: an item it names that the file lacks is a violation at 1:1.

use std::collections::HashMap;

use super::Violation;
use super::index::{Entry, EntryKind, FileIndex, Node};
use super::pattern::{CallPattern, ItemKind, PathPattern, Target, TargetSpec};
use super::scan::{Event, EventKind, scan_entry, scan_file};
use super::scope::Scope;
use super::syntax::location;
use super::types::{DEPENDENCY_WRAPPERS, Ty, join, render_type};

/// A validated rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rule {
    ForbidCalls {
        targets: Vec<TargetSpec>,
        calls: Vec<CallPattern>,
    },
    RequireCalls {
        targets: Vec<TargetSpec>,
        calls: Vec<CallPattern>,
    },
    ForbidTypes {
        targets: Vec<TargetSpec>,
        types: Vec<PathPattern>,
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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Dependency {
    Field(String),
    Param(String),
}

impl Dependency {
    fn describe(&self) -> String {
        match self {
            Dependency::Field(name) => format!("field {name}"),
            Dependency::Param(name) => format!("param {name}"),
        }
    }
}

/// Traits that say nothing about what a dependency does; a generic bounded
/// only by these is not an abstraction over a collaborator.
const MARKER_TRAITS: [&str; 13] = [
    "Send",
    "Sync",
    "Sized",
    "Unpin",
    "Copy",
    "Clone",
    "Debug",
    "Default",
    "Eq",
    "PartialEq",
    "Ord",
    "PartialOrd",
    "Hash",
];

/// Scans shared by all rules of one evaluation: several rules on the same
/// item walk it once.
pub(crate) struct Evaluation<'i, 'a> {
    pub(crate) index: &'i FileIndex<'a>,
    scans: HashMap<Option<usize>, Vec<Event>>,
}

impl<'i, 'a> Evaluation<'i, 'a> {
    pub(crate) fn new(index: &'i FileIndex<'a>) -> Evaluation<'i, 'a> {
        Evaluation {
            index,
            scans: HashMap::new(),
        }
    }

    /// Events of an entry, or of the whole file for `None`.
    fn events(&mut self, key: Option<usize>) -> &[Event] {
        let index = self.index;
        self.scans.entry(key).or_insert_with(|| match key {
            Some(i) => scan_entry(index, &index.entries[i]),
            None => scan_file(index),
        })
    }
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

fn list<'p>(patterns: impl Iterator<Item = &'p str>) -> String {
    patterns.collect::<Vec<_>>().join(", ")
}

impl Rule {
    pub(crate) fn summary(&self) -> String {
        match self {
            Rule::ForbidCalls { targets, calls } => format!(
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
            Rule::ForbidTypes { targets, types } => format!(
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
        }
    }

    pub(crate) fn missing_targets(&self, index: &FileIndex<'_>) -> Vec<String> {
        let missing = |spec: &TargetSpec| {
            spec.target != Target::File && index.resolve(&spec.target).is_empty()
        };
        match self {
            Rule::ForbidCalls { targets, .. }
            | Rule::RequireCalls { targets, .. }
            | Rule::ForbidTypes { targets, .. } => targets
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
            Rule::ForbidCalls { targets, calls } => forbid(eval, targets, true, |event| {
                calls.iter().find_map(|p| call_match(p, event))
            }),
            Rule::ForbidTypes { targets, types } => forbid(eval, targets, false, |event| {
                types.iter().find_map(|p| mention_match(p, event))
            }),
            Rule::RequireCalls { targets, calls } => require_calls(eval, targets, calls),
            Rule::RequireImpl { ty, trait_ } => require_impl(eval.index, ty, trait_),
            Rule::DependOnTrait {
                target,
                dependency,
                trait_,
            } => depend_on_trait(eval.index, target, dependency, trait_.as_ref()),
        };
        violations.sort_by_key(|v| (v.line, v.column));
        violations.dedup();
        violations
    }
}

fn not_found(index: &FileIndex<'_>, spec: &TargetSpec, expect_fn: bool) -> Violation {
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

/// Entry keys a target names: `None` for the whole file.
fn target_keys(index: &FileIndex<'_>, spec: &TargetSpec) -> Vec<Option<usize>> {
    match spec.target {
        Target::File => vec![None],
        _ => index.resolve(&spec.target).into_iter().map(Some).collect(),
    }
}

fn forbid(
    eval: &mut Evaluation<'_, '_>,
    targets: &[TargetSpec],
    expect_fn: bool,
    matcher: impl Fn(&EventKind) -> Option<String>,
) -> Vec<Violation> {
    let mut violations = Vec::new();
    for spec in targets {
        let keys = target_keys(eval.index, spec);
        if keys.is_empty() {
            violations.push(not_found(eval.index, spec, expect_fn));
            continue;
        }
        for key in keys {
            for event in eval.events(key) {
                if let Some(detail) = matcher(&event.kind) {
                    violations.push(Violation {
                        line: event.line,
                        column: event.column,
                        detail,
                    });
                }
            }
        }
    }
    violations
}

fn require_calls(
    eval: &mut Evaluation<'_, '_>,
    targets: &[TargetSpec],
    calls: &[CallPattern],
) -> Vec<Violation> {
    let mut violations = Vec::new();
    for spec in targets {
        let keys = target_keys(eval.index, spec);
        let Some(first) = keys.first().copied() else {
            violations.push(not_found(eval.index, spec, true));
            continue;
        };
        let called = keys.into_iter().any(|key| {
            eval.events(key)
                .iter()
                .any(|event| calls.iter().any(|p| call_match(p, &event.kind).is_some()))
        });
        if called {
            continue;
        }
        let (line, column) = match first {
            Some(i) => location(eval.index.entries[i].span),
            None => (1, 1),
        };
        let name = match spec.target {
            Target::File => "the file",
            _ => spec.text.as_str(),
        };
        let detail = if calls.len() == 1 {
            format!("{name} does not call {}", calls[0].text())
        } else {
            format!(
                "{name} calls none of {}",
                list(calls.iter().map(CallPattern::text))
            )
        };
        violations.push(Violation {
            line,
            column,
            detail,
        });
    }
    violations
}

/// `written (resolved)` when an alias or `Self` was followed, else `written`.
fn shown(written: &[String], resolved: &[String]) -> String {
    if written == resolved {
        join(written)
    } else {
        format!("{} ({})", join(written), join(resolved))
    }
}

/// The detail of a call that `pattern` matches, if it does.
pub(crate) fn call_match(pattern: &CallPattern, event: &EventKind) -> Option<String> {
    match (pattern, event) {
        (
            CallPattern::Path(p),
            EventKind::Call {
                path,
                written,
                reference,
            },
        ) if p.matches(path) => {
            let verb = if *reference { "refers to" } else { "calls" };
            Some(format!("{verb} {}", shown(written, path)))
        }
        (
            CallPattern::Path(p),
            EventKind::Method {
                name,
                receivers,
                unknown,
            },
        ) => {
            for receiver in receivers {
                let mut full = receiver.clone();
                full.push(name.clone());
                if p.matches(&full) {
                    return Some(format!("calls {}", join(&full)));
                }
            }
            // The receiver's type is unknown: fall back to the method name.
            (*unknown && !p.is_glob() && p.segment_count() >= 2 && p.last() == name).then(|| {
                format!("calls .{name}(..) (receiver type unknown, matched by method name)")
            })
        }
        (CallPattern::Method { name: wanted, .. }, EventKind::Method { name, .. })
            if wanted == name =>
        {
            Some(format!("calls .{name}(..)"))
        }
        (CallPattern::Macro(p), EventKind::Macro { path, written }) if p.matches(path) => {
            Some(if written == path {
                format!("uses {}!", join(written))
            } else {
                format!("uses {}! ({}!)", join(written), join(path))
            })
        }
        _ => None,
    }
}

/// The detail of a path that mentions a type `pattern` matches, if it does.
fn mention_match(pattern: &PathPattern, event: &EventKind) -> Option<String> {
    let EventKind::Mention { path, written } = event else {
        return None;
    };
    let k = (1..=path.len()).find(|&k| pattern.matches(&path[..k]))?;
    let matched = &path[..k];
    // An alias replaced the first written segment by `extra + 1` segments.
    let extra = path.len().saturating_sub(written.len());
    let shown_len = k.saturating_sub(extra).clamp(1, written.len().max(1));
    let written = &written[..shown_len.min(written.len())];
    Some(format!("mentions {}", shown(written, matched)))
}

fn type_entries<'e, 'a>(index: &'e FileIndex<'a>, ty: &PathPattern) -> Vec<&'e Entry<'a>> {
    index
        .entries
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EntryKind::Item(
                    ItemKind::Struct | ItemKind::Enum | ItemKind::Union | ItemKind::Type
                )
            ) && e.paths.iter().any(|p| ty.matches(p))
        })
        .collect()
}

fn require_impl(index: &FileIndex<'_>, ty: &PathPattern, trait_: &PathPattern) -> Vec<Violation> {
    let implemented = index.entries.iter().any(|e| match &e.kind {
        EntryKind::Impl { trait_: Some(t) } => {
            trait_.matches(t) && e.paths.iter().any(|p| ty.matches(p))
        }
        _ => false,
    });
    if implemented {
        return Vec::new();
    }
    let Some(definition) = type_entries(index, ty).into_iter().next() else {
        let mut detail = format!("{ty} not found");
        if let Some(near) = index.suggest(ty.text()) {
            detail.push_str(&format!("; did you mean {near}?"));
        }
        return vec![Violation {
            line: 1,
            column: 1,
            detail,
        }];
    };
    let (line, column) = location(definition.span);
    vec![Violation {
        line,
        column,
        detail: format!("no impl {trait_} for {ty}"),
    }]
}

fn dependency_entries<'e, 'a>(
    index: &'e FileIndex<'a>,
    target: &TargetSpec,
    dependency: &Dependency,
) -> Vec<&'e Entry<'a>> {
    index
        .resolve(&target.target)
        .into_iter()
        .map(|i| &index.entries[i])
        .filter(|e| match dependency {
            Dependency::Field(_) => e.kind == EntryKind::Item(ItemKind::Struct),
            Dependency::Param(_) => {
                matches!(e.kind, EntryKind::Item(ItemKind::Fn) | EntryKind::Method)
            }
        })
        .collect()
}

/// The declared type of the dependency and the scope to read it in.
fn locate_dependency<'i, 'a>(
    index: &'i FileIndex<'a>,
    entry: &Entry<'a>,
    dependency: &Dependency,
) -> Option<(&'a syn::Type, Scope<'i, 'a>)> {
    match (dependency, entry.node) {
        (Dependency::Field(name), Node::Item(syn::Item::Struct(item))) => {
            let field = item.fields.iter().enumerate().find_map(|(i, f)| {
                let fits = match &f.ident {
                    Some(ident) => ident == name,
                    None => i.to_string() == *name,
                };
                fits.then_some(f)
            })?;
            Some((
                &field.ty,
                Scope::for_struct(index, item, &entry.module, &[]),
            ))
        }
        (Dependency::Param(name), node) => {
            let (sig, mut scope) = match node {
                Node::Item(syn::Item::Fn(f)) => (&f.sig, Scope::new(index, &entry.module)),
                Node::Method { imp, func } => {
                    (&func.sig, Scope::for_impl(index, imp, &entry.module))
                }
                Node::TraitMethod { tr, func } => {
                    (&func.sig, Scope::for_trait(index, tr, &entry.module))
                }
                Node::Item(_) => return None,
            };
            let extra = scope.generic_params(&sig.generics);
            scope.generics.extend(extra);
            let ty = sig.inputs.iter().find_map(|input| match input {
                syn::FnArg::Typed(p) if binds(&p.pat, name) => Some(&*p.ty),
                _ => None,
            })?;
            Some((ty, scope))
        }
        _ => None,
    }
}

/// Whether a parameter pattern binds `name` (`repo`, `mut repo`,
/// `State(repo)`).
fn binds(pat: &syn::Pat, name: &str) -> bool {
    match pat {
        syn::Pat::Ident(p) => p.ident == name,
        syn::Pat::TupleStruct(p) => p.elems.iter().any(|e| binds(e, name)),
        syn::Pat::Reference(p) => binds(&p.pat, name),
        syn::Pat::Paren(p) => binds(&p.pat, name),
        _ => false,
    }
}

fn depend_on_trait(
    index: &FileIndex<'_>,
    target: &TargetSpec,
    dependency: &Dependency,
    trait_: Option<&PathPattern>,
) -> Vec<Violation> {
    let entries = dependency_entries(index, target, dependency);
    if entries.is_empty() {
        let as_kind = match (&target.target, dependency) {
            (Target::Item { kind: None, .. }, Dependency::Field(_)) => {
                format!("struct {}", target.text)
            }
            (Target::Item { kind: None, .. }, Dependency::Param(_))
                if !target.text.contains("::") =>
            {
                format!("fn {}", target.text)
            }
            _ => target.text.clone(),
        };
        let mut detail = format!("{as_kind} not found");
        if let Some(near) = index.suggest(&target.text) {
            detail.push_str(&format!("; did you mean {near}?"));
        }
        return vec![Violation {
            line: 1,
            column: 1,
            detail,
        }];
    }
    let what = dependency.describe();
    let mut violations = Vec::new();
    for entry in entries {
        let Some((declared, scope)) = locate_dependency(index, entry, dependency) else {
            let (line, column) = location(entry.span);
            violations.push(Violation {
                line,
                column,
                detail: format!("{} has no {what}", entry.label),
            });
            continue;
        };
        let (line, column) = location(syn::spanned::Spanned::span(declared));
        let problem = match core(&scope.ty(declared)) {
            Ty::Abstract(bounds) if bounds.is_empty() => Some(format!(
                "{what} is generic {} without a trait bound",
                render_type(core_syn(declared))
            )),
            Ty::Abstract(bounds) => {
                let names: Vec<String> = bounds.iter().map(|b| join(b)).collect();
                match trait_ {
                    Some(t) if !bounds.iter().any(|b| t.matches(b)) => {
                        Some(format!("{what} is bound by {}, not {t}", names.join(" + ")))
                    }
                    Some(_) => None,
                    None if bounds.iter().all(|b| {
                        b.last()
                            .is_some_and(|l| MARKER_TRAITS.contains(&l.as_str()))
                    }) =>
                    {
                        Some(format!(
                            "{what} is bound only by {}; bound it by the trait it depends on",
                            names.join(" + ")
                        ))
                    }
                    None => None,
                }
            }
            Ty::Path { .. } | Ty::Ref(_) => Some(format!(
                "{what} has concrete type {}",
                render_type(declared)
            )),
            Ty::Unknown => Some(format!(
                "{what} has type {}, which is not a trait",
                render_type(declared)
            )),
        };
        if let Some(detail) = problem {
            violations.push(Violation {
                line,
                column,
                detail,
            });
        }
    }
    violations
}

/// The type inside references and wrappers such as `Arc<Mutex<..>>`.
fn core(ty: &Ty) -> Ty {
    let mut current = ty;
    loop {
        match current {
            Ty::Ref(inner) => current = inner,
            Ty::Path { path, args }
                if args.len() == 1
                    && path
                        .last()
                        .is_some_and(|l| DEPENDENCY_WRAPPERS.contains(&l.as_str())) =>
            {
                current = &args[0];
            }
            other => return other.clone(),
        }
    }
}

/// The same peeling on the written type, to name a generic parameter.
fn core_syn(ty: &syn::Type) -> &syn::Type {
    match ty {
        syn::Type::Reference(r) => core_syn(&r.elem),
        syn::Type::Paren(p) => core_syn(&p.elem),
        syn::Type::Group(g) => core_syn(&g.elem),
        syn::Type::Path(p) => {
            let Some(last) = p.path.segments.last() else {
                return ty;
            };
            if !DEPENDENCY_WRAPPERS.contains(&last.ident.to_string().as_str()) {
                return ty;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return ty;
            };
            let mut types = args.args.iter().filter_map(|a| match a {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            });
            match (types.next(), types.next()) {
                (Some(inner), None) => core_syn(inner),
                _ => ty,
            }
        }
        _ => ty,
    }
}
