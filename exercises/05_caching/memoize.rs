//! # Caching: memoization
//!
//! Memoization is caching for a function: remember each argument's result,
//! and answer a repeated call from memory. It is only correct for a *pure*
//! function, one whose result depends on its argument alone.
//!
//! ## The problem
//!
//! The shipping page computes a delivery estimate per postcode with an
//! expensive routing calculation. A batch of 10 000 orders has 300 distinct
//! postcodes, yet the calculation runs 10 000 times. Writing a `HashMap` by
//! hand into every such loop repeats the same five lines, and one of the
//! copies will get them wrong. A small generic wrapper writes them once.
//!
//! ## Your task
//!
//! 1. Implement `Memo::get`: return the remembered result for `key`, or call
//!    `self.compute` once, remember its result, and return it. The tests count
//!    the calls.
//! 2. Make `get` accept a *borrowed* key, the way `HashMap::get` does: a
//!    `Memo` keyed by `String` is asked with a `&str`, and an owned key is built
//!    only when it has to be stored. Until then the test
//!    `string_keys_are_looked_up_with_a_str` does not compile; that compiler
//!    error is the second half of the exercise.
//!
//! ## When not to use it
//!
//! Not for functions that read the clock, the database or anything else that
//! changes: the memo would answer with yesterday's result forever (that needs
//! a TTL cache). Not for arguments that rarely repeat: the map only grows, and
//! each entry costs memory for nothing. A memo with no bound on its size is a
//! memory leak with a good excuse; in a long-running service prefer a bounded
//! cache (`moka`, or the `cached` crate's `#[cached(size = ...)]`).

use std::collections::HashMap;
use std::hash::Hash;

/// Remembers the results of a pure function, one per distinct argument.
///
/// Generic over the function type `F` rather than holding a
/// `Box<dyn Fn(&K) -> V>`: each `Memo` is specialised for its closure, the
/// call is inlined, and nothing is allocated for the function itself.
struct Memo<K, V, F>
where
    F: Fn(&K) -> V,
{
    compute: F,
    results: HashMap<K, V>,
}

impl<K, V, F> Memo<K, V, F>
where
    K: Eq + Hash,
    V: Clone,
    F: Fn(&K) -> V,
{
    fn new(compute: F) -> Self {
        Self {
            compute,
            results: HashMap::new(),
        }
    }

    /// The function's result for `key`, computed at most once per key.
    // TODO: accept any borrowed form of `K` (`&str` for a `String` key), as
    // `HashMap::get` does.
    fn get(&mut self, key: &K) -> V {
        // TODO: answer from `self.results` when it holds `key`; otherwise call
        // `self.compute`, remember the result, and return it.
        todo!()
    }

    /// How many distinct keys have been computed.
    fn len(&self) -> usize {
        self.results.len()
    }
}

/// An example of something worth memoizing: pure, and slow for some inputs.
fn collatz_steps(start: &u64) -> u32 {
    let mut n = *start;
    let mut steps = 0;
    while n > 1 {
        n = if n.is_multiple_of(2) {
            n / 2
        } else {
            3 * n + 1
        };
        steps += 1;
    }
    steps
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn returns_what_the_function_returns() {
        let mut squares = Memo::new(|n: &u64| n * n);

        assert_eq!(squares.get(&7), 49);
        assert_eq!(squares.get(&12), 144);
    }

    #[test]
    fn calls_the_function_once_per_key() {
        let calls = Cell::new(0);
        let mut squares = Memo::new(|n: &u64| {
            calls.set(calls.get() + 1);
            n * n
        });

        assert_eq!(squares.get(&7), 49);
        assert_eq!(squares.get(&7), 49);
        assert_eq!(squares.get(&7), 49);

        assert_eq!(calls.get(), 1, "7 was computed once, then remembered");
    }

    #[test]
    fn each_distinct_key_is_computed_once() {
        let calls = Cell::new(0);
        let mut squares = Memo::new(|n: &u64| {
            calls.set(calls.get() + 1);
            n * n
        });

        for n in [1, 2, 3, 1, 2, 3, 3, 2, 1] {
            assert_eq!(squares.get(&n), n * n);
        }

        assert_eq!(calls.get(), 3);
        assert_eq!(squares.len(), 3);
    }

    #[test]
    fn string_keys_are_looked_up_with_a_str() {
        let seen = std::cell::RefCell::new(Vec::new());
        let mut lengths = Memo::new(|word: &String| {
            seen.borrow_mut().push(word.clone());
            word.len()
        });

        // `get` takes a `&str` for a `Memo` keyed by `String`, as
        // `HashMap<String, _>::get` does.
        assert_eq!(lengths.get("kettle"), 6);
        assert_eq!(lengths.get("kettle"), 6);
        assert_eq!(lengths.get("pot"), 3);

        assert_eq!(*seen.borrow(), ["kettle", "pot"]);
    }

    #[test]
    fn works_over_a_named_function() {
        let mut steps = Memo::new(collatz_steps);

        assert_eq!(steps.get(&27), 111);
        assert_eq!(steps.get(&6), 8);
        assert_eq!(steps.get(&27), 111);
        assert_eq!(steps.len(), 2);
    }
}
