//! # Injected clock and id generator
//!
//! Time and randomness are inputs. A service that reads `SystemTime::now()`
//! or makes up a random id inside a method has hidden dependencies: its
//! answers change from one run to the next, and a test cannot pick them.
//! Inject a `Clock` and an `IdGenerator` like any other dependency.
//!
//! ## The problem
//!
//! A trial ends 14 days after registration. To test "expired after exactly
//! 14 days, active one second before", the test would have to wait two weeks,
//! or fudge the account's dates by hand and hope the service reads the clock
//! only where expected. And `register` makes up a random id, so no test can
//! say which id the account gets.
//!
//! ## Your task
//!
//! 1. Declare the ports: `trait Clock { fn now(&self) -> SystemTime; }` and
//!    `trait IdGenerator { fn next_id(&self) -> AccountId; }`.
//! 2. Move the production code behind them: a unit struct `SystemClock`
//!    (calls `SystemTime::now()`) and a unit struct `RandomIds` (the random
//!    id code now in `register`).
//! 3. Give `TrialService` two fields, `clock` and `ids`, taken by
//!    `TrialService::new(clock, ids)` (type parameters or `Box<dyn ..>`, your
//!    choice), and use them instead of the direct calls. After this, nothing
//!    in `impl TrialService` reads the real clock or makes up ids.
//! 4. Read the clock once per decision: a real clock moves between two
//!    reads, so `registered_at` and `trial_ends_at` (or "has it ended?" and
//!    "how many days are left?") must come from the same reading.
//!
//! The tests bring a `FakeClock` they move by hand, a `TickingClock` that
//! moves a millisecond on every read, and `SequentialIds` (1, 2, 3, ...).
//! They do not compile until the traits exist.
//!
//! ## When not to use it
//!
//! Code that only measures how long something took (a log line's duration)
//! can read `Instant::now()` directly: no rule depends on it. And a pure
//! function that needs the time can take `now: SystemTime` as a parameter;
//! inject a `Clock` when the caller should not have to know the time is used.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, SystemTime};

const DAY: Duration = Duration::from_secs(24 * 60 * 60);
const TRIAL: Duration = Duration::from_secs(14 * 24 * 60 * 60);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct AccountId(u64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Account {
    id: AccountId,
    email: String,
    registered_at: SystemTime,
    trial_ends_at: SystemTime,
}

#[derive(Debug, PartialEq, Eq)]
enum TrialStatus {
    /// Days left, counting a started day as a whole one.
    Active {
        days_left: u64,
    },
    Expired,
}

// ---- The ports: where time and identity come from ---------------------------

// TODO: declare `trait Clock` and `trait IdGenerator`.

// ---- The production implementations -----------------------------------------

// TODO: `struct SystemClock;` and `struct RandomIds;`, implementing the traits
// with the code that is now inside the service.

// ---- The service ---------------------------------------------------------------

/// Trials for new accounts.
// TODO: hold the injected clock and id generator, in fields `clock` and `ids`.
struct TrialService;

impl TrialService {
    // TODO: take the clock and the id generator.
    fn new() -> Self {
        Self
    }

    /// Opens an account whose trial ends 14 days from now.
    fn register(&self, email: &str) -> Account {
        // TODO: ask the injected clock and id generator instead.
        let now = SystemTime::now();
        let id = AccountId(RandomState::new().build_hasher().finish());
        Account {
            id,
            email: email.to_string(),
            registered_at: now,
            trial_ends_at: now + TRIAL,
        }
    }

    fn trial_status(&self, account: &Account) -> TrialStatus {
        // TODO: ask the injected clock instead.
        let now = SystemTime::now();
        match account.trial_ends_at.duration_since(now) {
            Ok(left) if !left.is_zero() => TrialStatus::Active {
                days_left: u64::try_from(left.as_nanos().div_ceil(DAY.as_nanos()))
                    .unwrap_or(u64::MAX),
            },
            // The end is now or in the past.
            _ => TrialStatus::Expired,
        }
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::UNIX_EPOCH;

    /// A clock that stands still until the test moves it. Clones share the
    /// same time, so the test keeps one and gives one to the service. (Thread
    /// safe, so it fits a `Box<dyn Clock + Send + Sync>` too.)
    #[derive(Clone)]
    struct FakeClock {
        now: Arc<Mutex<SystemTime>>,
    }

    impl FakeClock {
        fn at(time: SystemTime) -> Self {
            Self {
                now: Arc::new(Mutex::new(time)),
            }
        }

        fn advance(&self, by: Duration) {
            *self.now.lock().unwrap() += by;
        }
    }

    impl Clock for FakeClock {
        fn now(&self) -> SystemTime {
            *self.now.lock().unwrap()
        }
    }

    /// Ids 1, 2, 3, ...
    struct SequentialIds {
        next: AtomicU64,
    }

    impl SequentialIds {
        fn new() -> Self {
            Self {
                next: AtomicU64::new(1),
            }
        }
    }

    impl IdGenerator for SequentialIds {
        fn next_id(&self) -> AccountId {
            AccountId(self.next.fetch_add(1, Ordering::Relaxed))
        }
    }

    /// A clock that moves one millisecond forward every time it is read, as
    /// a real one does between two reads. A decision that reads it twice sees
    /// two different times.
    struct TickingClock {
        next: Mutex<SystemTime>,
    }

    impl Clock for TickingClock {
        fn now(&self) -> SystemTime {
            let mut next = self.next.lock().unwrap();
            let now = *next;
            *next += Duration::from_millis(1);
            now
        }
    }

    /// 14 November 2023, 22:13:20 UTC: a fixed moment, safely in the past.
    fn start() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    #[test]
    fn registration_uses_the_injected_time_and_ids() {
        let service = TrialService::new(FakeClock::at(start()), SequentialIds::new());

        let ada = service.register("ada@example.com");
        let grace = service.register("grace@example.com");

        assert_eq!(ada.id, AccountId(1));
        assert_eq!(grace.id, AccountId(2));
        assert_eq!(ada.registered_at, start());
        assert_eq!(ada.trial_ends_at, start() + 14 * DAY);
    }

    #[test]
    fn a_new_trial_has_fourteen_days_left() {
        let service = TrialService::new(FakeClock::at(start()), SequentialIds::new());
        let ada = service.register("ada@example.com");

        assert_eq!(
            service.trial_status(&ada),
            TrialStatus::Active { days_left: 14 }
        );
    }

    #[test]
    fn a_started_day_counts_as_a_whole_day_left() {
        let clock = FakeClock::at(start());
        let service = TrialService::new(clock.clone(), SequentialIds::new());
        let ada = service.register("ada@example.com");

        clock.advance(Duration::from_secs(1));
        assert_eq!(
            service.trial_status(&ada),
            TrialStatus::Active { days_left: 14 }
        );

        clock.advance(13 * DAY);
        assert_eq!(
            service.trial_status(&ada),
            TrialStatus::Active { days_left: 1 }
        );
    }

    #[test]
    fn the_trial_is_still_active_one_second_before_the_end() {
        let clock = FakeClock::at(start());
        let service = TrialService::new(clock.clone(), SequentialIds::new());
        let ada = service.register("ada@example.com");

        clock.advance(14 * DAY - Duration::from_secs(1));

        assert_eq!(
            service.trial_status(&ada),
            TrialStatus::Active { days_left: 1 }
        );
    }

    #[test]
    fn the_trial_has_ended_after_exactly_fourteen_days() {
        let clock = FakeClock::at(start());
        let service = TrialService::new(clock.clone(), SequentialIds::new());
        let ada = service.register("ada@example.com");

        clock.advance(14 * DAY);
        assert_eq!(service.trial_status(&ada), TrialStatus::Expired);

        clock.advance(365 * DAY);
        assert_eq!(service.trial_status(&ada), TrialStatus::Expired);
    }

    #[test]
    fn each_account_has_its_own_trial() {
        let clock = FakeClock::at(start());
        let service = TrialService::new(clock.clone(), SequentialIds::new());
        let ada = service.register("ada@example.com");
        clock.advance(10 * DAY);
        let grace = service.register("grace@example.com");

        clock.advance(5 * DAY);

        assert_eq!(service.trial_status(&ada), TrialStatus::Expired);
        assert_eq!(
            service.trial_status(&grace),
            TrialStatus::Active { days_left: 9 }
        );
    }

    #[test]
    fn the_production_clock_and_ids_plug_into_the_same_service() {
        let before = SystemTime::now();
        let service = TrialService::new(SystemClock, RandomIds);

        let ada = service.register("ada@example.com");
        let grace = service.register("grace@example.com");

        assert!(ada.registered_at >= before);
        assert_ne!(ada.id, grace.id);
        assert_eq!(
            service.trial_status(&ada),
            TrialStatus::Active { days_left: 14 }
        );
    }

    #[test]
    fn each_decision_reads_the_clock_once() {
        let ticking = TickingClock {
            next: Mutex::new(start()),
        };
        let service = TrialService::new(ticking, SequentialIds::new());

        let ada = service.register("ada@example.com");

        assert_eq!(
            ada.trial_ends_at,
            ada.registered_at + 14 * DAY,
            "registered_at and trial_ends_at must come from one reading of the clock"
        );

        // The clock now reads one millisecond before the end of a trial: a
        // second reading inside trial_status would already be at the end.
        let ending = Account {
            trial_ends_at: start() + Duration::from_millis(2),
            ..ada
        };
        assert_eq!(
            service.trial_status(&ending),
            TrialStatus::Active { days_left: 1 },
            "one reading of the clock decides both \"active?\" and \"how long?\""
        );
    }
}
