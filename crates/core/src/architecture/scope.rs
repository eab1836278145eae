//! How names are resolved at one place in the file: through the `use`
//! aliases of the module and of enclosing blocks, `crate::`/`self::`/`super::`,
//! the generic parameters in scope and what `Self` is.
//!
//! A scope never guesses a type; `infer` builds on it to do that.

use super::index::{Aliases, FileIndex};
use super::pattern::strip_anchors;
use super::syntax::with;
use super::types::{Ty, segments};

/// How names are resolved at one place in the file: the module, the `use`
/// declarations of enclosing blocks, the generic parameters in scope and
/// what `Self` is.
#[derive(Clone)]
pub(crate) struct Scope<'i, 'a> {
    pub(crate) index: &'i FileIndex<'a>,
    pub(crate) module: Vec<String>,
    /// Generic parameters in scope, innermost last, with what each stands
    /// for (usually `Ty::Abstract` of its bounds).
    pub(crate) generics: Vec<(String, Ty)>,
    pub(crate) self_ty: Option<Ty>,
    pub(crate) local_aliases: Vec<Aliases>,
}

/// A path after `use` aliases and `Self` were replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Resolved {
    pub(crate) path: Vec<String>,
    pub(crate) via_alias: bool,
}

/// Deepest chain of aliases followed (`use rusqlite as db; use db::Connection`).
const ALIAS_DEPTH: usize = 3;

impl<'i, 'a> Scope<'i, 'a> {
    pub(crate) fn new(index: &'i FileIndex<'a>, module: &[String]) -> Scope<'i, 'a> {
        Scope {
            index,
            module: module.to_vec(),
            generics: Vec::new(),
            self_ty: None,
            local_aliases: Vec::new(),
        }
    }

    /// The scope inside an impl block: its generics and its `Self`.
    pub(crate) fn for_impl(
        index: &'i FileIndex<'a>,
        imp: &syn::ItemImpl,
        module: &[String],
    ) -> Scope<'i, 'a> {
        let mut scope = Scope::new(index, module);
        scope.generics = scope.generic_params(&imp.generics);
        scope.self_ty = Some(scope.ty(&imp.self_ty));
        scope
    }

    /// The scope inside a trait definition: `Self` is "some implementor".
    pub(crate) fn for_trait(
        index: &'i FileIndex<'a>,
        tr: &syn::ItemTrait,
        module: &[String],
    ) -> Scope<'i, 'a> {
        let mut scope = Scope::new(index, module);
        scope.generics = scope.generic_params(&tr.generics);
        scope.self_ty = Some(Ty::Abstract(vec![with(module, &tr.ident.to_string())]));
        scope
    }

    /// The scope of a struct's fields seen through a value of type
    /// `Name<args..>`: each generic parameter stands for the matching
    /// argument when it is known, for its bounds otherwise (from the struct
    /// and from the struct's impl blocks).
    pub(crate) fn for_struct(
        index: &'i FileIndex<'a>,
        item: &syn::ItemStruct,
        module: &[String],
        args: &[Ty],
    ) -> Scope<'i, 'a> {
        let mut scope = Scope::new(index, module);
        let declared = scope.generic_params(&item.generics);
        let name = item.ident.to_string();
        scope.generics = declared
            .into_iter()
            .enumerate()
            .map(|(i, (param, declared_ty))| {
                let value = match args.get(i) {
                    Some(arg) if *arg != Ty::Unknown => arg.clone(),
                    _ => match declared_ty {
                        Ty::Abstract(mut bounds) => {
                            for bound in index.impl_bounds(&name, i) {
                                if !bounds.contains(&bound) {
                                    bounds.push(bound);
                                }
                            }
                            Ty::Abstract(bounds)
                        }
                        other => other,
                    },
                };
                (param, value)
            })
            .collect();
        scope
    }

    /// What `name` is short for, seen from module `module` (the current one
    /// when `local` is set, which also consults block-level `use`s).
    fn alias(&self, name: &str, module: &[String], local: bool) -> Option<&Vec<String>> {
        if local && let Some(found) = self.local_aliases.iter().rev().find_map(|a| a.get(name)) {
            return Some(found);
        }
        // Inner modules see their parents' aliases: the usual `use super::*`.
        (0..=module.len())
            .rev()
            .find_map(|k| self.index.aliases.get(&module[..k])?.get(name))
    }

    /// The module a path's leading `crate::`, `self::` and `super::` point
    /// at, and how many segments they take.
    fn anchored_module(&self, path: &[String]) -> (Vec<String>, usize) {
        let mut module = self.module.clone();
        let mut taken = 0;
        for segment in path {
            match segment.as_str() {
                "crate" if taken == 0 => module.clear(),
                "self" if taken == 0 => {}
                "super" => {
                    module.pop();
                }
                _ => break,
            }
            taken += 1;
        }
        (module, taken)
    }

    /// Resolves a path as written through `use` aliases; with `expand_self`,
    /// a leading `Self` becomes the impl's type.
    pub(crate) fn resolve(&self, path: &syn::Path, expand_self: bool) -> Resolved {
        let written = segments(path);
        if path.leading_colon.is_some() {
            return Resolved {
                path: strip_anchors(&written).to_vec(),
                via_alias: false,
            };
        }
        self.resolve_segments(written, expand_self)
    }

    pub(crate) fn resolve_segments(&self, written: Vec<String>, expand_self: bool) -> Resolved {
        let mut path = written;
        let mut via_alias = false;
        if expand_self && path.first().is_some_and(|s| s == "Self") {
            if let Some(Ty::Path {
                path: self_path, ..
            }) = &self.self_ty
            {
                path.splice(0..1, self_path.iter().cloned());
            }
        } else {
            // `super::Db` is the parent module's `Db`.
            let (module, taken) = self.anchored_module(&path);
            if taken > 0
                && path.len() > taken
                && let Some(target) = self.alias(&path[taken], &module, false)
            {
                let rest = path.split_off(taken + 1);
                path = target.iter().cloned().chain(rest).collect();
                via_alias = true;
            }
            for _ in 0..ALIAS_DEPTH {
                let Some(first) = path.first() else { break };
                let Some(target) = self.alias(first, &self.module, true) else {
                    break;
                };
                // `use std::fs;` maps `fs` to `std::fs`: stop once a name
                // maps to itself.
                if target.len() == 1 && target[0] == *first {
                    break;
                }
                let rest = path.split_off(1);
                path = target.iter().cloned().chain(rest).collect();
                via_alias = true;
            }
        }
        Resolved {
            path: strip_anchors(&path).to_vec(),
            via_alias,
        }
    }

    /// A path made absolute within the file: through an alias when it is one,
    /// otherwise prefixed with the current module. Used to name impl blocks
    /// and traits the way targets name them.
    pub(crate) fn qualify(&self, path: &syn::Path) -> Vec<String> {
        let resolved = self.resolve(path, false);
        let anchored = path.leading_colon.is_some()
            || path
                .segments
                .first()
                .is_some_and(|s| s.ident == "crate" || s.ident == "self" || s.ident == "super");
        if resolved.via_alias || anchored {
            resolved.path
        } else {
            self.module.iter().cloned().chain(resolved.path).collect()
        }
    }

    /// Generic parameters of `generics` with their bounds, `where` clauses
    /// included, as `Ty::Abstract`.
    pub(crate) fn generic_params(&self, generics: &syn::Generics) -> Vec<(String, Ty)> {
        let mut params: Vec<(String, Vec<Vec<String>>)> = generics
            .params
            .iter()
            .filter_map(|param| match param {
                syn::GenericParam::Type(t) => {
                    Some((t.ident.to_string(), self.bounds(t.bounds.iter())))
                }
                _ => None,
            })
            .collect();
        if let Some(clause) = &generics.where_clause {
            for predicate in &clause.predicates {
                let syn::WherePredicate::Type(p) = predicate else {
                    continue;
                };
                let syn::Type::Path(bounded) = &p.bounded_ty else {
                    continue;
                };
                let Some(name) = bounded.path.get_ident() else {
                    continue;
                };
                let extra = self.bounds(p.bounds.iter());
                if let Some((_, bounds)) = params.iter_mut().find(|(n, _)| name == n) {
                    bounds.extend(extra);
                }
            }
        }
        params
            .into_iter()
            .map(|(name, bounds)| (name, Ty::Abstract(bounds)))
            .collect()
    }

    /// Resolved trait paths of a bound list; lifetimes are dropped.
    pub(crate) fn bounds<'b>(
        &self,
        bounds: impl Iterator<Item = &'b syn::TypeParamBound>,
    ) -> Vec<Vec<String>> {
        bounds
            .filter_map(|bound| match bound {
                syn::TypeParamBound::Trait(t) => Some(self.resolve(&t.path, false).path),
                _ => None,
            })
            .collect()
    }
}
