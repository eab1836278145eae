//! # Resilience: a bulkhead (solution)

use std::future::Future;

use tokio::sync::Semaphore;

/// A bulkhead refused the work: all its places are taken.
#[derive(Debug, PartialEq, Eq)]
struct BulkheadFull {
    name: &'static str,
}

/// At most `max_concurrent` calls at a time to one dependency; the next one
/// is refused at once.
struct Bulkhead {
    name: &'static str,
    places: Semaphore,
    max_concurrent: usize,
}

impl Bulkhead {
    fn new(name: &'static str, max_concurrent: usize) -> Self {
        Self {
            name,
            places: Semaphore::new(max_concurrent),
            max_concurrent,
        }
    }

    /// Runs `work` if a place is free; otherwise refuses at once.
    async fn run<T>(&self, work: impl Future<Output = T>) -> Result<T, BulkheadFull> {
        // `try_acquire`, not `acquire().await`: waiting for a place is a
        // queue, and a queue in front of a hanging service grows until memory
        // runs out. Refusing at once is the point: the caller falls back.
        //
        // The permit is a guard held in a named binding until `work` ends.
        // `let _ = ..` would drop it on the spot (no limit at all), and a
        // permit released by hand after `.await` leaks when the future is
        // dropped half-way (a timeout, a client that went away). Dropping the
        // guard returns the place on every path.
        let _place = self
            .places
            .try_acquire()
            .map_err(|_| BulkheadFull { name: self.name })?;
        Ok(work.await)
    }

    /// Places taken right now (for tests and metrics).
    fn in_use(&self) -> usize {
        self.max_concurrent - self.places.available_permits()
    }
}

trait Recommendations: Send + Sync {
    fn for_product(&self, id: u64) -> impl Future<Output = Vec<String>> + Send;
}

trait Pricing: Send + Sync {
    fn price_cents(&self, id: u64) -> impl Future<Output = u64> + Send;
}

#[derive(Debug, PartialEq, Eq)]
struct Page {
    price_cents: u64,
    recommendations: Vec<String>,
}

struct ProductPage<R, P> {
    recommendations: R,
    pricing: P,
    /// One bulkhead per dependency: when recommendations hang, they fill
    /// their own places and no others.
    recommendations_bulkhead: Bulkhead,
    pricing_bulkhead: Bulkhead,
}

impl<R: Recommendations, P: Pricing> ProductPage<R, P> {
    async fn load(&self, id: u64) -> Result<Page, BulkheadFull> {
        // A page without a price cannot be shown: a full pricing bulkhead
        // fails the page (a 503 at the HTTP edge).
        let price_cents = self
            .pricing_bulkhead
            .run(self.pricing.price_cents(id))
            .await?;
        // Recommendations are a nice-to-have: when their bulkhead is full,
        // the page goes out without them instead of waiting.
        let recommendations = self
            .recommendations_bulkhead
            .run(self.recommendations.for_product(id))
            .await
            .unwrap_or_default();
        Ok(Page {
            price_cents,
            recommendations,
        })
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// A dependency that holds every call until the test opens the gate,
    /// and records how many calls were inside at once.
    struct Gated {
        gate: Semaphore,
        inside: AtomicUsize,
        most_inside: AtomicUsize,
        finished: AtomicUsize,
    }

    impl Gated {
        fn closed() -> Self {
            Self {
                gate: Semaphore::new(0),
                inside: AtomicUsize::new(0),
                most_inside: AtomicUsize::new(0),
                finished: AtomicUsize::new(0),
            }
        }

        fn open() -> Self {
            let gated = Self::closed();
            gated.gate.add_permits(Semaphore::MAX_PERMITS);
            gated
        }

        async fn pass(&self) {
            let now_inside = self.inside.fetch_add(1, Ordering::SeqCst) + 1;
            self.most_inside.fetch_max(now_inside, Ordering::SeqCst);
            self.gate.acquire().await.unwrap().forget();
            self.inside.fetch_sub(1, Ordering::SeqCst);
            self.finished.fetch_add(1, Ordering::SeqCst);
        }

        fn release(&self, calls: usize) {
            self.gate.add_permits(calls);
        }

        fn inside(&self) -> usize {
            self.inside.load(Ordering::SeqCst)
        }
    }

    impl Recommendations for Arc<Gated> {
        async fn for_product(&self, _id: u64) -> Vec<String> {
            self.pass().await;
            vec!["travel adapter".to_string()]
        }
    }

    impl Pricing for Arc<Gated> {
        async fn price_cents(&self, _id: u64) -> u64 {
            self.pass().await;
            2_500
        }
    }

    /// Lets the spawned tasks run until `until` holds (a bounded number of
    /// turns: a task that never gets there fails the test, never hangs it).
    async fn settle(until: impl Fn() -> bool) {
        for _ in 0..100 {
            if until() {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("the spawned calls never got there");
    }

    fn page(
        recommendations: Arc<Gated>,
        pricing: Arc<Gated>,
    ) -> Arc<ProductPage<Arc<Gated>, Arc<Gated>>> {
        Arc::new(ProductPage {
            recommendations,
            pricing,
            recommendations_bulkhead: Bulkhead::new("recommendations", 2),
            pricing_bulkhead: Bulkhead::new("pricing", 2),
        })
    }

    #[tokio::test(start_paused = true)]
    async fn work_within_the_limit_runs() {
        let service = Arc::new(Gated::open());
        let bulkhead = Bulkhead::new("recommendations", 2);

        let result = bulkhead.run(service.pass()).await;

        assert_eq!(result, Ok(()));
        assert_eq!(service.finished.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_bulkhead_refuses_at_once() {
        let service = Arc::new(Gated::closed());
        let bulkhead = Arc::new(Bulkhead::new("recommendations", 2));
        for _ in 0..2 {
            let (bulkhead, service) = (bulkhead.clone(), service.clone());
            tokio::spawn(async move { bulkhead.run(service.pass()).await });
        }
        settle(|| service.inside() == 2).await;
        assert_eq!(bulkhead.in_use(), 2);

        let third =
            tokio::time::timeout(Duration::from_millis(1), bulkhead.run(service.pass())).await;

        assert_eq!(
            third.expect("the third call waited for a place; a bulkhead refuses at once"),
            Err(BulkheadFull {
                name: "recommendations"
            })
        );
        assert_eq!(
            service.inside(),
            2,
            "the refused call never reached the service"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn no_more_than_the_limit_are_ever_inside() {
        let service = Arc::new(Gated::closed());
        let bulkhead = Arc::new(Bulkhead::new("recommendations", 2));
        let mut calls = Vec::new();
        for _ in 0..5 {
            let (bulkhead, service) = (bulkhead.clone(), service.clone());
            calls.push(tokio::spawn(
                async move { bulkhead.run(service.pass()).await },
            ));
        }
        settle(|| service.inside() == 2).await;

        service.release(5);
        let mut refused = 0;
        for call in calls {
            if call.await.unwrap().is_err() {
                refused += 1;
            }
        }

        assert_eq!(
            service.most_inside.load(Ordering::SeqCst),
            2,
            "a place must be held for as long as the work runs"
        );
        assert_eq!(refused, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn places_come_back_when_the_work_ends() {
        let service = Arc::new(Gated::open());
        let bulkhead = Bulkhead::new("recommendations", 2);

        for _ in 0..5 {
            assert_eq!(bulkhead.run(service.pass()).await, Ok(()));
        }

        assert_eq!(bulkhead.in_use(), 0);
    }

    #[tokio::test(start_paused = true)]
    async fn a_cancelled_call_gives_its_place_back() {
        let service = Arc::new(Gated::closed());
        let bulkhead = Bulkhead::new("recommendations", 2);

        for _ in 0..2 {
            let gave_up =
                tokio::time::timeout(Duration::from_millis(100), bulkhead.run(service.pass()))
                    .await;
            assert!(
                gave_up.is_err(),
                "the service never answers; the caller gives up"
            );
        }

        assert_eq!(
            bulkhead.in_use(),
            0,
            "a caller that gives up (a timeout, a client gone) frees its place"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn hanging_recommendations_leave_pricing_alone() {
        let recommendations = Arc::new(Gated::closed());
        let pricing = Arc::new(Gated::open());
        let page = page(recommendations.clone(), pricing);
        for _ in 0..2 {
            let page = page.clone();
            tokio::spawn(async move { page.load(7).await });
        }
        settle(|| recommendations.inside() == 2).await;

        let loaded = tokio::time::timeout(Duration::from_millis(1), page.load(7)).await;

        assert_eq!(
            loaded.expect("the page waited for recommendations"),
            Ok(Page {
                price_cents: 2_500,
                recommendations: vec![],
            }),
            "recommendations are full: the page goes out with a price and without them"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_page_without_a_price_is_refused() {
        let recommendations = Arc::new(Gated::open());
        let pricing = Arc::new(Gated::closed());
        let page = page(recommendations, pricing.clone());
        for _ in 0..2 {
            let page = page.clone();
            tokio::spawn(async move { page.load(7).await });
        }
        settle(|| pricing.inside() == 2).await;

        let loaded = tokio::time::timeout(Duration::from_millis(1), page.load(7)).await;

        assert_eq!(
            loaded.expect("the page waited for a pricing place"),
            Err(BulkheadFull { name: "pricing" })
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_served_page_has_everything() {
        let page = page(Arc::new(Gated::open()), Arc::new(Gated::open()));

        let loaded = page.load(7).await;

        assert_eq!(
            loaded,
            Ok(Page {
                price_cents: 2_500,
                recommendations: vec!["travel adapter".to_string()],
            })
        );
    }
}
