//! # API design: filtering and sorting through an allow-list (solution)

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Product {
    id: u64,
    name: String,
    category: String,
    /// In cents. The column is `price_cents`; the API calls it `price`.
    price: u64,
}

// ---- SQL, with values kept apart (do not change) ---------------------------

/// A value sent to the database next to the SQL, never inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Text(String),
    Int(u64),
}

/// A statement and its bound values, as a database driver receives them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SqlQuery {
    sql: String,
    binds: Vec<Value>,
}

/// Builds a statement the way `sqlx::QueryBuilder` does: SQL text and bound
/// values are added by different methods.
///
/// `push` takes a `&'static str`: a literal or a constant written in this
/// file, never text that came in with a request. Client input can only go
/// through `push_bind`, which writes a `?` placeholder and keeps the value
/// apart, where the database treats it as data whatever it contains.
struct SqlBuilder {
    sql: String,
    binds: Vec<Value>,
    has_where: bool,
}

impl SqlBuilder {
    fn new(select: &'static str) -> Self {
        Self {
            sql: select.to_string(),
            binds: Vec::new(),
            has_where: false,
        }
    }

    fn push(&mut self, sql: &'static str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    fn push_bind(&mut self, value: Value) -> &mut Self {
        self.sql.push('?');
        self.binds.push(value);
        self
    }

    /// Starts a condition: ` WHERE ` the first time, ` AND ` after that.
    fn condition(&mut self, sql: &'static str) -> &mut Self {
        self.push(if self.has_where { " AND " } else { " WHERE " });
        self.has_where = true;
        self.push(sql)
    }

    fn build(self) -> SqlQuery {
        SqlQuery {
            sql: self.sql,
            binds: self.binds,
        }
    }
}

/// Where the SQL runs: SQLite or Postgres through `sqlx` in production, a
/// recording double in the tests.
trait ProductDb: Send + Sync {
    fn fetch(&self, query: &SqlQuery) -> Vec<Product>;
}

// ---- What a client may ask for ---------------------------------------------

/// The fields a client may sort by: the allow-list.
///
/// A column name cannot be a bound parameter (`ORDER BY ?` sorts by a
/// constant), so sorting is where hand-built SQL lets client text in. An
/// enum closes that door: the request picks a variant, and only this file's
/// string literals reach the SQL. It also keeps columns the API never
/// promised (`cost_cents`, an internal margin) out of reach, and lets a
/// column be renamed without breaking clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SortField {
    Name,
    Price,
    CreatedAt,
}

impl SortField {
    const ALLOWED: &str = "name, price, created_at";

    fn from_api_name(name: &str) -> Option<Self> {
        match name {
            "name" => Some(Self::Name),
            "price" => Some(Self::Price),
            "created_at" => Some(Self::CreatedAt),
            _ => None,
        }
    }

    /// The column behind the API's name.
    fn column(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Price => "price_cents",
            Self::CreatedAt => "created_at",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Sort {
    field: SortField,
    descending: bool,
}

/// A list request, parsed: nothing in here is raw client text but the
/// filter values, and those only ever go through `push_bind`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ListQuery {
    category: Option<String>,
    min_price: Option<u64>,
    max_price: Option<u64>,
    /// Part of the name to look for.
    search: Option<String>,
    sort: Sort,
    limit: u64,
}

const DEFAULT_LIMIT: u64 = 20;
const MAX_LIMIT: u64 = 100;
const PARAMETERS: &str = "category, min_price, max_price, q, sort, limit";

/// Why a list request was refused; each message says what would work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum QueryError {
    #[error("unknown parameter {0:?}; use {known}", known = PARAMETERS)]
    UnknownParameter(String),
    #[error("cannot sort by {0:?}; sort by {allowed}, with a leading - for descending", allowed = SortField::ALLOWED)]
    UnknownSortField(String),
    #[error("{name} must be a whole number, not {value:?}")]
    NotANumber { name: &'static str, value: String },
}

impl IntoResponse for QueryError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "code": "invalid_query", "message": self.to_string() } });
        (StatusCode::BAD_REQUEST, Json(body)).into_response()
    }
}

fn parse_number(name: &'static str, value: &str) -> Result<u64, QueryError> {
    value.parse().map_err(|_| QueryError::NotANumber {
        name,
        value: value.to_string(),
    })
}

/// `name`, or `-name` for descending.
fn parse_sort(value: &str) -> Result<Sort, QueryError> {
    let (descending, name) = match value.strip_prefix('-') {
        Some(name) => (true, name),
        None => (false, value),
    };
    let field = SortField::from_api_name(name)
        .ok_or_else(|| QueryError::UnknownSortField(value.to_string()))?;
    Ok(Sort { field, descending })
}

/// The query string, checked against what the API offers.
///
/// An unknown parameter is refused, not ignored: a client that sends
/// `?colour=red` (there is no such filter) and gets every product back
/// believes it got the red ones. A later parameter of the same name wins,
/// as in most frameworks.
fn parse_list_query(params: &[(String, String)]) -> Result<ListQuery, QueryError> {
    let mut query = ListQuery {
        category: None,
        min_price: None,
        max_price: None,
        search: None,
        sort: Sort {
            field: SortField::CreatedAt,
            descending: true,
        },
        limit: DEFAULT_LIMIT,
    };
    for (name, value) in params {
        match name.as_str() {
            "category" => query.category = Some(value.clone()),
            "min_price" => query.min_price = Some(parse_number("min_price", value)?),
            "max_price" => query.max_price = Some(parse_number("max_price", value)?),
            "q" => query.search = Some(value.clone()),
            "sort" => query.sort = parse_sort(value)?,
            "limit" => query.limit = parse_number("limit", value)?.clamp(1, MAX_LIMIT),
            _ => return Err(QueryError::UnknownParameter(name.clone())),
        }
    }
    Ok(query)
}

/// `LIKE` has wildcards of its own: `%` and `_` in the client's text must
/// match themselves, so they are escaped (with `ESCAPE '\'` in the SQL).
/// Binding alone does not do this: the value is data, but LIKE reads it as
/// a pattern.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The statement for a list request.
///
/// Every piece of SQL text is a literal of this file or comes from
/// `SortField::column`; every client value is bound. The sort ends with `id`
/// so that rows with equal prices (or names) come back in the same order on
/// every request, and pages do not swap them.
fn build_sql(query: &ListQuery) -> SqlQuery {
    let mut sql = SqlBuilder::new("SELECT id, name, category, price_cents FROM products");
    if let Some(category) = &query.category {
        sql.condition("category = ")
            .push_bind(Value::Text(category.clone()));
    }
    if let Some(min) = query.min_price {
        sql.condition("price_cents >= ").push_bind(Value::Int(min));
    }
    if let Some(max) = query.max_price {
        sql.condition("price_cents <= ").push_bind(Value::Int(max));
    }
    if let Some(text) = &query.search {
        sql.condition("name LIKE ")
            .push_bind(Value::Text(contains_pattern(text)))
            .push(" ESCAPE '\\'");
    }
    let direction = if query.sort.descending {
        " DESC"
    } else {
        " ASC"
    };
    sql.push(" ORDER BY ")
        .push(query.sort.field.column())
        .push(direction)
        .push(", id")
        .push(direction);
    sql.push(" LIMIT ").push_bind(Value::Int(query.limit));
    sql.build()
}

// ---- The endpoint (do not change) -------------------------------------------

/// `GET /products?category=..&min_price=..&max_price=..&q=..&sort=..&limit=..`
///
/// The query string as a list of pairs: unknown names are refused, not
/// dropped, which a struct with `Option` fields would do silently.
async fn list_products(
    State(db): State<Arc<dyn ProductDb>>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<serde_json::Value>, QueryError> {
    let query = parse_list_query(&params)?;
    let items = db.fetch(&build_sql(&query));
    Ok(Json(json!({ "items": items })))
}

fn app(db: Arc<dyn ProductDb>) -> Router {
    Router::new()
        .route("/products", get(list_products))
        .with_state(db)
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
    use std::sync::Mutex;
    use tower::ServiceExt;

    /// Records every statement and answers with one product.
    #[derive(Default)]
    struct RecordingDb {
        queries: Mutex<Vec<SqlQuery>>,
    }

    impl ProductDb for RecordingDb {
        fn fetch(&self, query: &SqlQuery) -> Vec<Product> {
            self.queries.lock().unwrap().push(query.clone());
            vec![Product {
                id: 7,
                name: "Rust in Action".to_string(),
                category: "books".to_string(),
                price: 3_999,
            }]
        }
    }

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    fn sql_for(pairs: &[(&str, &str)]) -> SqlQuery {
        let query = parse_list_query(&params(pairs)).unwrap_or_else(|error| {
            panic!("{pairs:?} should be a valid list request, but: {error}")
        });
        build_sql(&query)
    }

    const SELECT: &str = "SELECT id, name, category, price_cents FROM products";

    #[test]
    fn without_parameters_the_newest_come_first() {
        let query = sql_for(&[]);

        assert_eq!(
            query.sql,
            format!("{SELECT} ORDER BY created_at DESC, id DESC LIMIT ?")
        );
        assert_eq!(
            query.binds,
            [Value::Int(20)],
            "the default page size, bound"
        );
    }

    #[test]
    fn sorting_by_an_allowed_field_uses_its_column() {
        let ascending = sql_for(&[("sort", "price")]);
        let descending = sql_for(&[("sort", "-price")]);
        let by_name = sql_for(&[("sort", "name")]);

        assert_eq!(
            ascending.sql,
            format!("{SELECT} ORDER BY price_cents ASC, id ASC LIMIT ?"),
            "the API's `price` is the column `price_cents`"
        );
        assert_eq!(
            descending.sql,
            format!("{SELECT} ORDER BY price_cents DESC, id DESC LIMIT ?")
        );
        assert_eq!(
            by_name.sql,
            format!("{SELECT} ORDER BY name ASC, id ASC LIMIT ?")
        );
    }

    #[test]
    fn a_field_outside_the_allow_list_is_refused() {
        for sort in [
            "cost_cents",
            "price_cents",
            "-id",
            "price; DROP TABLE products",
            "PRICE",
            "",
        ] {
            let outcome = parse_list_query(&params(&[("sort", sort)]));
            assert_eq!(
                outcome,
                Err(QueryError::UnknownSortField(sort.to_string())),
                "sort={sort:?}"
            );
        }
    }

    #[test]
    fn filters_are_bound_never_written_into_the_sql() {
        let query = sql_for(&[
            ("category", "books' OR '1'='1"),
            ("min_price", "500"),
            ("max_price", "5000"),
        ]);

        assert_eq!(
            query.sql,
            format!(
                "{SELECT} WHERE category = ? AND price_cents >= ? AND price_cents <= ? \
                 ORDER BY created_at DESC, id DESC LIMIT ?"
            )
        );
        assert_eq!(
            query.binds,
            [
                Value::Text("books' OR '1'='1".to_string()),
                Value::Int(500),
                Value::Int(5000),
                Value::Int(20),
            ]
        );
    }

    #[test]
    fn one_filter_alone_is_the_only_condition() {
        let query = sql_for(&[("max_price", "999"), ("sort", "-created_at")]);

        assert_eq!(
            query.sql,
            format!("{SELECT} WHERE price_cents <= ? ORDER BY created_at DESC, id DESC LIMIT ?")
        );
        assert_eq!(query.binds, [Value::Int(999), Value::Int(20)]);
    }

    #[test]
    fn a_search_matches_the_clients_text_literally() {
        let query = sql_for(&[("q", r"50%_off\")]);

        assert_eq!(
            query.sql,
            format!(
                "{SELECT} WHERE name LIKE ? ESCAPE '\\' ORDER BY created_at DESC, id DESC LIMIT ?"
            )
        );
        assert_eq!(
            query.binds[0],
            Value::Text(r"%50\%\_off\\%".to_string()),
            "% and _ are LIKE wildcards: escaped, they match themselves"
        );
    }

    #[test]
    fn the_page_size_is_bound_and_kept_within_1_to_100() {
        assert_eq!(sql_for(&[("limit", "5")]).binds, [Value::Int(5)]);
        assert_eq!(sql_for(&[("limit", "100")]).binds, [Value::Int(100)]);
        assert_eq!(sql_for(&[("limit", "5000")]).binds, [Value::Int(100)]);
        assert_eq!(sql_for(&[("limit", "0")]).binds, [Value::Int(1)]);
    }

    #[test]
    fn an_unknown_parameter_is_refused_not_ignored() {
        let outcome = parse_list_query(&params(&[("category", "books"), ("colour", "red")]));

        assert_eq!(
            outcome,
            Err(QueryError::UnknownParameter("colour".to_string()))
        );
    }

    #[test]
    fn a_number_that_is_not_one_is_refused() {
        let outcome = parse_list_query(&params(&[("min_price", "cheap")]));

        assert_eq!(
            outcome,
            Err(QueryError::NotANumber {
                name: "min_price",
                value: "cheap".to_string()
            })
        );
        assert!(parse_list_query(&params(&[("max_price", "-1")])).is_err());
        assert!(parse_list_query(&params(&[("limit", "ten")])).is_err());
    }

    async fn get(db: Arc<RecordingDb>, uri: &str) -> (StatusCode, serde_json::Value) {
        let request = Request::builder().uri(uri).body(Body::empty()).unwrap();
        let response = app(db).oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn the_endpoint_runs_the_built_query() {
        let db = Arc::new(RecordingDb::default());

        let (status, body) = get(db.clone(), "/products?category=books&sort=-price&limit=10").await;

        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["items"][0]["name"], "Rust in Action");
        let queries = db.queries.lock().unwrap();
        assert_eq!(queries.len(), 1);
        assert_eq!(
            queries[0].sql,
            format!("{SELECT} WHERE category = ? ORDER BY price_cents DESC, id DESC LIMIT ?")
        );
        assert_eq!(
            queries[0].binds,
            [Value::Text("books".to_string()), Value::Int(10)]
        );
    }

    #[tokio::test]
    async fn a_refused_request_is_400_and_never_reaches_the_database() {
        let db = Arc::new(RecordingDb::default());

        let (status, body) = get(db.clone(), "/products?sort=cost_cents").await;

        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["code"], "invalid_query");
        assert_eq!(
            body["error"]["message"],
            "cannot sort by \"cost_cents\"; sort by name, price, created_at, with a leading - for descending"
        );
        assert!(db.queries.lock().unwrap().is_empty());
    }
}
