//! The names a function binds and what the scanner knows of each: its
//! type (for the receiver of a method call) and whether its value is fixed
//! in the source (for `require_literal_args`); and the type of any
//! expression built from them.
//!
//! Parameters, `let`, closure parameters, `match`, `if let` and `for`
//! bindings each shadow outer names in their own lexical scope.

use std::collections::HashMap;

use syn::visit::{self, Visit};

use super::args::arg_value;
use super::event::{Arg, ArgValue};
use super::scan::Scanner;
use super::syntax::location;
use super::types::{DEPENDENCY_WRAPPERS, Ty};

/// A local variable: its type and whether its value is fixed.
#[derive(Debug, Clone)]
pub(crate) struct Local {
    pub(crate) ty: Ty,
    pub(crate) value: ArgValue,
}

impl Scanner<'_, '_> {
    pub(crate) fn local(&self, name: &str) -> Option<&Local> {
        self.vars.iter().rev().find_map(|frame| frame.get(name))
    }

    pub(crate) fn bind(&mut self, name: String, ty: Ty, value: ArgValue) {
        if self.vars.is_empty() {
            self.vars.push(HashMap::new());
        }
        if let Some(frame) = self.vars.last_mut() {
            frame.insert(name, Local { ty, value });
        }
    }

    /// Binds the names of a pattern matched against a value of type `ty`.
    pub(crate) fn bind_pat(&mut self, pat: &syn::Pat, ty: Ty, value: ArgValue) {
        match pat {
            syn::Pat::Ident(p) => {
                if let Some((_, sub)) = &p.subpat {
                    self.bind_pat(sub, ty.clone(), value.clone());
                }
                let name = p.ident.to_string();
                let value = if p.mutability.is_some() {
                    ArgValue::Runtime(format!("{name}, a `mut` variable"))
                } else {
                    value
                };
                self.bind(name, ty, value);
            }
            syn::Pat::Type(p) => {
                let declared = self.scope.ty(&p.ty);
                self.bind_pat(&p.pat, declared, value);
            }
            syn::Pat::Reference(p) => {
                let inner = match ty {
                    Ty::Ref(inner) => *inner,
                    other => other,
                };
                self.bind_pat(&p.pat, inner, value);
            }
            syn::Pat::Paren(p) => self.bind_pat(&p.pat, ty, value),
            syn::Pat::Guard(g) => self.bind_pat(&g.pat, ty, value),
            syn::Pat::TupleStruct(p) if p.elems.len() == 1 => {
                // `Some(user)` of an `Option<User>`, `State(state)` of a
                // `State<AppState>`: the one field has the one type argument.
                let inner = match ty.without_refs() {
                    Ty::Path { args, .. } if args.len() == 1 => args[0].clone(),
                    _ => Ty::Unknown,
                };
                if let Some(elem) = p.elems.first() {
                    self.bind_pat(elem, inner, value);
                }
            }
            other => {
                let mut names = Vec::new();
                PatNames(&mut names).visit_pat(other);
                for name in names {
                    let value = ArgValue::Runtime(name.clone());
                    self.bind(name, Ty::Unknown, value);
                }
            }
        }
    }

    pub(crate) fn bind_inputs(&mut self, sig: &syn::Signature) {
        let mut position = 0;
        for input in &sig.inputs {
            match input {
                syn::FnArg::Receiver(_) => {
                    let ty = self.scope.self_ty.clone().unwrap_or(Ty::Unknown);
                    self.bind("self".to_string(), ty, ArgValue::Runtime("self".into()));
                }
                syn::FnArg::Typed(p) => {
                    let ty = self.scope.ty(&p.ty);
                    self.bind_pat(&p.pat, ty, ArgValue::Param(position));
                    position += 1;
                }
            }
        }
    }

    /// The value of an argument, as far as the source fixes it.
    pub(crate) fn arg(&self, expr: &syn::Expr) -> Arg {
        let index = self.scope.index;
        let value = arg_value(index, expr, &|name| {
            self.local(name).map(|local| local.value.clone())
        });
        let span = syn::spanned::Spanned::span(expr);
        let (line, column) = location(span);
        Arg {
            value,
            line,
            column,
        }
    }

    /// The type of an expression, as far as the model can tell.
    pub(crate) fn type_of(&self, expr: &syn::Expr) -> Ty {
        match expr {
            syn::Expr::Path(p) if p.qself.is_none() => match p.path.get_ident() {
                Some(ident) => match self.local(&ident.to_string()) {
                    Some(local) => local.ty.clone(),
                    // A unit struct of this file used as a value.
                    None if self.scope.index.struct_named(&ident.to_string()).is_some() => {
                        Ty::named(self.scope.resolve(&p.path, true).path)
                    }
                    None => Ty::Unknown,
                },
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
                    "as_ref" | "as_deref" | "as_mut" | "get_ref" | "get_mut" => {
                        match receiver.without_refs() {
                            Ty::Path { path, args }
                                if args.len() == 1
                                    && path.last().is_some_and(|l| {
                                        DEPENDENCY_WRAPPERS.contains(&l.as_str())
                                    }) =>
                            {
                                Ty::Ref(Box::new(args[0].clone()))
                            }
                            _ => self.scope.method_ty(&receiver, &m.method.to_string()),
                        }
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
