//! Small readers of syntax shared by the index and the scanner: walking a
//! file's items outside its tests, `use` trees, an impl's self type, and
//! where a span starts.

use proc_macro2::Span;

use super::index::Aliases;

/// Calls `visit` for every item of the file outside its `mod tests`,
/// descending into inline modules, with the module path of each.
pub(crate) fn walk_items<'a>(
    items: &'a [syn::Item],
    module: &mut Vec<String>,
    visit: &mut impl FnMut(&'a syn::Item, &[String]),
) {
    for item in items {
        if is_shipped_tests(item) {
            continue;
        }
        visit(item, module);
        if let syn::Item::Mod(m) = item
            && let Some((_, content)) = &m.content
        {
            module.push(m.ident.to_string());
            walk_items(content, module, visit);
            module.pop();
        }
    }
}

/// Records the names a `use` tree brings into scope.
pub(crate) fn collect_use(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Aliases) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            collect_use(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            if n.ident == "self" {
                if let Some(last) = prefix.last() {
                    out.insert(last.clone(), prefix.clone());
                }
            } else {
                out.insert(n.ident.to_string(), with(prefix, &n.ident.to_string()));
            }
        }
        syn::UseTree::Rename(r) => {
            if r.rename == "_" {
                return;
            }
            let target = if r.ident == "self" {
                prefix.clone()
            } else {
                with(prefix, &r.ident.to_string())
            };
            out.insert(r.rename.to_string(), target);
        }
        // A glob brings in names this index cannot see; see the limits in
        // docs/checks.md.
        syn::UseTree::Glob(_) => {}
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                collect_use(tree, prefix, out);
            }
        }
    }
}

/// Every path a `use` tree names, with the span of its last segment; a glob
/// ends in a `*` segment.
pub(crate) fn use_leaves(
    tree: &syn::UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, Span)>,
) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_leaves(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let path = if n.ident == "self" {
                prefix.clone()
            } else {
                with(prefix, &n.ident.to_string())
            };
            out.push((path, n.ident.span()));
        }
        syn::UseTree::Rename(r) => {
            let path = if r.ident == "self" {
                prefix.clone()
            } else {
                with(prefix, &r.ident.to_string())
            };
            out.push((path, r.ident.span()));
        }
        // `use rusqlite::*;` mentions "everything under rusqlite".
        syn::UseTree::Glob(g) => out.push((with(prefix, "*"), g.star_token.span)),
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                use_leaves(tree, prefix, out);
            }
        }
    }
}

/// The path of an impl's self type, behind references and parentheses.
pub(crate) fn impl_self_path(imp: &syn::ItemImpl) -> Option<&syn::Path> {
    let mut ty = &*imp.self_ty;
    loop {
        match ty {
            syn::Type::Path(p) => return Some(&p.path),
            syn::Type::Reference(r) => ty = &r.elem,
            syn::Type::Paren(p) => ty = &p.elem,
            syn::Type::Group(g) => ty = &g.elem,
            _ => return None,
        }
    }
}

/// The exercise's own tests: its `mod tests`, whatever its attributes.
pub(crate) fn is_shipped_tests(item: &syn::Item) -> bool {
    matches!(item, syn::Item::Mod(m) if m.ident == crate::contract::TESTS_MODULE)
}

/// `prefix::name` as a new path.
pub(crate) fn with(prefix: &[String], name: &str) -> Vec<String> {
    let mut path = prefix.to_vec();
    path.push(name.to_string());
    path
}

/// The 1-based line and column where a span starts; `1:1` for a span with
/// no location (synthesised tokens).
pub(crate) fn location(span: Span) -> (usize, usize) {
    let start = span.start();
    if start.line == 0 {
        (1, 1)
    } else {
        (start.line, start.column + 1)
    }
}
