//! # Typed errors in the log: spans, fields and the cause chain (solution)

use std::error::Error;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

use tracing::Instrument;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct OrderId(u64);

/// What the payment provider calls the charge.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PaymentId(String);

/// A customer's cart at checkout. `Debug` shows every field, the card
/// number too: whatever records a `Cart` with `?cart` writes the card into
/// the log.
#[derive(Debug, Clone)]
struct Cart {
    customer_id: u64,
    total_cents: u64,
    /// Never to be logged: card numbers in logs are a PCI DSS violation.
    card_number: String,
}

// ---- The payment provider (do not change) --------------------------------

#[derive(Debug, thiserror::Error)]
enum PaymentError {
    #[error("card declined: {reason}")]
    Declined { reason: String },
    #[error("payment provider unavailable")]
    Unavailable(#[source] io::Error),
}

trait PaymentGateway {
    async fn charge(
        &self,
        customer_id: u64,
        cents: u64,
        card_number: &str,
    ) -> Result<PaymentId, PaymentError>;
}

// ---- The service ---------------------------------------------------------

#[derive(Debug, thiserror::Error)]
enum CheckoutError {
    /// The customer's problem: their bank said no.
    #[error("the card was declined: {reason}")]
    CardDeclined { reason: String },
    /// Ours: the cause says why, and stays out of the message.
    #[error("could not charge the card")]
    PaymentFailed(#[source] PaymentError),
}

impl From<PaymentError> for CheckoutError {
    fn from(error: PaymentError) -> Self {
        match error {
            PaymentError::Declined { reason } => CheckoutError::CardDeclined { reason },
            unavailable @ PaymentError::Unavailable(_) => CheckoutError::PaymentFailed(unavailable),
        }
    }
}

struct CheckoutService<G> {
    gateway: G,
    last_order: AtomicU64,
}

impl<G: PaymentGateway> CheckoutService<G> {
    fn new(gateway: G) -> Self {
        Self {
            gateway,
            last_order: AtomicU64::new(0),
        }
    }

    /// Charges the cart and hands out an order id.
    ///
    /// The span is this call's own part of the request: its fields are the
    /// domain's (who, how much), recorded as numbers, so a log search can
    /// ask for `total_cents > 100000`. `skip` leaves out what must not or
    /// need not be recorded: the cart (its `Debug` holds the card number)
    /// and `self`. The request id is not a parameter: the service never
    /// hears of requests, yet every event in here carries the id, because
    /// this span sits inside the request's span.
    ///
    /// No `err` in the attribute: it would log every failure here, at
    /// ERROR, with only the top message. The service returns its error; the
    /// edge logs it once.
    #[tracing::instrument(
        skip(self, cart),
        fields(customer_id = cart.customer_id, total_cents = cart.total_cents)
    )]
    async fn place_order(&self, cart: &Cart) -> Result<OrderId, CheckoutError> {
        let payment = self
            .gateway
            .charge(cart.customer_id, cart.total_cents, &cart.card_number)
            .await?;
        let order_id = self.last_order.fetch_add(1, Ordering::Relaxed) + 1;
        // A constant message and typed fields: a dashboard counts "order
        // placed" per hour, and a search finds order_id = 1 exactly.
        tracing::info!(order_id, payment_id = payment.0.as_str(), "order placed");
        Ok(OrderId(order_id))
    }
}

// ---- The edge ------------------------------------------------------------

/// One checkout request, as an axum handler (or a `TraceLayer` around it)
/// would run it.
///
/// The span is the request's: it carries the request id, and every event
/// recorded while the future runs (here and deep in the service) is inside
/// it, so the id reaches every line without being passed to anyone.
/// `.instrument(span)` enters the span each time the future is polled and
/// leaves it each time the future yields; a guard from `span.enter()` held
/// across an `.await` would stay entered while the task sleeps, and the
/// thread's next task would log into this request.
async fn handle_checkout<G: PaymentGateway>(
    service: &CheckoutService<G>,
    request_id: &str,
    cart: Cart,
) -> Result<OrderId, CheckoutError> {
    let span = tracing::info_span!("request", request_id);
    async {
        let result = service.place_order(&cart).await;
        if let Err(error) = &result {
            log_failure(error);
        }
        result
    }
    .instrument(span)
    .await
}

/// The one place a failed checkout is logged, at the level its kind
/// deserves.
///
/// `error = error as &dyn Error` records the error *as an error*: the
/// subscriber gets the value itself and can walk its `source()` chain (the
/// fmt layer prints `error.sources=[..]`, OpenTelemetry exporters record an
/// exception). `%error` would record the top `Display` only, "could not
/// charge the card", which is where the last incident's cause got lost.
fn log_failure(error: &CheckoutError) {
    match error {
        // The customer's bank said no: worth a line, not a page at 3 a.m.
        CheckoutError::CardDeclined { .. } => {
            tracing::warn!(error = error as &dyn Error, "checkout refused");
        }
        CheckoutError::PaymentFailed(_) => {
            tracing::error!(error = error as &dyn Error, "checkout failed");
        }
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex, PoisonError};
    use tracing::field::{Field, Visit};
    use tracing::{Event, Level, Subscriber, span};
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::{Context, SubscriberExt};
    use tracing_subscriber::registry::LookupSpan;

    const CARD: &str = "4242424242424242";

    // ---- A subscriber that keeps what it is given, for the tests to read ----

    /// A field's value, in the form the code recorded it.
    #[derive(Debug, Clone, PartialEq)]
    enum Recorded {
        /// A string, recorded as one.
        Str(String),
        U64(u64),
        I64(i64),
        Bool(bool),
        /// Formatted: `%value`, `?value`, or a type tracing has no slot for.
        Formatted(String),
        /// An error recorded as `&dyn Error`: its text, then each `source()`.
        Error(Vec<String>),
    }

    impl Recorded {
        /// The text of a string field, recorded as a string or formatted.
        fn text(&self) -> Option<&str> {
            match self {
                Recorded::Str(text) | Recorded::Formatted(text) => Some(text),
                _ => None,
            }
        }
    }

    #[derive(Debug, Clone, Default)]
    struct Fields(Vec<(String, Recorded)>);

    impl Fields {
        fn get(&self, name: &str) -> Option<&Recorded> {
            self.0
                .iter()
                .find(|(field, _)| field == name)
                .map(|(_, value)| value)
        }

        fn put(&mut self, field: &Field, value: Recorded) {
            self.0.retain(|(name, _)| name != field.name());
            self.0.push((field.name().to_string(), value));
        }

        fn all_text(&self) -> String {
            format!("{:?}", self.0)
        }
    }

    impl Visit for Fields {
        fn record_str(&mut self, field: &Field, value: &str) {
            self.put(field, Recorded::Str(value.to_string()));
        }
        fn record_u64(&mut self, field: &Field, value: u64) {
            self.put(field, Recorded::U64(value));
        }
        fn record_i64(&mut self, field: &Field, value: i64) {
            self.put(field, Recorded::I64(value));
        }
        fn record_bool(&mut self, field: &Field, value: bool) {
            self.put(field, Recorded::Bool(value));
        }
        fn record_error(&mut self, field: &Field, value: &(dyn Error + 'static)) {
            let chain = std::iter::successors(Some(value), |&error| error.source())
                .map(ToString::to_string)
                .collect();
            self.put(field, Recorded::Error(chain));
        }
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.put(field, Recorded::Formatted(format!("{value:?}")));
        }
    }

    #[derive(Debug, Clone)]
    struct SpanRecord {
        name: &'static str,
        fields: Fields,
    }

    #[derive(Debug, Clone)]
    struct EventRecord {
        level: Level,
        message: String,
        fields: Fields,
        /// The spans the event happened in, outermost first.
        spans: Vec<SpanRecord>,
    }

    impl EventRecord {
        fn span_names(&self) -> Vec<&'static str> {
            self.spans.iter().map(|span| span.name).collect()
        }
    }

    #[derive(Clone, Default)]
    struct Log {
        spans: Arc<Mutex<Vec<SpanRecord>>>,
        events: Arc<Mutex<Vec<EventRecord>>>,
    }

    impl Log {
        fn spans(&self) -> Vec<SpanRecord> {
            self.spans
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone()
        }

        fn events(&self) -> Vec<EventRecord> {
            self.events
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone()
        }

        fn events_at(&self, level: Level) -> Vec<EventRecord> {
            self.events()
                .into_iter()
                .filter(|event| event.level == level)
                .collect()
        }

        /// Everything recorded, as one text, to search for what must not be
        /// there.
        fn everything(&self) -> String {
            let spans = self.spans().into_iter().map(|span| span.fields.all_text());
            let events = self
                .events()
                .into_iter()
                .map(|event| format!("{} {}", event.message, event.fields.all_text()));
            spans.chain(events).collect::<Vec<_>>().join("\n")
        }
    }

    /// A `tracing_subscriber` layer that writes spans and events into a `Log`.
    struct Capture(Log);

    impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
        fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
            let mut fields = Fields::default();
            attrs.record(&mut fields);
            if let Some(span) = ctx.span(id) {
                span.extensions_mut().insert(fields.clone());
            }
            self.0
                .spans
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(SpanRecord {
                    name: attrs.metadata().name(),
                    fields,
                });
        }

        fn on_record(&self, id: &span::Id, values: &span::Record<'_>, ctx: Context<'_, S>) {
            if let Some(span) = ctx.span(id)
                && let Some(fields) = span.extensions_mut().get_mut::<Fields>()
            {
                values.record(fields);
            }
        }

        fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
            let mut fields = Fields::default();
            event.record(&mut fields);
            let message = fields
                .get("message")
                .and_then(Recorded::text)
                .unwrap_or_default()
                .to_string();
            fields.0.retain(|(name, _)| name != "message");
            let spans = ctx
                .event_scope(event)
                .map(|scope| {
                    scope
                        .from_root()
                        .map(|span| SpanRecord {
                            name: span.name(),
                            fields: span
                                .extensions()
                                .get::<Fields>()
                                .cloned()
                                .unwrap_or_default(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            self.0
                .events
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(EventRecord {
                    level: *event.metadata().level(),
                    message,
                    fields,
                    spans,
                });
        }
    }

    // ---- The payment provider, as the tests need it ----

    enum FakeGateway {
        Approves,
        Declines,
        IsDown,
    }

    impl PaymentGateway for FakeGateway {
        async fn charge(&self, _: u64, _: u64, _: &str) -> Result<PaymentId, PaymentError> {
            match self {
                FakeGateway::Approves => Ok(PaymentId("pay_81".to_string())),
                FakeGateway::Declines => Err(PaymentError::Declined {
                    reason: "insufficient funds".to_string(),
                }),
                FakeGateway::IsDown => Err(PaymentError::Unavailable(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "connection reset by peer",
                ))),
            }
        }
    }

    /// Runs one checkout with request id `req-7f3a` under a capturing
    /// subscriber. `set_default` installs it for this thread only, until the
    /// guard drops: tests running at the same time keep their own.
    /// (`#[tokio::test]` polls everything on the test's thread.)
    async fn checkout(gateway: FakeGateway) -> (Result<OrderId, CheckoutError>, Log) {
        let log = Log::default();
        let _guard = tracing::subscriber::set_default(
            tracing_subscriber::registry().with(Capture(log.clone())),
        );
        let service = CheckoutService::new(gateway);
        let cart = Cart {
            customer_id: 7,
            total_cents: 4_200,
            card_number: CARD.to_string(),
        };
        let result = handle_checkout(&service, "req-7f3a", cart).await;
        (result, log)
    }

    fn assert_in_the_request_span(event: &EventRecord) {
        let request = event.spans.first().unwrap_or_else(|| {
            panic!(
                "the event {:?} happened outside any span, so it carries no request id",
                event.message
            )
        });
        assert_eq!(
            request.name, "request",
            "the outermost span of {:?} is the request's",
            event.message
        );
        assert_eq!(
            request.fields.get("request_id").and_then(Recorded::text),
            Some("req-7f3a"),
            "the request span carries the request id as a field, it has {:?}",
            request.fields
        );
    }

    #[tokio::test]
    async fn every_event_of_a_request_is_inside_its_request_span() {
        for gateway in [
            FakeGateway::Approves,
            FakeGateway::Declines,
            FakeGateway::IsDown,
        ] {
            let (_, log) = checkout(gateway).await;

            let events = log.events();
            assert!(!events.is_empty(), "a checkout logs at least one event");
            for event in &events {
                assert_in_the_request_span(event);
            }
        }
    }

    #[tokio::test]
    async fn place_order_has_its_own_span_with_the_customer_and_total_as_numbers() {
        let (result, log) = checkout(FakeGateway::Approves).await;
        assert_eq!(result.ok(), Some(OrderId(1)));

        let events = log.events();
        let placed = events
            .iter()
            .find(|event| event.message == "order placed")
            .unwrap_or_else(|| {
                let messages: Vec<_> = events.iter().map(|event| &event.message).collect();
                panic!("no event has the message \"order placed\": {messages:?}")
            });
        assert_eq!(
            placed.span_names(),
            ["request", "place_order"],
            "\"order placed\" happens in place_order's span, inside the request's"
        );
        let place_order = &placed.spans[1].fields;
        assert_eq!(
            place_order.get("customer_id"),
            Some(&Recorded::U64(7)),
            "customer_id is recorded as a number, not as text: {place_order:?}"
        );
        assert_eq!(
            place_order.get("total_cents"),
            Some(&Recorded::U64(4_200)),
            "total_cents is recorded as a number, not as text: {place_order:?}"
        );
    }

    #[tokio::test]
    async fn the_card_number_is_never_recorded() {
        for gateway in [
            FakeGateway::Approves,
            FakeGateway::Declines,
            FakeGateway::IsDown,
        ] {
            let (_, log) = checkout(gateway).await;

            let everything = log.everything();
            assert!(
                !everything.contains(CARD),
                "the card number is in the log; skip what must not be recorded:\n{everything}"
            );
        }
    }

    #[tokio::test]
    async fn a_placed_order_is_one_info_event_with_typed_fields_and_a_constant_message() {
        let (_, log) = checkout(FakeGateway::Approves).await;

        let infos = log.events_at(Level::INFO);
        assert_eq!(
            infos.len(),
            1,
            "one INFO event per order, got {:?}",
            infos.iter().map(|event| &event.message).collect::<Vec<_>>()
        );
        let placed = &infos[0];
        assert_eq!(
            placed.message, "order placed",
            "the message is a constant; the values go in fields"
        );
        assert_eq!(
            placed.fields.get("order_id"),
            Some(&Recorded::U64(1)),
            "order_id is a number field: {:?}",
            placed.fields
        );
        assert_eq!(
            placed.fields.get("payment_id").and_then(Recorded::text),
            Some("pay_81"),
            "the provider's payment id is a field: {:?}",
            placed.fields
        );
    }

    #[tokio::test]
    async fn a_failure_of_ours_is_one_error_event_with_the_whole_cause_chain() {
        let (result, log) = checkout(FakeGateway::IsDown).await;
        assert!(matches!(result, Err(CheckoutError::PaymentFailed(_))));

        let errors = log.events_at(Level::ERROR);
        assert_eq!(
            errors.len(),
            1,
            "a failure is logged once, at the edge; got {:?}",
            errors
                .iter()
                .map(|event| &event.message)
                .collect::<Vec<_>>()
        );
        let failed = &errors[0];
        assert_eq!(
            failed.message, "checkout failed",
            "the message is a constant: the id is in the span, the cause in the field"
        );
        assert_eq!(
            failed.fields.get("error"),
            Some(&Recorded::Error(vec![
                "could not charge the card".to_string(),
                "payment provider unavailable".to_string(),
                "connection reset by peer".to_string(),
            ])),
            "record the error itself (`error = error as &dyn Error`), so the subscriber \
             sees its source() chain; formatted, only its top message is left"
        );
        assert_in_the_request_span(failed);
    }

    #[tokio::test]
    async fn a_declined_card_is_a_warning_not_an_error() {
        let (result, log) = checkout(FakeGateway::Declines).await;
        assert!(matches!(result, Err(CheckoutError::CardDeclined { .. })));

        assert!(
            log.events_at(Level::ERROR).is_empty(),
            "a declined card is the customer's problem: no ERROR, nobody gets paged"
        );
        let warnings = log.events_at(Level::WARN);
        assert_eq!(warnings.len(), 1, "one WARN event for a declined card");
        assert_eq!(warnings[0].message, "checkout refused");
        assert_eq!(
            warnings[0].fields.get("error"),
            Some(&Recorded::Error(vec![
                "the card was declined: insufficient funds".to_string()
            ])),
            "the error is recorded as an error here too"
        );
    }

    #[tokio::test]
    async fn a_placed_order_logs_no_warning_and_no_error() {
        let (_, log) = checkout(FakeGateway::Approves).await;

        assert!(log.events_at(Level::ERROR).is_empty());
        assert!(log.events_at(Level::WARN).is_empty());
    }
}
