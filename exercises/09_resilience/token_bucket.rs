//! # Resilience: a token bucket with an injected clock
//!
//! A **token bucket** limits how fast something may happen while still
//! allowing bursts. The bucket holds up to `capacity` tokens; each request
//! takes one; tokens come back at a steady rate, one per `refill_every`. An
//! empty bucket means "too many, too fast": the request is turned away, and
//! the bucket can say exactly when the next token arrives.
//!
//! ```text
//!   one token per refill_every ──> [ ● ● ● ]  capacity 3
//!                                      │
//!        request ── takes a token ─────┘   none left: rejected, retry after
//!                                          "time until the next token"
//! ```
//!
//! ## The problem
//!
//! The public search API of a travel site is free to use. One partner's
//! crawler sent 4,000 requests a second last Tuesday, and searches of paying
//! customers timed out behind it. The team wants "10 requests a second, with
//! bursts of 20": a token bucket of capacity 20 refilled every 100 ms. The
//! next exercise puts one bucket per client in front of the API; this one
//! builds the bucket, with time from an injected `Clock` so the tests can
//! move it without sleeping.
//!
//! ## Your task
//!
//! Implement `TokenBucket::refill` and finish `try_acquire`.
//!
//! - A new bucket is full. Each `try_acquire` takes a token, or is
//!   `Err(Rejected { retry_after })` with the time until the next token.
//! - Refill lazily, when asked: one token per whole `refill_every` elapsed
//!   since `last_refill`, never more than `capacity`. No timer, no thread.
//! - Keep the progress toward the next token: after 2.5 periods, two tokens
//!   are added and half of the third is already earned. (Setting
//!   `last_refill = now` on every call loses that half, and a client that
//!   asks every 0.6 s of a 1 s period is then refused for ever.)
//! - A full bucket earns nothing: time spent full is not saved up.
//!
//! ## When not to use it
//!
//! A bucket in one process limits that process only: behind a load balancer
//! with four instances, "10 a second" becomes 40. For a limit across
//! instances, keep the counters in a shared store (Redis, with a script that
//! does this arithmetic atomically) or limit at the gateway. And to protect
//! *yourself* from overload, limit concurrency (a bulkhead, later), not the
//! rate: a rate says nothing about how long each request holds you.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// A monotonic clock: the time elapsed since some fixed starting point.
trait Clock {
    fn now(&self) -> Duration;
}

/// Lets a bucket borrow a clock the caller keeps, so a test can advance it.
impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Duration {
        (**self).now()
    }
}

/// The real clock, for production.
struct SystemClock {
    start: Instant,
}

impl SystemClock {
    fn new() -> Self {
        Self {
            start: Instant::now(),
        }
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }
}

/// A clock that moves only when a test says so.
#[derive(Default)]
struct FakeClock {
    now: Cell<Duration>,
}

impl FakeClock {
    fn advance(&self, by: Duration) {
        self.now.set(self.now.get() + by);
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Duration {
        self.now.get()
    }
}

/// A request the bucket turned away, and when a token will be there again:
/// what a server puts in `Retry-After`.
#[derive(Debug, PartialEq, Eq)]
struct Rejected {
    retry_after: Duration,
}

/// Allows bursts of up to `capacity` requests, and one more request per
/// `refill_every` on average.
struct TokenBucket<C: Clock> {
    capacity: u32,
    refill_every: Duration,
    tokens: u32,
    /// The instant up to which refills have been counted. Time after it that
    /// has not yet added up to a whole token is progress toward the next one.
    last_refill: Duration,
    clock: C,
}

impl<C: Clock> TokenBucket<C> {
    /// A full bucket. `refill_every` must not be zero (that is "no limit":
    /// do not put a bucket there at all).
    fn new(capacity: u32, refill_every: Duration, clock: C) -> Self {
        let last_refill = clock.now();
        Self {
            capacity,
            refill_every,
            tokens: capacity,
            last_refill,
            clock,
        }
    }

    /// Takes a token if there is one; otherwise says how long until there is.
    fn try_acquire(&mut self) -> Result<(), Rejected> {
        let now = self.clock.now();
        self.refill(now);
        if self.tokens > 0 {
            self.tokens -= 1;
            return Ok(());
        }
        // TODO: the time until the next token arrives. It arrives one
        // `refill_every` after `last_refill`.
        Err(Rejected {
            retry_after: Duration::ZERO,
        })
    }

    /// Tokens left right now (for tests and metrics).
    fn available(&mut self) -> u32 {
        let now = self.clock.now();
        self.refill(now);
        self.tokens
    }

    /// Adds the tokens earned since `last_refill`, lazily: no timer and no
    /// background task, the arithmetic runs when someone asks. That is what
    /// makes a bucket per client affordable.
    fn refill(&mut self, now: Duration) {
        // TODO: add one token per whole `refill_every` since `last_refill`,
        // up to `capacity`, and move `last_refill` forward by the time those
        // tokens used up (not to `now`: keep the progress toward the next
        // token). A full bucket earns nothing: count from `now` then.
        let _ = now;
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn drain<C: Clock>(bucket: &mut TokenBucket<C>) {
        for _ in 0..1_000 {
            if bucket.try_acquire().is_err() {
                return;
            }
        }
        panic!("1000 requests in a row were allowed: the bucket never runs out");
    }

    #[test]
    fn a_full_bucket_allows_a_burst_up_to_its_capacity() {
        let clock = FakeClock::default();
        let mut bucket = TokenBucket::new(3, SECOND, &clock);

        assert_eq!(bucket.try_acquire(), Ok(()));
        assert_eq!(bucket.try_acquire(), Ok(()));
        assert_eq!(bucket.try_acquire(), Ok(()));
        assert!(
            bucket.try_acquire().is_err(),
            "a bucket of 3 allows 3 requests at once, not 4"
        );
    }

    #[test]
    fn one_token_comes_back_per_refill_period() {
        let clock = FakeClock::default();
        let mut bucket = TokenBucket::new(3, SECOND, &clock);
        drain(&mut bucket);

        clock.advance(SECOND);

        assert_eq!(bucket.try_acquire(), Ok(()), "one period, one token");
        assert!(bucket.try_acquire().is_err(), "one period, only one token");
    }

    #[test]
    fn tokens_never_pile_up_beyond_capacity() {
        let clock = FakeClock::default();
        let mut bucket = TokenBucket::new(3, SECOND, &clock);
        drain(&mut bucket);

        clock.advance(Duration::from_secs(3_600));

        assert_eq!(
            bucket.available(),
            3,
            "an hour idle refills the bucket to its capacity, not to 3600"
        );
    }

    #[test]
    fn a_partly_used_bucket_refills_to_capacity_and_no_further() {
        let clock = FakeClock::default();
        let mut bucket = TokenBucket::new(3, SECOND, &clock);
        assert_eq!(bucket.try_acquire(), Ok(()));

        clock.advance(Duration::from_secs(4));

        assert_eq!(bucket.available(), 3, "one token was missing, not four");
    }

    #[test]
    fn asking_often_does_not_lose_the_progress_toward_a_token() {
        let clock = FakeClock::default();
        let mut bucket = TokenBucket::new(1, SECOND, &clock);
        drain(&mut bucket);

        clock.advance(Duration::from_millis(600));
        assert!(bucket.try_acquire().is_err(), "0.6 s is not a whole token");
        clock.advance(Duration::from_millis(600));

        assert_eq!(
            bucket.try_acquire(),
            Ok(()),
            "1.2 s have passed since the bucket was drained: a client that asks \
             every 0.6 s must not be starved"
        );
    }

    #[test]
    fn a_rejection_says_when_the_next_token_arrives() {
        let clock = FakeClock::default();
        let mut bucket = TokenBucket::new(2, SECOND, &clock);
        drain(&mut bucket);

        clock.advance(Duration::from_millis(400));

        assert_eq!(
            bucket.try_acquire(),
            Err(Rejected {
                retry_after: Duration::from_millis(600)
            }),
            "0.4 s into the period, the next token is 0.6 s away"
        );
        clock.advance(Duration::from_millis(600));
        assert_eq!(bucket.try_acquire(), Ok(()));
    }

    #[test]
    fn partial_refills_keep_the_fraction_of_a_token() {
        let clock = FakeClock::default();
        let mut bucket = TokenBucket::new(3, SECOND, &clock);
        drain(&mut bucket);

        clock.advance(Duration::from_millis(2_500));

        assert_eq!(bucket.available(), 2);
        drain(&mut bucket);
        assert_eq!(
            bucket.try_acquire(),
            Err(Rejected {
                retry_after: Duration::from_millis(500)
            }),
            "2.5 s earned 2 tokens and half of the third"
        );
    }

    #[test]
    fn time_spent_full_is_not_saved_up_for_later() {
        let clock = FakeClock::default();
        let mut bucket = TokenBucket::new(2, SECOND, &clock);
        drain(&mut bucket);

        clock.advance(Duration::from_millis(2_500));
        drain(&mut bucket);

        assert_eq!(
            bucket.try_acquire(),
            Err(Rejected {
                retry_after: SECOND
            }),
            "at 2.5 s the bucket had been full since 2.0 s, and time spent \
             full earns nothing: the next token is a whole period away"
        );
    }

    #[test]
    fn a_bucket_that_started_full_stays_full_while_idle() {
        let clock = FakeClock::default();
        clock.advance(Duration::from_secs(7));
        let mut bucket = TokenBucket::new(2, SECOND, &clock);

        clock.advance(Duration::from_millis(10_300));
        drain(&mut bucket);

        assert_eq!(
            bucket.try_acquire(),
            Err(Rejected {
                retry_after: SECOND
            })
        );
    }
}
