//! # Query-level caching, invalidated by table
//!
//! Some reads are expensive because of the query, not the row: a join with
//! a `GROUP BY`, a dashboard's report. An entity cache (05_caching) does
//! not fit them: there is no single id to key by, and no single write that
//! changes "the" entry. A *query cache* keys each result by the query
//! itself, the SQL and its parameters, and remembers which tables it read;
//! a write drops every result that read a table it touched.
//!
//! ```text
//!   query(sql, params) ──> key = (normalised sql, typed params)
//!        hit ──> rows      miss ──> db.query ──> entries[key], by_table[t] += key
//!   execute(write) ──> db.execute ──> for t in write.tables: drop by_table[t]
//! ```
//!
//! ## The problem
//!
//! The sales dashboard runs the same dozen report queries on every page
//! view, and the database spends its afternoons on them. A first attempt
//! cached results under `format!("{sql}{params:?}")` for five minutes: the
//! figures lagged behind every sale, and two different reports, laid out
//! differently, were cached twice.
//!
//! ## Your task
//!
//! `QueryCache` implements `Database` in front of another `Database`, so
//! that `SalesReport` (given) is cached without knowing it. Write:
//!
//! 1. `CacheKey::of`: the SQL with its whitespace normalised (runs of
//!    spaces, tabs and newlines are one space; no leading or trailing
//!    space; nothing else changes, not even case) and the typed parameters.
//! 2. `query`: a hit is answered from `entries`; a miss asks the database,
//!    stores the rows, and records the key under each table the query
//!    reads (`table_name` makes `Orders` and `orders` one table). An error
//!    is returned, never cached.
//! 3. `execute`: run the write, then drop every entry that read one of its
//!    tables, even if the write failed (it may have committed before it
//!    timed out). Keep no borrow of `state` while the database works: a
//!    read can arrive meanwhile.
//! 4. `invalidate`: drop the entries, and remove their keys from the index
//!    of every table, or the index grows forever.
//!
//! Architecture checks: the cache implements `Database` and holds its
//! database as one; a write invalidates and never re-runs queries; keys are
//! the whole query, not a hash of it; `SalesReport` knows nothing of
//! caching.
//!
//! ## When not to use it
//!
//! Tables written every second invalidate faster than they are read: the
//! cache only adds work. Writes that bypass this process (another service,
//! a migration, a manual fix) are invisible to it, so add a TTL, or cache
//! only tables this process owns. And with several instances, each has
//! its own cache and hears only its own writes: share the cache, or the
//! invalidations.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

/// A SQL value, typed: `1` and `"1"` are different parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Value {
    Int(i64),
    Text(String),
}

type Rows = Vec<Vec<Value>>;

/// A read, with the tables it reads, as the code that wrote the SQL
/// declares them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Query {
    sql: String,
    params: Vec<Value>,
    tables: Vec<String>,
}

/// A write, with the tables it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Write {
    sql: String,
    params: Vec<Value>,
    tables: Vec<String>,
}

impl Query {
    fn new(sql: &str, params: Vec<Value>, tables: &[&str]) -> Self {
        let tables = tables.iter().map(|t| t.to_string()).collect();
        Query {
            sql: sql.to_string(),
            params,
            tables,
        }
    }
}

impl Write {
    fn new(sql: &str, params: Vec<Value>, tables: &[&str]) -> Self {
        let tables = tables.iter().map(|t| t.to_string()).collect();
        Write {
            sql: sql.to_string(),
            params,
            tables,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum DbError {
    #[error("the database timed out")]
    Timeout,
}

trait Database {
    fn query(&self, query: &Query) -> Result<Rows, DbError>;
    /// Rows affected.
    fn execute(&self, write: &Write) -> Result<u64, DbError>;
}

impl<D: Database + ?Sized> Database for &D {
    fn query(&self, query: &Query) -> Result<Rows, DbError> {
        (**self).query(query)
    }

    fn execute(&self, write: &Write) -> Result<u64, DbError> {
        (**self).execute(write)
    }
}

// ---- The cache --------------------------------------------------------------------

/// What identifies a result: the SQL, up to whitespace, and the typed
/// parameters. A struct, not a string: no way to format two different
/// queries into the same key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct CacheKey {
    sql: String,
    params: Vec<Value>,
}

impl CacheKey {
    fn of(query: &Query) -> Self {
        // TODO: normalise the whitespace of the SQL; keep the parameters.
        todo!()
    }
}

/// SQL's unquoted table names ignore case: `Orders` is `orders`.
fn table_name(table: &str) -> String {
    table.to_ascii_lowercase()
}

#[derive(Default)]
struct CacheState {
    entries: HashMap<CacheKey, Rows>,
    /// For each table, the keys of the entries that read it: what a write
    /// to that table must drop.
    by_table: HashMap<String, HashSet<CacheKey>>,
}

struct QueryCache<D> {
    db: D,
    state: RefCell<CacheState>,
}

impl<D: Database> QueryCache<D> {
    fn new(db: D) -> Self {
        Self {
            db,
            state: RefCell::new(CacheState::default()),
        }
    }

    /// Drops every entry that read one of `tables`, and forgets its key in
    /// the index of every table.
    fn invalidate(&self, tables: &[String]) {
        // TODO: drop the entries that read these tables, and their keys
        // from every table's index.
        todo!()
    }

    fn cached_entries(&self) -> usize {
        self.state.borrow().entries.len()
    }

    /// Keys held by the table index, counted once per table.
    fn indexed_keys(&self) -> usize {
        self.state
            .borrow()
            .by_table
            .values()
            .map(HashSet::len)
            .sum()
    }
}

impl<D: Database> Database for QueryCache<D> {
    fn query(&self, query: &Query) -> Result<Rows, DbError> {
        // TODO: a hit from the entries; on a miss, ask the database, then
        // store the rows and index the key under each table.
        todo!()
    }

    fn execute(&self, write: &Write) -> Result<u64, DbError> {
        // TODO: write, then invalidate the tables it touched.
        todo!()
    }
}

// ---- A repository that does not know about the cache (given) ----------------------

/// Sales figures for the dashboard.
struct SalesReport<D> {
    db: D,
}

impl<D: Database> SalesReport<D> {
    fn new(db: D) -> Self {
        Self { db }
    }

    fn revenue_of(&self, customer: i64) -> Result<Rows, DbError> {
        self.db.query(&Query::new(
            "SELECT c.name, SUM(o.total) FROM orders o JOIN customers c ON c.id = o.customer \
             WHERE o.customer = ? GROUP BY c.name",
            vec![Value::Int(customer)],
            &["orders", "customers"],
        ))
    }

    fn record_order(&self, customer: i64, total: i64) -> Result<(), DbError> {
        self.db.execute(&Write::new(
            "INSERT INTO orders (customer, total) VALUES (?, ?)",
            vec![Value::Int(customer), Value::Int(total)],
            &["orders"],
        ))?;
        Ok(())
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::rc::{Rc, Weak};

    /// A database whose answer to a query is its parameters followed by the
    /// number of writes so far to each table it reads: any write to one of
    /// those tables changes the answer, so a stale cache entry shows.
    #[derive(Default)]
    struct FakeDb {
        writes: RefCell<HashMap<String, i64>>,
        queries: Cell<usize>,
        fail_next_query: Cell<bool>,
        /// The write lands, then the call reports a timeout anyway.
        writes_time_out: Cell<bool>,
        /// Runs inside `execute`, before the write lands: a concurrent reader.
        during_write: RefCell<Option<Box<dyn Fn()>>>,
    }

    impl Database for FakeDb {
        fn query(&self, query: &Query) -> Result<Rows, DbError> {
            self.queries.set(self.queries.get() + 1);
            if self.fail_next_query.replace(false) {
                return Err(DbError::Timeout);
            }
            let writes = self.writes.borrow();
            let mut row = query.params.clone();
            for table in &query.tables {
                let count = writes.get(&table.to_ascii_lowercase()).copied();
                row.push(Value::Int(count.unwrap_or(0)));
            }
            Ok(vec![row])
        }

        fn execute(&self, write: &Write) -> Result<u64, DbError> {
            if let Some(reader) = self.during_write.borrow().as_ref() {
                reader();
            }
            let mut writes = self.writes.borrow_mut();
            for table in &write.tables {
                *writes.entry(table.to_ascii_lowercase()).or_default() += 1;
            }
            if self.writes_time_out.get() {
                return Err(DbError::Timeout);
            }
            Ok(1)
        }
    }

    /// Lets a test keep the database while a cache holds it in an `Rc`.
    struct Shared(Rc<FakeDb>);

    impl Database for Shared {
        fn query(&self, query: &Query) -> Result<Rows, DbError> {
            self.0.query(query)
        }

        fn execute(&self, write: &Write) -> Result<u64, DbError> {
            self.0.execute(write)
        }
    }

    fn orders_of(customer: i64) -> Query {
        Query::new(
            "SELECT id, total FROM orders WHERE customer = ?",
            vec![Value::Int(customer)],
            &["orders"],
        )
    }

    fn customer(id: i64) -> Query {
        Query::new(
            "SELECT name FROM customers WHERE id = ?",
            vec![Value::Int(id)],
            &["customers"],
        )
    }

    fn write(tables: &[&str]) -> Write {
        Write::new("UPDATE ...", vec![], tables)
    }

    // ---- Hits and keys ------------------------------------------------------

    #[test]
    fn a_repeated_query_is_answered_from_the_cache() {
        let db = FakeDb::default();
        let cache = QueryCache::new(&db);

        let first = cache.query(&orders_of(1)).unwrap();
        let second = cache.query(&orders_of(1)).unwrap();

        assert_eq!(first, second);
        assert_eq!(db.queries.get(), 1);
        assert_eq!(cache.cached_entries(), 1);
    }

    #[test]
    fn different_parameters_are_different_entries() {
        let db = FakeDb::default();
        let cache = QueryCache::new(&db);

        let ada = cache.query(&orders_of(1)).unwrap();
        let grace = cache.query(&orders_of(2)).unwrap();

        assert_ne!(ada, grace, "customer 2 must not get customer 1's orders");
        assert_eq!(db.queries.get(), 2);
    }

    #[test]
    fn parameters_are_compared_as_typed_values_never_as_text() {
        let db = FakeDb::default();
        let cache = QueryCache::new(&db);
        let by =
            |params: Vec<Value>| Query::new("SELECT ... WHERE a = ? AND b = ?", params, &["t"]);
        let text = |s: &str| Value::Text(s.to_string());

        cache.query(&by(vec![Value::Int(1)])).unwrap();
        cache.query(&by(vec![text("1")])).unwrap();
        cache.query(&by(vec![text("a,b")])).unwrap();
        cache.query(&by(vec![text("a"), text("b")])).unwrap();
        cache.query(&by(vec![text("a, b")])).unwrap();

        assert_eq!(db.queries.get(), 5, "five different queries");
    }

    #[test]
    fn whitespace_does_not_split_the_cache_but_the_case_of_a_literal_does() {
        let db = FakeDb::default();
        let cache = QueryCache::new(&db);
        let sql = |sql: &str| Query::new(sql, vec![], &["orders"]);

        cache
            .query(&sql("SELECT id FROM orders WHERE status = 'A'"))
            .unwrap();
        cache
            .query(&sql("SELECT id\n  FROM orders\n  WHERE status = 'A' "))
            .unwrap();
        assert_eq!(db.queries.get(), 1, "the same query, laid out differently");

        cache
            .query(&sql("SELECT id FROM orders WHERE status = 'a'"))
            .unwrap();
        assert_eq!(db.queries.get(), 2, "'a' is not 'A'");
    }

    #[test]
    fn errors_are_not_cached() {
        let db = FakeDb::default();
        db.fail_next_query.set(true);
        let cache = QueryCache::new(&db);

        assert_eq!(cache.query(&orders_of(1)), Err(DbError::Timeout));
        assert!(
            cache.query(&orders_of(1)).is_ok(),
            "asked again, not cached"
        );
        assert_eq!(db.queries.get(), 2);
    }

    // ---- Invalidation by table ----------------------------------------------

    #[test]
    fn a_write_drops_every_query_that_read_its_table_and_only_those() {
        let db = FakeDb::default();
        let cache = QueryCache::new(&db);
        cache.query(&orders_of(1)).unwrap();
        cache.query(&orders_of(2)).unwrap();
        cache.query(&customer(1)).unwrap();

        assert_eq!(cache.execute(&write(&["orders"])), Ok(1));

        assert_eq!(cache.query(&orders_of(1)), db.query(&orders_of(1)));
        assert_eq!(cache.query(&orders_of(2)), db.query(&orders_of(2)));
        let queries = db.queries.get();
        cache.query(&customer(1)).unwrap();
        assert_eq!(db.queries.get(), queries, "customers were not written");
    }

    #[test]
    fn a_join_is_dropped_by_a_write_to_any_of_its_tables() {
        let db = FakeDb::default();
        let cache = QueryCache::new(&db);
        let join = Query::new("SELECT ... JOIN ...", vec![], &["orders", "customers"]);

        for table in ["orders", "customers"] {
            cache.query(&join).unwrap();
            cache.execute(&write(&[table])).unwrap();
            assert_eq!(cache.query(&join), db.query(&join), "after writing {table}");
        }
    }

    #[test]
    fn table_names_ignore_case() {
        let db = FakeDb::default();
        let read = |table: &str| Query::new("SELECT id FROM orders", vec![], &[table]);

        for (read_as, written_as) in [("orders", "Orders"), ("ORDERS", "orders")] {
            let cache = QueryCache::new(&db);
            cache.query(&read(read_as)).unwrap();
            cache.execute(&write(&[written_as])).unwrap();
            assert_eq!(
                cache.query(&read(read_as)),
                db.query(&read(read_as)),
                "read as {read_as}, written as {written_as}"
            );
        }
    }

    #[test]
    fn a_write_that_fails_still_invalidates() {
        let db = FakeDb::default();
        let cache = QueryCache::new(&db);
        cache.query(&orders_of(1)).unwrap();
        db.writes_time_out.set(true);

        assert_eq!(cache.execute(&write(&["orders"])), Err(DbError::Timeout));

        assert_eq!(
            cache.query(&orders_of(1)),
            db.query(&orders_of(1)),
            "the write timed out after it committed"
        );
    }

    #[test]
    fn a_read_racing_a_write_is_not_cached_for_good() {
        let db = Rc::new(FakeDb::default());
        let cache = Rc::new(QueryCache::new(Shared(Rc::clone(&db))));
        let reader: Weak<QueryCache<Shared>> = Rc::downgrade(&cache);
        *db.during_write.borrow_mut() = Some(Box::new(move || {
            if let Some(cache) = reader.upgrade() {
                // Misses, and caches the rows from before the write.
                cache.query(&orders_of(1)).unwrap();
            }
        }));

        cache.execute(&write(&["orders"])).unwrap();

        assert_eq!(cache.query(&orders_of(1)), db.query(&orders_of(1)));
    }

    #[test]
    fn dropped_entries_leave_nothing_behind_in_the_index() {
        let db = FakeDb::default();
        let cache = QueryCache::new(&db);
        let join = Query::new("SELECT ... JOIN ...", vec![], &["orders", "customers"]);

        for _ in 0..100 {
            cache.query(&join).unwrap();
            cache.execute(&write(&["orders"])).unwrap();
        }

        assert_eq!(cache.cached_entries(), 0);
        assert_eq!(cache.indexed_keys(), 0, "customers still lists the join");
        cache.query(&join).unwrap();
        assert_eq!(cache.indexed_keys(), 2, "one key, under two tables");
    }

    #[test]
    fn dropping_one_entry_keeps_the_others_indexed() {
        let db = FakeDb::default();
        let cache = QueryCache::new(&db);
        let join = Query::new("SELECT ... JOIN ...", vec![], &["orders", "customers"]);
        cache.query(&join).unwrap();
        cache.query(&customer(1)).unwrap();

        cache.execute(&write(&["orders"])).unwrap();
        cache.execute(&write(&["customers"])).unwrap();

        assert_eq!(cache.query(&customer(1)), db.query(&customer(1)));
    }

    // ---- A decorator the repository cannot see ----------------------------------

    #[test]
    fn the_report_is_cached_without_knowing_it() {
        let db = FakeDb::default();
        let report = SalesReport::new(QueryCache::new(&db));

        let before = report.revenue_of(1).unwrap();
        assert_eq!(report.revenue_of(1).unwrap(), before);
        assert_eq!(db.queries.get(), 1);

        report.record_order(1, 4_200).unwrap();

        assert_ne!(report.revenue_of(1).unwrap(), before, "not the old figure");
        assert_eq!(db.queries.get(), 2);
    }
}
