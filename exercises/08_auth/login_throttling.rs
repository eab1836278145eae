//! # Auth: login throttling
//!
//! A login form answers one question, "is this the password?", and an
//! attacker can ask it millions of times. Throttling limits how often
//! failures may repeat, along the two axes attacks use:
//!
//! ```text
//!   brute force:      one account,  many passwords  ──> limit per account
//!                     (5 failures within 15 min)
//!   password spray:   many accounts, one password each, from one client
//!                     ──> limit per client (20 failures within 15 min)
//!
//!   login(account, password, client)
//!     ├─ throttle.check(account, client, now) ── over a limit ──> 429, Retry-After
//!     │                                          (the password is NOT checked)
//!     ├─ passwords.check(..) ── wrong ──> record the failure (account and client) ──> 401
//!     └─ right ──> clear the ACCOUNT's failures (not the client's) ──> 200
//! ```
//!
//! A failure counts for a sliding window: a failure at `t` counts while
//! `now < t + window`, read from an injected clock. Once a key has
//! `max_failures` failures in its window, attempts wait until enough of
//! them have left it.
//!
//! ## The problem
//!
//! The login endpoint has no limit: a credential-stuffing run tried 40 000
//! leaked passwords against one account in an hour, and another tried
//! "Summer2024!" against every account of a customer from one address. A
//! first fix locked the account *after* checking the password and went on
//! telling the truth during the lock ("right password, but locked"), so
//! the guessing simply continued; and a success reset every counter, so
//! attackers logged into an account of their own every few guesses.
//!
//! ## Your task
//!
//! 1. `Limit::retry_after`: `None` while fewer than `max_failures`
//!    failures are in the window at `now`; otherwise how long until enough
//!    have left it for one more attempt.
//! 2. `LoginThrottle::check`: the account's and the client's limits (keys
//!    from `account_key` and `client_key`, given); `Err` with the longer
//!    wait if either is over.
//! 3. `record_failure` counts for both keys; `record_success` clears the
//!    account's failures only; `purge` drops keys with no failure left in
//!    the window and says how many it dropped (`Failures::forget_older_than`
//!    is given).
//! 4. `LoginService::login`: ask the throttle *before* the password;
//!    record the outcome after. A refused attempt is not a failure.
//!
//! ## When not to use it
//!
//! Per-account locks let anyone lock a victim out by failing on purpose;
//! where that matters (a bank's customers, an admin account), prefer a
//! growing delay or a CAPTCHA after a few failures, and multi-factor
//! authentication, which makes guessed passwords worth little. Across
//! several instances the counters must be shared (Redis), or each
//! instance grants its own 5 guesses.

use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, Ipv6Addr};
use std::time::Duration;

/// A monotonic clock: the time elapsed since some fixed start.
trait Clock {
    fn now(&self) -> Duration;
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Duration {
        (**self).now()
    }
}

/// Checks a password (the Argon2 login of `password_hashing`, behind a
/// trait): slow on purpose, which is one more reason to ask it rarely.
trait PasswordCheck {
    fn check(&self, account: &str, password: &str) -> bool;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LoginError {
    InvalidCredentials,
    /// Too many recent failures: answered with 429 and `Retry-After`.
    Throttled {
        retry_after: Duration,
    },
}

/// At most `max_failures` failures within any `window`.
#[derive(Debug, Clone, Copy)]
struct Limit {
    max_failures: usize,
    window: Duration,
}

/// The times of one key's recent failures, oldest first.
#[derive(Debug, Default)]
struct Failures(VecDeque<Duration>);

impl Failures {
    /// Drops the failures that have left `window` at `now`: a failure at
    /// `t` counts while `now < t + window`.
    fn forget_older_than(&mut self, window: Duration, now: Duration) {
        while let Some(&oldest) = self.0.front() {
            if now < oldest.saturating_add(window) {
                break;
            }
            self.0.pop_front();
        }
    }
}

impl Limit {
    /// How long `failures` still blocks attempts at `now`, if it does.
    fn retry_after(&self, failures: &Failures, now: Duration) -> Option<Duration> {
        // TODO: None while fewer than max_failures failures are in the
        // window at `now`; else the time until enough of them have left it.
        todo!()
    }
}

/// Accounts are keyed case- and space-insensitively: "Ada " and "ada" are
/// one account to the attacker, so they are one to the throttle.
fn account_key(account: &str) -> String {
    account.trim().to_lowercase()
}

/// An IPv6 client owns at least a /64 and can pick any address in it, so
/// counting per address would give it 2^64 fresh counters.
fn client_key(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V4(_) => client,
        IpAddr::V6(address) => {
            let prefix = u128::from(address) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
    }
}

struct LoginThrottle {
    per_account: Limit,
    per_client: Limit,
    accounts: HashMap<String, Failures>,
    clients: HashMap<IpAddr, Failures>,
}

impl LoginThrottle {
    /// 5 failures per account and 20 per client, each within 15 minutes.
    fn new() -> Self {
        let window = Duration::from_secs(15 * 60);
        Self {
            per_account: Limit {
                max_failures: 5,
                window,
            },
            per_client: Limit {
                max_failures: 20,
                window,
            },
            accounts: HashMap::new(),
            clients: HashMap::new(),
        }
    }

    /// `Err(retry_after)` when either the account or the client is over its
    /// limit; the longer wait wins.
    fn check(&self, account: &str, client: IpAddr, now: Duration) -> Result<(), Duration> {
        // TODO: ask both limits, with the keys of account_key and client_key.
        todo!()
    }

    fn record_failure(&mut self, account: &str, client: IpAddr, now: Duration) {
        // TODO: count the failure for the account and for the client.
        todo!()
    }

    /// The account's owner knew the password: its count starts over.
    fn record_success(&mut self, account: &str) {
        // TODO: clear the account's failures. Only the account's: why?
        todo!()
    }

    /// Forgets keys with no recent failure, so that memory follows the
    /// attack's current size, not its history. Returns how many it dropped.
    fn purge(&mut self, now: Duration) -> usize {
        // TODO: drop every key whose failures have all left the window.
        todo!()
    }

    fn stored_keys(&self) -> usize {
        self.accounts.len() + self.clients.len()
    }
}

struct LoginService<P, C> {
    passwords: P,
    clock: C,
    throttle: LoginThrottle,
}

impl<P: PasswordCheck, C: Clock> LoginService<P, C> {
    fn new(passwords: P, clock: C) -> Self {
        Self {
            passwords,
            clock,
            throttle: LoginThrottle::new(),
        }
    }

    fn login(&mut self, account: &str, password: &str, client: IpAddr) -> Result<(), LoginError> {
        let now = self.clock.now();
        // TODO: ask self.throttle before the password (Throttled with its
        // retry_after), and record each outcome after it.
        let _ = now;
        if self.passwords.check(account, password) {
            Ok(())
        } else {
            Err(LoginError::InvalidCredentials)
        }
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const WINDOW: Duration = Duration::from_secs(15 * 60);
    const SECOND: Duration = Duration::from_secs(1);

    #[derive(Default)]
    struct FakeClock(Cell<Duration>);

    impl FakeClock {
        fn advance(&self, by: Duration) {
            self.0.set(self.0.get() + by);
        }
    }

    impl Clock for FakeClock {
        fn now(&self) -> Duration {
            self.0.get()
        }
    }

    /// Every account's password is "open sesame"; counts the checks.
    #[derive(Default)]
    struct FakePasswords {
        checks: Cell<usize>,
    }

    impl PasswordCheck for &FakePasswords {
        fn check(&self, _account: &str, password: &str) -> bool {
            self.checks.set(self.checks.get() + 1);
            password == "open sesame"
        }
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(203, 0, 113, last))
    }

    fn fail(service: &mut LoginService<&FakePasswords, &FakeClock>, account: &str, client: IpAddr) {
        assert_eq!(
            service.login(account, "wrong", client),
            Err(LoginError::InvalidCredentials),
            "{account} from {client} should not be throttled yet"
        );
    }

    fn throttled(outcome: Result<(), LoginError>) -> Option<Duration> {
        match outcome {
            Err(LoginError::Throttled { retry_after }) => Some(retry_after),
            _ => None,
        }
    }

    #[test]
    fn five_failures_lock_the_account_even_for_the_right_password() {
        let (clock, passwords) = (FakeClock::default(), FakePasswords::default());
        let mut service = LoginService::new(&passwords, &clock);

        for _ in 0..5 {
            fail(&mut service, "ada", ip(1));
        }
        let outcome = service.login("ada", "open sesame", ip(1));

        assert_eq!(throttled(outcome), Some(WINDOW));
        assert_eq!(
            passwords.checks.get(),
            5,
            "a throttled attempt is refused before the password is checked"
        );
    }

    #[test]
    fn four_failures_do_not_lock_the_account() {
        let (clock, passwords) = (FakeClock::default(), FakePasswords::default());
        let mut service = LoginService::new(&passwords, &clock);

        for _ in 0..4 {
            fail(&mut service, "ada", ip(1));
        }

        assert_eq!(service.login("ada", "open sesame", ip(1)), Ok(()));
    }

    #[test]
    fn the_lock_lifts_when_the_oldest_failure_leaves_the_window() {
        let (clock, passwords) = (FakeClock::default(), FakePasswords::default());
        let mut service = LoginService::new(&passwords, &clock);
        for _ in 0..5 {
            fail(&mut service, "ada", ip(1));
            clock.advance(SECOND);
        }

        assert_eq!(
            throttled(service.login("ada", "open sesame", ip(1))),
            Some(WINDOW - 5 * SECOND),
            "the first failure (at 0 s) leaves the window at 900 s; it is 5 s now"
        );

        clock.advance(WINDOW - 5 * SECOND - Duration::from_millis(1));
        assert_eq!(
            throttled(service.login("ada", "open sesame", ip(1))),
            Some(Duration::from_millis(1))
        );

        clock.advance(Duration::from_millis(1));
        assert_eq!(service.login("ada", "open sesame", ip(1)), Ok(()));
    }

    #[test]
    fn refused_attempts_do_not_extend_the_lock() {
        let (clock, passwords) = (FakeClock::default(), FakePasswords::default());
        let mut service = LoginService::new(&passwords, &clock);
        for _ in 0..5 {
            fail(&mut service, "ada", ip(1));
        }

        for _ in 0..10 {
            clock.advance(Duration::from_secs(60));
            let _ = service.login("ada", "wrong", ip(1));
        }
        clock.advance(WINDOW - Duration::from_secs(600));

        assert_eq!(service.login("ada", "open sesame", ip(1)), Ok(()));
    }

    #[test]
    fn a_success_starts_the_accounts_count_over() {
        let (clock, passwords) = (FakeClock::default(), FakePasswords::default());
        let mut service = LoginService::new(&passwords, &clock);

        for _ in 0..4 {
            fail(&mut service, "ada", ip(1));
        }
        service.login("ada", "open sesame", ip(1)).unwrap();
        for _ in 0..4 {
            fail(&mut service, "ada", ip(2));
        }

        assert_eq!(service.login("ada", "open sesame", ip(3)), Ok(()));
    }

    #[test]
    fn one_account_is_one_counter_whatever_its_case_and_spaces() {
        let (clock, passwords) = (FakeClock::default(), FakePasswords::default());
        let mut service = LoginService::new(&passwords, &clock);

        for account in ["ada", "Ada", "ADA", " ada", "ada "] {
            fail(&mut service, account, ip(1));
        }

        assert!(
            throttled(service.login("aDa", "open sesame", ip(2))).is_some(),
            "five spellings of one account are five failures of that account"
        );
    }

    #[test]
    fn accounts_do_not_lock_each_other() {
        let (clock, passwords) = (FakeClock::default(), FakePasswords::default());
        let mut service = LoginService::new(&passwords, &clock);

        for _ in 0..5 {
            fail(&mut service, "ada", ip(1));
        }

        assert_eq!(service.login("bob", "open sesame", ip(2)), Ok(()));
    }

    #[test]
    fn one_client_spraying_many_accounts_is_throttled() {
        let (clock, passwords) = (FakeClock::default(), FakePasswords::default());
        let mut service = LoginService::new(&passwords, &clock);

        for n in 0..20 {
            fail(&mut service, &format!("user{n}"), ip(66));
        }

        assert_eq!(
            throttled(service.login("user99", "open sesame", ip(66))),
            Some(WINDOW),
            "one guess per account stays under every account's limit: the client's limit catches it"
        );
        assert_eq!(service.login("user99", "open sesame", ip(7)), Ok(()));
    }

    #[test]
    fn a_success_does_not_clear_the_clients_count() {
        let (clock, passwords) = (FakeClock::default(), FakePasswords::default());
        let mut service = LoginService::new(&passwords, &clock);

        for n in 0..19 {
            fail(&mut service, &format!("user{n}"), ip(66));
        }
        service.login("mallory", "open sesame", ip(66)).unwrap();
        fail(&mut service, "user19", ip(66));

        assert!(
            throttled(service.login("user20", "wrong", ip(66))).is_some(),
            "logging into your own account must not reset your guesses at others'"
        );
    }

    #[test]
    fn ipv6_clients_are_counted_per_64_prefix() {
        let (clock, passwords) = (FakeClock::default(), FakePasswords::default());
        let mut service = LoginService::new(&passwords, &clock);
        let in_prefix = |host: u16| IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 7, 0, 0, 0, host));

        for n in 0..20 {
            fail(&mut service, &format!("user{n}"), in_prefix(n));
        }
        let other_prefix = IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 8, 0, 0, 0, 1));

        assert!(
            throttled(service.login("user99", "wrong", in_prefix(999))).is_some(),
            "20 addresses of one /64 are one client"
        );
        assert_eq!(service.login("user99", "open sesame", other_prefix), Ok(()));
    }

    #[test]
    fn the_longer_wait_of_account_and_client_is_told() {
        let (clock, passwords) = (FakeClock::default(), FakePasswords::default());
        let mut service = LoginService::new(&passwords, &clock);
        for n in 0..15 {
            fail(&mut service, &format!("user{n}"), ip(66));
        }
        clock.advance(Duration::from_secs(100));
        for _ in 0..5 {
            fail(&mut service, "ada", ip(66));
        }

        assert_eq!(
            throttled(service.login("ada", "open sesame", ip(66))),
            Some(WINDOW),
            "the client's limit frees at 900 s, the account's at 1000 s"
        );
    }

    #[test]
    fn purge_forgets_keys_without_recent_failures() {
        let (clock, passwords) = (FakeClock::default(), FakePasswords::default());
        let mut service = LoginService::new(&passwords, &clock);
        fail(&mut service, "ada", ip(1));
        clock.advance(Duration::from_secs(600));
        fail(&mut service, "bob", ip(2));
        assert_eq!(service.throttle.stored_keys(), 4);

        clock.advance(Duration::from_secs(300));
        let purged = service.throttle.purge(clock.now());

        assert_eq!(purged, 2, "ada and 203.0.113.1 failed 900 s ago");
        assert_eq!(service.throttle.stored_keys(), 2);
        assert!(
            service.throttle.accounts.contains_key("bob"),
            "bob failed 300 s ago"
        );
        assert!(service.throttle.clients.contains_key(&ip(2)));
        assert_eq!(service.throttle.purge(clock.now()), 0);
    }
}
