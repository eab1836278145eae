//! # Resilience: a circuit breaker (solution)

use std::cell::Cell;
use std::time::{Duration, Instant};

/// A monotonic clock: the time elapsed since some fixed starting point.
trait Clock {
    fn now(&self) -> Duration;
}

/// Lets a breaker borrow a clock the caller keeps, so a test can advance it.
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

/// How a call to the shipping-rates service failed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RatesError {
    Timeout,
    Unavailable,
    /// No rate for that destination: a healthy service's answer.
    NotFound,
}

impl RatesError {
    /// Does this failure say the service is unwell? A 404 is a healthy
    /// service answering; counting it would open the circuit whenever users
    /// ask for destinations nobody ships to.
    fn means_unhealthy(&self) -> bool {
        match self {
            RatesError::Timeout | RatesError::Unavailable => true,
            RatesError::NotFound => false,
        }
    }

    fn is_retryable(&self) -> bool {
        self.means_unhealthy()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Calls go through. Counts the failures in a row.
    Closed { failures: u32 },
    /// Calls are refused at once, until the instant `until`.
    Open { until: Duration },
    /// One trial call is on its way; every other call is refused until it
    /// reports.
    HalfOpen,
}

/// The circuit refused the call without trying it.
#[derive(Debug, PartialEq, Eq)]
struct CircuitOpen;

#[derive(Debug, PartialEq, Eq)]
enum BreakerError<E> {
    /// Refused at once: the service is known to be down.
    Open,
    /// The call was made and failed.
    Call(E),
}

impl BreakerError<RatesError> {
    /// An open circuit is not a failure to retry: it *is* the answer "the
    /// service is down, stop asking". Retrying it would only spin.
    fn is_retryable(&self) -> bool {
        match self {
            BreakerError::Open => false,
            BreakerError::Call(error) => error.is_retryable(),
        }
    }
}

struct CircuitBreaker<C: Clock> {
    state: State,
    /// Failures in a row that open the circuit.
    failure_threshold: u32,
    /// How long an open circuit refuses calls before it tries one.
    open_for: Duration,
    clock: C,
}

impl<C: Clock> CircuitBreaker<C> {
    fn new(failure_threshold: u32, open_for: Duration, clock: C) -> Self {
        Self {
            state: State::Closed { failures: 0 },
            failure_threshold,
            open_for,
            clock,
        }
    }

    /// Asks to make a call. `Ok` means "go ahead, and report the outcome
    /// with `on_success` or `on_failure`".
    fn try_acquire(&mut self) -> Result<(), CircuitOpen> {
        match self.state {
            State::Closed { .. } => Ok(()),
            // The cool-down is over: this caller becomes the trial.
            State::Open { until } if self.clock.now() >= until => {
                self.state = State::HalfOpen;
                Ok(())
            }
            // Still cooling down, or a trial is already on its way: one
            // trial at a time, or a recovering service gets the whole queue.
            State::Open { .. } | State::HalfOpen => Err(CircuitOpen),
        }
    }

    fn on_success(&mut self) {
        match self.state {
            // A success in a row of failures ends the row.
            State::Closed { .. } | State::HalfOpen => self.state = State::Closed { failures: 0 },
            // A call let through before the circuit opened, reporting late:
            // it says nothing about the service now.
            State::Open { .. } => {}
        }
    }

    fn on_failure(&mut self) {
        match self.state {
            State::Closed { failures } if failures + 1 >= self.failure_threshold => self.open(),
            State::Closed { failures } => {
                self.state = State::Closed {
                    failures: failures + 1,
                };
            }
            // The trial failed: the service is still down. A full cool-down
            // again, counted from now.
            State::HalfOpen => self.open(),
            // A late report from before the circuit opened.
            State::Open { .. } => {}
        }
    }

    fn open(&mut self) {
        self.state = State::Open {
            until: self.clock.now() + self.open_for,
        };
    }

    /// One call through the breaker. Only failures that say the service is
    /// unwell count; any other answer shows it is up.
    fn call<T>(
        &mut self,
        op: impl FnOnce() -> Result<T, RatesError>,
    ) -> Result<T, BreakerError<RatesError>> {
        self.try_acquire()
            .map_err(|CircuitOpen| BreakerError::Open)?;
        let result = op();
        match &result {
            Err(error) if error.means_unhealthy() => self.on_failure(),
            _ => self.on_success(),
        }
        result.map_err(BreakerError::Call)
    }
}

/// Retries go *outside* the breaker: each attempt passes through it, so
/// failed attempts count toward opening it, and once it is open the retry
/// loop gets `Open`, which is not retryable, and stops. (The other way
/// round, the breaker would see one outcome per batch of retries, open
/// later, and the retries would keep hammering a service that is down.)
fn with_retries<T, C: Clock>(
    breaker: &mut CircuitBreaker<C>,
    max_attempts: u32,
    mut op: impl FnMut() -> Result<T, RatesError>,
) -> Result<T, BreakerError<RatesError>> {
    let mut attempt = 1;
    loop {
        match breaker.call(&mut op) {
            Err(error) if error.is_retryable() && attempt < max_attempts => attempt += 1,
            result => return result,
        }
    }
}

fn main() {
    // This exercise is checked by its tests. In a service, one breaker per
    // downstream service, on the real clock:
    let mut breaker = CircuitBreaker::new(5, Duration::from_secs(30), SystemClock::new());
    let rate = with_retries(&mut breaker, 3, || Ok::<_, RatesError>(499));
    assert_eq!(rate, Ok(499));
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPEN_FOR: Duration = Duration::from_secs(30);

    /// The shipping-rates service: answers from a script, then with
    /// `otherwise`, and counts the calls that reached it.
    struct Rates {
        calls: Cell<u32>,
    }

    impl Rates {
        fn new() -> Self {
            Self {
                calls: Cell::new(0),
            }
        }

        fn answer(&self, answer: Result<u32, RatesError>) -> Result<u32, RatesError> {
            self.calls.set(self.calls.get() + 1);
            answer
        }
    }

    fn fail_times<C: Clock>(breaker: &mut CircuitBreaker<C>, rates: &Rates, times: u32) {
        for _ in 0..times {
            let _ = breaker.call(|| rates.answer(Err(RatesError::Timeout)));
        }
    }

    #[test]
    fn a_closed_circuit_lets_calls_through() {
        let clock = FakeClock::default();
        let mut breaker = CircuitBreaker::new(3, OPEN_FOR, &clock);
        let rates = Rates::new();

        assert_eq!(breaker.call(|| rates.answer(Ok(499))), Ok(499));
        assert_eq!(
            breaker.call(|| rates.answer(Err(RatesError::Timeout))),
            Err(BreakerError::Call(RatesError::Timeout))
        );
        assert_eq!(rates.calls.get(), 2);
    }

    #[test]
    fn it_opens_after_the_threshold_of_failures_in_a_row() {
        let clock = FakeClock::default();
        let mut breaker = CircuitBreaker::new(3, OPEN_FOR, &clock);
        let rates = Rates::new();
        fail_times(&mut breaker, &rates, 2);

        assert_eq!(
            breaker.call(|| rates.answer(Err(RatesError::Unavailable))),
            Err(BreakerError::Call(RatesError::Unavailable)),
            "the third failure is still a call"
        );
        assert_eq!(
            breaker.call(|| rates.answer(Ok(499))),
            Err(BreakerError::Open),
            "3 failures in a row open the circuit"
        );
        assert_eq!(rates.calls.get(), 3, "an open circuit does not call");
    }

    #[test]
    fn a_success_ends_the_row_of_failures() {
        let clock = FakeClock::default();
        let mut breaker = CircuitBreaker::new(3, OPEN_FOR, &clock);
        let rates = Rates::new();

        fail_times(&mut breaker, &rates, 2);
        let _ = breaker.call(|| rates.answer(Ok(499)));
        fail_times(&mut breaker, &rates, 2);

        assert_eq!(
            breaker.call(|| rates.answer(Ok(499))),
            Ok(499),
            "4 failures, but never 3 in a row"
        );
    }

    #[test]
    fn answers_of_a_healthy_service_do_not_count() {
        let clock = FakeClock::default();
        let mut breaker = CircuitBreaker::new(3, OPEN_FOR, &clock);
        let rates = Rates::new();

        for _ in 0..5 {
            let _ = breaker.call(|| rates.answer(Err(RatesError::NotFound)));
        }

        assert_eq!(
            breaker.call(|| rates.answer(Ok(499))),
            Ok(499),
            "a 404 means the service is up and answering"
        );
    }

    #[test]
    fn an_open_circuit_refuses_until_the_cool_down_is_over() {
        let clock = FakeClock::default();
        let mut breaker = CircuitBreaker::new(3, OPEN_FOR, &clock);
        let rates = Rates::new();
        fail_times(&mut breaker, &rates, 3);

        clock.advance(OPEN_FOR - Duration::from_millis(1));
        assert_eq!(breaker.try_acquire(), Err(CircuitOpen));

        clock.advance(Duration::from_millis(1));
        assert_eq!(
            breaker.try_acquire(),
            Ok(()),
            "at opened + open_for, a trial call may go"
        );
    }

    #[test]
    fn half_open_lets_one_trial_through_at_a_time() {
        let clock = FakeClock::default();
        let mut breaker = CircuitBreaker::new(3, OPEN_FOR, &clock);
        let rates = Rates::new();
        fail_times(&mut breaker, &rates, 3);
        clock.advance(OPEN_FOR);

        assert_eq!(breaker.try_acquire(), Ok(()), "the trial");
        assert_eq!(
            breaker.try_acquire(),
            Err(CircuitOpen),
            "a second caller while the trial is on its way"
        );
        assert_eq!(breaker.state, State::HalfOpen);
    }

    #[test]
    fn a_successful_trial_closes_the_circuit() {
        let clock = FakeClock::default();
        let mut breaker = CircuitBreaker::new(3, OPEN_FOR, &clock);
        let rates = Rates::new();
        fail_times(&mut breaker, &rates, 3);
        clock.advance(OPEN_FOR);

        assert_eq!(
            breaker.call(|| rates.answer(Ok(499))),
            Ok(499),
            "open_for after the circuit opened, the next call is the trial"
        );
        fail_times(&mut breaker, &rates, 2);

        assert_eq!(
            breaker.call(|| rates.answer(Ok(512))),
            Ok(512),
            "closed again, with the count of failures starting from zero"
        );
    }

    #[test]
    fn a_failed_trial_opens_the_circuit_for_a_whole_cool_down() {
        let clock = FakeClock::default();
        let mut breaker = CircuitBreaker::new(3, OPEN_FOR, &clock);
        let rates = Rates::new();
        fail_times(&mut breaker, &rates, 3);
        clock.advance(OPEN_FOR + Duration::from_secs(5));

        let trial = breaker.call(|| rates.answer(Err(RatesError::Timeout)));
        assert_eq!(trial, Err(BreakerError::Call(RatesError::Timeout)));

        clock.advance(OPEN_FOR - Duration::from_millis(1));
        assert_eq!(
            breaker.try_acquire(),
            Err(CircuitOpen),
            "the cool-down starts again when the trial fails"
        );
        clock.advance(Duration::from_millis(1));
        assert_eq!(
            breaker.try_acquire(),
            Ok(()),
            "a whole cool-down after the failed trial, the next trial may go"
        );
    }

    #[test]
    fn a_trial_answered_with_not_found_closes_the_circuit() {
        let clock = FakeClock::default();
        let mut breaker = CircuitBreaker::new(3, OPEN_FOR, &clock);
        let rates = Rates::new();
        fail_times(&mut breaker, &rates, 3);
        clock.advance(OPEN_FOR);

        let trial = breaker.call(|| rates.answer(Err(RatesError::NotFound)));

        assert_eq!(trial, Err(BreakerError::Call(RatesError::NotFound)));
        assert_eq!(
            breaker.call(|| rates.answer(Ok(499))),
            Ok(499),
            "the trial got an answer from a healthy service: the circuit \
             closes. A trial whose outcome is never reported leaves the \
             circuit half-open, refusing every call, for ever"
        );
    }

    #[test]
    fn a_late_success_does_not_close_an_open_circuit() {
        let clock = FakeClock::default();
        let mut breaker = CircuitBreaker::new(3, OPEN_FOR, &clock);
        for _ in 0..4 {
            assert_eq!(breaker.try_acquire(), Ok(()));
        }

        for _ in 0..3 {
            breaker.on_failure();
        }
        breaker.on_success();

        assert_eq!(
            breaker.try_acquire(),
            Err(CircuitOpen),
            "the fourth call was let through before the circuit opened; its \
             success says nothing about the service now"
        );
    }

    #[test]
    fn a_late_failure_does_not_extend_the_cool_down() {
        let clock = FakeClock::default();
        let mut breaker = CircuitBreaker::new(3, OPEN_FOR, &clock);
        for _ in 0..4 {
            assert_eq!(breaker.try_acquire(), Ok(()));
        }
        for _ in 0..3 {
            breaker.on_failure();
        }

        clock.advance(Duration::from_secs(10));
        breaker.on_failure();
        clock.advance(OPEN_FOR - Duration::from_secs(10));

        assert_eq!(
            breaker.try_acquire(),
            Ok(()),
            "open_for after the circuit opened, a trial may go: a failure \
             reported while open does not restart the cool-down"
        );
    }

    #[test]
    fn retries_stop_as_soon_as_the_circuit_opens() {
        let clock = FakeClock::default();
        let mut breaker = CircuitBreaker::new(3, OPEN_FOR, &clock);
        let rates = Rates::new();

        let result = with_retries(&mut breaker, 5, || {
            rates.answer(Err(RatesError::Unavailable))
        });

        assert_eq!(result, Err(BreakerError::Open));
        assert_eq!(
            rates.calls.get(),
            3,
            "the breaker opened at the third failed attempt, and the \
             retries stopped there"
        );
    }

    #[test]
    fn retries_are_bounded_while_the_circuit_stays_closed() {
        let clock = FakeClock::default();
        let mut breaker = CircuitBreaker::new(10, OPEN_FOR, &clock);
        let rates = Rates::new();

        let result = with_retries(&mut breaker, 3, || {
            rates.answer(Err(RatesError::Unavailable))
        });

        assert_eq!(result, Err(BreakerError::Call(RatesError::Unavailable)));
        assert_eq!(rates.calls.get(), 3, "3 attempts, then the error goes up");
    }

    #[test]
    fn a_not_found_is_not_retried() {
        let clock = FakeClock::default();
        let mut breaker = CircuitBreaker::new(3, OPEN_FOR, &clock);
        let rates = Rates::new();

        let result = with_retries(&mut breaker, 3, || rates.answer(Err(RatesError::NotFound)));

        assert_eq!(result, Err(BreakerError::Call(RatesError::NotFound)));
        assert_eq!(rates.calls.get(), 1);
    }

    #[test]
    fn an_open_circuit_is_not_worth_retrying() {
        assert!(!BreakerError::<RatesError>::Open.is_retryable());
        assert!(BreakerError::Call(RatesError::Timeout).is_retryable());
        assert!(!BreakerError::Call(RatesError::NotFound).is_retryable());
    }
}
