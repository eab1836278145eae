//! What a call is, where it is made: the path it names, the receiver a
//! method is called on, the local functions it may run, its arguments, and
//! the types a field access reaches into. The walk (`visit`) hands every
//! call, path and field expression here.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

use super::event::{EventKind, MethodView};
use super::macros::UNBOUND;
use super::scan::{Scanner, reached_paths};
use super::types::{Ty, segments};

/// Lock methods that answer a `Result` around the guard.
const LOCK_RESULTS: [&str; 6] = ["lock", "read", "write", "try_lock", "try_read", "try_write"];

/// Methods of `Result` a lock's answer is unwrapped or mapped with.
const RESULT_METHODS: [&str; 15] = [
    "unwrap",
    "expect",
    "map_err",
    "ok",
    "unwrap_or_else",
    "unwrap_or",
    "unwrap_or_default",
    "is_ok",
    "is_err",
    "map",
    "map_or",
    "map_or_else",
    "and_then",
    "or_else",
    "inspect_err",
];

impl Scanner<'_, '_> {
    /// The receivers a method call on a value of type `ty` is made on.
    fn view(&self, name: String, ty: &Ty) -> MethodView {
        let mut receivers = Vec::new();
        let mut unknown = false;
        for layer in ty.deref_chain() {
            match layer {
                Ty::Path { path, .. } => receivers.push(path.clone()),
                Ty::Abstract(bounds) if !bounds.is_empty() => {
                    receivers.extend(bounds.iter().cloned())
                }
                Ty::Abstract(_) | Ty::Unknown => unknown = true,
                Ty::Ref(_) => {}
            }
        }
        MethodView {
            name,
            receivers,
            unknown,
        }
    }

    /// The path, method view and callees of a call of `func`, a path.
    fn path_call(&self, func: &syn::ExprPath, first_arg: Option<&syn::Expr>) -> PathCall {
        let mut written = segments(&func.path);
        let mut path = self.scope.resolve(&func.path, true).path;
        let name = written.last().cloned().unwrap_or_default();
        let module = self.scope.module.clone();
        let index = self.scope.index;
        let first_ty = || first_arg.map_or(Ty::Unknown, |arg| self.type_of(arg));

        // The type a method is called on, when the path names one.
        let (owner_ty, trait_path) = if let Some(qself) = &func.qself {
            // `<Type>::f(..)` and `<Type as Trait>::f(..)`
            let ty = self.scope.ty(&qself.ty);
            let trait_path = (qself.position > 0).then(|| {
                let segs: Vec<String> = written.iter().take(qself.position).cloned().collect();
                self.scope.resolve_segments(segs, false).path
            });
            if let syn::Type::Path(p) = &*qself.ty
                && qself.position == 0
            {
                let prefix = self.scope.resolve(&p.path, true).path;
                written = segments(&p.path).into_iter().chain(written).collect();
                path = prefix.into_iter().chain(path).collect();
            } else if let Ty::Abstract(bounds) = &ty
                && let Some(first) = bounds.first()
                && qself.position == 0
            {
                path = first.iter().cloned().chain(path).collect();
            }
            (Some(ty), trait_path)
        } else if func.path.segments.len() >= 2 {
            let owner: Vec<String> = written[..written.len() - 1].to_vec();
            let owner_name = owner.last().cloned().unwrap_or_default();
            let generic = (owner.len() == 1)
                .then(|| {
                    self.scope
                        .generics
                        .iter()
                        .rev()
                        .find(|(n, _)| *n == owner_name)
                        .map(|(_, ty)| ty.clone())
                })
                .flatten();
            match generic {
                Some(ty) => (Some(ty), None),
                None if owner_name == "Self" => (self.scope.self_ty.clone(), None),
                None if owner_name.starts_with(|c: char| c.is_uppercase()) => {
                    let resolved = path[..path.len().saturating_sub(1)].to_vec();
                    if index.traits.contains(&owner_name) {
                        (None, Some(resolved))
                    } else {
                        (Some(Ty::named(resolved)), None)
                    }
                }
                None => (None, None),
            }
        } else {
            (None, None)
        };

        let mut callees = Vec::new();
        let mut method = None;
        if owner_ty.is_some() || trait_path.is_some() {
            let mut view = match &owner_ty {
                Some(ty) => self.view(name.clone(), ty),
                None => MethodView {
                    name: name.clone(),
                    receivers: Vec::new(),
                    unknown: false,
                },
            };
            if let Some(t) = &trait_path
                && !view.receivers.contains(t)
            {
                view.receivers.push(t.clone());
            }
            // A trait's method called on a known value runs that value's impl.
            let on = match (&owner_ty, &trait_path) {
                (Some(ty), _) if !matches!(ty, Ty::Abstract(_)) => ty.clone(),
                (_, Some(_)) => first_ty(),
                (Some(ty), None) => ty.clone(),
                (None, None) => Ty::Unknown,
            };
            if !matches!(on.without_refs(), Ty::Unknown) {
                callees = index.methods_for(&on, &name);
            }
            method = Some(view);
        } else {
            callees = index.free_functions(&path, &module);
        }
        PathCall {
            path,
            written,
            method,
            callees,
        }
    }

    pub(crate) fn method_call(&mut self, m: &syn::ExprMethodCall) {
        self.visit_expr(&m.receiver);
        if let Some(turbofish) = &m.turbofish {
            self.visit_angle_bracketed_generic_arguments(turbofish);
        }
        for arg in &m.args {
            self.visit_expr(arg);
        }
        let name = m.method.to_string();
        // `.lock().unwrap()`: the model reads `lock()` as the value behind
        // the lock, but `unwrap` is called on the lock's `Result`.
        let on_lock_result = matches!(&*m.receiver, syn::Expr::MethodCall(inner)
            if LOCK_RESULTS.contains(&inner.method.to_string().as_str()))
            && RESULT_METHODS.contains(&name.as_str());
        let receiver = match on_lock_result {
            true => Ty::named(vec!["LockResult".to_string()]),
            false => self.type_of(&m.receiver),
        };
        let callees = self.scope.index.methods_for(&receiver, &name);
        let view = self.view(name, &receiver);
        let args = m.args.iter().map(|a| self.arg(a)).collect();
        self.push(EventKind::Method { view, args }, m.method.span(), callees);
    }

    pub(crate) fn call(&mut self, c: &syn::ExprCall) {
        let syn::Expr::Path(func) = &*c.func else {
            visit::visit_expr_call(self, c);
            return;
        };
        let is_local = func
            .path
            .get_ident()
            .is_some_and(|i| self.local(&i.to_string()).is_some());
        for arg in &c.args {
            self.visit_expr(arg);
        }
        if is_local {
            return;
        }
        let call = self.path_call(func, c.args.first());
        let span = match &func.qself {
            Some(qself) => qself.lt_token.span,
            None => func
                .path
                .segments
                .first()
                .map_or_else(Span::call_site, |s| s.ident.span()),
        };
        let args = c.args.iter().map(|a| self.arg(a)).collect();
        let receiver_first = call.method.is_some() && c.args.first().is_some_and(is_receiver);
        self.push(
            EventKind::Call {
                path: call.path,
                written: call.written,
                reference: false,
                method: call.method,
                args,
                receiver_first,
            },
            span,
            call.callees,
        );
        self.visit_path(&func.path);
        if let Some(qself) = &func.qself {
            self.visit_type(&qself.ty);
        }
    }

    pub(crate) fn path_expr(&mut self, p: &syn::ExprPath) {
        if let Some(ident) = p.path.get_ident()
            && (self.local(&ident.to_string()).is_some() || ident == "self" || ident == UNBOUND)
        {
            return;
        }
        let span = p
            .path
            .segments
            .first()
            .map_or_else(Span::call_site, |s| s.ident.span());
        // `.map(Connection::open)`, `.map(ToString::to_string)`, `.map(helper)`
        let call = self.path_call(p, None);
        if p.path.segments.len() >= 2 || p.qself.is_some() || !call.callees.is_empty() {
            self.push(
                EventKind::Call {
                    path: call.path,
                    written: call.written,
                    reference: true,
                    method: call.method,
                    args: Vec::new(),
                    receiver_first: false,
                },
                span,
                call.callees,
            );
        }
        visit::visit_expr_path(self, p);
    }

    /// `base.member` on a struct of this file reaches into a value of the
    /// field's type.
    pub(crate) fn field(&mut self, f: &syn::ExprField) {
        self.visit_expr(&f.base);
        let base = self.type_of(&f.base);
        let owner = base
            .deref_chain()
            .into_iter()
            .find_map(|layer| match layer {
                Ty::Path { path, .. }
                    if path
                        .last()
                        .is_some_and(|name| self.scope.index.struct_named(name).is_some()) =>
                {
                    Some(path.clone())
                }
                _ => None,
            });
        let Some(owner) = owner else {
            return;
        };
        let field = self.scope.field_ty(&base, &f.member);
        let mut reached = Vec::new();
        reached_paths(&field, &mut reached);
        let member = match &f.member {
            syn::Member::Named(ident) => ident.to_string(),
            syn::Member::Unnamed(index) => index.index.to_string(),
        };
        self.push(
            EventKind::Field {
                owner,
                member,
                reached,
                on_self: matches!(&*f.base, syn::Expr::Path(p) if p.path.is_ident("self")),
            },
            f.member.span(),
            Vec::new(),
        );
    }
}

struct PathCall {
    path: Vec<String>,
    written: Vec<String>,
    method: Option<MethodView>,
    callees: Vec<usize>,
}

/// `&conn`, `&mut self.repo`, `self`: an argument that is a receiver.
fn is_receiver(expr: &syn::Expr) -> bool {
    match expr {
        syn::Expr::Reference(_) => true,
        syn::Expr::Path(p) => p.path.is_ident("self"),
        syn::Expr::Paren(p) => is_receiver(&p.expr),
        _ => false,
    }
}
