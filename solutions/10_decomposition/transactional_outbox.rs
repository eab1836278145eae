//! # Transactional outbox (solution)
//!
//! The order and the message announcing it are written by one commit, so
//! they exist together or not at all. Publishing is the relay's job, later,
//! from the outbox table: it marks a message only after the broker took it,
//! so a crash can cause a second delivery but never a lost one. The
//! consumer remembers the ids it handled and turns that second delivery
//! into a no-op. At-least-once delivery plus an idempotent consumer is
//! exactly-once *effect*.

use std::cell::RefCell;
use std::collections::HashSet;

use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct OrderId(u32);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Order {
    id: OrderId,
    customer: String,
    total: u64,
}

/// A row of the outbox table: a message waiting to be published.
#[derive(Debug, Clone, PartialEq, Eq)]
struct OutboxMessage {
    /// Unique and deterministic: a retry of the same change gets the same id,
    /// which is what lets a consumer recognise a second delivery.
    id: String,
    topic: String,
    payload: String,
}

/// The payload of `orders.placed`, as consumers read it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct OrderPlaced {
    order: u32,
    customer: String,
    total: u64,
}

impl OutboxMessage {
    /// The message that announces a placed order. (Given.)
    fn order_placed(order: &Order) -> Self {
        let payload = json!({
            "order": order.id.0,
            "customer": order.customer,
            "total": order.total,
        });
        OutboxMessage {
            id: format!("order-{}-placed", order.id.0),
            topic: "orders.placed".to_string(),
            payload: payload.to_string(),
        }
    }
}

/// What one transaction writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Changes {
    orders: Vec<Order>,
    outbox: Vec<OutboxMessage>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum StoreError {
    #[error("the database is unavailable")]
    Unavailable,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum PublishError {
    #[error("the broker refused message {0}")]
    Refused(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum RelayError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Publish(#[from] PublishError),
}

/// The database, as the service and the relay need it.
trait Store {
    /// One transaction: every change in `changes`, or none of them.
    fn commit(&self, changes: Changes) -> Result<(), StoreError>;
    /// Unpublished messages, oldest first, at most `limit`.
    fn pending(&self, limit: usize) -> Result<Vec<OutboxMessage>, StoreError>;
    fn mark_published(&self, id: &str) -> Result<(), StoreError>;
}

/// The message broker (Kafka, RabbitMQ, SNS...).
trait Publisher {
    fn publish(&self, message: &OutboxMessage) -> Result<(), PublishError>;
}

/// Lets the service and the relay borrow a store or a publisher the caller
/// keeps, as the tests do.
impl<S: Store + ?Sized> Store for &S {
    fn commit(&self, changes: Changes) -> Result<(), StoreError> {
        (**self).commit(changes)
    }

    fn pending(&self, limit: usize) -> Result<Vec<OutboxMessage>, StoreError> {
        (**self).pending(limit)
    }

    fn mark_published(&self, id: &str) -> Result<(), StoreError> {
        (**self).mark_published(id)
    }
}

impl<P: Publisher + ?Sized> Publisher for &P {
    fn publish(&self, message: &OutboxMessage) -> Result<(), PublishError> {
        (**self).publish(message)
    }
}

// ---- Writing: the change and its message, together --------------------------------

struct OrderService<S> {
    store: S,
}

impl<S: Store> OrderService<S> {
    fn new(store: S) -> Self {
        Self { store }
    }

    fn place(&self, order: Order) -> Result<(), StoreError> {
        // One commit for both: the database's atomicity is the whole trick.
        // Two commits (or a commit and a publish) have a moment in between
        // where a crash, a deploy or a timeout keeps one and loses the other.
        // The service never talks to the broker: it could be down, and that
        // must not stop anyone from ordering.
        let message = OutboxMessage::order_placed(&order);
        self.store.commit(Changes {
            orders: vec![order],
            outbox: vec![message],
        })
    }
}

// ---- Publishing: the relay ------------------------------------------------------------

/// Moves messages from the outbox to the broker, on its own schedule (a loop
/// with a short sleep, or woken by the database's change notifications).
struct OutboxRelay<S, P> {
    store: S,
    publisher: P,
    batch_size: usize,
}

impl<S: Store, P: Publisher> OutboxRelay<S, P> {
    fn new(store: S, publisher: P, batch_size: usize) -> Self {
        Self {
            store,
            publisher,
            batch_size,
        }
    }

    /// Publishes up to one batch of pending messages, oldest first, and says
    /// how many went out.
    fn run_once(&self) -> Result<usize, RelayError> {
        let pending = self.store.pending(self.batch_size)?;
        let mut published = 0;
        for message in &pending {
            // Stop at the first failure: publishing the ones after it would
            // deliver "cancelled" before "placed". They wait for the next run.
            self.publisher.publish(message)?;
            // Marked right after the broker took it, never before (a crash
            // between would lose it) and not at the end of the batch (a
            // failure halfway would publish the first ones again). A crash
            // right here still publishes this one twice: that is what the
            // consumer's inbox is for.
            self.store.mark_published(&message.id)?;
            published += 1;
        }
        Ok(published)
    }
}

/// The production publisher: a stand-in for a Kafka producer. (Given.)
#[derive(Debug, Default)]
struct KafkaPublisher {
    sent: RefCell<Vec<OutboxMessage>>,
}

impl Publisher for KafkaPublisher {
    fn publish(&self, message: &OutboxMessage) -> Result<(), PublishError> {
        self.sent.borrow_mut().push(message.clone());
        Ok(())
    }
}

// ---- Consuming: an idempotent inbox ------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Receipt {
    Handled,
    Duplicate,
}

/// Shipping's side: turns placed orders into parcels to pack, once each.
#[derive(Debug, Default)]
struct ShippingInbox {
    /// Ids of the messages already handled. In a database, this set is a
    /// table written in the same transaction as the effect.
    handled: HashSet<String>,
    to_pack: Vec<OrderId>,
}

impl ShippingInbox {
    fn receive(&mut self, message: &OutboxMessage) -> Result<Receipt, serde_json::Error> {
        if self.handled.contains(&message.id) {
            return Ok(Receipt::Duplicate);
        }
        let placed: OrderPlaced = serde_json::from_str(&message.payload)?;
        self.to_pack.push(OrderId(placed.order));
        // Recorded after the effect: a message that failed to parse is not
        // "handled", and a fixed redelivery will be.
        self.handled.insert(message.id.clone());
        Ok(Receipt::Handled)
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// An in-memory database with the failures a test needs.
    #[derive(Default)]
    struct FakeStore {
        orders: RefCell<Vec<Order>>,
        /// Each message with its "published" flag, in insertion order.
        outbox: RefCell<Vec<(OutboxMessage, bool)>>,
        commits: Cell<usize>,
        /// After this many more commits, every commit fails: the process
        /// died, or the database went away.
        commits_left: Cell<Option<usize>>,
        /// The next this many `mark_published` calls fail.
        failing_marks: Cell<usize>,
    }

    impl Store for FakeStore {
        fn commit(&self, changes: Changes) -> Result<(), StoreError> {
            self.commits.set(self.commits.get() + 1);
            if let Some(left) = self.commits_left.get() {
                if left == 0 {
                    return Err(StoreError::Unavailable);
                }
                self.commits_left.set(Some(left - 1));
            }
            self.orders.borrow_mut().extend(changes.orders);
            let unpublished = changes.outbox.into_iter().map(|m| (m, false));
            self.outbox.borrow_mut().extend(unpublished);
            Ok(())
        }

        fn pending(&self, limit: usize) -> Result<Vec<OutboxMessage>, StoreError> {
            let outbox = self.outbox.borrow();
            let unpublished = outbox.iter().filter(|(_, published)| !published);
            Ok(unpublished.take(limit).map(|(m, _)| m.clone()).collect())
        }

        fn mark_published(&self, id: &str) -> Result<(), StoreError> {
            if self.failing_marks.get() > 0 {
                self.failing_marks.set(self.failing_marks.get() - 1);
                return Err(StoreError::Unavailable);
            }
            for (message, published) in self.outbox.borrow_mut().iter_mut() {
                if message.id == id {
                    *published = true;
                }
            }
            Ok(())
        }
    }

    impl FakeStore {
        fn unpublished_ids(&self) -> Vec<String> {
            let outbox = self.outbox.borrow();
            let unpublished = outbox.iter().filter(|(_, published)| !published);
            unpublished.map(|(m, _)| m.id.clone()).collect()
        }
    }

    /// A broker that records what it accepted and refuses what it is told to.
    #[derive(Default)]
    struct FakeBroker {
        accepted: RefCell<Vec<OutboxMessage>>,
        refused: RefCell<HashSet<String>>,
        down: Cell<bool>,
    }

    impl Publisher for FakeBroker {
        fn publish(&self, message: &OutboxMessage) -> Result<(), PublishError> {
            if self.down.get() || self.refused.borrow().contains(&message.id) {
                return Err(PublishError::Refused(message.id.clone()));
            }
            self.accepted.borrow_mut().push(message.clone());
            Ok(())
        }
    }

    impl FakeBroker {
        fn accepted_ids(&self) -> Vec<String> {
            let accepted = self.accepted.borrow();
            accepted.iter().map(|m| m.id.clone()).collect()
        }
    }

    fn order(id: u32) -> Order {
        Order {
            id: OrderId(id),
            customer: "ada@example.com".to_string(),
            total: 4_200,
        }
    }

    fn id(order: u32) -> String {
        format!("order-{order}-placed")
    }

    fn ids(orders: &[u32]) -> Vec<String> {
        orders.iter().map(|&order| id(order)).collect()
    }

    /// A store holding placed orders 1..=n, nothing published yet.
    fn placed(n: u32) -> FakeStore {
        let store = FakeStore::default();
        let service = OrderService::new(&store);
        for n in 1..=n {
            service.place(order(n)).unwrap();
        }
        store
    }

    // ---- Writing ------------------------------------------------------------

    #[test]
    fn placing_writes_the_order_and_its_message_in_one_commit() {
        let store = FakeStore::default();

        OrderService::new(&store).place(order(1)).unwrap();

        assert_eq!(store.commits.get(), 1, "one transaction for both");
        assert_eq!(*store.orders.borrow(), vec![order(1)]);
        assert_eq!(
            *store.outbox.borrow(),
            vec![(OutboxMessage::order_placed(&order(1)), false)]
        );
    }

    #[test]
    fn a_crash_while_placing_keeps_both_or_neither() {
        for commits_that_succeed in [0, 1] {
            let store = FakeStore::default();
            store.commits_left.set(Some(commits_that_succeed));

            let _ = OrderService::new(&store).place(order(1));

            assert_eq!(
                store.orders.borrow().len(),
                store.outbox.borrow().len(),
                "an order without its message is an order nobody ships"
            );
        }
    }

    #[test]
    fn an_order_placed_before_a_crash_is_published_after_the_restart() {
        let store = FakeStore::default();
        {
            let service = OrderService::new(&store);
            service.place(order(1)).unwrap();
        } // the process dies here, before anything was published

        let kafka = KafkaPublisher::default();
        let relay = OutboxRelay::new(&store, &kafka, 10);

        assert_eq!(relay.run_once(), Ok(1));
        assert_eq!(
            *kafka.sent.borrow(),
            vec![OutboxMessage::order_placed(&order(1))]
        );
    }

    // ---- Publishing -----------------------------------------------------------

    #[test]
    fn the_relay_publishes_pending_messages_in_order_and_marks_them() {
        let store = placed(3);
        let broker = FakeBroker::default();
        let relay = OutboxRelay::new(&store, &broker, 10);

        assert_eq!(relay.run_once(), Ok(3));
        assert_eq!(relay.run_once(), Ok(0), "nothing left to publish");

        assert_eq!(broker.accepted_ids(), ids(&[1, 2, 3]));
        assert_eq!(store.unpublished_ids(), Vec::<String>::new());
    }

    #[test]
    fn a_restarted_relay_does_not_publish_again() {
        let store = placed(2);
        let broker = FakeBroker::default();

        OutboxRelay::new(&store, &broker, 10).run_once().unwrap();
        OutboxRelay::new(&store, &broker, 10).run_once().unwrap();

        assert_eq!(broker.accepted_ids(), ids(&[1, 2]));
    }

    #[test]
    fn a_refused_message_waits_with_those_after_it_and_nothing_goes_twice() {
        let store = placed(3);
        let broker = FakeBroker::default();
        broker.refused.borrow_mut().insert(id(2));
        let relay = OutboxRelay::new(&store, &broker, 10);

        assert_eq!(
            relay.run_once(),
            Err(RelayError::Publish(PublishError::Refused(id(2)))),
            "a refused message stops the run; the ones after it wait, in order"
        );
        assert_eq!(broker.accepted_ids(), ids(&[1]), "3 must not overtake 2");
        assert_eq!(store.unpublished_ids(), ids(&[2, 3]));

        broker.refused.borrow_mut().clear();
        assert_eq!(relay.run_once(), Ok(2));
        assert_eq!(broker.accepted_ids(), ids(&[1, 2, 3]));
    }

    #[test]
    fn a_broker_that_is_down_loses_nothing() {
        let store = placed(2);
        let broker = FakeBroker::default();
        broker.down.set(true);
        let relay = OutboxRelay::new(&store, &broker, 10);

        assert!(
            relay.run_once().is_err(),
            "the broker is down: the run fails and marks nothing"
        );
        assert_eq!(store.unpublished_ids(), ids(&[1, 2]));

        broker.down.set(false);
        assert_eq!(relay.run_once(), Ok(2));
        assert_eq!(broker.accepted_ids(), ids(&[1, 2]));
    }

    #[test]
    fn the_relay_publishes_at_most_one_batch_per_run() {
        let store = placed(5);
        let broker = FakeBroker::default();
        let relay = OutboxRelay::new(&store, &broker, 2);

        assert_eq!(relay.run_once(), Ok(2));
        assert_eq!(broker.accepted_ids(), ids(&[1, 2]));
        assert_eq!(relay.run_once(), Ok(2));
        assert_eq!(relay.run_once(), Ok(1));
    }

    // ---- Consuming --------------------------------------------------------------

    #[test]
    fn the_inbox_handles_a_message_once_however_often_it_arrives() {
        let mut inbox = ShippingInbox::default();
        let message = OutboxMessage::order_placed(&order(7));

        assert_eq!(inbox.receive(&message).unwrap(), Receipt::Handled);
        assert_eq!(inbox.receive(&message).unwrap(), Receipt::Duplicate);
        assert_eq!(
            inbox
                .receive(&OutboxMessage::order_placed(&order(8)))
                .unwrap(),
            Receipt::Handled
        );
        assert_eq!(inbox.to_pack, vec![OrderId(7), OrderId(8)]);
    }

    #[test]
    fn a_message_the_inbox_cannot_read_is_not_counted_as_handled() {
        let mut inbox = ShippingInbox::default();
        let broken = OutboxMessage {
            payload: "{\"order\":".to_string(),
            ..OutboxMessage::order_placed(&order(7))
        };

        assert!(inbox.receive(&broken).is_err());
        assert_eq!(
            inbox
                .receive(&OutboxMessage::order_placed(&order(7)))
                .unwrap(),
            Receipt::Handled,
            "the fixed redelivery is handled"
        );
        assert_eq!(inbox.to_pack, vec![OrderId(7)]);
    }

    #[test]
    fn a_crash_between_publish_and_mark_delivers_twice_and_ships_once() {
        let store = placed(2);
        store.failing_marks.set(1);
        let broker = FakeBroker::default();
        let relay = OutboxRelay::new(&store, &broker, 10);

        assert_eq!(
            relay.run_once(),
            Err(RelayError::Store(StoreError::Unavailable))
        );
        assert_eq!(relay.run_once(), Ok(2));
        assert_eq!(
            broker.accepted_ids(),
            ids(&[1, 1, 2]),
            "at least once: the broker saw order 1 twice"
        );

        let mut inbox = ShippingInbox::default();
        let receipts: Vec<Receipt> = broker
            .accepted
            .borrow()
            .iter()
            .map(|message| inbox.receive(message).unwrap())
            .collect();
        assert_eq!(
            receipts,
            [Receipt::Handled, Receipt::Duplicate, Receipt::Handled]
        );
        assert_eq!(inbox.to_pack, vec![OrderId(1), OrderId(2)], "once each");
    }
}
