//! Walks one entry (or the whole file) and records what it does: which
//! paths it calls, which methods on which receiver types, which macros it
//! invokes, which paths it mentions and which fields it reads, each with the
//! local functions it may run, plus the flow those events make. Rules then
//! only filter events and walk flows; `visit` holds the walk itself.
//!
//! Receiver types come from what the code declares: parameter and `let`
//! annotations, struct fields of this file (`self.repo`), constructors
//! (`Connection::open(..)?`), return types of this file's functions, and
//! `lock()`/`unwrap()`/`?` seen through. The scanner keeps lexical scopes so
//! that a closure parameter or a `match` binding shadows an outer variable
//! instead of inheriting its type.
//!
//! Macro arguments are parsed as expressions where they can be (`format!`,
//! `assert!`, `vec!`, `println!`), so calls inside them count; the file's own
//! `macro_rules!` are expanded where they are invoked.

use std::collections::HashMap;

use proc_macro2::Span;
use syn::visit::{self, Visit};

use super::event::{Event, EventKind, Scan, Step};
use super::index::{Entry, FileIndex, Node};
use super::locals::Local;
use super::scope::Scope;
use super::syntax::{is_shipped_tests, location};
use super::types::{DEPENDENCY_WRAPPERS, Ty, segments};

/// What one entry of the index does. An impl block, a trait or a module is
/// scanned as a *shell*: everything but the bodies of its functions, which
/// are entries of their own and scanned once each (see `reach`).
pub(crate) fn scan_entry(index: &FileIndex<'_>, entry: &Entry<'_>) -> Scan {
    let mut scanner = Scanner::new(Scope::new(index, &entry.module), &entry.label);
    match entry.node {
        Node::Item(item) => {
            scanner.shell = matches!(
                item,
                syn::Item::Impl(_) | syn::Item::Trait(_) | syn::Item::Mod(_)
            );
            scanner.visit_item(item);
        }
        Node::Method { imp, func } => {
            scanner.scope = Scope::for_impl(index, imp, &entry.module);
            scanner.impl_name = impl_name(imp);
            scanner.visit_impl_item_fn(func);
        }
        Node::TraitMethod { tr, func } => {
            scanner.scope = Scope::for_trait(index, tr, &entry.module);
            scanner.impl_name = Some(tr.ident.to_string());
            scanner.visit_trait_item_fn(func);
        }
    }
    scanner.finish()
}

/// What the whole file does outside its `mod tests`, as a shell: the
/// functions are entries of their own.
pub(crate) fn scan_file(index: &FileIndex<'_>) -> Scan {
    let mut scanner = Scanner::new(Scope::new(index, &[]), "the file");
    scanner.shell = true;
    for item in &index.file.items {
        if !is_shipped_tests(item) {
            scanner.visit_item(item);
        }
    }
    scanner.finish()
}

/// The name an impl block's methods are labelled with (`UserService`).
pub(crate) fn impl_name(imp: &syn::ItemImpl) -> Option<String> {
    super::syntax::impl_self_path(imp)
        .and_then(|path| path.segments.last())
        .map(|segment| segment.ident.to_string())
}

pub(crate) struct Scanner<'i, 'a> {
    pub(crate) scope: Scope<'i, 'a>,
    /// Local variables by lexical scope, innermost last.
    pub(crate) vars: Vec<HashMap<String, Local>>,
    pub(crate) scan: Scan,
    /// The flow being built: the sequence of each open branch, innermost last.
    pub(crate) frames: Vec<Vec<Step>>,
    /// The function the next event is in, an index into `scan.owners`.
    pub(crate) owner: usize,
    /// The type whose impl block is being walked, for labels.
    pub(crate) impl_name: Option<String>,
    /// Local macros being expanded, outermost first.
    pub(crate) via: Vec<Expansion>,
    /// Leave out the bodies of the functions that are entries of their own.
    pub(crate) shell: bool,
    /// How many functions the walk is inside.
    pub(crate) depth: usize,
}

/// A local macro being expanded: its label and the lines of its definition.
#[derive(Debug, Clone)]
pub(crate) struct Expansion {
    pub(crate) label: String,
    pub(crate) lines: (usize, usize),
}

/// How deep a chain of type aliases is followed for mentions.
const ALIAS_MENTION_DEPTH: usize = 4;
/// How deep local macros are expanded inside each other.
pub(crate) const MACRO_EXPANSION_DEPTH: usize = 4;

impl<'i, 'a> Scanner<'i, 'a> {
    fn new(scope: Scope<'i, 'a>, label: &str) -> Scanner<'i, 'a> {
        Scanner {
            scope,
            vars: Vec::new(),
            scan: Scan {
                owners: vec![label.to_string()],
                ..Scan::default()
            },
            frames: vec![Vec::new()],
            owner: 0,
            impl_name: None,
            via: Vec::new(),
            shell: false,
            depth: 0,
        }
    }

    fn finish(mut self) -> Scan {
        let mut flow = Vec::new();
        for frame in self.frames.drain(..) {
            flow.extend(frame);
        }
        self.scan.flow = flow;
        self.scan
    }

    /// Records an event and its place in the flow.
    pub(crate) fn push(&mut self, kind: EventKind, span: Span, callees: Vec<usize>) {
        let (line, column) = location(span);
        let at = self.scan.events.len();
        // Code written in a macro's body is reached through the macro; its
        // arguments are written where it is invoked.
        let via = self
            .via
            .iter()
            .filter(|e| (e.lines.0..=e.lines.1).contains(&line))
            .map(|e| e.label.clone())
            .collect();
        self.scan.events.push(Event {
            kind,
            line,
            column,
            via,
            owner: self.owner,
            callees,
        });
        self.step(Step::Event(at));
    }

    pub(crate) fn step(&mut self, step: Step) {
        if self.frames.is_empty() {
            self.frames.push(Vec::new());
        }
        if let Some(frame) = self.frames.last_mut() {
            frame.push(step);
        }
    }

    /// Whether a function at this point is an entry of its own that a shell
    /// scan leaves out.
    pub(crate) fn skips_function(&self) -> bool {
        self.shell && self.depth == 0
    }

    /// Runs `walk` in a fresh branch of the flow and returns its steps.
    pub(crate) fn branch(&mut self, walk: impl FnOnce(&mut Self)) -> Vec<Step> {
        self.frames.push(Vec::new());
        walk(self);
        self.frames.pop().unwrap_or_default()
    }

    /// Runs `walk` with the events labelled as inside function `label`.
    pub(crate) fn in_owner(&mut self, label: String, walk: impl FnOnce(&mut Self)) {
        let before = self.owner;
        self.owner = match self.scan.owners.iter().position(|o| *o == label) {
            Some(found) => found,
            None => {
                self.scan.owners.push(label);
                self.scan.owners.len() - 1
            }
        };
        walk(self);
        self.owner = before;
    }

    /// Scans a function: its generics join the scope, its parameters are
    /// bound in a fresh frame, and its events are labelled with its name.
    pub(crate) fn in_fn(
        &mut self,
        sig: &syn::Signature,
        attrs: &[syn::Attribute],
        body: impl FnOnce(&mut Self),
    ) {
        let label = match &self.impl_name {
            Some(owner) => format!("{owner}::{}", sig.ident),
            None => sig.ident.to_string(),
        };
        let vars_before = std::mem::take(&mut self.vars);
        self.depth += 1;
        self.in_owner(label, |s| {
            for attr in attrs {
                s.visit_attribute(attr);
            }
            let generics_before = s.scope.generics.len();
            let extra = s.scope.generic_params(&sig.generics);
            s.scope.generics.extend(extra);
            s.vars.push(HashMap::new());
            s.bind_inputs(sig);
            s.visit_signature(sig);
            body(s);
            s.scope.generics.truncate(generics_before);
        });
        self.depth -= 1;
        self.vars = vars_before;
    }

    pub(crate) fn mention(&mut self, path: &syn::Path) {
        let resolved = self.scope.resolve(path, false);
        if resolved.path.is_empty() {
            return;
        }
        let span = path
            .segments
            .first()
            .map_or_else(Span::call_site, |s| s.ident.span());
        let written = segments(path);
        if let Some(alias) = path.get_ident() {
            let name = alias.to_string();
            self.mention_alias(&name, &name, span, 0);
        }
        self.push(
            EventKind::Mention {
                path: resolved.path,
                written,
            },
            span,
            Vec::new(),
        );
    }

    /// A type alias of this file stands for the paths in its definition:
    /// naming `Db` after `type Db = rusqlite::Connection;` mentions
    /// `rusqlite::Connection`, even when the alias is declared elsewhere.
    /// `written` is the name as it stands at `span`.
    fn mention_alias(&mut self, name: &str, written: &str, span: Span, depth: usize) {
        let index = self.scope.index;
        let Some((alias, module)) = index.type_alias(name) else {
            return;
        };
        if depth >= ALIAS_MENTION_DEPTH {
            return;
        }
        let mut paths = Vec::new();
        TypePaths(&mut paths).visit_type(&alias.ty);
        let scope = Scope::new(index, module);
        for path in paths {
            let resolved = scope.resolve(path, false).path;
            if resolved.is_empty() {
                continue;
            }
            if let Some(inner) = path.get_ident() {
                self.mention_alias(&inner.to_string(), written, span, depth + 1);
            }
            self.push(
                EventKind::Mention {
                    path: resolved,
                    written: vec![written.to_string()],
                },
                span,
                Vec::new(),
            );
        }
    }
}

/// The type paths a value of type `ty` is made of, for "reaching into" it:
/// the type itself, what sits inside `Arc`, `Mutex`, `Vec`, `Option` and
/// the like, and the traits of a `dyn` or generic.
pub(crate) fn reached_paths(ty: &Ty, out: &mut Vec<Vec<String>>) {
    match ty {
        Ty::Ref(inner) => reached_paths(inner, out),
        Ty::Path { path, args } => {
            if !path.is_empty() && !out.contains(path) {
                out.push(path.clone());
            }
            let wrapper = path.last().is_some_and(|last| {
                DEPENDENCY_WRAPPERS.contains(&last.as_str())
                    || ["MutexGuard", "RwLockReadGuard", "RwLockWriteGuard"]
                        .contains(&last.as_str())
            });
            if wrapper {
                for arg in args {
                    reached_paths(arg, out);
                }
            }
        }
        Ty::Abstract(bounds) => {
            for bound in bounds {
                if !out.contains(bound) {
                    out.push(bound.clone());
                }
            }
        }
        Ty::Unknown => {}
    }
}

/// Collects the paths inside a type.
struct TypePaths<'t, 'ast>(&'t mut Vec<&'ast syn::Path>);

impl<'ast> Visit<'ast> for TypePaths<'_, 'ast> {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.0.push(path);
        visit::visit_path(self, path);
    }
}
