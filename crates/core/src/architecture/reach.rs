//! What a target reaches: its own code, and the code of every local
//! function it calls, directly or through other local functions, each
//! with the path of calls that led there (`create_project_handler ->
//! team_rows`).
//!
//! Scans are shared by all rules of one evaluation, so a function is walked
//! once however many rules and targets reach it. Reach never enters an
//! implementation through a generic or `dyn` receiver (see `callees`), and
//! a rule can name calls to stop at (`stop_at`): what the service does
//! behind `ProjectService::create_project` is the service's business, not
//! the handler's.

use std::collections::{HashMap, HashSet};

use super::event::{Event, EventKind, Scan};
use super::index::FileIndex;
use super::matching::call_match;
use super::pattern::CallPattern;
use super::scan::{scan_entry, scan_file};

/// What is scanned: an entry of the index, or the whole file (`None`).
pub(crate) type Key = Option<usize>;

/// How many functions one target may reach before the rest is left out; far
/// more than any exercise has.
const MAX_REACHED: usize = 512;

/// Scans shared by all rules of one evaluation.
pub(crate) struct Evaluation<'i, 'a> {
    pub(crate) index: &'i FileIndex<'a>,
    scans: HashMap<Key, Scan>,
}

/// One scan a target reaches, with the functions called to get there; empty
/// for the target's own code.
#[derive(Debug, Clone)]
pub(crate) struct Reached {
    pub(crate) key: Key,
    pub(crate) chain: Vec<String>,
}

impl<'i, 'a> Evaluation<'i, 'a> {
    pub(crate) fn new(index: &'i FileIndex<'a>) -> Evaluation<'i, 'a> {
        Evaluation {
            index,
            scans: HashMap::new(),
        }
    }

    /// Walks an entry, or the whole file for `None`, once.
    pub(crate) fn ensure(&mut self, key: Key) {
        let index = self.index;
        self.scans.entry(key).or_insert_with(|| match key {
            Some(i) => scan_entry(index, &index.entries[i]),
            None => scan_file(index),
        });
    }

    /// The scan of `key`; empty if it was never walked (call `ensure` first).
    pub(crate) fn scan(&self, key: Key) -> &Scan {
        static EMPTY: Scan = Scan {
            events: Vec::new(),
            flow: Vec::new(),
            owners: Vec::new(),
        };
        self.scans.get(&key).unwrap_or(&EMPTY)
    }

    /// The functions inside what `key` scans.
    pub(crate) fn covered(&self, key: Key) -> Vec<usize> {
        match key {
            Some(i) => self.index.entries[i].functions.clone(),
            None => self.index.all_functions(),
        }
    }

    /// The roots' own scans, then every local function they call, breadth
    /// first (so each comes with its shortest path of calls). Calls matching
    /// `stop`, or `matched` (what the rule already reports or looks for),
    /// are not followed.
    pub(crate) fn reach(
        &mut self,
        roots: &[Key],
        stop: &[CallPattern],
        matched: &dyn Fn(&EventKind) -> bool,
    ) -> Vec<Reached> {
        // A root's own code is its shell scan and the scans of the functions
        // inside it, all without a path of calls.
        let mut covered: HashSet<usize> = HashSet::new();
        let mut reached: Vec<Reached> = Vec::new();
        let own = |key: Key, reached: &mut Vec<Reached>| {
            if !reached.iter().any(|r| r.key == key) {
                reached.push(Reached {
                    key,
                    chain: Vec::new(),
                });
            }
        };
        for &root in roots {
            own(root, &mut reached);
            for f in self.covered(root) {
                covered.insert(f);
                own(Some(f), &mut reached);
            }
        }
        let mut visited: HashSet<usize> = HashSet::new();
        let mut next = 0;
        while next < reached.len() && reached.len() < MAX_REACHED {
            let Reached { key, chain } = reached[next].clone();
            next += 1;
            self.ensure(key);
            let mut calls = Vec::new();
            let scan = self.scan(key);
            for event in &scan.events {
                if event.callees.is_empty()
                    || stop.iter().any(|p| call_match(p, &event.kind).is_some())
                    || matched(&event.kind)
                {
                    continue;
                }
                for &callee in &event.callees {
                    if covered.contains(&callee) || !visited.insert(callee) {
                        continue;
                    }
                    let mut route = match chain.is_empty() {
                        true => vec![owner(scan, event)],
                        false => chain.clone(),
                    };
                    route.extend(event.via.iter().cloned());
                    route.push(self.index.entries[callee].label.clone());
                    calls.push(Reached {
                        key: Some(callee),
                        chain: route,
                    });
                }
            }
            reached.extend(calls);
        }
        reached.truncate(MAX_REACHED);
        for r in &reached {
            self.ensure(r.key);
        }
        reached
    }
}

/// The label of the function an event is in.
pub(crate) fn owner(scan: &Scan, event: &Event) -> String {
    scan.owners.get(event.owner).cloned().unwrap_or_default()
}

/// The path of calls and macros that led to an event, if it is not written
/// in the target itself: `handler -> team_rows` or `handler -> rows!`.
pub(crate) fn route(chain: &[String], scan: &Scan, event: &Event) -> Option<String> {
    if chain.is_empty() && event.via.is_empty() {
        return None;
    }
    let mut parts = match chain.is_empty() {
        true => vec![owner(scan, event)],
        false => chain.to_vec(),
    };
    parts.extend(event.via.iter().cloned());
    Some(parts.join(" -> "))
}

/// A detail with the route in front of it, when there is one.
pub(crate) fn routed(route: Option<String>, detail: String) -> String {
    match route {
        Some(route) => format!("{route} -> {detail}"),
        None => detail,
    }
}
