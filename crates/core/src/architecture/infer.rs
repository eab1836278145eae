//! Types as far as the source tells them: declared types read in their
//! scope, the fields of the file's structs, the return types of its
//! functions and methods, and the usual shape of constructors.
//!
//! Whatever cannot be told is `Ty::Unknown`; see the limits in
//! docs/checks.md.

use super::index::{FileIndex, Node};
use super::scope::Scope;
use super::syntax::impl_self_path;
use super::types::Ty;

/// Deepest chain of type aliases expanded.
const TYPE_ALIAS_DEPTH: usize = 8;

impl<'a> FileIndex<'a> {
    /// The return type of a free function of this file.
    fn fn_return(&self, name: &str) -> Option<Ty> {
        let entry = &self.entries[*self.fns.get(name)?.first()?];
        let sig = entry.node.signature()?;
        let mut scope = Scope::new(self, &entry.module);
        scope.generics = scope.generic_params(&sig.generics);
        Some(scope.return_type(&sig.output))
    }

    /// The return type of `Type::method` defined in this file, read inside
    /// its impl block (so `Self` is the impl's type); a trait's default
    /// method counts for the types that implement the trait here.
    fn method_return(&self, type_name: &str, method: &str) -> Option<Ty> {
        let key = (type_name.to_string(), method.to_string());
        if let Some(&at) = self.methods.get(&key).and_then(|found| found.first()) {
            let entry = &self.entries[at];
            let Node::Method { imp, func } = entry.node else {
                return None;
            };
            let mut scope = Scope::for_impl(self, imp, &entry.module);
            let extra = scope.generic_params(&func.sig.generics);
            scope.generics.extend(extra);
            return Some(scope.return_type(&func.sig.output));
        }
        let receiver = Ty::named(vec![type_name.to_string()]);
        self.traits_of
            .get(type_name)?
            .iter()
            .find_map(|trait_name| self.trait_method_return(&receiver, trait_name, method))
    }

    fn trait_method_return(&self, receiver: &Ty, trait_name: &str, method: &str) -> Option<Ty> {
        let key = (trait_name.to_string(), method.to_string());
        let entry = &self.entries[*self.trait_methods.get(&key)?];
        let sig = entry.node.signature()?;
        let mut scope = Scope::new(self, &entry.module);
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

impl Scope<'_, '_> {
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
    /// signature, a method of a trait of this file by the trait's signature,
    /// `Arc::new(x)` and friends by their argument, and `Type::anything(..)`
    /// as `Type`, the usual shape of constructors (`HashMap::new()`,
    /// `Connection::open(..)?`).
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
        // `Arc::clone(&shared)` is another handle on the same value.
        if last == "clone" {
            return first_arg.map_or(Ty::Unknown, |arg| arg.without_refs().clone());
        }
        // `R::find(&repo, ..)`: a method of the parameter's bounds.
        if owner.len() == 1
            && let Some((_, generic)) = self.generics.iter().rev().find(|(n, _)| n == owner_name)
        {
            return self.method_ty(&generic.clone(), last);
        }
        // `ProjectStore::find_account(&store, ..)` calls a trait method: it
        // returns what the trait says, never a `ProjectStore`.
        if self.index.traits.contains(owner_name.as_str()) {
            let receiver = Ty::Abstract(vec![owner.to_vec()]);
            return self
                .index
                .trait_method_return(&receiver, owner_name, last)
                .unwrap_or(Ty::Unknown);
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
