//! `require_calls_after` and `require_calls_before`: a call must come after
//! (or before) another on every path through the function, such as "drop
//! the cached entry after the write" or "read the cache before the
//! repository".
//!
//! The flow of each function the target names is walked forwards; calls
//! into the file's own functions are walked inline, so a write or an
//! invalidation moved into a helper still counts where the helper is
//! called. A path that leaves with an error (`?`, `return Err(..)`, a panic)
//! needs no follow-up: a write that failed has nothing to invalidate.

use super::Violation;
use super::event::{EventKind, Exit, Step};
use super::matching::call_match;
use super::pattern::CallPattern;
use super::presence::does_not_call;
use super::reach::{Evaluation, Key, route, routed};
use super::rules::{not_found, target_keys};
use super::syntax::location;
use super::target::TargetSpec;

/// Which side of the anchor the required call must be on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// After every anchor, on every path that goes on normally.
    After,
    /// Before every anchor, on every path that reaches it.
    Before,
}

impl Direction {
    pub(crate) fn word(self) -> &'static str {
        match self {
            Direction::After => "after",
            Direction::Before => "before",
        }
    }
}

/// How deep calls into local functions are walked inline.
const INLINE_DEPTH: usize = 8;

pub(crate) fn require_order(
    eval: &mut Evaluation<'_, '_>,
    targets: &[TargetSpec],
    calls: &[CallPattern],
    anchors: &[CallPattern],
    direction: Direction,
) -> Vec<Violation> {
    let mut violations = Vec::new();
    for spec in targets {
        let keys = target_keys(eval.index, spec);
        if keys.is_empty() {
            violations.push(not_found(eval.index, spec, true));
            continue;
        }
        let mut functions: Vec<usize> = Vec::new();
        for &key in &keys {
            for f in eval.covered(key) {
                if !functions.contains(&f) {
                    functions.push(f);
                }
            }
        }
        let mut found = false;
        for &f in &functions {
            // Walk everything the function may call before reading it.
            eval.reach(&[Some(f)], &[], &|_| false);
            let mut walker = Walker {
                eval,
                calls,
                anchors,
                direction,
                found: false,
                violations: Vec::new(),
                stack: vec![f],
            };
            let root = Context {
                key: Some(f),
                chain: Vec::new(),
            };
            let flow = &eval.scan(Some(f)).flow;
            let (fall, returned) = walker.walk(flow, State::start(), &root);
            if let State::Live { pending, .. } = fall.merge(returned) {
                for anchor in pending {
                    walker.report(&anchor);
                }
            }
            found |= walker.found;
            violations.extend(walker.violations);
        }
        if !found {
            let (line, column) = keys
                .first()
                .copied()
                .flatten()
                .map_or((1, 1), |i| location(eval.index.entries[i].span));
            violations.push(Violation {
                line,
                column,
                detail: does_not_call(spec, anchors),
            });
        }
    }
    violations
}

/// Where the walk is: the scan being read and the calls that led there.
#[derive(Debug, Clone)]
struct Context {
    key: Key,
    chain: Vec<String>,
}

/// An anchor call waiting for the required call after it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Anchor {
    key: Key,
    event: usize,
    chain: Vec<String>,
}

/// What the paths reaching a point have in common.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// No path reaches this point.
    Dead,
    Live {
        /// Anchors some path reached with no required call after them yet.
        pending: Vec<Anchor>,
        /// Whether every path has made the required call.
        satisfied: bool,
    },
}

impl State {
    fn start() -> State {
        State::Live {
            pending: Vec::new(),
            satisfied: false,
        }
    }

    /// The state where two sets of paths meet.
    fn merge(self, other: State) -> State {
        match (self, other) {
            (State::Dead, other) | (other, State::Dead) => other,
            (
                State::Live {
                    mut pending,
                    satisfied,
                },
                State::Live {
                    pending: more,
                    satisfied: also,
                },
            ) => {
                for anchor in more {
                    if !pending.contains(&anchor) {
                        pending.push(anchor);
                    }
                }
                State::Live {
                    pending,
                    satisfied: satisfied && also,
                }
            }
        }
    }
}

struct Walker<'w, 'e, 'i, 'a> {
    eval: &'w Evaluation<'i, 'a>,
    calls: &'e [CallPattern],
    anchors: &'e [CallPattern],
    direction: Direction,
    found: bool,
    violations: Vec<Violation>,
    /// Functions being walked inline, to stop at recursion.
    stack: Vec<usize>,
}

impl Walker<'_, '_, '_, '_> {
    /// Walks `steps` from `state`; returns the state where they end and the
    /// state of the paths that returned from the function inside them.
    fn walk(&mut self, steps: &[Step], mut state: State, at: &Context) -> (State, State) {
        let mut returned = State::Dead;
        for step in steps {
            match step {
                Step::Event(i) => state = self.event(*i, state, at),
                Step::Branch(paths) => {
                    let mut joined = State::Dead;
                    for path in paths {
                        let (end, ret) = self.walk(path, state.clone(), at);
                        joined = joined.merge(end);
                        returned = returned.merge(ret);
                    }
                    state = joined;
                }
                Step::Closure(body) => {
                    let (end, ret) = self.walk(body, state.clone(), at);
                    state = end.merge(ret);
                }
                Step::Exit(Exit::Error) => state = State::Dead,
                Step::Exit(Exit::Return) => {
                    returned = returned.merge(state);
                    state = State::Dead;
                }
            }
        }
        (state, returned)
    }

    fn event(&mut self, i: usize, state: State, at: &Context) -> State {
        let eval = self.eval;
        let scan = eval.scan(at.key);
        let Some(event) = scan.events.get(i) else {
            return state;
        };
        let State::Live {
            mut pending,
            mut satisfied,
        } = state
        else {
            return State::Dead;
        };
        let matches = |patterns: &[CallPattern]| {
            !matches!(event.kind, EventKind::Field { .. })
                && patterns
                    .iter()
                    .any(|p| call_match(p, &event.kind).is_some())
        };
        let is_call = matches(self.calls);
        let is_anchor = matches(self.anchors);
        if is_call {
            pending.clear();
            satisfied = true;
        }
        if is_anchor {
            self.found = true;
            let anchor = Anchor {
                key: at.key,
                event: i,
                chain: at.chain.clone(),
            };
            match self.direction {
                Direction::Before if !satisfied => self.report(&anchor),
                Direction::Before => {}
                Direction::After => {
                    if !pending.contains(&anchor) {
                        pending.push(anchor);
                    }
                }
            }
        }
        let state = State::Live { pending, satisfied };
        if is_call || is_anchor || event.callees.is_empty() || self.stack.len() > INLINE_DEPTH {
            return state;
        }
        // A call of the file's own function: walk its body here.
        let mut after = State::Dead;
        let mut walked = false;
        for &callee in &event.callees {
            if self.stack.contains(&callee) {
                continue;
            }
            walked = true;
            let mut chain = match at.chain.is_empty() {
                true => vec![super::reach::owner(scan, event)],
                false => at.chain.clone(),
            };
            chain.extend(event.via.iter().cloned());
            chain.push(eval.index.entries[callee].label.clone());
            let inner = Context {
                key: Some(callee),
                chain,
            };
            self.stack.push(callee);
            let flow = &eval.scan(Some(callee)).flow;
            let (end, ret) = self.walk(flow, state.clone(), &inner);
            self.stack.pop();
            after = after.merge(end).merge(ret);
        }
        if walked { after } else { state }
    }

    /// A violation at an anchor the required call does not follow (or
    /// precede) on some path.
    fn report(&mut self, anchor: &Anchor) {
        let scan = self.eval.scan(anchor.key);
        let Some(event) = scan.events.get(anchor.event) else {
            return;
        };
        let Some(what) = self.anchors.iter().find_map(|p| call_match(p, &event.kind)) else {
            return;
        };
        let wanted: Vec<&str> = self.calls.iter().map(CallPattern::text).collect();
        let word = self.direction.word();
        let mut detail = format!(
            "{what} with no {} {word} it on some path",
            wanted.join(" or ")
        );
        // Point at a required call on the wrong side, if there is one.
        let wrong_side = scan.events.iter().find(|other| {
            other.owner == event.owner
                && !matches!(other.kind, EventKind::Field { .. })
                && self
                    .calls
                    .iter()
                    .any(|p| call_match(p, &other.kind).is_some())
                && match self.direction {
                    Direction::After => (other.line, other.column) < (event.line, event.column),
                    Direction::Before => (other.line, other.column) > (event.line, event.column),
                }
        });
        if let Some(other) = wrong_side {
            let side = match self.direction {
                Direction::After => "before",
                Direction::Before => "after",
            };
            detail.push_str(&format!(
                " (the one at {}:{} comes {side} it)",
                other.line, other.column
            ));
        }
        let violation = Violation {
            line: event.line,
            column: event.column,
            detail: routed(route(&anchor.chain, scan, event), detail),
        };
        if !self.violations.contains(&violation) {
            self.violations.push(violation);
        }
    }
}
