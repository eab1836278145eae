//! A small expander for the file's own `macro_rules!`, so a call hidden in
//! a macro body is seen where the macro is invoked.
//!
//! The expander matches an invocation against each rule's matcher
//! (metavariables, literal tokens, groups and one level of `$(..)`
//! repetition) and transcribes the first rule that fits; when none fits, it
//! transcribes every rule with its metavariables replaced by an unknown
//! value, so a forbidden call written in a macro body is still seen. It
//! never fails and never loops: whatever it cannot match it leaves out.

use std::collections::HashMap;

use proc_macro2::{Delimiter, Group, Ident, TokenStream, TokenTree};

/// The identifier that stands for a metavariable no rule could bind.
pub(crate) const UNBOUND: &str = "__macro_argument";

/// How many times a repetition is matched at most.
const MAX_REPEAT: usize = 64;

/// What a `macro_rules!` invocation expands to: the transcription of the
/// first rule whose matcher fits `input`, or of every rule with unbound
/// metavariables when none does.
pub(crate) fn expand(definition: &syn::ItemMacro, input: &TokenStream) -> Vec<TokenStream> {
    let rules = rules(&definition.mac.tokens);
    let input: Vec<TokenTree> = input.clone().into_iter().collect();
    for (matcher, transcriber) in &rules {
        let parts = parse_matcher(matcher.clone());
        let mut bindings = Bindings::new();
        if match_all(&parts, &input, &mut bindings) {
            return vec![transcribe(transcriber.clone(), &bindings, None)];
        }
    }
    rules
        .into_iter()
        .map(|(_, transcriber)| transcribe(transcriber, &Bindings::new(), None))
        .collect()
}

/// The `(matcher) => { transcriber }` pairs of a `macro_rules!` body.
fn rules(body: &TokenStream) -> Vec<(TokenStream, TokenStream)> {
    let trees: Vec<TokenTree> = body.clone().into_iter().collect();
    let mut rules = Vec::new();
    let mut i = 0;
    while i < trees.len() {
        match (
            trees.get(i),
            trees.get(i + 1),
            trees.get(i + 2),
            trees.get(i + 3),
        ) {
            (
                Some(TokenTree::Group(matcher)),
                Some(TokenTree::Punct(eq)),
                Some(TokenTree::Punct(gt)),
                Some(TokenTree::Group(transcriber)),
            ) if eq.as_char() == '=' && gt.as_char() == '>' => {
                rules.push((matcher.stream(), transcriber.stream()));
                i += 4;
            }
            _ => i += 1,
        }
    }
    rules
}

/// One piece of a matcher.
#[derive(Debug, Clone)]
enum Part {
    /// A token that must appear as written.
    Token(String),
    /// `$name:fragment`.
    Var { name: String, fragment: String },
    /// A delimited group whose contents are matched in turn.
    Group(Delimiter, Vec<Part>),
    /// `$( .. ) sep op`.
    Repeat {
        parts: Vec<Part>,
        separator: Option<String>,
    },
}

fn parse_matcher(tokens: TokenStream) -> Vec<Part> {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut parts = Vec::new();
    let mut i = 0;
    while let Some(tree) = trees.get(i) {
        i += 1;
        match tree {
            TokenTree::Punct(p) if p.as_char() == '$' => match (trees.get(i), trees.get(i + 1)) {
                (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(colon)))
                    if colon.as_char() == ':' =>
                {
                    let fragment = match trees.get(i + 2) {
                        Some(TokenTree::Ident(f)) => f.to_string(),
                        _ => "tt".to_string(),
                    };
                    parts.push(Part::Var {
                        name: name.to_string(),
                        fragment,
                    });
                    i += 3;
                }
                (Some(TokenTree::Group(group)), _)
                    if group.delimiter() == Delimiter::Parenthesis =>
                {
                    let inner = parse_matcher(group.stream());
                    i += 1;
                    let mut separator = None;
                    if let Some(next) = trees.get(i)
                        && !is_repeat_op(next)
                    {
                        separator = Some(next.to_string());
                        i += 1;
                    }
                    if trees.get(i).is_some_and(is_repeat_op) {
                        i += 1;
                    }
                    parts.push(Part::Repeat {
                        parts: inner,
                        separator,
                    });
                }
                _ => parts.push(Part::Token("$".to_string())),
            },
            TokenTree::Group(group) => parts.push(Part::Group(
                group.delimiter(),
                parse_matcher(group.stream()),
            )),
            other => parts.push(Part::Token(other.to_string())),
        }
    }
    parts
}

fn is_repeat_op(tree: &TokenTree) -> bool {
    matches!(tree, TokenTree::Punct(p) if matches!(p.as_char(), '*' | '+' | '?'))
}

#[derive(Debug, Clone)]
enum Binding {
    One(TokenStream),
    Many(Vec<TokenStream>),
}

type Bindings = HashMap<String, Binding>;

/// Matches all of `input` against `parts`.
fn match_all(parts: &[Part], input: &[TokenTree], bindings: &mut Bindings) -> bool {
    match_from(parts, input, bindings, None) == Some(input.len())
}

/// Matches `parts` from the start of `input`; returns how many trees they
/// took. `stop` is a token that ends a greedy fragment (the separator of an
/// enclosing repetition).
fn match_from(
    parts: &[Part],
    input: &[TokenTree],
    bindings: &mut Bindings,
    stop: Option<&str>,
) -> Option<usize> {
    let mut at = 0;
    for (k, part) in parts.iter().enumerate() {
        match part {
            Part::Token(text) => {
                if input.get(at)?.to_string() != *text {
                    return None;
                }
                at += 1;
            }
            Part::Group(delimiter, inner) => {
                let TokenTree::Group(group) = input.get(at)? else {
                    return None;
                };
                if group.delimiter() != *delimiter {
                    return None;
                }
                let trees: Vec<TokenTree> = group.stream().into_iter().collect();
                if !match_all(inner, &trees, bindings) {
                    return None;
                }
                at += 1;
            }
            Part::Var { name, fragment } => {
                let end = fragment_end(fragment, &input[at..], next_token(&parts[k + 1..]), stop)?;
                let taken: TokenStream = input[at..at + end].iter().cloned().collect();
                bindings.insert(name.clone(), Binding::One(taken));
                at += end;
            }
            Part::Repeat {
                parts: inner,
                separator,
            } => {
                let mut rounds: Vec<Bindings> = Vec::new();
                let after = next_token(&parts[k + 1..]);
                while rounds.len() < MAX_REPEAT && at < input.len() {
                    if after.is_some_and(|t| input[at].to_string() == t) {
                        break;
                    }
                    let mut round = Bindings::new();
                    let stop_here = separator.as_deref().or(after);
                    let taken = match_from(inner, &input[at..], &mut round, stop_here)?;
                    if taken == 0 {
                        break;
                    }
                    at += taken;
                    rounds.push(round);
                    match separator {
                        Some(sep) if input.get(at).is_some_and(|t| t.to_string() == *sep) => {
                            at += 1;
                        }
                        Some(_) => break,
                        None => {}
                    }
                }
                collect_rounds(rounds, bindings);
            }
        }
    }
    Some(at)
}

/// The first literal token after a metavariable, where a greedy fragment ends.
fn next_token(rest: &[Part]) -> Option<&str> {
    match rest.first() {
        Some(Part::Token(text)) => Some(text),
        _ => None,
    }
}

/// How many trees a fragment of this kind takes from the start of `input`.
fn fragment_end(
    fragment: &str,
    input: &[TokenTree],
    next: Option<&str>,
    stop: Option<&str>,
) -> Option<usize> {
    match fragment {
        "ident" | "lifetime" | "tt" | "literal" | "block" => (!input.is_empty()).then_some(1),
        _ => {
            let end = input
                .iter()
                .position(|t| {
                    let text = t.to_string();
                    Some(text.as_str()) == next || Some(text.as_str()) == stop
                })
                .unwrap_or(input.len());
            (end > 0).then_some(end)
        }
    }
}

fn collect_rounds(rounds: Vec<Bindings>, bindings: &mut Bindings) {
    let mut many: HashMap<String, Vec<TokenStream>> = HashMap::new();
    for round in rounds {
        for (name, binding) in round {
            if let Binding::One(tokens) = binding {
                many.entry(name).or_default().push(tokens);
            }
        }
    }
    for (name, values) in many {
        bindings.insert(name, Binding::Many(values));
    }
}

/// Writes out a transcriber with its metavariables replaced; `round` picks
/// the value of repeated ones inside a `$(..)`.
fn transcribe(tokens: TokenStream, bindings: &Bindings, round: Option<usize>) -> TokenStream {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::new();
    let mut i = 0;
    while let Some(tree) = trees.get(i) {
        i += 1;
        match tree {
            TokenTree::Punct(p) if p.as_char() == '$' => match trees.get(i) {
                Some(TokenTree::Ident(name)) => {
                    i += 1;
                    out.extend(substitute(name, bindings, round));
                }
                Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis => {
                    i += 1;
                    let mut separator = None;
                    if let Some(next) = trees.get(i)
                        && !is_repeat_op(next)
                    {
                        separator = Some(next.clone());
                        i += 1;
                    }
                    if trees.get(i).is_some_and(is_repeat_op) {
                        i += 1;
                    }
                    let count = repeat_count(&group.stream(), bindings);
                    for k in 0..count {
                        if k > 0
                            && let Some(sep) = &separator
                        {
                            out.push(sep.clone());
                        }
                        out.extend(transcribe(group.stream(), bindings, Some(k)));
                    }
                }
                _ => out.push(tree.clone()),
            },
            TokenTree::Group(group) => {
                let mut copy = Group::new(
                    group.delimiter(),
                    transcribe(group.stream(), bindings, round),
                );
                copy.set_span(group.span());
                out.push(TokenTree::Group(copy));
            }
            other => out.push(other.clone()),
        }
    }
    out.into_iter().collect()
}

fn substitute(name: &Ident, bindings: &Bindings, round: Option<usize>) -> Vec<TokenTree> {
    if name == "crate" {
        return vec![TokenTree::Ident(Ident::new("crate", name.span()))];
    }
    let value = match (bindings.get(&name.to_string()), round) {
        (Some(Binding::One(tokens)), _) => Some(tokens.clone()),
        (Some(Binding::Many(values)), Some(k)) => values.get(k).cloned(),
        _ => None,
    };
    match value {
        // A group without delimiters keeps `$a * 2` with `$a = x + 1`
        // meaning `(x + 1) * 2`, as the compiler reads it.
        Some(tokens) => vec![TokenTree::Group(Group::new(Delimiter::None, tokens))],
        None => vec![TokenTree::Ident(Ident::new(UNBOUND, name.span()))],
    }
}

/// How many times a `$(..)` in a transcriber repeats: the number of values
/// of the repeated metavariables it names, or once with unbound ones.
fn repeat_count(tokens: &TokenStream, bindings: &Bindings) -> usize {
    let mut count: Option<usize> = None;
    let mut any_var = false;
    visit_vars(tokens, &mut |name| {
        any_var = true;
        if let Some(Binding::Many(values)) = bindings.get(name) {
            count = Some(count.map_or(values.len(), |c| c.min(values.len())));
        }
    });
    match count {
        Some(n) => n.min(MAX_REPEAT),
        None if any_var => 1,
        None => 0,
    }
}

fn visit_vars(tokens: &TokenStream, found: &mut impl FnMut(&str)) {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Punct(p) if p.as_char() == '$' => {
                if let Some(TokenTree::Ident(name)) = trees.get(i + 1) {
                    found(&name.to_string());
                }
            }
            TokenTree::Group(group) => visit_vars(&group.stream(), found),
            _ => {}
        }
    }
}
