//! # Resilience: a retry budget, and retrying only what is safe to repeat (solution)

use std::collections::VecDeque;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Put,
    Delete,
    Post,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Request {
    method: Method,
    path: String,
    /// Chosen by the caller once per operation, and sent with every attempt:
    /// the server keeps the outcome under it and answers a repeat with that
    /// outcome instead of doing the work twice.
    idempotency_key: Option<String>,
}

impl Request {
    /// May this request be sent twice with the same effect as once?
    fn is_idempotent(&self) -> bool {
        // GET, PUT and DELETE are idempotent by HTTP's definition: twice is
        // the same as once. A POST is not, unless the server can recognise
        // the repeat by its key.
        match self.method {
            Method::Get | Method::Put | Method::Delete => true,
            Method::Post => self.idempotency_key.is_some(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Response {
    status: u16,
}

/// How a call to the stock service failed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CallError {
    /// The connection was refused: the request never left this machine.
    ConnectFailed,
    /// No answer in time: the service may or may not have done the work.
    Timeout,
    /// 503: overloaded. It may have started the work before giving up.
    Unavailable,
    /// A 4xx: asking again gets the same answer.
    Rejected(u16),
}

/// Whether a failed `request` may be sent again, budget aside.
fn may_retry(request: &Request, error: &CallError) -> bool {
    match error {
        // Nothing reached the service, so nothing can happen twice.
        CallError::ConnectFailed => true,
        // The work may have been done: repeat only what is safe to repeat.
        CallError::Timeout | CallError::Unavailable => request.is_idempotent(),
        CallError::Rejected(_) => false,
    }
}

/// What one retry costs, in credit. Every request earns 1, so retries can
/// add at most 1/10 = 10 % to the traffic.
const RETRY_COST: u32 = 10;

/// Caps retries at a share of the requests, for all calls of a client
/// together. When the service is healthy almost nothing is spent and the
/// credit sits at its cap; during an outage it runs out within seconds, and
/// calls fail at once instead of tripling the load on a service that is
/// trying to recover.
struct RetryBudget {
    credit: u32,
    max_credit: u32,
}

impl RetryBudget {
    /// Starts with credit for `reserve` retries, so that a client that has
    /// made no request yet may still retry; never holds more than `max`.
    fn new(reserve: u32, max: u32) -> Self {
        Self {
            credit: reserve * RETRY_COST,
            max_credit: max * RETRY_COST,
        }
    }

    /// One request was made: earn credit, up to the cap. Without the cap, a
    /// quiet week would save up enough retries to triple the first hour of
    /// the next outage.
    fn deposit(&mut self) {
        self.credit = (self.credit + 1).min(self.max_credit);
    }

    /// Spends the cost of one retry, if the credit covers it.
    fn try_withdraw(&mut self) -> bool {
        if self.credit < RETRY_COST {
            return false;
        }
        self.credit -= RETRY_COST;
        true
    }
}

/// The network, injected.
trait Transport {
    fn send(&mut self, request: &Request) -> Result<Response, CallError>;
}

struct Client<T: Transport> {
    transport: T,
    budget: RetryBudget,
    /// Attempts per call, the first one included.
    max_attempts: u32,
}

impl<T: Transport> Client<T> {
    /// Sends `request`, retrying what may be retried while attempts and
    /// budget last. (The waits between attempts are left out to keep this
    /// exercise about *how many*; a real client waits as in `retry_backoff`.)
    fn call(&mut self, request: &Request) -> Result<Response, CallError> {
        // One deposit per call, not per attempt: retries must not earn the
        // credit that pays for more retries.
        self.budget.deposit();
        let mut attempt = 1;
        loop {
            let error = match self.transport.send(request) {
                Ok(response) => return Ok(response),
                Err(error) => error,
            };
            // The budget is asked last, so that credit is spent only on a
            // retry that will actually be sent.
            if attempt < self.max_attempts
                && may_retry(request, &error)
                && self.budget.try_withdraw()
            {
                attempt += 1;
            } else {
                return Err(error);
            }
        }
    }
}

/// A stand-in stock service for `main`.
struct Scripted(VecDeque<Result<Response, CallError>>);

impl Transport for Scripted {
    fn send(&mut self, _request: &Request) -> Result<Response, CallError> {
        self.0.pop_front().unwrap_or(Err(CallError::Unavailable))
    }
}

fn main() {
    // This exercise is checked by its tests. In a service, one client (and
    // so one budget) per downstream service, shared by every request:
    let mut client = Client {
        transport: Scripted(VecDeque::from([
            Err(CallError::Timeout),
            Ok(Response { status: 200 }),
        ])),
        budget: RetryBudget::new(10, 100),
        max_attempts: 3,
    };
    let request = Request {
        method: Method::Get,
        path: "/stock/sku-1".into(),
        idempotency_key: None,
    };
    assert_eq!(client.call(&request), Ok(Response { status: 200 }));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stock service: answers every request the same way (or from a
    /// script first) and counts what reached it.
    struct FakeStock {
        script: VecDeque<Result<Response, CallError>>,
        otherwise: Result<Response, CallError>,
        sent: usize,
    }

    impl FakeStock {
        fn always(answer: Result<Response, CallError>) -> Self {
            Self {
                script: VecDeque::new(),
                otherwise: answer,
                sent: 0,
            }
        }

        fn answering(script: Vec<Result<Response, CallError>>) -> Self {
            Self {
                script: script.into(),
                otherwise: Ok(ok()),
                sent: 0,
            }
        }
    }

    impl Transport for FakeStock {
        fn send(&mut self, _request: &Request) -> Result<Response, CallError> {
            self.sent += 1;
            self.script
                .pop_front()
                .unwrap_or_else(|| self.otherwise.clone())
        }
    }

    fn ok() -> Response {
        Response { status: 200 }
    }

    fn client(stock: FakeStock, budget: RetryBudget) -> Client<FakeStock> {
        Client {
            transport: stock,
            budget,
            max_attempts: 3,
        }
    }

    fn request(method: Method, key: Option<&str>) -> Request {
        Request {
            method,
            path: "/stock/sku-1/reservations".into(),
            idempotency_key: key.map(str::to_owned),
        }
    }

    #[test]
    fn a_get_is_retried_after_a_timeout() {
        let stock = FakeStock::answering(vec![Err(CallError::Timeout)]);
        let mut client = client(stock, RetryBudget::new(10, 100));

        let result = client.call(&request(Method::Get, None));

        assert_eq!(result, Ok(ok()));
        assert_eq!(client.transport.sent, 2);
    }

    #[test]
    fn a_post_without_a_key_is_not_repeated_after_a_timeout() {
        let stock = FakeStock::answering(vec![Err(CallError::Timeout)]);
        let mut client = client(stock, RetryBudget::new(10, 100));

        let result = client.call(&request(Method::Post, None));

        assert_eq!(result, Err(CallError::Timeout));
        assert_eq!(
            client.transport.sent, 1,
            "the first reservation may have gone through: a second one could \
             reserve the stock twice"
        );
    }

    #[test]
    fn a_post_with_an_idempotency_key_is_retried() {
        let stock = FakeStock::answering(vec![Err(CallError::Unavailable)]);
        let mut client = client(stock, RetryBudget::new(10, 100));

        let result = client.call(&request(Method::Post, Some("order-42")));

        assert_eq!(result, Ok(ok()));
        assert_eq!(client.transport.sent, 2);
    }

    #[test]
    fn a_refused_connection_is_retried_whatever_the_method() {
        let stock = FakeStock::answering(vec![Err(CallError::ConnectFailed)]);
        let mut client = client(stock, RetryBudget::new(10, 100));

        let result = client.call(&request(Method::Post, None));

        assert_eq!(
            result,
            Ok(ok()),
            "the request never left: sending it now is its first delivery"
        );
        assert_eq!(client.transport.sent, 2);
    }

    #[test]
    fn a_rejection_is_never_retried() {
        let stock = FakeStock::answering(vec![Err(CallError::Rejected(409))]);
        let mut client = client(stock, RetryBudget::new(10, 100));

        let result = client.call(&request(Method::Put, None));

        assert_eq!(result, Err(CallError::Rejected(409)));
        assert_eq!(client.transport.sent, 1);
    }

    #[test]
    fn which_requests_are_idempotent() {
        assert!(request(Method::Get, None).is_idempotent());
        assert!(request(Method::Put, None).is_idempotent());
        assert!(request(Method::Delete, None).is_idempotent());
        assert!(!request(Method::Post, None).is_idempotent());
        assert!(request(Method::Post, Some("order-42")).is_idempotent());
    }

    #[test]
    fn an_outage_adds_at_most_a_tenth_to_the_traffic() {
        let stock = FakeStock::always(Err(CallError::Unavailable));
        let mut client = client(stock, RetryBudget::new(5, 100));

        for _ in 0..1_000 {
            let _ = client.call(&request(Method::Get, None));
        }

        let sent = client.transport.sent;
        assert!(
            sent > 1_000,
            "the budget allows some retries: {sent} requests for 1000 calls"
        );
        assert!(
            sent <= 1_000 + 100 + 5,
            "3 attempts per call would send 3000 requests to a service that \
             is down; the budget allows 1000 calls + 10 % + the reserve of 5, \
             not {sent}"
        );
    }

    #[test]
    fn a_quiet_week_does_not_save_up_a_storm() {
        let mut client = client(FakeStock::always(Ok(ok())), RetryBudget::new(5, 20));
        for _ in 0..10_000 {
            let _ = client.call(&request(Method::Get, None));
        }

        client.transport = FakeStock::always(Err(CallError::Timeout));
        for _ in 0..50 {
            let _ = client.call(&request(Method::Get, None));
        }

        assert!(
            client.transport.sent <= 50 + 20 + 5,
            "credit is capped at 20 retries (plus 5 earned by the 50 calls), \
             whatever the traffic before: {} requests",
            client.transport.sent
        );
    }

    #[test]
    fn retries_that_will_not_happen_cost_nothing() {
        let stock = FakeStock::answering(vec![
            Err(CallError::Rejected(409)),
            Err(CallError::Timeout),
            Err(CallError::Timeout),
        ]);
        let mut client = client(stock, RetryBudget::new(1, 100));

        let conflict = client.call(&request(Method::Put, None));
        let unsafe_post = client.call(&request(Method::Post, None));
        let get = client.call(&request(Method::Get, None));

        assert_eq!(conflict, Err(CallError::Rejected(409)));
        assert_eq!(unsafe_post, Err(CallError::Timeout));
        assert_eq!(
            get,
            Ok(ok()),
            "the 409 and the POST were not retried, so the one retry of the \
             reserve is still there for the GET"
        );
    }

    #[test]
    fn the_last_attempt_spends_no_credit() {
        let stock = FakeStock::answering(vec![
            Err(CallError::Timeout),
            Err(CallError::Timeout),
            Err(CallError::Timeout),
            Err(CallError::Timeout),
        ]);
        let mut client = client(stock, RetryBudget::new(3, 100));

        let first = client.call(&request(Method::Get, None));
        let second = client.call(&request(Method::Get, None));

        assert_eq!(first, Err(CallError::Timeout));
        assert_eq!(client.transport.sent, 3 + 2);
        assert_eq!(
            second,
            Ok(ok()),
            "two retries were sent and paid for; the third attempt's failure \
             ended the call and must not spend the last retry of the reserve"
        );
    }

    #[test]
    fn a_call_makes_at_most_max_attempts() {
        let stock = FakeStock::always(Err(CallError::Timeout));
        let mut client = client(stock, RetryBudget::new(100, 100));

        let result = client.call(&request(Method::Get, None));

        assert_eq!(result, Err(CallError::Timeout));
        assert_eq!(
            client.transport.sent, 3,
            "max_attempts is 3, the first attempt included, budget or not"
        );
    }

    #[test]
    fn ten_requests_earn_one_retry() {
        let mut budget = RetryBudget::new(0, 100);
        for _ in 0..9 {
            budget.deposit();
        }
        assert!(!budget.try_withdraw(), "9 requests are not worth a retry");

        budget.deposit();

        assert!(budget.try_withdraw(), "10 requests are worth one retry");
        assert!(!budget.try_withdraw());
    }
}
