//! `require_literal_args`: an argument of some calls must be written in the
//! source, a literal or a constant, never built when the code runs. The
//! curriculum's case is SQL: the statement is fixed text with `?1`, `?2`,
//! and the values travel separately as parameters, so no value can rewrite
//! the statement.
//!
//! An argument that is a parameter of the enclosing function is judged
//! where that function is called: a helper `fn one_user(conn, sql: &str)`
//! is fine when every caller passes fixed text, and the violation points at
//! the caller that builds it.

use std::collections::{HashMap, HashSet};

use super::Violation;
use super::event::{Arg, ArgValue, Event, EventKind};
use super::matching::typed_call_match;
use super::pattern::CallPattern;
use super::reach::{Evaluation, Key, route, routed};
use super::rules::{not_found, target_keys};
use super::target::TargetSpec;

/// How many callers deep a parameter is followed.
const PARAM_DEPTH: usize = 6;

pub(crate) fn require_literal_args(
    eval: &mut Evaluation<'_, '_>,
    targets: &[TargetSpec],
    calls: &[CallPattern],
    arg: usize,
) -> Vec<Violation> {
    let mut violations = Vec::new();
    for spec in targets {
        let keys = target_keys(eval.index, spec);
        if keys.is_empty() {
            violations.push(not_found(eval.index, spec, true));
            continue;
        }
        let mut roots: Vec<Key> = Vec::new();
        for &key in &keys {
            for f in eval.covered(key) {
                if !roots.contains(&Some(f)) {
                    roots.push(Some(f));
                }
            }
        }
        let reached = eval.reach(&roots, &[], &|_| false);
        let eval: &Evaluation<'_, '_> = eval;
        let mut check = Check {
            eval,
            sites: HashMap::new(),
            violations: Vec::new(),
        };
        for r in &reached {
            let Some(caller) = r.key else { continue };
            for (i, event) in eval.scan(r.key).events.iter().enumerate() {
                for &callee in &event.callees {
                    check
                        .sites
                        .entry(callee)
                        .or_default()
                        .push((caller, i, r.chain.clone()));
                }
            }
        }
        for r in &reached {
            let Some(function) = r.key else { continue };
            let scan = eval.scan(r.key);
            for (i, event) in scan.events.iter().enumerate() {
                let Some(what) = calls.iter().find_map(|p| typed_call_match(p, &event.kind)) else {
                    continue;
                };
                let Some(value) = argument(event, arg, false) else {
                    continue;
                };
                let what = what
                    .strip_prefix("calls ")
                    .map_or(what.clone(), str::to_string);
                let site = Site {
                    function,
                    event: i,
                    chain: r.chain.clone(),
                };
                let mut seen = HashSet::new();
                check.judge(
                    &site,
                    &value,
                    &format!("argument {arg} of {what}"),
                    &mut seen,
                    0,
                );
            }
        }
        for violation in check.violations {
            if !violations.contains(&violation) {
                violations.push(violation);
            }
        }
    }
    violations
}

/// A call event in a function, with the calls that led to the function.
struct Site {
    function: usize,
    event: usize,
    chain: Vec<String>,
}

struct Check<'c, 'i, 'a> {
    eval: &'c Evaluation<'i, 'a>,
    /// Where each function is called: caller, event, path of calls.
    sites: HashMap<usize, Vec<(usize, usize, Vec<String>)>>,
    violations: Vec<Violation>,
}

impl Check<'_, '_, '_> {
    /// Judges `value`, an argument at `site`, described as `what`.
    fn judge(
        &mut self,
        site: &Site,
        value: &Arg,
        what: &str,
        seen: &mut HashSet<(usize, usize)>,
        depth: usize,
    ) {
        let scan = self.eval.scan(Some(site.function));
        let Some(event) = scan.events.get(site.event) else {
            return;
        };
        let at = |detail: String| Violation {
            line: value.line,
            column: value.column,
            detail: routed(route(&site.chain, scan, event), detail),
        };
        match &value.value {
            ArgValue::Constant => {}
            ArgValue::Runtime(how) => {
                let violation = at(format!("{what} is built at run time: {how}"));
                self.violations.push(violation);
            }
            ArgValue::Param(k) => {
                let name = param_name(self.eval, site.function, *k);
                let label = self.eval.index.entries[site.function].label.clone();
                let callers = self.sites.get(&site.function).cloned().unwrap_or_default();
                if callers.is_empty() || depth >= PARAM_DEPTH {
                    let violation = at(format!(
                        "{what} is parameter {name} of {label}; pass a literal or a constant"
                    ));
                    self.violations.push(violation);
                    return;
                }
                if !seen.insert((site.function, *k)) {
                    return;
                }
                let has_self = self.eval.index.entries[site.function]
                    .node
                    .signature()
                    .is_some_and(|sig| sig.receiver().is_some());
                let passed = format!("{what}, passed as {name} to {label},");
                for (caller, i, chain) in callers {
                    let scan = self.eval.scan(Some(caller));
                    let Some(call) = scan.events.get(i) else {
                        continue;
                    };
                    let Some(value) = argument(call, k + 1, has_self) else {
                        continue;
                    };
                    let outer = Site {
                        function: caller,
                        event: i,
                        chain,
                    };
                    self.judge(&outer, &value, &passed, seen, depth + 1);
                }
            }
        }
    }
}

/// The `position`-th argument (1-based) of a call, the receiver not counted:
/// of `conn.execute(sql, ..)`, of `Connection::execute(&conn, sql, ..)`, and
/// of `helper(sql)` or `Self::helper(self, sql)` for a callee that takes
/// `self` when `callee_has_self`.
fn argument(event: &Event, position: usize, callee_has_self: bool) -> Option<Arg> {
    let index = position.checked_sub(1)?;
    match &event.kind {
        EventKind::Method { args, .. } => args.get(index).cloned(),
        EventKind::Call {
            args,
            reference: false,
            receiver_first,
            ..
        } => {
            let shift = usize::from(*receiver_first || callee_has_self);
            args.get(index + shift).cloned()
        }
        _ => None,
    }
}

/// The name of a function's `k`-th parameter (`self` not counted).
fn param_name(eval: &Evaluation<'_, '_>, function: usize, k: usize) -> String {
    let sig = eval.index.entries[function].node.signature();
    sig.and_then(|sig| {
        sig.inputs
            .iter()
            .filter_map(|input| match input {
                syn::FnArg::Typed(p) => Some(&*p.pat),
                syn::FnArg::Receiver(_) => None,
            })
            .nth(k)
    })
    .map_or_else(
        || format!("#{}", k + 1),
        |pat| match pat {
            syn::Pat::Ident(p) => p.ident.to_string(),
            _ => format!("#{}", k + 1),
        },
    )
}
