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
//!
//! The index only gathers; `scope` resolves names against it and `infer`
//! works out types from what it holds.

use std::collections::HashMap;

use proc_macro2::Span;
use syn::spanned::Spanned;

use super::pattern::{ItemKind, Target};
use super::scope::Scope;
use super::syntax::{collect_use, impl_self_path, walk_items, with};

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
    pub(crate) aliases: HashMap<Vec<String>, Aliases>,
    pub(crate) structs: HashMap<String, (&'a syn::ItemStruct, Vec<String>)>,
    pub(crate) type_aliases: HashMap<String, (&'a syn::ItemType, Vec<String>)>,
    pub(crate) fns: HashMap<String, (&'a syn::ItemFn, Vec<String>)>,
    pub(crate) methods:
        HashMap<(String, String), (&'a syn::ItemImpl, &'a syn::ImplItemFn, Vec<String>)>,
    pub(crate) trait_methods:
        HashMap<(String, String), (&'a syn::ItemTrait, &'a syn::Signature, Vec<String>)>,
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
}
