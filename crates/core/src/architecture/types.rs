//! A deliberately small model of Rust types, just rich enough to answer the
//! two questions the rules ask: "what type is the receiver of this method
//! call?" (so `self.repo.save(..)` can be told apart from `conn.execute(..)`)
//! and "is this dependency abstract?" (a generic bound, `dyn Trait` or
//! `impl Trait`, possibly behind `&`, `Box`, `Arc`, ...).
//!
//! It never guesses silently: whatever it cannot tell is `Ty::Unknown`, and
//! the rules say in their details when a match was made by method name only.

/// A type as far as the checks can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    /// A named type, its path resolved through `use` aliases, with the types
    /// among its generic arguments (`HashMap<String, User>`).
    Path {
        path: Vec<String>,
        args: Vec<Ty>,
    },
    /// `&T`, `&mut T`, `*const T`: method calls see through it.
    Ref(Box<Ty>),
    /// A type known only by its trait bounds: a generic parameter, `dyn T`
    /// or `impl T`. Each bound is a resolved trait path.
    Abstract(Vec<Vec<String>>),
    Unknown,
}

/// Smart pointers and lock guards that method calls auto-dereference
/// through (`self.lock().remove(&id)` on a `MutexGuard<HashMap<..>>`).
const DEREF_WRAPPERS: [&str; 9] = [
    "Box",
    "Arc",
    "Rc",
    "Pin",
    "MutexGuard",
    "RwLockReadGuard",
    "RwLockWriteGuard",
    "Ref",
    "RefMut",
];

/// Wrappers that a dependency may sit in and still be abstract:
/// `Arc<Mutex<dyn Cache>>` and `Option<Box<dyn Clock>>` are both injected
/// abstractions.
/// A `Vec<Box<dyn Middleware>>` is a list of injected abstractions.
pub(crate) const DEPENDENCY_WRAPPERS: [&str; 11] = [
    "Box", "Arc", "Rc", "Pin", "Mutex", "RwLock", "RefCell", "Cell", "Option", "Weak", "Vec",
];

/// Lock-like wrappers whose `lock()`/`read()`/`write()`/`borrow()` hand out
/// the inner value.
const LOCKS: [&str; 3] = ["Mutex", "RwLock", "RefCell"];

impl Ty {
    pub(crate) fn named(path: Vec<String>) -> Ty {
        Ty::Path {
            path,
            args: Vec::new(),
        }
    }

    /// The chain a method call auto-dereferences through: `&Arc<dyn Repo>`
    /// gives `[&Arc<dyn Repo>, Arc<dyn Repo>, dyn Repo]`.
    pub(crate) fn deref_chain(&self) -> Vec<&Ty> {
        let mut chain = Vec::new();
        let mut current = self;
        loop {
            chain.push(current);
            match current {
                Ty::Ref(inner) => current = inner,
                Ty::Path { path, args }
                    if args.len() == 1
                        && path
                            .last()
                            .is_some_and(|last| DEREF_WRAPPERS.contains(&last.as_str())) =>
                {
                    current = &args[0];
                }
                _ => return chain,
            }
        }
    }

    /// The type behind references only.
    pub(crate) fn without_refs(&self) -> &Ty {
        match self {
            Ty::Ref(inner) => inner.without_refs(),
            other => other,
        }
    }

    /// What `.lock()`, `.read()`, `.write()`, `.borrow()` and friends give
    /// access to: the `T` of the first `Mutex<T>`, `RwLock<T>` or
    /// `RefCell<T>` in the deref chain.
    pub(crate) fn lock_target(&self) -> Ty {
        self.deref_chain()
            .into_iter()
            .find_map(|ty| match ty {
                Ty::Path { path, args }
                    if args.len() == 1
                        && path
                            .last()
                            .is_some_and(|last| LOCKS.contains(&last.as_str())) =>
                {
                    Some(args[0].clone())
                }
                _ => None,
            })
            .unwrap_or(Ty::Unknown)
    }

    /// What `?`, `.unwrap()` and `.expect(..)` give: the `T` of `Result<T, _>`
    /// or `Option<T>`, and the type itself otherwise (a lock guard, or a
    /// constructor whose `Result` the model does not see).
    pub(crate) fn unwrapped(&self) -> Ty {
        match self.without_refs() {
            Ty::Path { path, args }
                if !args.is_empty()
                    && path
                        .last()
                        .is_some_and(|last| last == "Result" || last == "Option") =>
            {
                args[0].clone()
            }
            _ => self.clone(),
        }
    }
}

/// Renders a type as the learner wrote it, for details such as
/// `field repo has concrete type Arc<InMemoryUsers>`. Parts the model does
/// not care about become `_`.
pub(crate) fn render_type(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => render_path(&p.path),
        syn::Type::Reference(r) => {
            let lifetime = r
                .lifetime
                .as_ref()
                .map(|l| format!("'{} ", l.ident))
                .unwrap_or_default();
            let mutability = if r.mutability.is_some() { "mut " } else { "" };
            format!("&{lifetime}{mutability}{}", render_type(&r.elem))
        }
        syn::Type::Ptr(p) => format!("*{}", render_type(&p.elem)),
        syn::Type::TraitObject(t) => format!("dyn {}", render_bounds(t.bounds.iter())),
        syn::Type::ImplTrait(t) => format!("impl {}", render_bounds(t.bounds.iter())),
        syn::Type::Paren(p) => format!("({})", render_type(&p.elem)),
        syn::Type::Group(g) => render_type(&g.elem),
        syn::Type::Slice(s) => format!("[{}]", render_type(&s.elem)),
        syn::Type::Array(a) => format!("[{}; _]", render_type(&a.elem)),
        syn::Type::Tuple(t) => {
            let elems: Vec<String> = t.elems.iter().map(render_type).collect();
            format!("({})", elems.join(", "))
        }
        syn::Type::FnPtr(_) => "fn(..)".to_string(),
        syn::Type::Never(_) => "!".to_string(),
        _ => "_".to_string(),
    }
}

pub(crate) fn render_path(path: &syn::Path) -> String {
    let mut out = String::new();
    if path.leading_colon.is_some() {
        out.push_str("::");
    }
    for (i, segment) in path.segments.iter().enumerate() {
        if i > 0 {
            out.push_str("::");
        }
        out.push_str(&segment.ident.to_string());
        match &segment.arguments {
            syn::PathArguments::None => {}
            syn::PathArguments::AngleBracketed(args) => {
                let rendered: Vec<String> = args
                    .args
                    .iter()
                    .map(|arg| match arg {
                        syn::GenericArgument::Type(t) => render_type(t),
                        syn::GenericArgument::Lifetime(l) => format!("'{}", l.ident),
                        _ => "_".to_string(),
                    })
                    .collect();
                out.push('<');
                out.push_str(&rendered.join(", "));
                out.push('>');
            }
            syn::PathArguments::Parenthesized(args) => {
                let inputs: Vec<String> = args.inputs.iter().map(|a| render_type(&a.ty)).collect();
                out.push('(');
                out.push_str(&inputs.join(", "));
                out.push(')');
            }
        }
    }
    out
}

fn render_bounds<'a>(bounds: impl Iterator<Item = &'a syn::TypeParamBound>) -> String {
    let rendered: Vec<String> = bounds
        .map(|bound| match bound {
            syn::TypeParamBound::Trait(t) => render_path(&t.path),
            syn::TypeParamBound::Lifetime(l) => format!("'{}", l.ident),
            _ => "_".to_string(),
        })
        .collect();
    rendered.join(" + ")
}

/// Segments of a path as plain strings, generic arguments dropped.
pub(crate) fn segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

/// `A::B::C` from segments.
pub(crate) fn join(path: &[String]) -> String {
    path.join("::")
}
