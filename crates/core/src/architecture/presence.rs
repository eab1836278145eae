//! The rules about what a target does anywhere it reaches: `forbid_calls`,
//! `forbid_types` (every occurrence is a violation, with the path of calls
//! that led there) and `require_calls` (one occurrence anywhere suffices).

use std::collections::HashSet;

use super::Violation;
use super::event::EventKind;
use super::matching::call_match;
use super::pattern::CallPattern;
use super::reach::{Evaluation, route, routed};
use super::rules::{list, not_found, target_keys};
use super::syntax::location;
use super::target::{Target, TargetSpec};

/// Every event a target reaches that `matcher` matches.
pub(crate) fn forbid(
    eval: &mut Evaluation<'_, '_>,
    targets: &[TargetSpec],
    stop_at: &[CallPattern],
    expect_fn: bool,
    matcher: impl Fn(&EventKind) -> Option<String>,
) -> Vec<Violation> {
    let mut violations = Vec::new();
    // The same place reached from two targets is reported once, by the
    // shortest path of calls.
    let mut seen: HashSet<(usize, usize, String)> = HashSet::new();
    for spec in targets {
        let keys = target_keys(eval.index, spec);
        if keys.is_empty() {
            violations.push(not_found(eval.index, spec, expect_fn));
            continue;
        }
        // A call the rule reports is not entered: its insides would only
        // repeat it.
        let reported = |kind: &EventKind| matcher(kind).is_some();
        for reached in eval.reach(&keys, stop_at, &reported) {
            let scan = eval.scan(reached.key);
            for event in &scan.events {
                let Some(detail) = matcher(&event.kind) else {
                    continue;
                };
                if !seen.insert((event.line, event.column, detail.clone())) {
                    continue;
                }
                violations.push(Violation {
                    line: event.line,
                    column: event.column,
                    detail: routed(route(&reached.chain, scan, event), detail),
                });
            }
        }
    }
    violations
}

/// Each target must reach a call of one of `calls`.
pub(crate) fn require_calls(
    eval: &mut Evaluation<'_, '_>,
    targets: &[TargetSpec],
    calls: &[CallPattern],
) -> Vec<Violation> {
    let mut violations = Vec::new();
    for spec in targets {
        let keys = target_keys(eval.index, spec);
        let Some(first) = keys.first().copied() else {
            violations.push(not_found(eval.index, spec, true));
            continue;
        };
        let wanted = |kind: &EventKind| {
            !matches!(kind, EventKind::Field { .. })
                && calls.iter().any(|p| call_match(p, kind).is_some())
        };
        let called = eval.reach(&keys, &[], &wanted).iter().any(|reached| {
            eval.scan(reached.key)
                .events
                .iter()
                .any(|e| wanted(&e.kind))
        });
        if called {
            continue;
        }
        let (line, column) = match first {
            Some(i) => location(eval.index.entries[i].span),
            None => (1, 1),
        };
        violations.push(Violation {
            line,
            column,
            detail: does_not_call(spec, calls),
        });
    }
    violations
}

/// `handler does not call X`, or `handler calls none of X, Y`.
pub(crate) fn does_not_call(spec: &TargetSpec, calls: &[CallPattern]) -> String {
    let name = match spec.target {
        Target::File => "the file",
        _ => spec.text.as_str(),
    };
    match calls {
        [one] => format!("{name} does not call {}", one.text()),
        _ => format!(
            "{name} calls none of {}",
            list(calls.iter().map(CallPattern::text))
        ),
    }
}
