//! Walks one item (or the whole file) and records what it does: which paths
//! it calls, which methods on which receiver types, which macros it invokes
//! and which paths it mentions. Rules then only filter these events.
//!
//! Receiver types come from what the code declares: parameter and `let`
//! annotations, struct fields of this file (`self.repo`), constructors
//! (`Connection::open(..)?`), return types of this file's functions, and
//! `lock()`/`unwrap()`/`?` seen through. The scanner keeps lexical scopes so
//! that a closure parameter or a `match` binding shadows an outer variable
//! instead of inheriting its type.
//!
//! Macro arguments are parsed as expressions where they can be (`format!`,
//! `assert!`, `vec!`, `println!`), so calls inside them count.

use std::collections::HashMap;

use proc_macro2::{Spacing, Span, TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};

use super::index::{Aliases, Entry, FileIndex, Node};
use super::scope::Scope;
use super::syntax::{collect_use, is_shipped_tests, location, use_leaves};
use super::types::{Ty, segments};

/// Something an item does, at a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Event {
    pub(crate) kind: EventKind,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EventKind {
    /// A call of a path, `Db::open(..)`, or with `reference` a path used as a
    /// value, `.map(Connection::open)`.
    Call {
        path: Vec<String>,
        written: Vec<String>,
        reference: bool,
    },
    /// `receiver.name(..)`: `receivers` are the type paths the receiver
    /// dereferences through (trait paths for generic and `dyn` receivers);
    /// `unknown` is set when some of it could not be resolved.
    Method {
        name: String,
        receivers: Vec<Vec<String>>,
        unknown: bool,
    },
    Macro {
        path: Vec<String>,
        written: Vec<String>,
    },
    /// A path in any position: a type, a trait bound, a constructor, a `use`.
    Mention {
        path: Vec<String>,
        written: Vec<String>,
    },
}

/// What one entry of the index does.
pub(crate) fn scan_entry(index: &FileIndex<'_>, entry: &Entry<'_>) -> Vec<Event> {
    let mut scanner = Scanner::new(Scope::new(index, &entry.module));
    match entry.node {
        Node::Item(item) => scanner.visit_item(item),
        Node::Method { imp, func } => {
            scanner.scope = Scope::for_impl(index, imp, &entry.module);
            scanner.visit_impl_item_fn(func);
        }
        Node::TraitMethod { tr, func } => {
            scanner.scope = Scope::for_trait(index, tr, &entry.module);
            scanner.visit_trait_item_fn(func);
        }
    }
    scanner.events
}

/// What the whole file does, outside its `mod tests`.
pub(crate) fn scan_file(index: &FileIndex<'_>) -> Vec<Event> {
    let mut scanner = Scanner::new(Scope::new(index, &[]));
    for item in &index.file.items {
        if !is_shipped_tests(item) {
            scanner.visit_item(item);
        }
    }
    scanner.events
}

struct Scanner<'i, 'a> {
    scope: Scope<'i, 'a>,
    /// Local variables by lexical scope, innermost last.
    vars: Vec<HashMap<String, Ty>>,
    events: Vec<Event>,
}

/// How deep macro bodies are re-split when they do not parse as a whole.
const MACRO_SPLIT_DEPTH: usize = 4;
/// How deep a chain of type aliases is followed for mentions.
const ALIAS_MENTION_DEPTH: usize = 4;

impl<'i, 'a> Scanner<'i, 'a> {
    fn new(scope: Scope<'i, 'a>) -> Scanner<'i, 'a> {
        Scanner {
            scope,
            vars: Vec::new(),
            events: Vec::new(),
        }
    }

    fn push(&mut self, kind: EventKind, span: Span) {
        let (line, column) = location(span);
        self.events.push(Event { kind, line, column });
    }

    fn local(&self, name: &str) -> Option<&Ty> {
        self.vars.iter().rev().find_map(|frame| frame.get(name))
    }

    fn bind(&mut self, name: String, ty: Ty) {
        if self.vars.is_empty() {
            self.vars.push(HashMap::new());
        }
        if let Some(frame) = self.vars.last_mut() {
            frame.insert(name, ty);
        }
    }

    /// Binds the names of a pattern matched against a value of type `ty`.
    fn bind_pat(&mut self, pat: &syn::Pat, ty: Ty) {
        match pat {
            syn::Pat::Ident(p) => {
                if let Some((_, sub)) = &p.subpat {
                    self.bind_pat(sub, ty.clone());
                }
                self.bind(p.ident.to_string(), ty);
            }
            syn::Pat::Type(p) => {
                let declared = self.scope.ty(&p.ty);
                self.bind_pat(&p.pat, declared);
            }
            syn::Pat::Reference(p) => {
                let inner = match ty {
                    Ty::Ref(inner) => *inner,
                    other => other,
                };
                self.bind_pat(&p.pat, inner);
            }
            syn::Pat::Paren(p) => self.bind_pat(&p.pat, ty),
            syn::Pat::TupleStruct(p) if p.elems.len() == 1 => {
                // `Some(user)` of an `Option<User>`, `State(state)` of a
                // `State<AppState>`: the one field has the one type argument.
                let inner = match ty.without_refs() {
                    Ty::Path { args, .. } if args.len() == 1 => args[0].clone(),
                    _ => Ty::Unknown,
                };
                if let Some(elem) = p.elems.first() {
                    self.bind_pat(elem, inner);
                }
            }
            other => {
                let mut names = Vec::new();
                PatNames(&mut names).visit_pat(other);
                for name in names {
                    self.bind(name, Ty::Unknown);
                }
            }
        }
    }

    fn bind_inputs(&mut self, sig: &syn::Signature) {
        for input in &sig.inputs {
            match input {
                syn::FnArg::Receiver(_) => {
                    let ty = self.scope.self_ty.clone().unwrap_or(Ty::Unknown);
                    self.bind("self".to_string(), ty);
                }
                syn::FnArg::Typed(p) => {
                    let ty = self.scope.ty(&p.ty);
                    self.bind_pat(&p.pat, ty);
                }
            }
        }
    }

    /// Scans a function: its generics join the scope, its parameters are
    /// bound in a fresh frame.
    fn in_fn(&mut self, sig: &syn::Signature, body: impl FnOnce(&mut Self)) {
        let generics_before = self.scope.generics.len();
        let extra = self.scope.generic_params(&sig.generics);
        self.scope.generics.extend(extra);
        self.vars.push(HashMap::new());
        self.bind_inputs(sig);
        self.visit_signature(sig);
        body(self);
        self.vars.pop();
        self.scope.generics.truncate(generics_before);
    }

    /// The type of an expression, as far as the model can tell.
    fn type_of(&self, expr: &syn::Expr) -> Ty {
        match expr {
            syn::Expr::Path(p) if p.qself.is_none() => match p.path.get_ident() {
                Some(ident) => self
                    .local(&ident.to_string())
                    .cloned()
                    .unwrap_or(Ty::Unknown),
                None => Ty::Unknown,
            },
            syn::Expr::Field(f) => {
                let base = self.type_of(&f.base);
                self.scope.field_ty(&base, &f.member)
            }
            syn::Expr::MethodCall(m) => {
                let receiver = self.type_of(&m.receiver);
                match m.method.to_string().as_str() {
                    "clone" | "to_owned" => receiver.without_refs().clone(),
                    "lock" | "read" | "write" | "try_lock" | "try_read" | "try_write"
                    | "borrow" | "borrow_mut" | "blocking_lock" | "blocking_read"
                    | "blocking_write" => receiver.lock_target(),
                    "unwrap" | "expect" | "unwrap_or_default" | "unwrap_or" | "unwrap_or_else" => {
                        receiver.unwrapped()
                    }
                    name => self.scope.method_ty(&receiver, name),
                }
            }
            syn::Expr::Call(c) => match &*c.func {
                syn::Expr::Path(p) if p.qself.is_none() => {
                    if p.path
                        .get_ident()
                        .is_some_and(|i| self.local(&i.to_string()).is_some())
                    {
                        return Ty::Unknown;
                    }
                    let resolved = self.scope.resolve(&p.path, true);
                    let first = c.args.first().map(|a| self.type_of(a));
                    self.scope.call_ty(&resolved.path, first)
                }
                _ => Ty::Unknown,
            },
            syn::Expr::Struct(s) if s.qself.is_none() => {
                if s.path.is_ident("Self") {
                    return self.scope.self_ty.clone().unwrap_or(Ty::Unknown);
                }
                Ty::named(self.scope.resolve(&s.path, true).path)
            }
            syn::Expr::Paren(p) => self.type_of(&p.expr),
            syn::Expr::Group(g) => self.type_of(&g.expr),
            syn::Expr::Reference(r) => Ty::Ref(Box::new(self.type_of(&r.expr))),
            syn::Expr::Try(t) => self.type_of(&t.expr).unwrapped(),
            syn::Expr::Await(a) => self.type_of(&a.base),
            syn::Expr::Cast(c) => self.scope.ty(&c.ty),
            syn::Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                match self.type_of(&u.expr) {
                    Ty::Ref(inner) => *inner,
                    other => other
                        .deref_chain()
                        .get(1)
                        .map_or(Ty::Unknown, |t| (*t).clone()),
                }
            }
            syn::Expr::Macro(m) => match m.mac.path.segments.last() {
                Some(last) if last.ident == "vec" => Ty::named(vec!["Vec".to_string()]),
                Some(last) if last.ident == "format" => Ty::named(vec!["String".to_string()]),
                _ => Ty::Unknown,
            },
            _ => Ty::Unknown,
        }
    }

    fn mention(&mut self, path: &syn::Path) {
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
            );
        }
    }

    /// Visits the expressions a macro's arguments parse as.
    fn visit_macro_body(&mut self, tokens: TokenStream, depth: usize) {
        let whole = syn::parse::Parser::parse2(
            Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
            tokens.clone(),
        );
        if let Ok(exprs) = whole {
            for expr in &exprs {
                self.visit_expr(expr);
            }
            return;
        }
        let statements = syn::parse::Parser::parse2(syn::Block::parse_within, tokens.clone());
        if let Ok(stmts) = statements {
            self.vars.push(HashMap::new());
            for stmt in &stmts {
                self.visit_stmt(stmt);
            }
            self.vars.pop();
            return;
        }
        if depth >= MACRO_SPLIT_DEPTH {
            return;
        }
        for chunk in split_chunks(tokens) {
            if let Ok(expr) = syn::parse2::<syn::Expr>(chunk.clone()) {
                self.visit_expr(&expr);
                continue;
            }
            for tree in chunk {
                if let TokenTree::Group(group) = tree {
                    self.visit_macro_body(group.stream(), depth + 1);
                }
            }
        }
    }
}

/// Splits a token stream at top-level `,`, `;`, `=>` and single `:`, the
/// separators of most macro grammars (`json!({"id": user.id()})`).
fn split_chunks(tokens: TokenStream) -> Vec<TokenStream> {
    let mut chunks = Vec::new();
    let mut current: Vec<TokenTree> = Vec::new();
    let mut trees = tokens.into_iter().peekable();
    let mut after_joint_colon = false;
    while let Some(tree) = trees.next() {
        let split = match &tree {
            TokenTree::Punct(p) => {
                let c = p.as_char();
                let joint = p.spacing() == Spacing::Joint;
                let next_is_gt =
                    matches!(trees.peek(), Some(TokenTree::Punct(n)) if n.as_char() == '>');
                let is_path_colon = c == ':' && (joint || after_joint_colon);
                after_joint_colon = c == ':' && joint;
                match c {
                    ',' | ';' => true,
                    ':' => !is_path_colon,
                    '=' => joint && next_is_gt,
                    _ => false,
                }
            }
            _ => {
                after_joint_colon = false;
                false
            }
        };
        if split {
            if let TokenTree::Punct(p) = &tree
                && p.as_char() == '='
            {
                // Drop the `>` of `=>` too.
                trees.next();
            }
            chunks.push(current.drain(..).collect());
        } else {
            current.push(tree);
        }
    }
    if !current.is_empty() {
        chunks.push(current.into_iter().collect());
    }
    chunks
}

/// Collects the paths inside a type.
struct TypePaths<'t, 'ast>(&'t mut Vec<&'ast syn::Path>);

impl<'ast> Visit<'ast> for TypePaths<'_, 'ast> {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.0.push(path);
        visit::visit_path(self, path);
    }
}

/// Collects the names a pattern binds.
struct PatNames<'n>(&'n mut Vec<String>);

impl<'ast> Visit<'ast> for PatNames<'_> {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.0.push(p.ident.to_string());
        visit::visit_pat_ident(self, p);
    }

    fn visit_expr(&mut self, _: &'ast syn::Expr) {}
}

impl<'ast> Visit<'ast> for Scanner<'_, '_> {
    fn visit_attribute(&mut self, _: &'ast syn::Attribute) {}

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if self.scope.module.is_empty() && m.ident == crate::contract::TESTS_MODULE {
            return;
        }
        self.scope.module.push(m.ident.to_string());
        visit::visit_item_mod(self, m);
        self.scope.module.pop();
    }

    fn visit_item_impl(&mut self, imp: &'ast syn::ItemImpl) {
        let inner = Scope {
            local_aliases: self.scope.local_aliases.clone(),
            ..Scope::for_impl(self.scope.index, imp, &self.scope.module)
        };
        let outer = std::mem::replace(&mut self.scope, inner);
        visit::visit_item_impl(self, imp);
        self.scope = outer;
    }

    fn visit_item_trait(&mut self, tr: &'ast syn::ItemTrait) {
        let inner = Scope {
            local_aliases: self.scope.local_aliases.clone(),
            ..Scope::for_trait(self.scope.index, tr, &self.scope.module)
        };
        let outer = std::mem::replace(&mut self.scope, inner);
        visit::visit_item_trait(self, tr);
        self.scope = outer;
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.in_fn(&f.sig, |s| s.visit_block(&f.block));
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.in_fn(&f.sig, |s| s.visit_block(&f.block));
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        self.in_fn(&f.sig, |s| {
            if let Some(block) = &f.default {
                s.visit_block(block);
            }
        });
    }

    fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
        // A `macro_rules!` definition: its body is not Rust code yet.
        if m.ident.is_none() {
            self.visit_macro(&m.mac);
        }
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        let mut leaves = Vec::new();
        use_leaves(&u.tree, &mut Vec::new(), &mut leaves);
        for (path, span) in leaves {
            let path = super::pattern::strip_anchors(&path).to_vec();
            if !path.is_empty() {
                self.push(
                    EventKind::Mention {
                        written: path.clone(),
                        path,
                    },
                    span,
                );
            }
        }
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        let mut aliases = Aliases::new();
        for stmt in &block.stmts {
            if let syn::Stmt::Item(syn::Item::Use(u)) = stmt {
                collect_use(&u.tree, &mut Vec::new(), &mut aliases);
            }
        }
        self.scope.local_aliases.push(aliases);
        self.vars.push(HashMap::new());
        visit::visit_block(self, block);
        self.vars.pop();
        self.scope.local_aliases.pop();
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        if let Some(init) = &local.init {
            self.visit_expr(&init.expr);
            if let Some((_, diverge)) = &init.diverge {
                self.visit_expr(diverge);
            }
        }
        self.visit_pat(&local.pat);
        let ty = match (&local.pat, &local.init) {
            (syn::Pat::Type(_), _) | (_, None) => Ty::Unknown,
            (_, Some(init)) => self.type_of(&init.expr),
        };
        self.bind_pat(&local.pat, ty);
    }

    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        self.vars.push(HashMap::new());
        for input in &c.inputs {
            self.visit_pat(input);
            self.bind_pat(input, Ty::Unknown);
        }
        if let syn::ReturnType::Type(_, ty) = &c.output {
            self.visit_type(ty);
        }
        self.visit_expr(&c.body);
        self.vars.pop();
    }

    fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
        self.visit_expr(&f.expr);
        self.vars.push(HashMap::new());
        self.visit_pat(&f.pat);
        self.bind_pat(&f.pat, Ty::Unknown);
        self.visit_block(&f.body);
        self.vars.pop();
    }

    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        self.vars.push(HashMap::new());
        self.visit_pat(&arm.pat);
        self.bind_pat(&arm.pat, Ty::Unknown);
        self.visit_expr(&arm.body);
        self.vars.pop();
    }

    fn visit_expr_if(&mut self, e: &'ast syn::ExprIf) {
        // Bindings of `if let` live in the then-branch only.
        self.vars.push(HashMap::new());
        self.visit_expr(&e.cond);
        self.visit_block(&e.then_branch);
        self.vars.pop();
        if let Some((_, else_branch)) = &e.else_branch {
            self.visit_expr(else_branch);
        }
    }

    fn visit_expr_while(&mut self, e: &'ast syn::ExprWhile) {
        self.vars.push(HashMap::new());
        self.visit_expr(&e.cond);
        self.visit_block(&e.body);
        self.vars.pop();
    }

    fn visit_expr_let(&mut self, e: &'ast syn::ExprLet) {
        self.visit_expr(&e.expr);
        self.visit_pat(&e.pat);
        let ty = self.type_of(&e.expr);
        self.bind_pat(&e.pat, ty);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let receiver = self.type_of(&m.receiver);
        let mut receivers = Vec::new();
        let mut unknown = false;
        for layer in receiver.deref_chain() {
            match layer {
                Ty::Path { path, .. } => receivers.push(path.clone()),
                Ty::Abstract(bounds) if !bounds.is_empty() => {
                    receivers.extend(bounds.iter().cloned())
                }
                Ty::Abstract(_) | Ty::Unknown => unknown = true,
                Ty::Ref(_) => {}
            }
        }
        self.push(
            EventKind::Method {
                name: m.method.to_string(),
                receivers,
                unknown,
            },
            m.method.span(),
        );
        visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        let syn::Expr::Path(func) = &*c.func else {
            visit::visit_expr_call(self, c);
            return;
        };
        let is_local = func
            .path
            .get_ident()
            .is_some_and(|i| self.local(&i.to_string()).is_some());
        if !is_local {
            let mut written = segments(&func.path);
            let mut resolved = self.scope.resolve(&func.path, true).path;
            if let Some(qself) = &func.qself {
                // `<Type>::f(..)` and `<Type as Trait>::f(..)`
                if qself.position == 0
                    && let syn::Type::Path(p) = &*qself.ty
                {
                    let prefix = self.scope.resolve(&p.path, true).path;
                    written = segments(&p.path).into_iter().chain(written).collect();
                    resolved = prefix.into_iter().chain(resolved).collect();
                }
            }
            let span = match &func.qself {
                Some(qself) => qself.lt_token.span,
                None => func
                    .path
                    .segments
                    .first()
                    .map_or_else(Span::call_site, |s| s.ident.span()),
            };
            self.push(
                EventKind::Call {
                    path: resolved,
                    written,
                    reference: false,
                },
                span,
            );
            self.visit_path(&func.path);
            if let Some(qself) = &func.qself {
                self.visit_type(&qself.ty);
            }
        }
        for arg in &c.args {
            self.visit_expr(arg);
        }
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if let Some(ident) = p.path.get_ident()
            && (self.local(&ident.to_string()).is_some() || ident == "self")
        {
            return;
        }
        if p.path.segments.len() >= 2 && p.qself.is_none() {
            let span = p
                .path
                .segments
                .first()
                .map_or_else(Span::call_site, |s| s.ident.span());
            self.push(
                EventKind::Call {
                    path: self.scope.resolve(&p.path, true).path,
                    written: segments(&p.path),
                    reference: true,
                },
                span,
            );
        }
        visit::visit_expr_path(self, p);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.mention(path);
        visit::visit_path(self, path);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let span = mac
            .path
            .segments
            .first()
            .map_or_else(Span::call_site, |s| s.ident.span());
        self.push(
            EventKind::Macro {
                path: self.scope.resolve(&mac.path, false).path,
                written: segments(&mac.path),
            },
            span,
        );
        self.mention(&mac.path);
        self.visit_macro_body(mac.tokens.clone(), 0);
    }
}
