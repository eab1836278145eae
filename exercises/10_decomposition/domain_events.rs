//! # Domain events and an in-process event bus
//!
//! A *domain event* is a fact the domain records in the past tense:
//! `OrderPlaced`, `OrderCancelled`. The code that changes an order records
//! the event; other parts of the system subscribe to it and react. Checkout
//! then does not know, or wait for, the mailer, the loyalty points or the
//! warehouse: a new reaction is a new subscriber.
//!
//! ## The problem
//!
//! A bookshop's `OrderService::place` saved the order, then sent the
//! confirmation email, then awarded loyalty points, then told the
//! warehouse. Every new reaction was a change to checkout, reviewed by the
//! checkout team. And when the mail relay timed out, `place` returned an
//! error for an order that was already saved, so customers clicked again
//! and bought twice.
//!
//! ## Your task
//!
//! 1. The aggregate records. `Order::place` records one `OrderEvent::Placed`
//!    and `Order::cancel` one `OrderEvent::Cancelled` (none when the order
//!    is already cancelled), in `self.events`. `take_events` hands them over
//!    and forgets them.
//! 2. The bus delivers. `EventBus::subscribe` adds a handler for one
//!    `EventKind`; `publish` gives each event, in order, to each handler of
//!    its kind, in the order they subscribed. A failing handler does not stop
//!    the others: its failure is collected and returned.
//! 3. The service saves, then publishes. `OrderService::place` and `cancel`
//!    change the order, save it, and publish the events it recorded, so
//!    that:
//!    - nobody hears of an order that failed to save;
//!    - each event is published once, even after the order is loaded again
//!      (what does the store keep, if it saves the order with its events?);
//!    - a failing handler does not fail the call: its failures go to
//!      `self.dead_letters`, for an operator to replay.
//!
//! Architecture checks: `Order` knows no bus, handler or repository; the
//! service publishes what the aggregate recorded (it makes up no events of
//! its own) and never calls a handler itself; the bus knows handlers only
//! as `EventHandler`s.
//!
//! ## When not to use it
//!
//! When the reaction is part of the operation (the stock must be reserved,
//! or there is no order), call it directly and let its failure fail the
//! call: an event says "this happened", it cannot say "only if that works
//! too". And an in-process bus loses every event when the process dies
//! between the save and the publish; the next exercise, the outbox, is
//! for events that must not be lost.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct OrderId(u32);

/// Something that happened to an order, in the past tense, with the data a
/// listener needs so that it does not have to come back and ask.
#[derive(Debug, Clone, PartialEq, Eq)]
enum OrderEvent {
    Placed {
        order: OrderId,
        customer: String,
        total: u64,
    },
    Cancelled {
        order: OrderId,
        customer: String,
        reason: String,
    },
}

/// What handlers subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EventKind {
    Placed,
    Cancelled,
}

impl OrderEvent {
    fn kind(&self) -> EventKind {
        match self {
            OrderEvent::Placed { .. } => EventKind::Placed,
            OrderEvent::Cancelled { .. } => EventKind::Cancelled,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum OrderError {
    #[error("an order must cost something")]
    EmptyOrder,
    #[error("order {0:?} is already cancelled")]
    AlreadyCancelled(OrderId),
    #[error("there is no order {0:?}")]
    NotFound(OrderId),
    #[error("the order store failed")]
    Storage,
}

// ---- The aggregate ----------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq)]
struct Order {
    id: OrderId,
    customer: String,
    total: u64,
    cancelled: bool,
    /// Recorded, not yet published.
    events: Vec<OrderEvent>,
}

impl Order {
    fn place(id: OrderId, customer: &str, total: u64) -> Result<Order, OrderError> {
        if total == 0 {
            return Err(OrderError::EmptyOrder);
        }
        Ok(Order {
            id,
            customer: customer.to_string(),
            total,
            cancelled: false,
            // TODO: record that the order was placed.
            events: Vec::new(),
        })
    }

    fn cancel(&mut self, reason: &str) -> Result<(), OrderError> {
        if self.cancelled {
            return Err(OrderError::AlreadyCancelled(self.id));
        }
        self.cancelled = true;
        // TODO: record that the order was cancelled, and why.
        Ok(())
    }

    /// Hands over the recorded events and forgets them, so that each is
    /// published once.
    fn take_events(&mut self) -> Vec<OrderEvent> {
        // TODO
        todo!()
    }
}

// ---- The bus ----------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
struct HandlerError(String);

/// A reaction to events, in another part of the system.
trait EventHandler {
    fn name(&self) -> &str;
    fn handle(&self, event: &OrderEvent) -> Result<(), HandlerError>;
}

/// A delivery that failed, kept so that an operator can look and replay.
#[derive(Debug, Clone, PartialEq, Eq)]
struct HandlerFailure {
    handler: String,
    event: OrderEvent,
    error: HandlerError,
}

/// Delivers events to the handlers subscribed to their kind, synchronously
/// and in process.
#[derive(Default)]
struct EventBus {
    subscriptions: Vec<(EventKind, Box<dyn EventHandler>)>,
}

impl EventBus {
    fn subscribe(&mut self, kind: EventKind, handler: Box<dyn EventHandler>) {
        // TODO
        todo!()
    }

    /// Each event, in order, to each of its handlers, in the order they
    /// subscribed; the failures, in the order they happened.
    fn publish(&self, events: &[OrderEvent]) -> Vec<HandlerFailure> {
        // TODO: deliver, collect the failures.
        todo!()
    }
}

// ---- The service ------------------------------------------------------------------

trait OrderRepository {
    fn save(&self, order: &Order) -> Result<(), OrderError>;
    fn find(&self, id: OrderId) -> Result<Option<Order>, OrderError>;
}

struct OrderService<R> {
    repo: R,
    bus: EventBus,
    dead_letters: RefCell<Vec<HandlerFailure>>,
}

impl<R: OrderRepository> OrderService<R> {
    fn new(repo: R, bus: EventBus) -> Self {
        Self {
            repo,
            bus,
            dead_letters: RefCell::new(Vec::new()),
        }
    }

    fn place(&self, id: OrderId, customer: &str, total: u64) -> Result<(), OrderError> {
        // TODO: place the order, save it, publish its events.
        todo!()
    }

    fn cancel(&self, id: OrderId, reason: &str) -> Result<(), OrderError> {
        // TODO: load the order (NotFound if it is not there), cancel it,
        // save it, publish its events.
        todo!()
    }

    fn dead_letters(&self) -> Vec<HandlerFailure> {
        self.dead_letters.borrow().clone()
    }
}

// ---- A real handler, in another part of the system (given) ------------------------

/// Emails the customer when an order is placed or cancelled.
#[derive(Default)]
struct ConfirmationMailer {
    sent: Rc<RefCell<Vec<String>>>,
}

impl EventHandler for ConfirmationMailer {
    fn name(&self) -> &str {
        "confirmation-mailer"
    }

    fn handle(&self, event: &OrderEvent) -> Result<(), HandlerError> {
        let line = match event {
            OrderEvent::Placed {
                order, customer, ..
            } => format!("to {customer}: order {} is confirmed", order.0),
            OrderEvent::Cancelled {
                order, customer, ..
            } => format!("to {customer}: order {} is cancelled", order.0),
        };
        self.sent.borrow_mut().push(line);
        Ok(())
    }
}

/// Orders in memory, for `main`.
#[derive(Default)]
struct InMemoryOrders {
    orders: RefCell<BTreeMap<OrderId, Order>>,
}

impl OrderRepository for InMemoryOrders {
    fn save(&self, order: &Order) -> Result<(), OrderError> {
        self.orders.borrow_mut().insert(order.id, order.clone());
        Ok(())
    }

    fn find(&self, id: OrderId) -> Result<Option<Order>, OrderError> {
        Ok(self.orders.borrow().get(&id).cloned())
    }
}

fn main() {
    // The composition root decides who listens to what.
    let mut bus = EventBus::default();
    bus.subscribe(EventKind::Placed, Box::new(ConfirmationMailer::default()));
    let service = OrderService::new(InMemoryOrders::default(), bus);
    let _ = service.place(OrderId(1), "ada@example.com", 4_200);
}

#[cfg(test)]
mod tests {
    use super::*;

    type Log = Rc<RefCell<Vec<(String, OrderEvent)>>>;

    /// Records what it was given in a log shared with other recorders, so a
    /// test sees the order of deliveries across handlers.
    struct Recorder {
        name: &'static str,
        log: Log,
        fails: bool,
    }

    impl EventHandler for Recorder {
        fn name(&self) -> &str {
            self.name
        }

        fn handle(&self, event: &OrderEvent) -> Result<(), HandlerError> {
            self.log
                .borrow_mut()
                .push((self.name.to_string(), event.clone()));
            if self.fails {
                return Err(HandlerError("smtp relay is down".to_string()));
            }
            Ok(())
        }
    }

    fn recorder(name: &'static str, log: &Log) -> Box<dyn EventHandler> {
        Box::new(Recorder {
            name,
            log: Rc::clone(log),
            fails: false,
        })
    }

    fn failing(name: &'static str, log: &Log) -> Box<dyn EventHandler> {
        Box::new(Recorder {
            name,
            log: Rc::clone(log),
            fails: true,
        })
    }

    /// A store that saves clones, like a database would, and can be broken.
    #[derive(Default)]
    struct FakeOrders {
        orders: RefCell<BTreeMap<OrderId, Order>>,
        broken: bool,
    }

    impl OrderRepository for &FakeOrders {
        fn save(&self, order: &Order) -> Result<(), OrderError> {
            if self.broken {
                return Err(OrderError::Storage);
            }
            self.orders.borrow_mut().insert(order.id, order.clone());
            Ok(())
        }

        fn find(&self, id: OrderId) -> Result<Option<Order>, OrderError> {
            Ok(self.orders.borrow().get(&id).cloned())
        }
    }

    fn placed(id: u32, total: u64) -> OrderEvent {
        OrderEvent::Placed {
            order: OrderId(id),
            customer: "ada@example.com".to_string(),
            total,
        }
    }

    fn cancelled(id: u32) -> OrderEvent {
        OrderEvent::Cancelled {
            order: OrderId(id),
            customer: "ada@example.com".to_string(),
            reason: "changed my mind".to_string(),
        }
    }

    fn deliveries(log: &Log) -> Vec<(String, OrderEvent)> {
        log.borrow().clone()
    }

    // ---- The aggregate records ----------------------------------------------

    #[test]
    fn placing_an_order_records_one_placed_event() {
        let mut order = Order::place(OrderId(1), "ada@example.com", 4_200).unwrap();

        assert_eq!(order.take_events(), vec![placed(1, 4_200)]);
        assert_eq!(order.take_events(), vec![], "taken events are gone");
    }

    #[test]
    fn an_empty_order_is_refused() {
        assert_eq!(
            Order::place(OrderId(1), "ada@example.com", 0),
            Err(OrderError::EmptyOrder)
        );
    }

    #[test]
    fn cancelling_records_one_event_and_cancelling_again_records_none() {
        let mut order = Order::place(OrderId(1), "ada@example.com", 4_200).unwrap();
        order.take_events();

        order.cancel("changed my mind").unwrap();
        let again = order.cancel("really");

        assert_eq!(again, Err(OrderError::AlreadyCancelled(OrderId(1))));
        assert_eq!(order.take_events(), vec![cancelled(1)]);
    }

    // ---- The bus delivers ----------------------------------------------------

    #[test]
    fn the_bus_delivers_each_event_to_its_kinds_handlers_in_order() {
        let log = Log::default();
        let mut bus = EventBus::default();
        bus.subscribe(EventKind::Placed, recorder("mailer", &log));
        bus.subscribe(EventKind::Cancelled, recorder("refunds", &log));
        bus.subscribe(EventKind::Placed, recorder("loyalty", &log));

        let failures = bus.publish(&[placed(1, 4_200), cancelled(1)]);

        assert_eq!(failures, vec![]);
        assert_eq!(
            deliveries(&log),
            vec![
                ("mailer".to_string(), placed(1, 4_200)),
                ("loyalty".to_string(), placed(1, 4_200)),
                ("refunds".to_string(), cancelled(1)),
            ]
        );
    }

    #[test]
    fn a_failing_handler_is_reported_and_the_others_still_run() {
        let log = Log::default();
        let mut bus = EventBus::default();
        bus.subscribe(EventKind::Placed, failing("mailer", &log));
        bus.subscribe(EventKind::Placed, recorder("loyalty", &log));

        let failures = bus.publish(&[placed(1, 4_200), placed(2, 900)]);

        assert_eq!(log.borrow().len(), 4, "every handler saw every event");
        assert_eq!(
            failures,
            vec![
                HandlerFailure {
                    handler: "mailer".to_string(),
                    event: placed(1, 4_200),
                    error: HandlerError("smtp relay is down".to_string()),
                },
                HandlerFailure {
                    handler: "mailer".to_string(),
                    event: placed(2, 900),
                    error: HandlerError("smtp relay is down".to_string()),
                },
            ]
        );
    }

    // ---- The service saves, then publishes -------------------------------------

    #[test]
    fn placing_saves_the_order_then_tells_the_listeners() {
        let log = Log::default();
        let mut bus = EventBus::default();
        bus.subscribe(EventKind::Placed, recorder("mailer", &log));
        let orders = FakeOrders::default();
        let service = OrderService::new(&orders, bus);

        service.place(OrderId(1), "ada@example.com", 4_200).unwrap();

        assert_eq!(
            deliveries(&log),
            vec![("mailer".to_string(), placed(1, 4_200))]
        );
        let stored = orders.orders.borrow()[&OrderId(1)].clone();
        assert_eq!(stored.total, 4_200);
        assert_eq!(
            stored.events,
            vec![],
            "the store keeps no unpublished events"
        );
    }

    #[test]
    fn nobody_hears_of_an_order_that_was_not_saved() {
        let log = Log::default();
        let mut bus = EventBus::default();
        bus.subscribe(EventKind::Placed, recorder("mailer", &log));
        let orders = FakeOrders {
            broken: true,
            ..FakeOrders::default()
        };
        let service = OrderService::new(&orders, bus);

        let placed = service.place(OrderId(1), "ada@example.com", 4_200);

        assert_eq!(placed, Err(OrderError::Storage));
        assert_eq!(deliveries(&log), vec![]);
    }

    #[test]
    fn each_event_is_published_once() {
        let log = Log::default();
        let mut bus = EventBus::default();
        bus.subscribe(EventKind::Placed, recorder("mailer", &log));
        bus.subscribe(EventKind::Cancelled, recorder("mailer", &log));
        let orders = FakeOrders::default();
        let service = OrderService::new(&orders, bus);

        service.place(OrderId(1), "ada@example.com", 4_200).unwrap();
        service.cancel(OrderId(1), "changed my mind").unwrap();

        assert_eq!(
            deliveries(&log),
            vec![
                ("mailer".to_string(), placed(1, 4_200)),
                ("mailer".to_string(), cancelled(1)),
            ]
        );
        assert!(orders.orders.borrow()[&OrderId(1)].cancelled);
    }

    #[test]
    fn cancelling_an_unknown_order_tells_nobody() {
        let log = Log::default();
        let mut bus = EventBus::default();
        bus.subscribe(EventKind::Cancelled, recorder("mailer", &log));
        let orders = FakeOrders::default();
        let service = OrderService::new(&orders, bus);

        let cancelled = service.cancel(OrderId(9), "changed my mind");

        assert_eq!(cancelled, Err(OrderError::NotFound(OrderId(9))));
        assert_eq!(deliveries(&log), vec![]);
    }

    #[test]
    fn a_failing_listener_does_not_fail_the_checkout() {
        let log = Log::default();
        let mut bus = EventBus::default();
        bus.subscribe(EventKind::Placed, failing("mailer", &log));
        let orders = FakeOrders::default();
        let service = OrderService::new(&orders, bus);

        let outcome = service.place(OrderId(1), "ada@example.com", 4_200);

        assert_eq!(outcome, Ok(()));
        assert!(orders.orders.borrow().contains_key(&OrderId(1)));
        let dead = service.dead_letters();
        assert_eq!(dead.len(), 1, "kept for an operator to replay");
        assert_eq!(dead[0].handler, "mailer");
    }

    #[test]
    fn the_real_mailer_writes_to_the_customer() {
        let sent = Rc::new(RefCell::new(Vec::new()));
        let mailer = || {
            Box::new(ConfirmationMailer {
                sent: Rc::clone(&sent),
            })
        };
        assert_eq!(
            mailer().name(),
            "confirmation-mailer",
            "how dead letters name it"
        );
        let mut bus = EventBus::default();
        bus.subscribe(EventKind::Placed, mailer());
        bus.subscribe(EventKind::Cancelled, mailer());
        let service = OrderService::new(InMemoryOrders::default(), bus);

        service.place(OrderId(7), "ada@example.com", 4_200).unwrap();
        service.cancel(OrderId(7), "changed my mind").unwrap();

        assert_eq!(
            *sent.borrow(),
            [
                "to ada@example.com: order 7 is confirmed",
                "to ada@example.com: order 7 is cancelled",
            ]
        );
    }
}
