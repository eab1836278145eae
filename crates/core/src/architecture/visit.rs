//! The scanner's walk over the syntax tree: which event each expression
//! makes, which local functions a call may run, and where the flow branches
//! (`if`, `match`, loops, `&&`, `?`) or leaves (`return`, `panic!`).
//!
//! Events are recorded in evaluation order: a call's receiver and arguments
//! before the call itself, so `self.cache.get(id).or_else(|| self.repo.find(id))`
//! reads the cache first, as the program does.

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

use super::event::{ArgValue, EventKind, Exit, Step};
use super::index::Aliases;
use super::macros::expand;
use super::scan::{Expansion, MACRO_EXPANSION_DEPTH, Scanner, impl_name};
use super::scope::Scope;
use super::syntax::{collect_use, use_leaves};
use super::types::{Ty, segments};

/// Macros that end the path they are on: the operation fails.
const PANICS: [&str; 4] = ["panic", "unreachable", "todo", "unimplemented"];

impl Scanner<'_, '_> {
    /// Expands a local `macro_rules!` where it is invoked.
    fn expand_local(&mut self, mac: &syn::Macro) -> bool {
        let Some(name) = mac.path.segments.last().map(|s| s.ident.to_string()) else {
            return false;
        };
        let Some(definition) = self.scope.index.macros.get(&name).copied() else {
            return false;
        };
        let label = format!("{name}!");
        if self.via.len() >= MACRO_EXPANSION_DEPTH || self.via.iter().any(|v| v.label == label) {
            return true;
        }
        let span = definition.span();
        self.via.push(Expansion {
            label,
            lines: (span.start().line, span.end().line),
        });
        for tokens in expand(definition, &mac.tokens) {
            self.visit_macro_body(tokens, 0);
        }
        self.via.pop();
        true
    }
}

impl<'ast> Visit<'ast> for Scanner<'_, '_> {
    /// Attribute paths are mentions: `#[derive(serde::Deserialize)]` names
    /// serde as surely as a `use` does.
    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        let path = attr.path();
        if path.is_ident("doc") {
            return;
        }
        self.mention(path);
        if path.is_ident("derive") {
            let derived =
                attr.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated);
            if let Ok(derived) = derived {
                for path in &derived {
                    self.mention(path);
                }
            }
        }
    }

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
        let outer_name = std::mem::replace(&mut self.impl_name, impl_name(imp));
        visit::visit_item_impl(self, imp);
        self.impl_name = outer_name;
        self.scope = outer;
    }

    fn visit_item_trait(&mut self, tr: &'ast syn::ItemTrait) {
        let inner = Scope {
            local_aliases: self.scope.local_aliases.clone(),
            ..Scope::for_trait(self.scope.index, tr, &self.scope.module)
        };
        let outer = std::mem::replace(&mut self.scope, inner);
        let outer_name = self.impl_name.replace(tr.ident.to_string());
        visit::visit_item_trait(self, tr);
        self.impl_name = outer_name;
        self.scope = outer;
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if self.skips_function() {
            return;
        }
        let outer_name = self.impl_name.take();
        self.in_fn(&f.sig, &f.attrs, |s| s.visit_block(&f.block));
        self.impl_name = outer_name;
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if self.skips_function() {
            return;
        }
        self.in_fn(&f.sig, &f.attrs, |s| s.visit_block(&f.block));
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if f.default.is_some() && self.skips_function() {
            return;
        }
        self.in_fn(&f.sig, &f.attrs, |s| {
            if let Some(block) = &f.default {
                s.visit_block(block);
            }
        });
    }

    fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
        for attr in &m.attrs {
            self.visit_attribute(attr);
        }
        // A `macro_rules!` definition: its body is not Rust code until it
        // is invoked, and is scanned then.
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
                    Vec::new(),
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
        self.vars.push(Default::default());
        visit::visit_block(self, block);
        self.vars.pop();
        self.scope.local_aliases.pop();
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        for attr in &local.attrs {
            self.visit_attribute(attr);
        }
        let mut value = ArgValue::Runtime("a value built at run time".into());
        if let Some(init) = &local.init {
            self.visit_expr(&init.expr);
            if let Some((_, diverge)) = &init.diverge {
                let steps = self.branch(|s| s.visit_expr(diverge));
                self.step(Step::Branch(vec![steps, Vec::new()]));
            }
            value = match self.arg(&init.expr).value {
                ArgValue::Runtime(how) => match binding_name(&local.pat) {
                    Some(name) if name != how => ArgValue::Runtime(format!("{name}, from {how}")),
                    _ => ArgValue::Runtime(how),
                },
                other => other,
            };
        }
        self.visit_pat(&local.pat);
        let ty = match (&local.pat, &local.init) {
            (syn::Pat::Type(_), _) | (_, None) => Ty::Unknown,
            (_, Some(init)) => self.type_of(&init.expr),
        };
        self.bind_pat(&local.pat, ty, value);
    }

    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        let steps = self.branch(|s| {
            s.vars.push(Default::default());
            for input in &c.inputs {
                s.visit_pat(input);
                let value = ArgValue::Runtime("a closure parameter".into());
                s.bind_pat(input, Ty::Unknown, value);
            }
            if let syn::ReturnType::Type(_, ty) = &c.output {
                s.visit_type(ty);
            }
            s.visit_expr(&c.body);
            s.vars.pop();
        });
        self.step(Step::Closure(steps));
    }

    fn visit_expr_async(&mut self, a: &'ast syn::ExprAsync) {
        let steps = self.branch(|s| s.visit_block(&a.block));
        self.step(Step::Closure(steps));
    }

    fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
        self.visit_expr(&f.expr);
        let steps = self.branch(|s| {
            s.vars.push(Default::default());
            s.visit_pat(&f.pat);
            s.bind_pat(
                &f.pat,
                Ty::Unknown,
                ArgValue::Runtime("a loop variable".into()),
            );
            s.visit_block(&f.body);
            s.vars.pop();
        });
        self.step(Step::Branch(vec![steps, Vec::new()]));
    }

    fn visit_expr_while(&mut self, e: &'ast syn::ExprWhile) {
        self.vars.push(Default::default());
        self.visit_expr(&e.cond);
        let steps = self.branch(|s| s.visit_block(&e.body));
        self.step(Step::Branch(vec![steps, Vec::new()]));
        self.vars.pop();
    }

    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        self.visit_expr(&m.expr);
        let scrutinee = self.type_of(&m.expr);
        let mut arms = Vec::new();
        for arm in &m.arms {
            arms.push(self.branch(|s| {
                s.vars.push(Default::default());
                // A guard (`Some(id) if ok(id)`) sees the arm's bindings.
                let (pat, guard) = match &arm.pat {
                    syn::Pat::Guard(g) => (&*g.pat, Some(&*g.guard)),
                    other => (other, None),
                };
                s.visit_pat(pat);
                let value = ArgValue::Runtime("a match binding".into());
                s.bind_pat(pat, scrutinee.clone(), value);
                if let Some(guard) = guard {
                    s.visit_expr(guard);
                }
                s.visit_expr(&arm.body);
                s.vars.pop();
            }));
        }
        self.step(Step::Branch(arms));
    }

    fn visit_expr_if(&mut self, e: &'ast syn::ExprIf) {
        // Bindings of `if let` live in the then-branch only.
        self.vars.push(Default::default());
        self.visit_expr(&e.cond);
        let then = self.branch(|s| s.visit_block(&e.then_branch));
        self.vars.pop();
        let otherwise = match &e.else_branch {
            Some((_, else_branch)) => self.branch(|s| s.visit_expr(else_branch)),
            None => Vec::new(),
        };
        self.step(Step::Branch(vec![then, otherwise]));
    }

    fn visit_expr_let(&mut self, e: &'ast syn::ExprLet) {
        self.visit_expr(&e.expr);
        self.visit_pat(&e.pat);
        let ty = self.type_of(&e.expr);
        let value = ArgValue::Runtime("a pattern binding".into());
        self.bind_pat(&e.pat, ty, value);
    }

    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        self.visit_expr(&b.left);
        if matches!(b.op, syn::BinOp::And(_) | syn::BinOp::Or(_)) {
            let right = self.branch(|s| s.visit_expr(&b.right));
            self.step(Step::Branch(vec![right, Vec::new()]));
        } else {
            self.visit_expr(&b.right);
        }
    }

    fn visit_expr_try(&mut self, t: &'ast syn::ExprTry) {
        self.visit_expr(&t.expr);
        self.step(Step::Branch(vec![
            vec![Step::Exit(Exit::Error)],
            Vec::new(),
        ]));
    }

    fn visit_expr_return(&mut self, r: &'ast syn::ExprReturn) {
        let mut exit = Exit::Return;
        if let Some(expr) = &r.expr {
            self.visit_expr(expr);
            if is_err(expr) {
                exit = Exit::Error;
            }
        }
        self.step(Step::Exit(exit));
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        self.method_call(m);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        self.call(c);
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        self.path_expr(p);
    }

    fn visit_expr_field(&mut self, f: &'ast syn::ExprField) {
        self.field(f);
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
            Vec::new(),
        );
        self.mention(&mac.path);
        if !self.expand_local(mac) {
            self.visit_macro_body(mac.tokens.clone(), 0);
        }
        let panics = mac
            .path
            .segments
            .last()
            .is_some_and(|last| PANICS.contains(&last.ident.to_string().as_str()));
        if panics {
            self.step(Step::Exit(Exit::Error));
        }
    }
}

/// The one name a `let` pattern binds, if it binds one.
fn binding_name(pat: &syn::Pat) -> Option<String> {
    match pat {
        syn::Pat::Ident(p) => Some(p.ident.to_string()),
        syn::Pat::Type(p) => binding_name(&p.pat),
        _ => None,
    }
}

/// `Err(..)`: a return that reports a failure.
fn is_err(expr: &syn::Expr) -> bool {
    match expr {
        syn::Expr::Call(c) => {
            matches!(&*c.func, syn::Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Err"))
        }
        syn::Expr::Paren(p) => is_err(&p.expr),
        _ => false,
    }
}
