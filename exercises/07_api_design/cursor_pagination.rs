//! # API design: cursor pagination
//!
//! A list endpoint answers one page at a time. *Offset* pagination says
//! "skip 40 rows, give me 20"; *cursor* (keyset) pagination says "give me 20
//! that come after this one". The offset counts rows, and rows move:
//!
//! ```text
//!   newest first, pages of 2            offset                 cursor
//!   page 1:            [4, 3]           offset=0               (none)
//!   order 5 arrives    [5, 4, 3, 2, 1]
//!   page 2:                             offset=2 -> [3, 2]     after 3 -> [2, 1]
//!                                       order 3 twice          nothing twice
//! ```
//!
//! ## The problem
//!
//! Support agents work through the orders list of the dashboard page by
//! page. Orders arrive all day, and every arrival pushes the list down a row:
//! page 2 starts with the last order of page 1, so agents handle orders
//! twice (and, when an order is cancelled, skip one). Deep pages are also
//! slow: `OFFSET 100000` makes the database read 100,000 rows and throw them
//! away.
//!
//! ## Your task
//!
//! 1. `OrderStore::page_after`: up to `limit` orders that come after the
//!    cursor, newest first (the whole sort key, `id` included, decides
//!    "after"); from the newest when there is no cursor. Its comment has the
//!    SQL it stands for.
//! 2. `list_orders`: replace `offset` with `cursor`, and answer
//!    `{"items": [..], "next_cursor": ".." | null}`. `next_cursor` encodes
//!    the last order of the page, and is `null` when no order is left after
//!    it, even when the page is full. A cursor that does not decode is a 400
//!    (`invalid_cursor()`). The page size defaults to 20 and is kept within
//!    1 to 100.
//!
//! ## When not to use it
//!
//! A cursor cannot jump to page 37 or show "page 3 of 12". For a small,
//! slowly changing list that users browse by page number (an admin's list
//! of 200 warehouses), offset pagination is simpler and fine. Cursors also
//! need a sort on a unique key: sorting by a column the client picks means
//! one cursor shape per sort, each ending with a unique tie-breaker.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Order {
    id: u64,
    /// Seconds since the epoch. Two orders can share a second.
    created_at: u64,
    customer: String,
}

// ---- The cursor (do not change) ---------------------------------------------

/// Where a page ended: the sort key of its last order.
///
/// The sort is `created_at` then `id`, newest first; `id` breaks ties, so
/// the key is unique and every order has exactly one place in the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Cursor {
    created_at: u64,
    id: u64,
}

impl Cursor {
    fn of(order: &Order) -> Self {
        Self {
            created_at: order.created_at,
            id: order.id,
        }
    }

    /// Opaque to clients: they pass it back, they do not build or read it,
    /// so the server may change what is inside. (Opaque is not secret:
    /// anyone can decode hex. Sign it if its contents must not be forged.)
    fn encode(self) -> String {
        format!("{:016x}{:016x}", self.created_at, self.id)
    }

    /// `None` for anything `encode` could not have written.
    fn decode(text: &str) -> Option<Self> {
        if text.len() != 32 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let (created_at, id) = text.split_at(16);
        Some(Self {
            created_at: u64::from_str_radix(created_at, 16).ok()?,
            id: u64::from_str_radix(id, 16).ok()?,
        })
    }
}

// ---- The store ----------------------------------------------------------------

/// Orders kept by their sort key, as an index `ON orders (created_at, id)`
/// keeps them: reading newest first is walking the map backwards.
#[derive(Default)]
struct OrderStore {
    orders: Mutex<BTreeMap<Cursor, Order>>,
}

impl OrderStore {
    fn orders(&self) -> MutexGuard<'_, BTreeMap<Cursor, Order>> {
        self.orders.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn insert(&self, order: Order) {
        self.orders().insert(Cursor::of(&order), order);
    }

    fn remove(&self, id: u64) {
        self.orders().retain(|_, order| order.id != id);
    }

    /// The old query: `ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2`.
    /// Kept for the test that shows what goes wrong with it.
    fn page_at_offset(&self, offset: usize, limit: usize) -> Vec<Order> {
        let orders = self.orders();
        orders
            .values()
            .rev()
            .skip(offset)
            .take(limit)
            .cloned()
            .collect()
    }

    /// Up to `limit` orders that come after `after` in the sort, newest
    /// first; from the newest of all without a cursor.
    ///
    /// In SQL, with the index above:
    ///
    /// ```sql
    /// SELECT * FROM orders
    /// WHERE (created_at, id) < ($1, $2)
    /// ORDER BY created_at DESC, id DESC
    /// LIMIT $3
    /// ```
    fn page_after(&self, after: Option<Cursor>, limit: usize) -> Vec<Order> {
        // TODO: the orders strictly before the cursor's key in the map,
        // walked backwards (newest first), at most `limit` of them. A
        // `BTreeMap` can start a walk at a key without visiting the others.
        todo!()
    }
}

// ---- The endpoint -------------------------------------------------------------

const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 100;

// TODO: a cursor instead of an offset, in the query and in the answer.
#[derive(Deserialize)]
struct PageParams {
    limit: Option<usize>,
    offset: Option<usize>,
}

/// A page, and how to ask for the next one.
#[derive(Serialize)]
struct OrderPage {
    items: Vec<Order>,
    next_offset: Option<usize>,
}

fn invalid_cursor() -> Response {
    let body = json!({ "error": { "code": "invalid_cursor", "message": "the cursor is not one this API gave out" } });
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

/// `GET /orders?limit=..&offset=..`
async fn list_orders(
    State(store): State<Arc<OrderStore>>,
    Query(params): Query<PageParams>,
) -> Result<Json<OrderPage>, Response> {
    // TODO: page by cursor (`store.page_after`); say where the next page
    // starts only when there is one; keep the page size within limits.
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    let offset = params.offset.unwrap_or(0);
    let items = store.page_at_offset(offset, limit);
    let next_offset = Some(offset + items.len());
    Ok(Json(OrderPage { items, next_offset }))
}

fn app(store: Arc<OrderStore>) -> Router {
    Router::new()
        .route("/orders", get(list_orders))
        .with_state(store)
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use serde_json::Value;
    use tower::ServiceExt;

    fn order(id: u64, created_at: u64) -> Order {
        Order {
            id,
            created_at,
            customer: format!("customer {id}"),
        }
    }

    /// Orders 1 to `n`, one per second: order 1 is the oldest.
    fn store_with(n: u64) -> Arc<OrderStore> {
        let store = OrderStore::default();
        for id in 1..=n {
            store.insert(order(id, 1_000 + id));
        }
        Arc::new(store)
    }

    async fn get_json(store: &Arc<OrderStore>, uri: &str) -> (StatusCode, Value) {
        let request = Request::builder().uri(uri).body(Body::empty()).unwrap();
        let response = app(store.clone()).oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("{uri} answered {status} with no JSON: {bytes:?}"));
        (status, body)
    }

    /// A page's ids and its next cursor.
    async fn page(store: &Arc<OrderStore>, uri: &str) -> (Vec<u64>, Option<String>) {
        let (status, body) = get_json(store, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        let ids = body["items"]
            .as_array()
            .unwrap_or_else(|| panic!("{uri}: no items in {body}"))
            .iter()
            .map(|item| item["id"].as_u64().unwrap())
            .collect();
        let next = match &body["next_cursor"] {
            Value::Null => None,
            Value::String(cursor) => Some(cursor.clone()),
            other => panic!("{uri}: next_cursor must be a string or null, not {other}"),
        };
        (ids, next)
    }

    async fn next_page(
        store: &Arc<OrderStore>,
        limit: usize,
        cursor: &str,
    ) -> (Vec<u64>, Option<String>) {
        page(store, &format!("/orders?limit={limit}&cursor={cursor}")).await
    }

    #[tokio::test]
    async fn the_first_page_is_the_newest_orders_with_a_cursor_to_the_next() {
        let store = store_with(5);

        let (ids, next) = page(&store, "/orders?limit=2").await;

        assert_eq!(ids, [5, 4], "newest first");
        assert!(next.is_some(), "three more orders: there is a next page");
    }

    #[tokio::test]
    async fn following_next_cursor_visits_every_order_once() {
        let store = store_with(7);

        let (mut seen, mut next) = page(&store, "/orders?limit=3").await;
        let mut pages = 1;
        while let Some(cursor) = next {
            let (ids, following) = next_page(&store, 3, &cursor).await;
            seen.extend(ids);
            next = following;
            pages += 1;
            assert!(pages <= 3, "7 orders in pages of 3 are 3 pages");
        }

        assert_eq!(seen, [7, 6, 5, 4, 3, 2, 1]);
    }

    #[test]
    fn offset_pagination_repeats_a_row_when_an_order_arrives() {
        // What the old endpoint did. Not for you to fix: it is the reason
        // for this exercise.
        let store = store_with(4);
        let first: Vec<u64> = store.page_at_offset(0, 2).iter().map(|o| o.id).collect();

        store.insert(order(5, 1_005));
        let second: Vec<u64> = store.page_at_offset(2, 2).iter().map(|o| o.id).collect();

        assert_eq!(first, [4, 3]);
        assert_eq!(
            second,
            [3, 2],
            "order 3 again: the new order pushed it down a row"
        );
    }

    #[tokio::test]
    async fn an_order_arriving_between_pages_repeats_nothing_and_skips_nothing() {
        let store = store_with(4);
        let (first, next) = page(&store, "/orders?limit=2").await;

        store.insert(order(5, 1_005));
        let (second, _) = next_page(
            &store,
            2,
            &next.expect("a next_cursor: orders are left after this page"),
        )
        .await;

        assert_eq!(first, [4, 3]);
        assert_eq!(
            second,
            [2, 1],
            "the page goes on after order 3, wherever it is now"
        );
    }

    #[tokio::test]
    async fn orders_of_the_same_second_are_ordered_by_id_and_none_is_skipped() {
        let store = OrderStore::default();
        for id in 1..=5 {
            store.insert(order(id, 2_000));
        }
        let store = Arc::new(store);

        let (first, next) = page(&store, "/orders?limit=2").await;
        let (second, next) = next_page(
            &store,
            2,
            &next.expect("a next_cursor: orders are left after this page"),
        )
        .await;
        let (third, next) = next_page(
            &store,
            2,
            &next.expect("a next_cursor: orders are left after this page"),
        )
        .await;

        assert_eq!(first, [5, 4]);
        assert_eq!(second, [3, 2], "orders 3 and 2 share order 4's second");
        assert_eq!(third, [1]);
        assert_eq!(next, None);
    }

    #[tokio::test]
    async fn the_cursor_still_works_after_its_order_is_deleted() {
        let store = store_with(5);
        let (first, next) = page(&store, "/orders?limit=2").await;

        store.remove(4);
        let (second, _) = next_page(
            &store,
            2,
            &next.expect("a next_cursor: orders are left after this page"),
        )
        .await;

        assert_eq!(first, [5, 4]);
        assert_eq!(
            second,
            [3, 2],
            "a position in the sort, not a row that must still exist"
        );
        let (fresh, _) = page(&store, "/orders?limit=2").await;
        assert_eq!(fresh, [5, 3], "order 4 is gone");
    }

    #[tokio::test]
    async fn the_last_page_has_no_next_cursor_even_when_it_is_full() {
        let store = store_with(4);

        let (_, next) = page(&store, "/orders?limit=2").await;
        let (ids, next) = next_page(
            &store,
            2,
            &next.expect("a next_cursor: orders are left after this page"),
        )
        .await;

        assert_eq!(ids, [2, 1]);
        assert_eq!(next, None, "no order is left after order 1");
    }

    #[tokio::test]
    async fn all_orders_on_one_page_have_no_next_cursor() {
        let store = store_with(3);

        let (ids, next) = page(&store, "/orders").await;

        assert_eq!(ids, [3, 2, 1]);
        assert_eq!(next, None);
    }

    #[tokio::test]
    async fn no_orders_is_an_empty_page() {
        let store = store_with(0);

        let (ids, next) = page(&store, "/orders").await;

        assert!(ids.is_empty());
        assert_eq!(next, None);
    }

    #[tokio::test]
    async fn the_page_size_defaults_to_20_and_is_capped_at_100() {
        let store = store_with(150);

        let (default, _) = page(&store, "/orders").await;
        let (capped, _) = page(&store, "/orders?limit=1000").await;
        let (exact, _) = page(&store, "/orders?limit=100").await;
        let (at_least_one, _) = page(&store, "/orders?limit=0").await;

        assert_eq!(default.len(), 20);
        assert_eq!(capped.len(), 100, "a client cannot ask for the whole table");
        assert_eq!(exact.len(), 100);
        assert_eq!(at_least_one, [150], "a page holds at least one order");
    }

    #[tokio::test]
    async fn a_cursor_this_api_did_not_give_out_is_400() {
        let store = store_with(3);

        for cursor in [
            "2",
            "not-a-cursor",
            "zz00000000000000000000000000000a",
            "00000000000003e900000000000000010",
        ] {
            let (status, body) = get_json(&store, &format!("/orders?cursor={cursor}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "cursor {cursor}");
            assert_eq!(body["error"]["code"], "invalid_cursor");
        }
    }

    #[test]
    fn a_cursor_reads_back_as_what_it_was_written_from() {
        let cursor = Cursor {
            created_at: 1_700_000_000,
            id: u64::MAX,
        };

        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
    }
}
