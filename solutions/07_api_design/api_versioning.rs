//! # API design: two versions of one model (solution)

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderName, HeaderValue};
use tower_http::set_header::SetResponseHeaderLayer;

// ---- The domain: one model, no version, no JSON (do not change) -------------

mod domain {
    use std::collections::BTreeMap;
    use std::sync::{Mutex, PoisonError};

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Customer {
        pub id: u64,
        pub given_name: String,
        /// Empty when the customer has one name only.
        pub family_name: String,
        pub email: String,
        /// Seconds since the epoch.
        pub created_at: u64,
    }

    pub struct NewCustomer {
        pub given_name: String,
        pub family_name: String,
        pub email: String,
    }

    #[derive(Debug, PartialEq, Eq)]
    pub struct NotFound;

    /// The one service both versions of the API call.
    pub struct CustomerService {
        customers: Mutex<BTreeMap<u64, Customer>>,
        clock: Box<dyn Fn() -> u64 + Send + Sync>,
    }

    impl CustomerService {
        pub fn new(clock: impl Fn() -> u64 + Send + Sync + 'static) -> Self {
            Self {
                customers: Mutex::new(BTreeMap::new()),
                clock: Box::new(clock),
            }
        }

        pub fn create(&self, new: NewCustomer) -> Customer {
            let mut customers = self
                .customers
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let id = customers.keys().next_back().map_or(1, |last| last + 1);
            let customer = Customer {
                id,
                given_name: new.given_name,
                family_name: new.family_name,
                email: new.email,
                created_at: (self.clock)(),
            };
            customers.insert(id, customer.clone());
            customer
        }

        pub fn get(&self, id: u64) -> Result<Customer, NotFound> {
            let customers = self
                .customers
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            customers.get(&id).cloned().ok_or(NotFound)
        }
    }
}

type Service = Arc<domain::CustomerService>;

// ---- Version 1: frozen, deprecated ------------------------------------------

/// What v1 clients were promised, field for field. It never changes again:
/// the domain can, and `From` absorbs the difference.
mod v1 {
    use axum::extract::{Path, State};
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    use axum::routing::{get, post};
    use axum::{Json, Router};
    use serde::{Deserialize, Serialize};

    use super::Service;
    use super::domain::{Customer, NewCustomer};

    #[derive(Serialize)]
    pub struct CustomerV1 {
        id: u64,
        name: String,
        email: String,
    }

    #[derive(Deserialize)]
    pub struct NewCustomerV1 {
        name: String,
        email: String,
    }

    /// v1 had one `name`: join the parts, without a stray space when there
    /// is no family name.
    impl From<&Customer> for CustomerV1 {
        fn from(customer: &Customer) -> Self {
            let name = if customer.family_name.is_empty() {
                customer.given_name.clone()
            } else {
                format!("{} {}", customer.given_name, customer.family_name)
            };
            Self {
                id: customer.id,
                name,
                email: customer.email.clone(),
            }
        }
    }

    impl NewCustomerV1 {
        /// The last word is the family name, the rest the given name. This
        /// guesses wrong for some names ("Ludwig van Beethoven", or names
        /// written family first): converting from an old, poorer shape is
        /// lossy, which is one reason to move clients to v2 and sunset v1.
        fn into_domain(self) -> NewCustomer {
            let words: Vec<&str> = self.name.split_whitespace().collect();
            let (given, family) = match words.split_last() {
                Some((last, rest)) if !rest.is_empty() => (rest.join(" "), (*last).to_string()),
                _ => (words.join(" "), String::new()),
            };
            NewCustomer {
                given_name: given,
                family_name: family,
                email: self.email,
            }
        }
    }

    async fn get_customer(
        State(service): State<Service>,
        Path(id): Path<u64>,
    ) -> Result<Json<CustomerV1>, StatusCode> {
        let customer = service.get(id).map_err(|_| StatusCode::NOT_FOUND)?;
        Ok(Json(CustomerV1::from(&customer)))
    }

    async fn create_customer(
        State(service): State<Service>,
        Json(new): Json<NewCustomerV1>,
    ) -> impl IntoResponse {
        let customer = service.create(new.into_domain());
        let location = format!("/v1/customers/{}", customer.id);
        let body = Json(CustomerV1::from(&customer));
        (StatusCode::CREATED, [(header::LOCATION, location)], body)
    }

    pub fn router() -> Router<Service> {
        Router::new()
            .route("/customers", post(create_customer))
            .route("/customers/{id}", get(get_customer))
    }
}

// ---- Version 2 -----------------------------------------------------------------

/// The current representation. Its own types, its own mapping: a change
/// here can never leak into what v1 clients receive.
mod v2 {
    use axum::extract::{Path, State};
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    use axum::routing::{get, post};
    use axum::{Json, Router};
    use serde::{Deserialize, Serialize};

    use super::Service;
    use super::domain::{Customer, NewCustomer};

    #[derive(Serialize, Deserialize)]
    pub struct NameV2 {
        given: String,
        family: String,
    }

    #[derive(Serialize)]
    pub struct CustomerV2 {
        id: u64,
        name: NameV2,
        email: String,
        created_at: u64,
    }

    #[derive(Deserialize)]
    pub struct NewCustomerV2 {
        name: NameV2,
        email: String,
    }

    impl From<&Customer> for CustomerV2 {
        fn from(customer: &Customer) -> Self {
            Self {
                id: customer.id,
                name: NameV2 {
                    given: customer.given_name.clone(),
                    family: customer.family_name.clone(),
                },
                email: customer.email.clone(),
                created_at: customer.created_at,
            }
        }
    }

    impl From<NewCustomerV2> for NewCustomer {
        fn from(new: NewCustomerV2) -> Self {
            NewCustomer {
                given_name: new.name.given,
                family_name: new.name.family,
                email: new.email,
            }
        }
    }

    async fn get_customer(
        State(service): State<Service>,
        Path(id): Path<u64>,
    ) -> Result<Json<CustomerV2>, StatusCode> {
        let customer = service.get(id).map_err(|_| StatusCode::NOT_FOUND)?;
        Ok(Json(CustomerV2::from(&customer)))
    }

    async fn create_customer(
        State(service): State<Service>,
        Json(new): Json<NewCustomerV2>,
    ) -> impl IntoResponse {
        let customer = service.create(new.into());
        let location = format!("/v2/customers/{}", customer.id);
        let body = Json(CustomerV2::from(&customer));
        (StatusCode::CREATED, [(header::LOCATION, location)], body)
    }

    pub fn router() -> Router<Service> {
        Router::new()
            .route("/customers", post(create_customer))
            .route("/customers/{id}", get(get_customer))
    }
}

// ---- Both versions, one service --------------------------------------------------

/// When v1 was deprecated: 2026-01-01T00:00:00Z, as RFC 9745 writes it.
const V1_DEPRECATED: &str = "@1767225600";
/// When v1 stops answering, as an HTTP date (RFC 8594).
const V1_SUNSET: &str = "Wed, 30 Jun 2027 23:59:59 GMT";
/// Where its clients should go.
const V1_SUCCESSOR: &str = "</v2/customers>; rel=\"successor-version\"";

/// The version is the first path segment: visible in logs, easy to route
/// and to cache, and one `nest` per version. (A header or a media type,
/// `Accept: application/vnd.shop.v2+json`, keeps URLs stable instead; the
/// shape of the code is the same.)
///
/// Only v1 carries the deprecation headers, so clients (and their
/// monitoring) learn of the sunset from every response they get, long
/// before it happens.
fn app(service: Service) -> Router {
    let v1 = v1::router()
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("deprecation"),
            HeaderValue::from_static(V1_DEPRECATED),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("sunset"),
            HeaderValue::from_static(V1_SUNSET),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("link"),
            HeaderValue::from_static(V1_SUCCESSOR),
        ));
    Router::new()
        .nest("/v1", v1)
        .nest("/v2", v2::router())
        .with_state(service)
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Method, Request, StatusCode, header};
    use axum::response::Response;
    use http_body_util::BodyExt;
    use serde_json::{Value, json};
    use tower::ServiceExt;

    const NOW: u64 = 1_750_000_000;

    fn service() -> Service {
        Arc::new(domain::CustomerService::new(|| NOW))
    }

    fn service_with_ada() -> Service {
        let service = service();
        service.create(domain::NewCustomer {
            given_name: "Ada".to_string(),
            family_name: "Lovelace".to_string(),
            email: "ada@example.com".to_string(),
        });
        service
    }

    async fn send(service: &Service, method: Method, uri: &str, body: Option<Value>) -> Response {
        let builder = Request::builder().method(method).uri(uri);
        let request = match body {
            Some(json) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json.to_string())),
            None => builder.body(Body::empty()),
        };
        app(service.clone())
            .oneshot(request.unwrap())
            .await
            .unwrap()
    }

    async fn get_json(service: &Service, uri: &str) -> Value {
        let response = send(service, Method::GET, uri, None).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {uri}");
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    async fn body_json(response: Response) -> Value {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn v1_still_reads_exactly_as_it_always_did() {
        let service = service_with_ada();

        let customer = get_json(&service, "/v1/customers/1").await;

        assert_eq!(
            customer,
            json!({ "id": 1, "name": "Ada Lovelace", "email": "ada@example.com" }),
            "v1 is a contract: the same fields, the same shape"
        );
    }

    #[tokio::test]
    async fn v2_reads_the_name_in_parts_and_the_creation_time() {
        let service = service_with_ada();

        let customer = get_json(&service, "/v2/customers/1").await;

        assert_eq!(
            customer,
            json!({
                "id": 1,
                "name": { "given": "Ada", "family": "Lovelace" },
                "email": "ada@example.com",
                "created_at": NOW,
            })
        );
    }

    #[tokio::test]
    async fn a_customer_created_through_v2_reads_through_v1() {
        let service = service_with_ada();

        let response = send(
            &service,
            Method::POST,
            "/v2/customers",
            Some(json!({
                "name": { "given": "Ada King", "family": "Lovelace" },
                "email": "ada.king@example.com",
            })),
        )
        .await;

        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()[header::LOCATION], "/v2/customers/2");
        assert_eq!(body_json(response).await["name"]["given"], "Ada King");
        let v1 = get_json(&service, "/v1/customers/2").await;
        assert_eq!(v1["name"], "Ada King Lovelace");
        assert_eq!(
            get_json(&service, "/v1/customers/1").await["name"],
            "Ada Lovelace",
            "customer 1 is still there"
        );
    }

    #[tokio::test]
    async fn a_v1_client_creating_a_customer_is_split_into_given_and_family() {
        let service = service();

        let response = send(
            &service,
            Method::POST,
            "/v1/customers",
            Some(json!({ "name": "Grace Brewster Hopper", "email": "grace@example.com" })),
        )
        .await;

        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()[header::LOCATION], "/v1/customers/1");
        assert_eq!(
            body_json(response).await,
            json!({ "id": 1, "name": "Grace Brewster Hopper", "email": "grace@example.com" }),
            "a v1 client gets a v1 answer"
        );
        let stored = service.get(1).unwrap();
        assert_eq!(stored.given_name, "Grace Brewster");
        assert_eq!(
            stored.family_name, "Hopper",
            "the last word is the family name"
        );
        assert_eq!(stored.created_at, NOW);
    }

    #[tokio::test]
    async fn extra_spaces_from_a_v1_client_are_not_kept() {
        let service = service();

        send(
            &service,
            Method::POST,
            "/v1/customers",
            Some(json!({ "name": "  Ada   Lovelace ", "email": "ada@example.com" })),
        )
        .await;

        let stored = service.get(1).unwrap();
        assert_eq!(
            (stored.given_name.as_str(), stored.family_name.as_str()),
            ("Ada", "Lovelace")
        );
    }

    #[tokio::test]
    async fn a_single_name_round_trips_through_v1_without_a_stray_space() {
        let service = service();

        send(
            &service,
            Method::POST,
            "/v1/customers",
            Some(json!({ "name": "Plato", "email": "plato@example.com" })),
        )
        .await;

        let stored = service.get(1).unwrap();
        assert_eq!(
            (stored.given_name.as_str(), stored.family_name.as_str()),
            ("Plato", "")
        );
        assert_eq!(get_json(&service, "/v1/customers/1").await["name"], "Plato");
        assert_eq!(
            get_json(&service, "/v2/customers/1").await["name"],
            json!({ "given": "Plato", "family": "" })
        );
    }

    #[tokio::test]
    async fn v1_responses_announce_the_deprecation_and_the_sunset() {
        let service = service_with_ada();

        let read = send(&service, Method::GET, "/v1/customers/1", None).await;
        let created = send(
            &service,
            Method::POST,
            "/v1/customers",
            Some(json!({ "name": "Alan Turing", "email": "alan@example.com" })),
        )
        .await;

        for response in [read, created] {
            let headers = response.headers();
            assert_eq!(headers["deprecation"], "@1767225600");
            assert_eq!(headers["sunset"], "Wed, 30 Jun 2027 23:59:59 GMT");
            assert_eq!(
                headers[header::LINK],
                "</v2/customers>; rel=\"successor-version\""
            );
        }
    }

    #[tokio::test]
    async fn v2_responses_are_not_deprecated() {
        let service = service_with_ada();

        let response = send(&service, Method::GET, "/v2/customers/1", None).await;

        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().get("deprecation").is_none());
        assert!(response.headers().get("sunset").is_none());
    }

    #[tokio::test]
    async fn a_missing_customer_is_404_in_both_versions() {
        let service = service();

        for uri in ["/v1/customers/9", "/v2/customers/9", "/v3/customers/1"] {
            let response = send(&service, Method::GET, uri, None).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "GET {uri}");
        }
    }
}
