//! # Resilience: retries with exponential backoff and jitter (solution)

use std::time::Duration;

/// A source of random numbers, injected so that tests are repeatable.
trait Random {
    /// A number in `[0, 1)`.
    fn fraction(&mut self) -> f64;
}

/// SplitMix64: a tiny seeded generator, plenty for spreading retries out
/// (never for secrets). Production seeds it once per process, from the time
/// or the process id, so that instances do not all pick the same numbers.
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    fn seeded(seed: u64) -> Self {
        Self { state: seed }
    }
}

impl Random for SplitMix64 {
    fn fraction(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // The top 53 bits make an f64 in [0, 1) with every value equally likely.
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Waiting, injected: production sleeps, the tests write the waits down.
trait Sleeper {
    fn sleep(&mut self, duration: Duration);
}

/// The real thing, for a blocking client. (An async client awaits
/// `tokio::time::sleep` instead; the policy is the same.)
struct ThreadSleeper;

impl Sleeper for ThreadSleeper {
    fn sleep(&mut self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// What the card processor can answer besides "charged".
#[derive(Debug, Clone, PartialEq)]
enum PaymentError {
    /// No answer in time: the processor may be slow for a moment.
    Timeout,
    /// 503: the processor is overloaded or restarting.
    Unavailable,
    /// 402: the card was declined. Asking again gets the same answer.
    Declined,
    /// 400: our request is malformed. Asking again gets the same answer.
    InvalidRequest(String),
}

impl PaymentError {
    /// Worth asking again? Only when the failure is about the moment (a
    /// timeout, an overloaded server), never about the request itself: a
    /// retried decline is declined again, and the card issuer's fraud check
    /// counts every attempt.
    fn is_retryable(&self) -> bool {
        // An exhaustive match, not `!matches!(self, Declined | ..)`: a new
        // variant must be classified by whoever adds it, not default to
        // "retry".
        match self {
            PaymentError::Timeout | PaymentError::Unavailable => true,
            PaymentError::Declined | PaymentError::InvalidRequest(_) => false,
        }
    }
}

struct RetryPolicy {
    /// Attempts in all, the first one included: 3 means at most 2 retries.
    max_attempts: u32,
    /// The ceiling of the first wait; each retry doubles it.
    base_delay: Duration,
    /// No wait is ever longer than this.
    max_delay: Duration,
}

impl RetryPolicy {
    /// The longest wait before retry number `retry` (0 is the first retry):
    /// `base_delay * 2^retry`, capped at `max_delay`.
    fn ceiling(&self, retry: u32) -> Duration {
        // `2u32.pow(retry)` and `1 << retry` overflow at 32 retries, and a
        // Duration multiplied past its range panics: checked arithmetic, and
        // anything too large to compute is above the cap anyway.
        2u32.checked_pow(retry)
            .and_then(|factor| self.base_delay.checked_mul(factor))
            .map_or(self.max_delay, |delay| delay.min(self.max_delay))
    }

    /// The wait before retry number `retry`: a random point between zero and
    /// the ceiling ("full jitter"). Clients that failed together then retry
    /// apart, instead of all hitting the recovering server in the same
    /// millisecond.
    fn backoff(&self, retry: u32, random: &mut impl Random) -> Duration {
        self.ceiling(retry).mul_f64(random.fraction())
    }

    /// Calls `op` until it succeeds, fails for good, or `max_attempts` are
    /// used up, waiting `backoff` between attempts. Returns the last error.
    fn run<T>(
        &self,
        sleeper: &mut impl Sleeper,
        random: &mut impl Random,
        mut op: impl FnMut() -> Result<T, PaymentError>,
    ) -> Result<T, PaymentError> {
        // The bound is the loop's own condition: a retry loop whose only exit
        // is success is an outage amplifier.
        let mut retry = 0;
        loop {
            match op() {
                Ok(value) => return Ok(value),
                // `retry + 1 < max_attempts`: there is an attempt left. No
                // wait after the last attempt, nobody would use it.
                Err(error) if error.is_retryable() && retry + 1 < self.max_attempts => {
                    sleeper.sleep(self.backoff(retry, random));
                    retry += 1;
                }
                Err(error) => return Err(error),
            }
        }
    }
}

fn main() {
    // This exercise is checked by its tests. In a service:
    let policy = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(2),
    };
    let charged = policy.run(&mut ThreadSleeper, &mut SplitMix64::seeded(7), || {
        Ok::<_, PaymentError>("ch_1")
    });
    assert_eq!(charged, Ok("ch_1"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;

    const MS: Duration = Duration::from_millis(1);

    /// Writes the waits down instead of waiting.
    #[derive(Default)]
    struct RecordingSleeper {
        waits: Vec<Duration>,
    }

    impl Sleeper for RecordingSleeper {
        fn sleep(&mut self, duration: Duration) {
            self.waits.push(duration);
        }
    }

    /// Always the same "random" number, so a wait can be computed by hand.
    struct Fixed(f64);

    impl Random for Fixed {
        fn fraction(&mut self) -> f64 {
            self.0
        }
    }

    /// A card processor that answers from a script and counts the charges
    /// it was asked for. Past the script, it is unavailable.
    struct Processor {
        answers: RefCell<VecDeque<Result<&'static str, PaymentError>>>,
        calls: Cell<usize>,
    }

    impl Processor {
        fn answering(answers: Vec<Result<&'static str, PaymentError>>) -> Self {
            Self {
                answers: RefCell::new(answers.into()),
                calls: Cell::new(0),
            }
        }

        fn charge(&self) -> Result<&'static str, PaymentError> {
            self.calls.set(self.calls.get() + 1);
            assert!(
                self.calls.get() <= 100,
                "charged 100 times for one payment: the retries never stop"
            );
            let next = self.answers.borrow_mut().pop_front();
            next.unwrap_or(Err(PaymentError::Unavailable))
        }
    }

    fn policy(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            base_delay: 100 * MS,
            max_delay: 1_000 * MS,
        }
    }

    #[test]
    fn a_success_is_returned_without_waiting() {
        let processor = Processor::answering(vec![Ok("ch_1")]);
        let mut sleeper = RecordingSleeper::default();

        let result = policy(3).run(&mut sleeper, &mut Fixed(0.5), || processor.charge());

        assert_eq!(result, Ok("ch_1"));
        assert_eq!(processor.calls.get(), 1);
        assert!(sleeper.waits.is_empty());
    }

    #[test]
    fn a_passing_failure_is_retried_after_a_wait() {
        let processor = Processor::answering(vec![Err(PaymentError::Unavailable), Ok("ch_1")]);
        let mut sleeper = RecordingSleeper::default();

        let result = policy(3).run(&mut sleeper, &mut Fixed(0.5), || processor.charge());

        assert_eq!(result, Ok("ch_1"));
        assert_eq!(processor.calls.get(), 2);
        assert_eq!(sleeper.waits.len(), 1, "one wait between the two attempts");
    }

    #[test]
    fn a_declined_card_is_never_retried() {
        let processor = Processor::answering(vec![Err(PaymentError::Declined), Ok("ch_1")]);
        let mut sleeper = RecordingSleeper::default();

        let result = policy(5).run(&mut sleeper, &mut Fixed(0.5), || processor.charge());

        assert_eq!(result, Err(PaymentError::Declined));
        assert_eq!(
            processor.calls.get(),
            1,
            "asking again gets the same decline"
        );
        assert!(sleeper.waits.is_empty());
    }

    #[test]
    fn only_failures_of_the_moment_are_retryable() {
        assert!(PaymentError::Timeout.is_retryable());
        assert!(PaymentError::Unavailable.is_retryable());
        assert!(!PaymentError::Declined.is_retryable());
        assert!(!PaymentError::InvalidRequest("no amount".into()).is_retryable());
    }

    #[test]
    fn it_gives_up_after_max_attempts_with_the_last_error() {
        let processor = Processor::answering(vec![
            Err(PaymentError::Timeout),
            Err(PaymentError::Timeout),
            Err(PaymentError::Unavailable),
            Ok("too late"),
        ]);
        let mut sleeper = RecordingSleeper::default();

        let result = policy(3).run(&mut sleeper, &mut Fixed(0.5), || processor.charge());

        assert_eq!(result, Err(PaymentError::Unavailable));
        assert_eq!(
            processor.calls.get(),
            3,
            "max_attempts counts the first attempt too"
        );
        assert_eq!(
            sleeper.waits.len(),
            2,
            "no wait after the last attempt: nobody would use it"
        );
    }

    #[test]
    fn a_single_attempt_policy_never_retries() {
        let processor = Processor::answering(vec![Err(PaymentError::Timeout), Ok("ch_1")]);
        let mut sleeper = RecordingSleeper::default();

        let result = policy(1).run(&mut sleeper, &mut Fixed(0.5), || processor.charge());

        assert_eq!(result, Err(PaymentError::Timeout));
        assert_eq!(processor.calls.get(), 1);
    }

    #[test]
    fn ceilings_double_from_the_base_and_stop_at_the_cap() {
        let policy = policy(10);
        let ceilings: Vec<Duration> = (0..6).map(|retry| policy.ceiling(retry)).collect();

        let expected = [100, 200, 400, 800, 1_000, 1_000].map(|ms| ms * MS);
        assert_eq!(ceilings, expected);
    }

    #[test]
    fn each_wait_is_a_random_part_of_its_ceiling() {
        let processor = Processor::answering(vec![]);
        let mut sleeper = RecordingSleeper::default();

        let _ = policy(5).run(&mut sleeper, &mut Fixed(0.5), || processor.charge());

        assert_eq!(
            sleeper.waits,
            [50 * MS, 100 * MS, 200 * MS, 400 * MS],
            "with the random number 0.5, each wait is half its ceiling"
        );
    }

    #[test]
    fn a_very_long_retry_sequence_stays_at_the_cap() {
        let policy = policy(u32::MAX);

        assert_eq!(policy.ceiling(31), 1_000 * MS);
        assert_eq!(policy.ceiling(32), 1_000 * MS, "2^32 overflows a u32");
        assert_eq!(policy.ceiling(64), 1_000 * MS, "2^64 overflows a u64");
        assert_eq!(policy.ceiling(u32::MAX), 1_000 * MS);
    }

    #[test]
    fn the_seeded_generator_is_splitmix64_as_published() {
        let mut random = SplitMix64::seeded(0);

        // The first output of SplitMix64 seeded with 0 is 0xE220A8397B1DCDAF:
        // a seeded generator must give the same numbers on every machine and
        // in every release, or a failure cannot be replayed.
        let expected = (0xE220_A839_7B1D_CDAF_u64 >> 11) as f64 / (1u64 << 53) as f64;
        assert_eq!(random.fraction(), expected);
    }

    #[test]
    fn jitter_spreads_clients_that_failed_together() {
        let first_waits: Vec<Duration> = (1..=20)
            .map(|seed| policy(3).backoff(0, &mut SplitMix64::seeded(seed)))
            .collect();

        assert!(
            first_waits.iter().all(|wait| *wait < 100 * MS),
            "every wait is below its ceiling: {first_waits:?}"
        );
        let mut distinct = first_waits.clone();
        distinct.sort();
        distinct.dedup();
        assert!(
            distinct.len() >= 15,
            "20 clients that failed at the same moment must not retry at the \
             same moment: {first_waits:?}"
        );
    }
}
