//! Which of the file's own functions a call may run: the free function a
//! path names, the method a receiver's type has (in an inherent impl, a
//! trait impl, a trait's default body or a blanket impl of a local trait).
//!
//! This is what lets a rule judge what a target *reaches*: a handler that
//! moves its database call into `fn team_rows(..)` or `impl App { fn
//! count_rows(..) }` still makes that call. A call through a generic or
//! `dyn` receiver is never followed into an implementation: depending on
//! the trait is the design, and which implementation runs is decided
//! elsewhere.

use super::index::FileIndex;
use super::types::Ty;

/// Method names too common to follow on a receiver of unknown type, even
/// when the file declares only one method of that name: the receiver is
/// more likely a std type.
const COMMON_METHODS: [&str; 52] = [
    "add",
    "append",
    "as_ref",
    "as_str",
    "build",
    "call",
    "clear",
    "clone",
    "close",
    "cmp",
    "contains",
    "default",
    "delete",
    "entry",
    "eq",
    "extend",
    "filter",
    "find",
    "flush",
    "fmt",
    "from",
    "get",
    "get_mut",
    "handle",
    "hash",
    "insert",
    "into",
    "into_iter",
    "is_empty",
    "iter",
    "iter_mut",
    "len",
    "load",
    "lock",
    "map",
    "new",
    "next",
    "now",
    "open",
    "parse",
    "pop",
    "push",
    "read",
    "remove",
    "run",
    "save",
    "send",
    "set",
    "to_owned",
    "to_string",
    "update",
    "write",
];

impl FileIndex<'_> {
    /// The free functions a call of the resolved `path` may run, seen from
    /// `module`: the one in the closest module when several match.
    pub(crate) fn free_functions(&self, path: &[String], module: &[String]) -> Vec<usize> {
        let Some(name) = path.last() else {
            return Vec::new();
        };
        let Some(found) = self.fns.get(name) else {
            return Vec::new();
        };
        let matching: Vec<usize> = found
            .iter()
            .copied()
            .filter(|&i| self.entries[i].paths.iter().any(|p| p.ends_with(path)))
            .collect();
        let shared = |i: &usize| {
            let own = &self.entries[*i].module;
            own.iter().zip(module).take_while(|(a, b)| a == b).count()
        };
        let Some(best) = matching.iter().map(shared).max() else {
            return Vec::new();
        };
        matching.into_iter().filter(|i| shared(i) == best).collect()
    }

    /// The methods named `name` a receiver of type `receiver` runs, if they
    /// are the file's own.
    pub(crate) fn methods_for(&self, receiver: &Ty, name: &str) -> Vec<usize> {
        let mut abstract_receiver = false;
        for layer in receiver.deref_chain() {
            match layer {
                Ty::Path { path, .. } => {
                    let Some(type_name) = path.last() else {
                        continue;
                    };
                    let key = (type_name.clone(), name.to_string());
                    if let Some(found) = self.methods.get(&key) {
                        return found.clone();
                    }
                    let defaults = self.trait_defaults(type_name, name);
                    if !defaults.is_empty() {
                        return defaults;
                    }
                }
                Ty::Abstract(bounds) => {
                    // A method of the bounding trait is the abstraction's
                    // business; which implementation runs is not this code's.
                    let declared = bounds.iter().any(|bound| {
                        bound.last().is_some_and(|t| {
                            self.trait_methods
                                .contains_key(&(t.clone(), name.to_string()))
                        })
                    });
                    if declared {
                        return Vec::new();
                    }
                    abstract_receiver = true;
                }
                Ty::Ref(_) | Ty::Unknown => {}
            }
        }
        // An extension trait implemented for every type (`impl<T: Handler>
        // Forward for T`) gives the method to any receiver.
        if let Some(found) = self.blanket.get(name) {
            return found.clone();
        }
        let unknown = matches!(receiver.without_refs(), Ty::Unknown);
        if unknown && !abstract_receiver {
            return self.unique_method(name);
        }
        Vec::new()
    }

    /// The default bodies of the file's traits implemented for `type_name`.
    fn trait_defaults(&self, type_name: &str, name: &str) -> Vec<usize> {
        let Some(traits) = self.traits_of.get(type_name) else {
            return Vec::new();
        };
        traits
            .iter()
            .filter_map(|t| self.trait_methods.get(&(t.clone(), name.to_string())))
            .copied()
            .filter(|&i| self.entries[i].node.has_body())
            .collect()
    }

    /// For a receiver of unknown type: the file's one method of that name,
    /// when there is exactly one and the name is not a common std one.
    fn unique_method(&self, name: &str) -> Vec<usize> {
        if COMMON_METHODS.contains(&name) {
            return Vec::new();
        }
        match self.by_name.get(name) {
            Some(found) if found.len() == 1 => found.clone(),
            _ => Vec::new(),
        }
    }
}
