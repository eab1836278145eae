//! # Caching: cache-aside
//!
//! Cache-aside (also "lazy loading") is the everyday caching pattern: on a
//! read, look in the cache; on a miss, load from the source of truth and put
//! the result in the cache for the next reader. The service does both steps;
//! neither the cache nor the repository knows about the other.
//!
//! ```text
//!   product(id) ──> cache.get(id) ── hit ──> return it
//!                        │
//!                       miss
//!                        v
//!                   repo.find(id) ──> cache.insert(product) ──> return it
//! ```
//!
//! ## The problem
//!
//! The shop's product page runs the same `SELECT` for the same kettle on
//! every view: thousands a minute for data that changes twice a year. The
//! database spends its time answering a question it answered a second ago.
//!
//! ## Your task
//!
//! Implement `CatalogService::product`: ask `self.cache` first; on a miss,
//! ask `self.repo`, keep what it found in the cache, and return it. A product
//! the repository does not know is `None`, and leaves nothing in the cache.
//! The tests count the repository's loads: the second read of the same
//! product must not reach it.
//!
//! ## When not to use it
//!
//! Data read about as often as it is written gains nothing: every read after
//! a write misses anyway. Data that must be exact (stock at checkout) should
//! not come from a cache at all. And measure first: a primary-key lookup on a
//! warm database takes well under a millisecond.
//!
//! This cache keeps every product for good, on purpose, to keep the exercise
//! about who asks whom. A real one needs a TTL or an invalidation path
//! (preferably both) and a size bound: the next exercises add them.

use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct ProductId(u64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Product {
    id: ProductId,
    name: String,
    price_cents: u64,
}

/// The source of truth: in production, a query against the products table.
trait ProductRepository {
    fn find(&self, id: ProductId) -> Option<Product>;
}

/// A thread-safe in-memory cache. (Given: the exercise is about who calls it.)
///
/// It takes `&self` and locks inside, like `moka::sync::Cache`, so a service
/// shared by every request handler can use it without `&mut`.
#[derive(Default)]
struct ProductCache {
    entries: Mutex<HashMap<ProductId, Product>>,
}

impl ProductCache {
    fn get(&self, id: ProductId) -> Option<Product> {
        self.lock().get(&id).cloned()
    }

    fn insert(&self, product: Product) {
        self.lock().insert(product.id, product);
    }

    fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<ProductId, Product>> {
        // A poisoned lock only means another thread panicked while holding
        // it; a map of cached copies cannot be left half-updated by `insert`,
        // so its data is still fine to use.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Reads the catalog for the shop's product pages.
struct CatalogService<R: ProductRepository> {
    repo: R,
    cache: ProductCache,
}

impl<R: ProductRepository> CatalogService<R> {
    fn new(repo: R) -> Self {
        Self {
            repo,
            cache: ProductCache::default(),
        }
    }

    /// The product with this id, from the cache when it holds it.
    fn product(&self, id: ProductId) -> Option<Product> {
        // TODO: look in `self.cache` first; on a miss, load from `self.repo`,
        // keep a found product in the cache, and return it.
        todo!()
    }

    fn cache(&self) -> &ProductCache {
        &self.cache
    }

    fn repository(&self) -> &R {
        &self.repo
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A store that counts how often it is asked, so a test can tell a cache
    /// hit from a load.
    #[derive(Default)]
    struct CountingRepository {
        products: Vec<Product>,
        loads: Cell<usize>,
    }

    impl CountingRepository {
        fn holding(products: &[Product]) -> Self {
            Self {
                products: products.to_vec(),
                loads: Cell::new(0),
            }
        }
    }

    impl ProductRepository for CountingRepository {
        fn find(&self, id: ProductId) -> Option<Product> {
            self.loads.set(self.loads.get() + 1);
            self.products.iter().find(|p| p.id == id).cloned()
        }
    }

    fn kettle() -> Product {
        Product {
            id: ProductId(1),
            name: "Kettle".to_string(),
            price_cents: 3_499,
        }
    }

    fn teapot() -> Product {
        Product {
            id: ProductId(2),
            name: "Teapot".to_string(),
            price_cents: 2_250,
        }
    }

    #[test]
    fn the_first_read_loads_from_the_repository() {
        let service = CatalogService::new(CountingRepository::holding(&[kettle()]));

        assert_eq!(service.product(kettle().id), Some(kettle()));
        assert_eq!(service.repository().loads.get(), 1);
    }

    #[test]
    fn the_second_read_is_served_from_the_cache() {
        let service = CatalogService::new(CountingRepository::holding(&[kettle()]));

        let first = service.product(kettle().id);
        let second = service.product(kettle().id);

        assert_eq!(first, Some(kettle()));
        assert_eq!(second, Some(kettle()));
        assert_eq!(
            service.repository().loads.get(),
            1,
            "the second read must be a cache hit, not a second load"
        );
    }

    #[test]
    fn a_load_fills_the_cache() {
        let service = CatalogService::new(CountingRepository::holding(&[kettle()]));

        service.product(kettle().id);

        assert_eq!(service.cache().get(kettle().id), Some(kettle()));
    }

    #[test]
    fn different_keys_are_loaded_and_cached_separately() {
        let service = CatalogService::new(CountingRepository::holding(&[kettle(), teapot()]));

        assert_eq!(service.product(kettle().id), Some(kettle()));
        assert_eq!(service.product(teapot().id), Some(teapot()));
        assert_eq!(service.product(kettle().id), Some(kettle()));
        assert_eq!(service.product(teapot().id), Some(teapot()));

        assert_eq!(service.repository().loads.get(), 2, "one load per product");
        assert_eq!(service.cache().len(), 2);
    }

    #[test]
    fn an_unknown_product_is_none_and_caches_nothing() {
        let service = CatalogService::new(CountingRepository::holding(&[kettle()]));

        assert_eq!(service.product(ProductId(99)), None);
        assert_eq!(service.cache().len(), 0);
    }
}
