//! The two rules about declarations rather than code: `require_impl` (the
//! file has `impl Trait for Type`) and `depend_on_trait` (a field or a
//! parameter holds its dependency as a trait, not a concrete type).

use super::Violation;
use super::index::{Entry, EntryKind, FileIndex, Node};
use super::pattern::PathPattern;
use super::scope::Scope;
use super::syntax::location;
use super::target::{ItemKind, Target, TargetSpec};
use super::types::{DEPENDENCY_WRAPPERS, Ty, join, render_type};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Dependency {
    Field(String),
    Param(String),
}

impl Dependency {
    pub(crate) fn describe(&self) -> String {
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

pub(crate) fn type_entries<'e, 'a>(
    index: &'e FileIndex<'a>,
    ty: &PathPattern,
) -> Vec<&'e Entry<'a>> {
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

pub(crate) fn require_impl(
    index: &FileIndex<'_>,
    ty: &PathPattern,
    trait_: &PathPattern,
) -> Vec<Violation> {
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

pub(crate) fn dependency_entries<'e, 'a>(
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
pub(crate) fn locate_dependency<'i, 'a>(
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

pub(crate) fn depend_on_trait(
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
