//! The arguments of a macro invocation, read as Rust where they can be:
//! `format!("{}", repo.query())`, `assert!(..)`, `vec![..]`,
//! `json!({"id": user.id()})`. Pieces that are not Rust (SQL in a string, a
//! custom DSL) are skipped.

use std::collections::HashMap;

use proc_macro2::{Spacing, TokenStream, TokenTree};
use syn::punctuated::Punctuated;
use syn::visit::Visit;

use super::scan::Scanner;

/// How deep macro bodies are re-split when they do not parse as a whole.
const MACRO_SPLIT_DEPTH: usize = 4;

impl Scanner<'_, '_> {
    /// Visits the expressions a macro's arguments parse as.
    pub(crate) fn visit_macro_body(&mut self, tokens: TokenStream, depth: usize) {
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
pub(crate) fn split_chunks(tokens: TokenStream) -> Vec<TokenStream> {
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
