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

use std::collections::{HashMap, HashSet};

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

use super::scope::Scope;
use super::syntax::{collect_use, impl_self_path, is_shipped_tests, walk_items, with};
use super::target::{ItemKind, Target};
use super::types::render_type;

/// `use` aliases of one module or block: the name in scope and the path it
/// stands for (`Db` -> `rusqlite::Connection`, `fs` -> `std::fs`).
pub(crate) type Aliases = HashMap<String, Vec<String>>;

/// A named place in the file that a target can name.
pub(crate) struct Entry<'a> {
    pub(crate) node: Node<'a>,
    pub(crate) kind: EntryKind,
    /// Inline modules around the entry, outermost first.
    pub(crate) module: Vec<String>,
    /// The paths the entry answers to: `module::name` for an item,
    /// `module::Type::method` (and `module::Trait::method` in a trait impl)
    /// for a method, `module::Type` for an impl block.
    pub(crate) paths: Vec<Vec<String>>,
    /// How a "did you mean" suggestion and a path of calls spell it.
    pub(crate) label: String,
    /// Where a violation about the entry as a whole points: its name.
    pub(crate) span: Span,
    /// The functions inside the entry (itself, for a function): the methods
    /// of an impl block, the functions of a module.
    pub(crate) functions: Vec<usize>,
}

// No Debug: syn's syntax tree has it only with its `extra-traits` feature,
// which costs compile time.
#[derive(Clone, Copy)]
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

impl<'a> Node<'a> {
    /// The signature of a function, method or trait method.
    pub(crate) fn signature(&self) -> Option<&'a syn::Signature> {
        match *self {
            Node::Item(syn::Item::Fn(f)) => Some(&f.sig),
            Node::Method { func, .. } => Some(&func.sig),
            Node::TraitMethod { func, .. } => Some(&func.sig),
            Node::Item(_) => None,
        }
    }

    /// Whether the node is code that runs when called: a function, a method,
    /// or a trait method with a default body.
    pub(crate) fn has_body(&self) -> bool {
        match self {
            Node::Item(syn::Item::Fn(_)) | Node::Method { .. } => true,
            Node::TraitMethod { func, .. } => func.default.is_some(),
            Node::Item(_) => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EntryKind {
    Item(ItemKind),
    Method,
    Impl { trait_: Option<Vec<String>> },
}

pub(crate) struct FileIndex<'a> {
    pub(crate) file: &'a syn::File,
    pub(crate) entries: Vec<Entry<'a>>,
    pub(crate) aliases: HashMap<Vec<String>, Aliases>,
    pub(crate) structs: HashMap<String, (&'a syn::ItemStruct, Vec<String>)>,
    pub(crate) type_aliases: HashMap<String, (&'a syn::ItemType, Vec<String>)>,
    pub(crate) traits: HashSet<String>,
    pub(crate) impls: Vec<(&'a syn::ItemImpl, Vec<String>)>,
    /// Free functions by name.
    pub(crate) fns: HashMap<String, Vec<usize>>,
    /// Methods of impl blocks by (self type's name, method name).
    pub(crate) methods: HashMap<(String, String), Vec<usize>>,
    /// Methods declared by the file's traits, by (trait name, method name).
    pub(crate) trait_methods: HashMap<(String, String), usize>,
    /// The file's traits implemented for each type name.
    pub(crate) traits_of: HashMap<String, Vec<String>>,
    /// Methods of blanket impls (`impl<T: Bound> Ext for T`), by name.
    pub(crate) blanket: HashMap<String, Vec<usize>>,
    /// Every method with a body, by its name alone.
    pub(crate) by_name: HashMap<String, Vec<usize>>,
    /// Names of the file's consts and statics, associated ones included.
    pub(crate) consts: HashSet<String>,
    /// The file's `macro_rules!`, by name.
    pub(crate) macros: HashMap<String, &'a syn::ItemMacro>,
}

impl<'a> FileIndex<'a> {
    pub(crate) fn new(file: &'a syn::File) -> FileIndex<'a> {
        let mut index = FileIndex {
            file,
            entries: Vec::new(),
            aliases: HashMap::new(),
            structs: HashMap::new(),
            type_aliases: HashMap::new(),
            traits: HashSet::new(),
            impls: Vec::new(),
            fns: HashMap::new(),
            methods: HashMap::new(),
            trait_methods: HashMap::new(),
            traits_of: HashMap::new(),
            blanket: HashMap::new(),
            by_name: HashMap::new(),
            consts: HashSet::new(),
            macros: HashMap::new(),
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
        index.link_functions();
        let mut defs = Definitions {
            consts: &mut index.consts,
            macros: &mut index.macros,
        };
        for item in &file.items {
            if !is_shipped_tests(item) {
                defs.visit_item(item);
            }
        }
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
            functions: Vec::new(),
        };
        match item {
            syn::Item::Fn(f) => {
                let name = f.sig.ident.to_string();
                self.fns.entry(name).or_default().push(entries.len());
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
                self.traits.insert(t.ident.to_string());
                entries.push(named(ItemKind::Trait, &t.ident));
                let trait_path = with(module, &t.ident.to_string());
                for trait_item in &t.items {
                    if let syn::TraitItem::Fn(func) = trait_item {
                        let name = func.sig.ident.to_string();
                        self.trait_methods
                            .entry((t.ident.to_string(), name.clone()))
                            .or_insert(entries.len());
                        if func.default.is_some() {
                            self.by_name
                                .entry(name.clone())
                                .or_default()
                                .push(entries.len());
                        }
                        entries.push(Entry {
                            node: Node::TraitMethod { tr: t, func },
                            kind: EntryKind::Method,
                            module: module.to_vec(),
                            paths: vec![with(&trait_path, &name)],
                            label: format!("{}::{name}", t.ident),
                            span: func.sig.ident.span(),
                            functions: Vec::new(),
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
        let self_path = impl_self_path(imp);
        let (self_q, trait_q) = {
            let scope = Scope::new(self, module);
            let trait_q = imp.trait_.as_ref().map(|(path, _)| scope.qualify(path));
            // `impl Digest for [u8]`: a type without a path goes by its text.
            let self_q = match self_path {
                Some(path) => scope.qualify(path),
                None => vec![render_type(&imp.self_ty)],
            };
            (self_q, trait_q)
        };
        // `impl<T: Bound> Ext for T` (or for `&T`) gives every type the methods.
        let blanket = self_path
            .and_then(syn::Path::get_ident)
            .is_some_and(|ident| {
                imp.generics
                    .params
                    .iter()
                    .any(|param| matches!(param, syn::GenericParam::Type(t) if t.ident == *ident))
            });
        let type_name = self_q.last().cloned().unwrap_or_default();
        let trait_name = trait_q.as_ref().and_then(|t| t.last().cloned());
        if let (Some(trait_name), false) = (&trait_name, blanket) {
            let implemented = self.traits_of.entry(type_name.clone()).or_default();
            if !implemented.contains(trait_name) {
                implemented.push(trait_name.clone());
            }
        }
        let label = match &trait_name {
            Some(t) => format!("impl {t} for {type_name}"),
            None => format!("impl {type_name}"),
        };
        for impl_item in &imp.items {
            if let syn::ImplItem::Fn(func) = impl_item {
                let name = func.sig.ident.to_string();
                let at = entries.len();
                if blanket {
                    self.blanket.entry(name.clone()).or_default().push(at);
                } else {
                    self.methods
                        .entry((type_name.clone(), name.clone()))
                        .or_default()
                        .push(at);
                }
                self.by_name.entry(name.clone()).or_default().push(at);
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
                    functions: Vec::new(),
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
            functions: Vec::new(),
        });
    }

    /// Fills each entry's `functions`.
    fn link_functions(&mut self) {
        let bodies: Vec<usize> = (0..self.entries.len())
            .filter(|&i| self.entries[i].node.has_body())
            .collect();
        for i in 0..self.entries.len() {
            let entry = &self.entries[i];
            let inside = |j: &usize| {
                let other = &self.entries[*j];
                match (entry.node, other.node) {
                    (Node::Item(syn::Item::Impl(imp)), Node::Method { imp: own, .. }) => {
                        std::ptr::eq(imp, own)
                    }
                    (Node::Item(syn::Item::Trait(tr)), Node::TraitMethod { tr: own, .. }) => {
                        std::ptr::eq(tr, own)
                    }
                    (Node::Item(syn::Item::Mod(m)), _) => {
                        other.module.len() > entry.module.len()
                            && other.module.starts_with(&entry.module)
                            && m.ident == other.module[entry.module.len()]
                    }
                    _ => i == *j,
                }
            };
            let functions = bodies.iter().copied().filter(inside).collect();
            self.entries[i].functions = functions;
        }
    }

    /// Every function of the file with a body, outside its tests.
    pub(crate) fn all_functions(&self) -> Vec<usize> {
        (0..self.entries.len())
            .filter(|&i| self.entries[i].node.has_body())
            .collect()
    }
}

/// Collects the file's consts, statics and `macro_rules!` wherever they are
/// declared, inside function bodies too.
struct Definitions<'d, 'a> {
    consts: &'d mut HashSet<String>,
    macros: &'d mut HashMap<String, &'a syn::ItemMacro>,
}

impl<'a> Visit<'a> for Definitions<'_, 'a> {
    fn visit_item_const(&mut self, c: &'a syn::ItemConst) {
        self.consts.insert(c.ident.to_string());
        visit::visit_item_const(self, c);
    }

    fn visit_item_static(&mut self, s: &'a syn::ItemStatic) {
        self.consts.insert(s.ident.to_string());
        visit::visit_item_static(self, s);
    }

    fn visit_impl_item_const(&mut self, c: &'a syn::ImplItemConst) {
        self.consts.insert(c.ident.to_string());
        visit::visit_impl_item_const(self, c);
    }

    fn visit_trait_item_const(&mut self, c: &'a syn::TraitItemConst) {
        self.consts.insert(c.ident.to_string());
        visit::visit_trait_item_const(self, c);
    }

    fn visit_item_macro(&mut self, m: &'a syn::ItemMacro) {
        if let Some(ident) = &m.ident
            && m.mac.path.is_ident("macro_rules")
        {
            self.macros.entry(ident.to_string()).or_insert(m);
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
