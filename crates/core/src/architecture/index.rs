//! What a file declares, gathered once per evaluation: its items and the
//! paths they answer to, the `use` aliases of each module, struct fields,
//! type aliases and the signatures of its functions and methods.
//!
//! Every rule works from this index instead of walking the tree on its own,
//! so that "where is `UserService::create`?" and "what is `Db` short for?"
//! have one answer. The exercise's own tests (its `mod tests`) are left out
//! entirely: they build fakes, open connections and use `HashMap`s freely, and
//! must never satisfy or break a rule. The learner cannot move code there (the
//! tests must stay the original ones, see `crate::contract`). Any other
//! `#[cfg(test)]` code is code: it is compiled into the test binary, the one the
//! verdict runs.

use std::collections::HashMap;

use proc_macro2::Span;
use syn::spanned::Spanned;

use super::pattern::{ItemKind, Target, strip_anchors};
use super::types::{Ty, segments};

/// `use` aliases of one module or block: the name in scope and the path it
/// stands for (`Db` -> `rusqlite::Connection`, `fs` -> `std::fs`).
pub(crate) type Aliases = HashMap<String, Vec<String>>;

/// A named place in the file that a target can name.
#[derive(Debug)]
pub(crate) struct Entry<'a> {
    pub(crate) node: Node<'a>,
    pub(crate) kind: EntryKind,
    /// Inline modules around the entry, outermost first.
    pub(crate) module: Vec<String>,
    /// The paths the entry answers to: `module::name` for an item,
    /// `module::Type::method` (and `module::Trait::method` in a trait impl)
    /// for a method, `module::Type` for an impl block.
    pub(crate) paths: Vec<Vec<String>>,
    /// How a "did you mean" suggestion spells it.
    pub(crate) label: String,
    /// Where a violation about the entry as a whole points: its name.
    pub(crate) span: Span,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Node<'a> {
    Item(&'a syn::Item),
    Method {
        imp: &'a syn::ItemImpl,
        func: &'a syn::ImplItemFn,
    },
    TraitMethod {
        tr: &'a syn::ItemTrait,
        func: &'a syn::TraitItemFn,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EntryKind {
    Item(ItemKind),
    Method,
    Impl { trait_: Option<Vec<String>> },
}

#[derive(Debug)]
pub(crate) struct FileIndex<'a> {
    pub(crate) file: &'a syn::File,
    pub(crate) entries: Vec<Entry<'a>>,
    aliases: HashMap<Vec<String>, Aliases>,
    structs: HashMap<String, (&'a syn::ItemStruct, Vec<String>)>,
    type_aliases: HashMap<String, (&'a syn::ItemType, Vec<String>)>,
    fns: HashMap<String, (&'a syn::ItemFn, Vec<String>)>,
    methods: HashMap<(String, String), (&'a syn::ItemImpl, &'a syn::ImplItemFn, Vec<String>)>,
    trait_methods: HashMap<(String, String), (&'a syn::ItemTrait, &'a syn::Signature, Vec<String>)>,
    pub(crate) impls: Vec<(&'a syn::ItemImpl, Vec<String>)>,
}

impl<'a> FileIndex<'a> {
    pub(crate) fn new(file: &'a syn::File) -> FileIndex<'a> {
        let mut index = FileIndex {
            file,
            entries: Vec::new(),
            aliases: HashMap::new(),
            structs: HashMap::new(),
            type_aliases: HashMap::new(),
            fns: HashMap::new(),
            methods: HashMap::new(),
            trait_methods: HashMap::new(),
            impls: Vec::new(),
        };
        // Aliases first: qualifying an impl's self type needs all of them.
        walk_items(&file.items, &mut Vec::new(), &mut |item, module| {
            if let syn::Item::Use(u) = item {
                let aliases = index.aliases.entry(module.to_vec()).or_default();
                collect_use(&u.tree, &mut Vec::new(), aliases);
            }
        });
        let mut entries = Vec::new();
        walk_items(&file.items, &mut Vec::new(), &mut |item, module| {
            index.add_item(item, module, &mut entries);
        });
        index.entries = entries;
        index
    }

    fn add_item(&mut self, item: &'a syn::Item, module: &[String], entries: &mut Vec<Entry<'a>>) {
        let named = |kind: ItemKind, ident: &syn::Ident| Entry {
            node: Node::Item(item),
            kind: EntryKind::Item(kind),
            module: module.to_vec(),
            paths: vec![with(module, &ident.to_string())],
            label: ident.to_string(),
            span: ident.span(),
        };
        match item {
            syn::Item::Fn(f) => {
                self.fns
                    .entry(f.sig.ident.to_string())
                    .or_insert((f, module.to_vec()));
                entries.push(named(ItemKind::Fn, &f.sig.ident));
            }
            syn::Item::Struct(s) => {
                self.structs
                    .entry(s.ident.to_string())
                    .or_insert((s, module.to_vec()));
                entries.push(named(ItemKind::Struct, &s.ident));
            }
            syn::Item::Enum(e) => entries.push(named(ItemKind::Enum, &e.ident)),
            syn::Item::Union(u) => entries.push(named(ItemKind::Union, &u.ident)),
            syn::Item::Mod(m) => entries.push(named(ItemKind::Mod, &m.ident)),
            syn::Item::Const(c) => entries.push(named(ItemKind::Const, &c.ident)),
            syn::Item::Static(s) => entries.push(named(ItemKind::Static, &s.ident)),
            syn::Item::Type(t) => {
                self.type_aliases
                    .entry(t.ident.to_string())
                    .or_insert((t, module.to_vec()));
                entries.push(named(ItemKind::Type, &t.ident));
            }
            syn::Item::Trait(t) => {
                entries.push(named(ItemKind::Trait, &t.ident));
                let trait_path = with(module, &t.ident.to_string());
                for trait_item in &t.items {
                    if let syn::TraitItem::Fn(func) = trait_item {
                        let name = func.sig.ident.to_string();
                        self.trait_methods
                            .entry((t.ident.to_string(), name.clone()))
                            .or_insert((t, &func.sig, module.to_vec()));
                        entries.push(Entry {
                            node: Node::TraitMethod { tr: t, func },
                            kind: EntryKind::Method,
                            module: module.to_vec(),
                            paths: vec![with(&trait_path, &name)],
                            label: format!("{}::{name}", t.ident),
                            span: func.sig.ident.span(),
                        });
                    }
                }
            }
            syn::Item::Impl(imp) => self.add_impl(item, imp, module, entries),
            _ => {}
        }
    }

    fn add_impl(
        &mut self,
        item: &'a syn::Item,
        imp: &'a syn::ItemImpl,
        module: &[String],
        entries: &mut Vec<Entry<'a>>,
    ) {
        self.impls.push((imp, module.to_vec()));
        let Some(self_path) = impl_self_path(imp) else {
            return;
        };
        let scope = Scope::new(self, module);
        let self_q = scope.qualify(self_path);
        let trait_q = imp.trait_.as_ref().map(|(path, _)| scope.qualify(path));
        let type_name = self_q.last().cloned().unwrap_or_default();
        let label = match &trait_q {
            Some(t) => format!(
                "impl {} for {type_name}",
                t.last().map_or("", String::as_str)
            ),
            None => format!("impl {type_name}"),
        };
        let mut methods = Vec::new();
        for impl_item in &imp.items {
            if let syn::ImplItem::Fn(func) = impl_item {
                let name = func.sig.ident.to_string();
                methods.push(((type_name.clone(), name.clone()), func));
                let mut paths = vec![with(&self_q, &name)];
                if let Some(t) = &trait_q {
                    paths.push(with(t, &name));
                }
                entries.push(Entry {
                    node: Node::Method { imp, func },
                    kind: EntryKind::Method,
                    module: module.to_vec(),
                    paths,
                    label: format!("{type_name}::{name}"),
                    span: func.sig.ident.span(),
                });
            }
        }
        entries.push(Entry {
            node: Node::Item(item),
            kind: EntryKind::Impl { trait_: trait_q },
            module: module.to_vec(),
            paths: vec![self_q],
            label,
            span: imp.self_ty.span(),
        });
        for (key, func) in methods {
            self.methods
                .entry(key)
                .or_insert((imp, func, module.to_vec()));
        }
    }
}

impl<'a> FileIndex<'a> {
    /// Indices of the entries a target names (empty for `*`, which the
    /// caller scans as a whole file).
    pub(crate) fn resolve(&self, target: &Target) -> Vec<usize> {
        let wanted = |i: &usize| {
            let entry = &self.entries[*i];
            match target {
                Target::File => false,
                Target::Item { kind, path } => {
                    let kind_fits = match (&entry.kind, kind) {
                        (EntryKind::Impl { .. }, _) => false,
                        // A method is only ever named as `Type::method`.
                        (EntryKind::Method, None | Some(ItemKind::Fn)) => path.len() >= 2,
                        (EntryKind::Method, Some(_)) => false,
                        (EntryKind::Item(_), None) => true,
                        (EntryKind::Item(own), Some(k)) => own == k,
                    };
                    kind_fits && entry.paths.iter().any(|p| p.ends_with(path))
                }
                Target::Impl { self_ty, trait_ } => match &entry.kind {
                    EntryKind::Impl { trait_: own } => {
                        entry.paths.iter().any(|p| p.ends_with(self_ty))
                            && match (trait_, own) {
                                (None, _) => true,
                                (Some(wanted), Some(own)) => own.ends_with(wanted),
                                (Some(_), None) => false,
                            }
                    }
                    _ => false,
                },
            }
        };
        (0..self.entries.len()).filter(wanted).collect()
    }

    /// The closest label to what a target asked for, for "did you mean".
    pub(crate) fn suggest(&self, asked: &str) -> Option<&str> {
        let asked = asked.rsplit(' ').next().unwrap_or(asked);
        crate::suggest::closest(asked, self.entries.iter().map(|e| e.label.as_str()))
    }

    /// A non-generic or generic type alias of this file, with its module.
    pub(crate) fn type_alias(&self, name: &str) -> Option<(&'a syn::ItemType, &[String])> {
        self.type_aliases.get(name).map(|(t, m)| (*t, m.as_slice()))
    }

    pub(crate) fn struct_named(&self, name: &str) -> Option<(&'a syn::ItemStruct, &[String])> {
        self.structs.get(name).map(|(s, m)| (*s, m.as_slice()))
    }

    /// The return type of a free function of this file.
    fn fn_return(&self, name: &str) -> Option<Ty> {
        let (func, module) = self.fns.get(name)?;
        let mut scope = Scope::new(self, module);
        scope.generics = scope.generic_params(&func.sig.generics);
        Some(scope.return_type(&func.sig.output))
    }

    /// The return type of `Type::method` defined in this file, read inside
    /// its impl block (so `Self` is the impl's type).
    fn method_return(&self, type_name: &str, method: &str) -> Option<Ty> {
        let (imp, func, module) = self
            .methods
            .get(&(type_name.to_string(), method.to_string()))?;
        let mut scope = Scope::for_impl(self, imp, module);
        let extra = scope.generic_params(&func.sig.generics);
        scope.generics.extend(extra);
        Some(scope.return_type(&func.sig.output))
    }

    fn trait_method_return(&self, receiver: &Ty, trait_name: &str, method: &str) -> Option<Ty> {
        let (_, sig, module) = self
            .trait_methods
            .get(&(trait_name.to_string(), method.to_string()))?;
        let mut scope = Scope::new(self, module);
        scope.self_ty = Some(receiver.clone());
        scope.generics = scope.generic_params(&sig.generics);
        Some(scope.return_type(&sig.output))
    }

    /// Bounds the impls of struct `name` put on its generic parameter at
    /// `position` (`impl<R: UserRepository> UserService<R>` bounds the
    /// first), since idiomatic code bounds the impl rather than the struct.
    pub(crate) fn impl_bounds(&self, name: &str, position: usize) -> Vec<Vec<String>> {
        let mut bounds = Vec::new();
        for (imp, module) in &self.impls {
            let Some(path) = impl_self_path(imp) else {
                continue;
            };
            let Some(last) = path.segments.last() else {
                continue;
            };
            if last.ident != name {
                continue;
            }
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                continue;
            };
            let types: Vec<&syn::Type> = args
                .args
                .iter()
                .filter_map(|a| match a {
                    syn::GenericArgument::Type(t) => Some(t),
                    _ => None,
                })
                .collect();
            let Some(arg) = types.get(position) else {
                continue;
            };
            let scope = Scope::for_impl(self, imp, module);
            if let Ty::Abstract(found) = scope.ty(arg) {
                for bound in found {
                    if !bounds.contains(&bound) {
                        bounds.push(bound);
                    }
                }
            }
        }
        bounds
    }
}

/// How names are resolved at one place in the file: the module, the `use`
/// declarations of enclosing blocks, the generic parameters in scope and
/// what `Self` is.
#[derive(Debug, Clone)]
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
/// Deepest chain of type aliases expanded.
const TYPE_ALIAS_DEPTH: usize = 8;

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

    fn return_type(&self, output: &syn::ReturnType) -> Ty {
        match output {
            syn::ReturnType::Default => Ty::Unknown,
            syn::ReturnType::Type(_, ty) => self.ty(ty),
        }
    }

    pub(crate) fn ty(&self, ty: &syn::Type) -> Ty {
        self.ty_at(ty, 0)
    }

    fn ty_at(&self, ty: &syn::Type, depth: usize) -> Ty {
        match ty {
            syn::Type::Path(p) if p.qself.is_none() => self.path_ty(&p.path, depth),
            syn::Type::Reference(r) => Ty::Ref(Box::new(self.ty_at(&r.elem, depth))),
            syn::Type::Ptr(p) => Ty::Ref(Box::new(self.ty_at(&p.elem, depth))),
            syn::Type::Paren(p) => self.ty_at(&p.elem, depth),
            syn::Type::Group(g) => self.ty_at(&g.elem, depth),
            syn::Type::TraitObject(t) => Ty::Abstract(self.bounds(t.bounds.iter())),
            syn::Type::ImplTrait(t) => Ty::Abstract(self.bounds(t.bounds.iter())),
            _ => Ty::Unknown,
        }
    }

    fn path_ty(&self, path: &syn::Path, depth: usize) -> Ty {
        if path.leading_colon.is_none() {
            if let Some(ident) = path.get_ident() {
                let name = ident.to_string();
                if name == "Self" {
                    return self.self_ty.clone().unwrap_or(Ty::Unknown);
                }
                if let Some((_, ty)) = self.generics.iter().rev().find(|(n, _)| *n == name) {
                    return ty.clone();
                }
                if let Some((alias, module)) = self.index.type_aliases.get(&name)
                    && alias.generics.params.is_empty()
                    && depth < TYPE_ALIAS_DEPTH
                {
                    return Scope::new(self.index, module).ty_at(&alias.ty, depth + 1);
                }
            }
            if path.segments.first().is_some_and(|s| s.ident == "Self") {
                // An associated type such as `Self::Error`.
                return Ty::Unknown;
            }
        }
        let args = match path.segments.last().map(|s| &s.arguments) {
            Some(syn::PathArguments::AngleBracketed(args)) => args
                .args
                .iter()
                .filter_map(|arg| match arg {
                    syn::GenericArgument::Type(t) => Some(self.ty_at(t, depth)),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        Ty::Path {
            path: self.resolve(path, false).path,
            args,
        }
    }

    /// The type of `base.member`, when `base` is a struct of this file.
    pub(crate) fn field_ty(&self, base: &Ty, member: &syn::Member) -> Ty {
        for layer in base.deref_chain() {
            let Ty::Path { path, args } = layer else {
                continue;
            };
            let Some(name) = path.last() else { continue };
            let Some((item, module)) = self.index.struct_named(name) else {
                continue;
            };
            let Some(field) = find_field(item, member) else {
                return Ty::Unknown;
            };
            return Scope::for_struct(self.index, item, module, args).ty(&field.ty);
        }
        Ty::Unknown
    }

    /// The type a method of this file returns on a receiver of type `receiver`.
    pub(crate) fn method_ty(&self, receiver: &Ty, method: &str) -> Ty {
        for layer in receiver.deref_chain() {
            match layer {
                Ty::Path { path, .. } => {
                    let Some(name) = path.last() else { continue };
                    if let Some(ty) = self.index.method_return(name, method) {
                        return ty;
                    }
                }
                Ty::Abstract(bounds) => {
                    for bound in bounds {
                        let Some(name) = bound.last() else { continue };
                        if let Some(ty) = self.index.trait_method_return(layer, name, method) {
                            return ty;
                        }
                    }
                }
                _ => {}
            }
        }
        Ty::Unknown
    }

    /// The type a call of `path` returns: a function of this file by its
    /// signature, `Arc::new(x)` and friends by their argument, and
    /// `Type::anything(..)` as `Type`, the usual shape of constructors
    /// (`HashMap::new()`, `Connection::open(..)?`).
    pub(crate) fn call_ty(&self, path: &[String], first_arg: Option<Ty>) -> Ty {
        let Some((last, owner)) = path.split_last() else {
            return Ty::Unknown;
        };
        let Some(owner_name) = owner.last() else {
            if let Some(ty) = self.index.fn_return(last) {
                return ty;
            }
            if starts_upper(last) && !["Some", "Ok", "Err"].contains(&last.as_str()) {
                return Ty::named(path.to_vec());
            }
            return Ty::Unknown;
        };
        const WRAPPERS: [&str; 8] = [
            "Box", "Arc", "Rc", "Mutex", "RwLock", "RefCell", "Cell", "Pin",
        ];
        if last == "new"
            && WRAPPERS.contains(&owner_name.as_str())
            && let Some(arg) = first_arg
        {
            return Ty::Path {
                path: owner.to_vec(),
                args: vec![arg],
            };
        }
        if let Some(ty) = self.index.method_return(owner_name, last) {
            return ty;
        }
        if starts_upper(owner_name) {
            return Ty::named(owner.to_vec());
        }
        Ty::Unknown
    }
}

fn starts_upper(name: &str) -> bool {
    name.starts_with(|c: char| c.is_uppercase())
}

pub(crate) fn find_field<'s>(
    item: &'s syn::ItemStruct,
    member: &syn::Member,
) -> Option<&'s syn::Field> {
    match member {
        syn::Member::Named(name) => item
            .fields
            .iter()
            .find(|f| f.ident.as_ref().is_some_and(|i| i == name)),
        syn::Member::Unnamed(index) => item.fields.iter().nth(index.index as usize),
    }
}

/// Calls `visit` for every item of the file outside its `mod tests`,
/// descending into inline modules, with the module path of each.
pub(crate) fn walk_items<'a>(
    items: &'a [syn::Item],
    module: &mut Vec<String>,
    visit: &mut impl FnMut(&'a syn::Item, &[String]),
) {
    for item in items {
        if is_shipped_tests(item) {
            continue;
        }
        visit(item, module);
        if let syn::Item::Mod(m) = item
            && let Some((_, content)) = &m.content
        {
            module.push(m.ident.to_string());
            walk_items(content, module, visit);
            module.pop();
        }
    }
}

/// Records the names a `use` tree brings into scope.
pub(crate) fn collect_use(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Aliases) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            collect_use(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            if n.ident == "self" {
                if let Some(last) = prefix.last() {
                    out.insert(last.clone(), prefix.clone());
                }
            } else {
                out.insert(n.ident.to_string(), with(prefix, &n.ident.to_string()));
            }
        }
        syn::UseTree::Rename(r) => {
            if r.rename == "_" {
                return;
            }
            let target = if r.ident == "self" {
                prefix.clone()
            } else {
                with(prefix, &r.ident.to_string())
            };
            out.insert(r.rename.to_string(), target);
        }
        // A glob brings in names this index cannot see; see the limits in
        // docs/checks.md.
        syn::UseTree::Glob(_) => {}
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                collect_use(tree, prefix, out);
            }
        }
    }
}

/// Every path a `use` tree names, with the span of its last segment; a glob
/// ends in a `*` segment.
pub(crate) fn use_leaves(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Span)>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_leaves(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let path = if n.ident == "self" {
                prefix.clone()
            } else {
                with(prefix, &n.ident.to_string())
            };
            out.push((path, n.ident.span()));
        }
        syn::UseTree::Rename(r) => {
            let path = if r.ident == "self" {
                prefix.clone()
            } else {
                with(prefix, &r.ident.to_string())
            };
            out.push((path, r.ident.span()));
        }
        // `use rusqlite::*;` mentions "everything under rusqlite".
        syn::UseTree::Glob(g) => out.push((with(prefix, "*"), g.star_token.span)),
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                use_leaves(tree, prefix, out);
            }
        }
    }
}

/// The path of an impl's self type, behind references and parentheses.
pub(crate) fn impl_self_path(imp: &syn::ItemImpl) -> Option<&syn::Path> {
    let mut ty = &*imp.self_ty;
    loop {
        match ty {
            syn::Type::Path(p) => return Some(&p.path),
            syn::Type::Reference(r) => ty = &r.elem,
            syn::Type::Paren(p) => ty = &p.elem,
            syn::Type::Group(g) => ty = &g.elem,
            _ => return None,
        }
    }
}

/// The exercise's own tests: its `mod tests`, whatever its attributes.
pub(crate) fn is_shipped_tests(item: &syn::Item) -> bool {
    matches!(item, syn::Item::Mod(m) if m.ident == crate::contract::TESTS_MODULE)
}

/// `prefix::name` as a new path.
pub(crate) fn with(prefix: &[String], name: &str) -> Vec<String> {
    let mut path = prefix.to_vec();
    path.push(name.to_string());
    path
}

/// The 1-based line and column where a span starts; `1:1` for a span with
/// no location (synthesised tokens).
pub(crate) fn location(span: Span) -> (usize, usize) {
    let start = span.start();
    if start.line == 0 {
        (1, 1)
    } else {
        (start.line, start.column + 1)
    }
}
