//! # Caching: memoization (solution)

use std::borrow::Borrow;
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
    ///
    /// `key` may be any borrowed form of `K`, the way `HashMap::get` takes
    /// one: a `Memo<String, _, _>` is asked with a `&str`, and an owned
    /// `String` is built only on a miss, when it must be stored anyway.
    fn get<Q>(&mut self, key: &Q) -> V
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ToOwned<Owned = K> + ?Sized,
    {
        // A hit costs one hash lookup and a clone of the result. The lookup
        // and the insert are two steps, not one `entry()` call, because
        // `entry` needs an owned key and we do not want to allocate one on
        // every hit.
        if let Some(value) = self.results.get(key) {
            return value.clone();
        }
        let owned = key.to_owned();
        let value = (self.compute)(&owned);
        self.results.insert(owned, value.clone());
        value
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
    // This exercise is checked by its tests. A `Memo` over a named fn:
    let mut steps = Memo::new(collatz_steps);
    println!("27 takes {} steps to reach 1", steps.get(&27));
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
