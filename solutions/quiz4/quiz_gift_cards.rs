//! # Quiz: gift cards, decomposed (solution)
//!
//! Four modules, each knowing only the one below it: `http` turns requests
//! into service calls and errors into an envelope; `app` runs the use case
//! through its `CardStore` port and writes each change with its outbox
//! messages in one commit; `domain` holds the rules and records events;
//! `cache` is an adapter of the port that the service cannot tell apart
//! from the store. `App::new` is the composition root.

// ---- The domain (redeem is yours) -----------------------------------------------

mod domain {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub struct CardId(pub u32);

    /// Recorded by the card; published through the outbox.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum CardEvent {
        Redeemed {
            card: CardId,
            amount: u64,
            balance: u64,
            version: u64,
        },
    }

    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum CardError {
        #[error("an amount must be more than zero")]
        ZeroAmount,
        #[error("the card is blocked")]
        Blocked,
        #[error("the card holds {balance}, the purchase needs {needed}")]
        InsufficientFunds { balance: u64, needed: u64 },
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct GiftCard {
        pub id: CardId,
        /// In cents.
        pub balance: u64,
        pub blocked: bool,
        /// Counts the changes: 0 when issued, +1 per redemption.
        pub version: u64,
        events: Vec<CardEvent>,
    }

    impl GiftCard {
        pub fn issue(id: CardId, balance: u64) -> Self {
            GiftCard {
                id,
                balance,
                blocked: false,
                version: 0,
                events: Vec::new(),
            }
        }

        pub fn block(&mut self) {
            self.blocked = true;
        }

        pub fn redeem(&mut self, amount: u64) -> Result<(), CardError> {
            // Checks in the order a customer can do something about them: a
            // zero amount is the till's mistake, a blocked card needs the
            // help desk, a low balance needs another card.
            if amount == 0 {
                return Err(CardError::ZeroAmount);
            }
            if self.blocked {
                return Err(CardError::Blocked);
            }
            if amount > self.balance {
                return Err(CardError::InsufficientFunds {
                    balance: self.balance,
                    needed: amount,
                });
            }
            self.balance -= amount;
            self.version += 1;
            self.events.push(CardEvent::Redeemed {
                card: self.id,
                amount,
                balance: self.balance,
                version: self.version,
            });
            Ok(())
        }

        pub fn take_events(&mut self) -> Vec<CardEvent> {
            std::mem::take(&mut self.events)
        }
    }
}

// ---- The application: the use case and its port ---------------------------------

mod app {
    use crate::domain::{CardError, CardEvent, CardId, GiftCard};
    use serde_json::json;

    /// A row of the outbox table.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct OutboxMessage {
        pub id: String,
        pub topic: String,
        pub payload: String,
    }

    impl OutboxMessage {
        /// The message for an event: the id comes from the card's version, so
        /// a retried commit of the same change has the same id.
        pub fn from_event(event: &CardEvent) -> Self {
            match event {
                CardEvent::Redeemed {
                    card,
                    amount,
                    balance,
                    version,
                } => OutboxMessage {
                    id: format!("card-{}-v{version}", card.0),
                    topic: "cards.redeemed".to_string(),
                    payload: json!({ "card": card.0, "amount": amount, "balance": balance })
                        .to_string(),
                },
            }
        }
    }

    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum StoreError {
        #[error("the card store is unavailable")]
        Unavailable,
    }

    /// The port the use case needs.
    pub trait CardStore {
        /// For reading: may be served from a cache.
        fn load(&self, id: CardId) -> Result<Option<GiftCard>, StoreError>;
        /// For changing: always the stored card (a real store would lock
        /// the row, `SELECT ... FOR UPDATE`).
        fn load_for_update(&self, id: CardId) -> Result<Option<GiftCard>, StoreError>;
        /// One transaction: the card and the messages announcing its change.
        fn commit(&self, card: &GiftCard, outbox: Vec<OutboxMessage>) -> Result<(), StoreError>;
    }

    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum AppError {
        #[error("there is no card {}", .0.0)]
        NotFound(CardId),
        #[error(transparent)]
        Card(#[from] CardError),
        #[error(transparent)]
        Store(#[from] StoreError),
    }

    pub struct GiftCardService<S> {
        store: S,
    }

    impl<S: CardStore> GiftCardService<S> {
        pub fn new(store: S) -> Self {
            Self { store }
        }

        pub fn balance(&self, id: CardId) -> Result<u64, AppError> {
            let card = self.store.load(id)?.ok_or(AppError::NotFound(id))?;
            Ok(card.balance)
        }

        /// Redeems `amount` and returns the new balance.
        pub fn redeem(&self, id: CardId, amount: u64) -> Result<u64, AppError> {
            // Never a cached card for a write: a stale balance would let the
            // same money be spent twice.
            let mut card = self
                .store
                .load_for_update(id)?
                .ok_or(AppError::NotFound(id))?;
            card.redeem(amount)?;
            let events = card.take_events();
            let outbox = events.iter().map(OutboxMessage::from_event).collect();
            self.store.commit(&card, outbox)?;
            Ok(card.balance)
        }
    }
}

// ---- A caching adapter of the port ----------------------------------------------

mod cache {
    use crate::app::{CardStore, OutboxMessage, StoreError};
    use crate::domain::{CardId, GiftCard};
    use std::cell::RefCell;
    use std::collections::HashMap;

    /// Caches the cards that `load` found; every commit drops its card.
    pub struct CachedCards<S> {
        inner: S,
        cards: RefCell<HashMap<CardId, GiftCard>>,
    }

    impl<S: CardStore> CachedCards<S> {
        pub fn new(inner: S) -> Self {
            Self {
                inner,
                cards: RefCell::new(HashMap::new()),
            }
        }
    }

    impl<S: CardStore> CardStore for CachedCards<S> {
        fn load(&self, id: CardId) -> Result<Option<GiftCard>, StoreError> {
            if let Some(card) = self.cards.borrow().get(&id) {
                return Ok(Some(card.clone()));
            }
            let card = self.inner.load(id)?;
            // Only cards that exist: an unknown id is not kept, so a card
            // issued a moment later is found.
            if let Some(card) = &card {
                self.cards.borrow_mut().insert(id, card.clone());
            }
            Ok(card)
        }

        fn load_for_update(&self, id: CardId) -> Result<Option<GiftCard>, StoreError> {
            self.inner.load_for_update(id)
        }

        fn commit(&self, card: &GiftCard, outbox: Vec<OutboxMessage>) -> Result<(), StoreError> {
            let outcome = self.inner.commit(card, outbox);
            // Whatever the outcome: a commit whose answer was lost may have
            // happened.
            self.cards.borrow_mut().remove(&card.id);
            outcome
        }
    }
}

// ---- HTTP: requests in, responses out -------------------------------------------

mod http {
    use crate::app::{AppError, CardStore, GiftCardService};
    use crate::cache::CachedCards;
    use crate::domain::{CardError, CardId};
    use serde_json::{Value, json};

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Method {
        Get,
        Post,
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Request {
        pub method: Method,
        pub path: String,
        pub body: String,
    }

    #[derive(Debug, Clone, PartialEq)]
    pub struct Response {
        pub status: u16,
        pub body: Value,
    }

    #[derive(serde::Deserialize)]
    struct RedeemBody {
        amount: u64,
    }

    pub struct App<S> {
        service: GiftCardService<CachedCards<S>>,
    }

    impl<S: CardStore> App<S> {
        /// The composition root: the cache goes between the service and the
        /// store, where the service cannot tell it is there.
        pub fn new(store: S) -> Self {
            Self {
                service: GiftCardService::new(CachedCards::new(store)),
            }
        }

        pub fn handle(&self, req: &Request) -> Response {
            let no_route = || {
                let message = format!("no route for {:?} {}", req.method, req.path);
                envelope(404, "no_route", &message)
            };
            let Some(rest) = req.path.strip_prefix("/cards/") else {
                return no_route();
            };
            let (id, action) = rest.split_once('/').unwrap_or((rest, ""));
            let Ok(id) = id.parse::<u32>().map(CardId) else {
                return no_route();
            };
            let outcome = match (req.method, action) {
                (Method::Get, "") => self.service.balance(id),
                (Method::Post, "redeem") => match serde_json::from_str::<RedeemBody>(&req.body) {
                    Ok(body) => self.service.redeem(id, body.amount),
                    Err(error) => return envelope(400, "bad_request", &error.to_string()),
                },
                _ => return no_route(),
            };
            match outcome {
                Ok(balance) => Response {
                    status: 200,
                    body: json!({ "card": id.0, "balance": balance }),
                },
                Err(error) => error_response(&error),
            }
        }
    }

    /// Statuses and codes are HTTP's business, so they live here, not on
    /// `AppError`: the service stays usable from a queue consumer or a CLI.
    fn error_response(error: &AppError) -> Response {
        let (status, code) = match error {
            AppError::NotFound(_) => (404, "card_not_found"),
            AppError::Card(CardError::ZeroAmount) => (422, "invalid_amount"),
            AppError::Card(CardError::Blocked) => (403, "card_blocked"),
            AppError::Card(CardError::InsufficientFunds { .. }) => (409, "insufficient_funds"),
            // The store's detail is for the logs, not for the till.
            AppError::Store(_) => return envelope(503, "unavailable", "try again later"),
        };
        envelope(status, code, &error.to_string())
    }

    fn envelope(status: u16, code: &str, message: &str) -> Response {
        Response {
            status,
            body: json!({ "error": { "code": code, "message": message } }),
        }
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::app::{CardStore, OutboxMessage, StoreError};
    use super::domain::{CardError, CardEvent, CardId, GiftCard};
    use super::http::{App, Method, Request, Response};
    use serde_json::{Value, json};
    use std::cell::{Cell, RefCell};
    use std::collections::BTreeMap;

    /// The database: cards and the outbox, written together.
    #[derive(Default)]
    struct Store {
        cards: RefCell<BTreeMap<CardId, GiftCard>>,
        outbox: RefCell<Vec<OutboxMessage>>,
        /// Calls of `load` (the reads a cache can save).
        loads: Cell<usize>,
        down: Cell<bool>,
        /// The commit lands, then its answer is lost: a timeout.
        commits_time_out: Cell<bool>,
    }

    impl Store {
        fn with_card(id: u32, balance: u64) -> Self {
            let store = Store::default();
            store.put(GiftCard::issue(CardId(id), balance));
            store
        }

        /// A write by someone else: another instance, a support tool.
        fn put(&self, card: GiftCard) {
            self.cards.borrow_mut().insert(card.id, card);
        }

        fn card(&self, id: u32) -> GiftCard {
            self.cards.borrow()[&CardId(id)].clone()
        }
    }

    impl CardStore for &Store {
        fn load(&self, id: CardId) -> Result<Option<GiftCard>, StoreError> {
            self.loads.set(self.loads.get() + 1);
            self.load_for_update(id)
        }

        fn load_for_update(&self, id: CardId) -> Result<Option<GiftCard>, StoreError> {
            if self.down.get() {
                return Err(StoreError::Unavailable);
            }
            Ok(self.cards.borrow().get(&id).cloned())
        }

        fn commit(&self, card: &GiftCard, outbox: Vec<OutboxMessage>) -> Result<(), StoreError> {
            if self.down.get() {
                return Err(StoreError::Unavailable);
            }
            self.put(card.clone());
            self.outbox.borrow_mut().extend(outbox);
            if self.commits_time_out.get() {
                return Err(StoreError::Unavailable);
            }
            Ok(())
        }
    }

    fn get(app: &App<&Store>, path: &str) -> Response {
        app.handle(&Request {
            method: Method::Get,
            path: path.to_string(),
            body: String::new(),
        })
    }

    fn post(app: &App<&Store>, path: &str, body: &str) -> Response {
        app.handle(&Request {
            method: Method::Post,
            path: path.to_string(),
            body: body.to_string(),
        })
    }

    fn redeem(app: &App<&Store>, amount: u64) -> Response {
        post(
            app,
            "/cards/7/redeem",
            &json!({ "amount": amount }).to_string(),
        )
    }

    fn error(status: u16, code: &str, message: &str) -> Response {
        Response {
            status,
            body: json!({ "error": { "code": code, "message": message } }),
        }
    }

    fn balance(balance: u64) -> Response {
        Response {
            status: 200,
            body: json!({ "card": 7, "balance": balance }),
        }
    }

    // ---- The card ----------------------------------------------------------

    #[test]
    fn a_card_records_each_redemption_and_nothing_for_a_refused_one() {
        let mut card = GiftCard::issue(CardId(7), 1_000);

        card.redeem(300).unwrap();
        assert_eq!(
            card.redeem(800),
            Err(CardError::InsufficientFunds {
                balance: 700,
                needed: 800
            })
        );
        card.redeem(700).unwrap();

        assert_eq!((card.balance, card.version), (0, 2));
        assert_eq!(
            card.take_events(),
            vec![
                CardEvent::Redeemed {
                    card: CardId(7),
                    amount: 300,
                    balance: 700,
                    version: 1
                },
                CardEvent::Redeemed {
                    card: CardId(7),
                    amount: 700,
                    balance: 0,
                    version: 2
                },
            ]
        );
        assert_eq!(card.take_events(), vec![]);
    }

    // ---- Reading --------------------------------------------------------------

    #[test]
    fn a_cards_balance_is_read() {
        let store = Store::with_card(7, 1_000);
        let app = App::new(&store);

        assert_eq!(get(&app, "/cards/7"), balance(1_000));
    }

    #[test]
    fn an_unknown_card_is_a_404_in_the_error_envelope() {
        let store = Store::with_card(7, 1_000);
        let app = App::new(&store);

        assert_eq!(
            get(&app, "/cards/9"),
            error(404, "card_not_found", "there is no card 9")
        );
        assert_eq!(
            redeem(&App::new(&Store::default()), 100),
            error(404, "card_not_found", "there is no card 7")
        );
    }

    // ---- Redeeming -----------------------------------------------------------

    #[test]
    fn a_redemption_writes_the_card_and_its_message_in_one_commit() {
        let store = Store::with_card(7, 1_000);
        let app = App::new(&store);

        assert_eq!(redeem(&app, 350), balance(650));

        assert_eq!((store.card(7).balance, store.card(7).version), (650, 1));
        let outbox = store.outbox.borrow().clone();
        assert_eq!(outbox.len(), 1);
        assert_eq!(outbox[0].id, "card-7-v1");
        assert_eq!(outbox[0].topic, "cards.redeemed");
        let payload: Value = serde_json::from_str(&outbox[0].payload).unwrap();
        assert_eq!(payload, json!({ "card": 7, "amount": 350, "balance": 650 }));
    }

    #[test]
    fn each_redemption_has_its_own_message() {
        let store = Store::with_card(7, 1_000);
        let app = App::new(&store);

        redeem(&app, 100);
        redeem(&app, 200);

        let ids: Vec<String> = store.outbox.borrow().iter().map(|m| m.id.clone()).collect();
        assert_eq!(ids, ["card-7-v1", "card-7-v2"]);
        assert_eq!(get(&app, "/cards/7"), balance(700));
    }

    #[test]
    fn a_purchase_the_card_cannot_cover_is_a_409_and_changes_nothing() {
        let store = Store::with_card(7, 1_000);
        let app = App::new(&store);

        assert_eq!(
            redeem(&app, 1_001),
            error(
                409,
                "insufficient_funds",
                "the card holds 1000, the purchase needs 1001"
            )
        );
        assert_eq!(store.card(7), GiftCard::issue(CardId(7), 1_000));
        assert!(store.outbox.borrow().is_empty());
        assert_eq!(redeem(&app, 1_000), balance(0), "exactly the balance");
    }

    #[test]
    fn a_zero_amount_is_a_422_and_a_blocked_card_a_403() {
        let store = Store::with_card(7, 1_000);
        let mut blocked = store.card(7);
        blocked.block();
        store.put(blocked);
        let app = App::new(&store);

        assert_eq!(
            redeem(&app, 0),
            error(422, "invalid_amount", "an amount must be more than zero")
        );
        assert_eq!(
            redeem(&app, 100),
            error(403, "card_blocked", "the card is blocked")
        );
        assert!(store.outbox.borrow().is_empty());
    }

    #[test]
    fn a_body_without_a_usable_amount_is_a_400() {
        let store = Store::with_card(7, 1_000);
        let app = App::new(&store);

        for body in ["", "{}", r#"{"amount": -5}"#, r#"{"amount": "5"}"#] {
            let response = post(&app, "/cards/7/redeem", body);
            assert_eq!(response.status, 400, "{body:?}");
            assert_eq!(response.body["error"]["code"], "bad_request", "{body:?}");
        }
        assert_eq!(store.card(7).balance, 1_000);
    }

    #[test]
    fn anything_else_is_a_404_no_route() {
        let store = Store::with_card(7, 1_000);
        let app = App::new(&store);

        for (method, path) in [
            (Method::Get, "/cards"),
            (Method::Get, "/cards/"),
            (Method::Get, "/cards/abc"),
            (Method::Get, "/cards/7/redeem"),
            (Method::Post, "/cards/7"),
            (Method::Post, "/cards/7/refund"),
            (Method::Get, "/users/7"),
        ] {
            let request = Request {
                method,
                path: path.to_string(),
                body: r#"{"amount": 1}"#.to_string(),
            };
            let message = format!("no route for {method:?} {path}");
            assert_eq!(app.handle(&request), error(404, "no_route", &message));
        }
        assert_eq!(store.card(7).balance, 1_000);
    }

    #[test]
    fn a_store_that_is_down_is_a_503_without_its_detail() {
        let store = Store::with_card(7, 1_000);
        store.down.set(true);
        let app = App::new(&store);

        let unavailable = error(503, "unavailable", "try again later");
        assert_eq!(get(&app, "/cards/7"), unavailable);
        assert_eq!(redeem(&app, 100), unavailable);
    }

    // ---- The cache ---------------------------------------------------------------

    #[test]
    fn balances_are_served_from_the_cache() {
        let store = Store::with_card(7, 1_000);
        let app = App::new(&store);

        get(&app, "/cards/7");
        get(&app, "/cards/7");

        assert_eq!(store.loads.get(), 1);
    }

    #[test]
    fn a_redemption_drops_the_cached_card() {
        let store = Store::with_card(7, 1_000);
        let app = App::new(&store);
        get(&app, "/cards/7");

        redeem(&app, 300);

        assert_eq!(get(&app, "/cards/7"), balance(700));
    }

    #[test]
    fn a_redemption_spends_the_stored_balance_not_the_cached_one() {
        let store = Store::with_card(7, 1_000);
        let app = App::new(&store);
        get(&app, "/cards/7");
        let mut elsewhere = store.card(7);
        elsewhere.redeem(900).unwrap(); // spent at another till
        store.put(elsewhere);

        assert_eq!(
            redeem(&app, 500),
            error(
                409,
                "insufficient_funds",
                "the card holds 100, the purchase needs 500"
            )
        );
    }

    #[test]
    fn a_commit_whose_answer_was_lost_still_drops_the_cached_card() {
        let store = Store::with_card(7, 1_000);
        let app = App::new(&store);
        get(&app, "/cards/7");
        store.commits_time_out.set(true);

        assert_eq!(redeem(&app, 300).status, 503);

        store.commits_time_out.set(false);
        assert_eq!(get(&app, "/cards/7"), balance(700));
    }

    #[test]
    fn an_unknown_card_is_not_cached() {
        let store = Store::default();
        let app = App::new(&store);
        assert_eq!(get(&app, "/cards/7").status, 404);

        store.put(GiftCard::issue(CardId(7), 500));

        assert_eq!(get(&app, "/cards/7"), balance(500));
    }
}
