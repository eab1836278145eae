//! Whether an argument's value is written in the source or built when the
//! code runs: the question behind "SQL text is a literal or a constant,
//! values are bound as parameters".
//!
//! Constant: literals, `concat!`/`include_str!`/`stringify!`/`env!`, the
//! file's consts and statics (and any SCREAMING_CASE path), `&` of those,
//! `.to_string()`-like conversions of those, and a local bound once (not
//! `mut`) to one of those. A parameter of the enclosing function is neither:
//! the callers decide. Everything else is built at run time, and the text
//! says how (`format!(..)`, `sql + &email`, `[..].concat()`).

use super::event::ArgValue;
use super::index::FileIndex;
use super::types::segments;

/// Macros whose result is fixed when the code is compiled.
const CONSTANT_MACROS: [&str; 5] = ["concat", "include_str", "stringify", "env", "include_bytes"];

/// Methods that turn a constant into a constant of another type.
const CONVERSIONS: [&str; 8] = [
    "as_str",
    "as_ref",
    "to_string",
    "to_owned",
    "into",
    "clone",
    "borrow",
    "as_bytes",
];

/// How long a shown expression may get before it is cut.
const SHOWN_LEN: usize = 48;

/// The value of `expr`, given what the enclosing scope's locals hold.
pub(crate) fn arg_value(
    index: &FileIndex<'_>,
    expr: &syn::Expr,
    local: &dyn Fn(&str) -> Option<ArgValue>,
) -> ArgValue {
    match expr {
        syn::Expr::Lit(_) => ArgValue::Constant,
        syn::Expr::Reference(r) => arg_value(index, &r.expr, local),
        syn::Expr::Paren(p) => arg_value(index, &p.expr, local),
        syn::Expr::Group(g) => arg_value(index, &g.expr, local),
        syn::Expr::Path(p) if p.qself.is_none() => {
            if let Some(ident) = p.path.get_ident()
                && let Some(value) = local(&ident.to_string())
            {
                return value;
            }
            let constant = p.path.segments.last().is_some_and(|last| {
                let name = last.ident.to_string();
                index.consts.contains(&name) || is_screaming(&name)
            });
            if constant {
                ArgValue::Constant
            } else {
                ArgValue::Runtime(shown(expr))
            }
        }
        syn::Expr::Macro(m) => {
            let constant = m
                .mac
                .path
                .segments
                .last()
                .is_some_and(|last| CONSTANT_MACROS.contains(&last.ident.to_string().as_str()));
            if constant {
                ArgValue::Constant
            } else {
                ArgValue::Runtime(shown(expr))
            }
        }
        syn::Expr::MethodCall(m)
            if m.args.is_empty() && CONVERSIONS.contains(&m.method.to_string().as_str()) =>
        {
            match arg_value(index, &m.receiver, local) {
                ArgValue::Runtime(_) => ArgValue::Runtime(shown(expr)),
                other => other,
            }
        }
        // `String::from(SQL)`, `str::to_owned(SQL)`
        syn::Expr::Call(c) if c.args.len() == 1 => {
            let conversion = matches!(&*c.func, syn::Expr::Path(p)
            if p.path.segments.last().is_some_and(|last| {
                let name = last.ident.to_string();
                name == "from" || CONVERSIONS.contains(&name.as_str())
            }));
            match c.args.first() {
                Some(arg) if conversion => match arg_value(index, arg, local) {
                    ArgValue::Runtime(_) => ArgValue::Runtime(shown(expr)),
                    other => other,
                },
                _ => ArgValue::Runtime(shown(expr)),
            }
        }
        _ => ArgValue::Runtime(shown(expr)),
    }
}

fn is_screaming(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// A short rendering of an expression for a violation's detail.
pub(crate) fn shown(expr: &syn::Expr) -> String {
    let mut text = render(expr, 0);
    if text.chars().count() > SHOWN_LEN {
        text = text.chars().take(SHOWN_LEN - 2).collect::<String>() + "..";
    }
    text
}

fn render(expr: &syn::Expr, depth: usize) -> String {
    if depth > 4 {
        return "..".to_string();
    }
    let inner = |e: &syn::Expr| render(e, depth + 1);
    match expr {
        syn::Expr::Macro(m) => format!("{}!(..)", segments(&m.mac.path).join("::")),
        // `a + b + c` reads as `a + ..`: the first piece says enough.
        syn::Expr::Binary(b) => {
            let op = quote::ToTokens::to_token_stream(&b.op).to_string();
            let left = match &*b.left {
                syn::Expr::Binary(inner_op) => inner(&inner_op.left),
                other => inner(other),
            };
            format!("{left} {op} ..")
        }
        syn::Expr::MethodCall(m) => format!("{}.{}(..)", inner(&m.receiver), m.method),
        syn::Expr::Call(c) => format!("{}(..)", inner(&c.func)),
        syn::Expr::Path(p) => segments(&p.path).join("::"),
        syn::Expr::Reference(r) => format!("&{}", inner(&r.expr)),
        syn::Expr::Paren(p) => format!("({})", inner(&p.expr)),
        syn::Expr::Group(g) => inner(&g.expr),
        syn::Expr::Field(f) => {
            let member = match &f.member {
                syn::Member::Named(ident) => ident.to_string(),
                syn::Member::Unnamed(index) => index.index.to_string(),
            };
            format!("{}.{member}", inner(&f.base))
        }
        syn::Expr::Index(i) => format!("{}[..]", inner(&i.expr)),
        syn::Expr::Array(_) => "[..]".to_string(),
        syn::Expr::Block(_) => "{ .. }".to_string(),
        syn::Expr::If(_) => "if ..".to_string(),
        syn::Expr::Match(_) => "match ..".to_string(),
        syn::Expr::Lit(lit) => {
            let text = quote::ToTokens::to_token_stream(lit).to_string();
            match text.chars().count() > 14 {
                true => text.chars().take(11).collect::<String>() + "..\"",
                false => text,
            }
        }
        _ => "an expression".to_string(),
    }
}
