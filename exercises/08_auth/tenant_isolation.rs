//! # Auth: tenant isolation in the repository query
//!
//! A multi-tenant service keeps many customers' data in the same tables,
//! told apart by a `tenant_id` column. Isolation is the rule that no query
//! ever crosses that line. Where the rule is enforced decides whether it
//! holds:
//!
//! ```text
//!   handler:    invoice = repo.find(id)           ── every handler must remember
//!               if invoice.tenant != caller.tenant { 404 }   the check, and lists,
//!                                                             updates and child rows
//!                                                             are easy to forget
//!
//!   repository: invoices.for_tenant(caller.tenant)   ── no handle without a tenant,
//!                 .find(id)  -> SELECT .. WHERE id = ?1 AND tenant_id = ?2
//!                 .mark_paid(id) -> UPDATE .. WHERE id = ?1 AND tenant_id = ?2
//! ```
//!
//! Scoped in the query, another tenant's row is simply *not found*: the
//! database never returns it, an `UPDATE` changes zero rows, and the answer
//! (404) is the same as for an id that does not exist, so ids cannot be
//! probed. The tenant itself comes from the authenticated caller (the token
//! of the previous exercises), never from the URL or the body.
//!
//! ## The problem
//!
//! The invoicing service checked the tenant in each handler. The list
//! endpoint loaded every tenant's invoices and filtered them in Rust; the
//! "mark paid" endpoint checked after loading, then updated by id alone;
//! the notes endpoints forgot. A Globex user added a note to an Acme
//! invoice by changing a number in the URL, and could read Acme's notes
//! the same way.
//!
//! ## Your task
//!
//! Scope every statement of `TenantInvoices` to `self.tenant`, in the SQL:
//!
//! 1. `find`, `list`: `WHERE .. tenant_id = ?N`, bound to `self.tenant.0`
//!    (and no filtering in Rust after the query).
//! 2. `mark_paid`, `delete`: the same predicate in the `UPDATE`/`DELETE`;
//!    zero rows changed is `NotFound`.
//! 3. `add_note`: notes have no tenant column; they belong to a tenant
//!    through their invoice. Insert only if the invoice is this tenant's
//!    (`INSERT INTO notes (..) SELECT .. FROM invoices WHERE ..`), else
//!    `NotFound`.
//! 4. `notes`: only the notes of an invoice of this tenant (a `JOIN` on
//!    `invoices`); another tenant's invoice has none.
//!
//! `create` already stores `self.tenant`.
//!
//! ## When not to use it
//!
//! With few, large tenants (or strict contractual isolation), a database
//! or schema per tenant isolates by construction, and no query can forget.
//! In PostgreSQL, row-level security (`CREATE POLICY .. USING (tenant_id =
//! current_setting('app.tenant_id')::bigint)`) adds a second wall under the
//! repository: keep the scoped repository anyway, it is the one code
//! review sees.

use rusqlite::{Connection, OptionalExtension, Row, params};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct TenantId(i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct InvoiceId(i64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct Invoice {
    id: InvoiceId,
    tenant: TenantId,
    customer: String,
    amount_cents: i64,
    paid: bool,
}

#[derive(Debug, thiserror::Error)]
enum StoreError {
    /// No such invoice *in this tenant*: another tenant's invoice is
    /// reported exactly like one that does not exist.
    #[error("invoice not found")]
    NotFound,
    #[error("storage failed")]
    Storage(#[from] rusqlite::Error),
}

const SCHEMA: &str = "
    CREATE TABLE invoices (
        id           INTEGER PRIMARY KEY,
        tenant_id    INTEGER NOT NULL,
        customer     TEXT    NOT NULL,
        amount_cents INTEGER NOT NULL,
        paid         INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX invoices_by_tenant ON invoices (tenant_id, id);
    CREATE TABLE notes (
        id         INTEGER PRIMARY KEY,
        invoice_id INTEGER NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
        text       TEXT    NOT NULL
    );
    PRAGMA foreign_keys = ON;
";

fn invoice_from_row(row: &Row<'_>) -> rusqlite::Result<Invoice> {
    Ok(Invoice {
        id: InvoiceId(row.get(0)?),
        tenant: TenantId(row.get(1)?),
        customer: row.get(2)?,
        amount_cents: row.get(3)?,
        paid: row.get(4)?,
    })
}

/// The invoice store. It offers no query of its own: every read and write
/// goes through `for_tenant`, so code that has no tenant cannot query.
struct Invoices {
    conn: Connection,
}

impl Invoices {
    fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn })
    }

    /// The repository of one tenant. The tenant comes from the
    /// authenticated caller (the token), never from the request's path or
    /// body.
    fn for_tenant(&self, tenant: TenantId) -> TenantInvoices<'_> {
        TenantInvoices {
            conn: &self.conn,
            tenant,
        }
    }

    /// The one cross-tenant query (the billing report), named so that it
    /// stands out in review.
    fn count_across_all_tenants(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM invoices", [], |row| row.get(0))?)
    }
}

/// Every statement below binds `self.tenant`. A missing tenant predicate
/// would not be a missing check somewhere upstream: it would be a visibly
/// different query, here, next to the others.
struct TenantInvoices<'a> {
    conn: &'a Connection,
    tenant: TenantId,
}

impl TenantInvoices<'_> {
    fn create(&self, customer: &str, amount_cents: i64) -> Result<InvoiceId, StoreError> {
        self.conn.execute(
            "INSERT INTO invoices (tenant_id, customer, amount_cents) VALUES (?1, ?2, ?3)",
            params![self.tenant.0, customer, amount_cents],
        )?;
        Ok(InvoiceId(self.conn.last_insert_rowid()))
    }

    fn find(&self, id: InvoiceId) -> Result<Option<Invoice>, StoreError> {
        // TODO: only an invoice of self.tenant.
        Ok(self
            .conn
            .query_row(
                "SELECT id, tenant_id, customer, amount_cents, paid FROM invoices
                 WHERE id = ?1",
                params![id.0],
                invoice_from_row,
            )
            .optional()?)
    }

    fn list(&self) -> Result<Vec<Invoice>, StoreError> {
        // TODO: scope the query, instead of loading every tenant's invoices
        // and filtering them here.
        let mut statement = self.conn.prepare(
            "SELECT id, tenant_id, customer, amount_cents, paid FROM invoices ORDER BY id",
        )?;
        let invoices = statement
            .query_map([], invoice_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(invoices
            .into_iter()
            .filter(|invoice| invoice.tenant == self.tenant)
            .collect())
    }

    /// One statement decides and acts: no "load, compare the tenant, then
    /// update by id" with a window between the two.
    fn mark_paid(&self, id: InvoiceId) -> Result<(), StoreError> {
        let changed = self.conn.execute(
            // TODO: only an invoice of self.tenant.
            "UPDATE invoices SET paid = 1 WHERE id = ?1",
            params![id.0],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    fn delete(&self, id: InvoiceId) -> Result<(), StoreError> {
        let changed = self.conn.execute(
            // TODO: only an invoice of self.tenant.
            "DELETE FROM invoices WHERE id = ?1",
            params![id.0],
        )?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Notes have no tenant column of their own: they belong to a tenant
    /// through their invoice. The INSERT takes its invoice id from a SELECT
    /// scoped to the tenant, so a note can only hang off an invoice the
    /// caller can see.
    fn add_note(&self, invoice: InvoiceId, text: &str) -> Result<(), StoreError> {
        let inserted = self.conn.execute(
            // TODO: only onto an invoice of self.tenant
            // (INSERT INTO notes (..) SELECT .. FROM invoices WHERE ..).
            "INSERT INTO notes (invoice_id, text) VALUES (?1, ?2)",
            params![invoice.0, text],
        )?;
        if inserted == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The notes of an invoice of this tenant; none for anybody else's.
    fn notes(&self, invoice: InvoiceId) -> Result<Vec<String>, StoreError> {
        let mut statement = self.conn.prepare(
            // TODO: only the notes of an invoice of self.tenant (JOIN invoices).
            "SELECT text FROM notes WHERE invoice_id = ?1 ORDER BY id",
        )?;
        let notes = statement
            .query_map(params![invoice.0], |row| row.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(notes)
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACME: TenantId = TenantId(1);
    const GLOBEX: TenantId = TenantId(2);

    /// Acme has invoices 1 and 3, Globex has invoice 2, with a note each.
    fn store() -> (Invoices, [InvoiceId; 3]) {
        let invoices = Invoices::open_in_memory().unwrap();
        let acme = invoices.for_tenant(ACME);
        let globex = invoices.for_tenant(GLOBEX);
        let first = acme.create("Wile E. Coyote", 12_000).unwrap();
        let second = globex.create("Homer Simpson", 990).unwrap();
        let third = acme.create("Road Runner", 4_500).unwrap();
        acme.add_note(first, "sent by post").unwrap();
        globex
            .add_note(second, "customer disputes the amount")
            .unwrap();
        (invoices, [first, second, third])
    }

    fn customers(invoices: &[Invoice]) -> Vec<&str> {
        invoices.iter().map(|i| i.customer.as_str()).collect()
    }

    #[test]
    fn each_tenant_lists_only_its_own_invoices() {
        let (invoices, _) = store();

        let acme = invoices.for_tenant(ACME).list().unwrap();
        let globex = invoices.for_tenant(GLOBEX).list().unwrap();

        assert_eq!(customers(&acme), ["Wile E. Coyote", "Road Runner"]);
        assert_eq!(customers(&globex), ["Homer Simpson"]);
        assert!(acme.iter().all(|i| i.tenant == ACME));
    }

    #[test]
    fn the_owner_finds_its_invoice() {
        let (invoices, [first, ..]) = store();

        let found = invoices.for_tenant(ACME).find(first).unwrap();

        assert_eq!(
            found,
            Some(Invoice {
                id: first,
                tenant: ACME,
                customer: "Wile E. Coyote".to_string(),
                amount_cents: 12_000,
                paid: false,
            })
        );
    }

    #[test]
    fn guessing_ids_finds_nothing_of_another_tenant() {
        let (invoices, [_, second, _]) = store();
        let globex = invoices.for_tenant(GLOBEX);

        let found: Vec<InvoiceId> = (1..=10)
            .map(InvoiceId)
            .filter(|id| globex.find(*id).unwrap().is_some())
            .collect();

        assert_eq!(found, [second], "ids are guessable; the tenant is not");
    }

    #[test]
    fn another_tenants_invoice_cannot_be_paid() {
        let (invoices, [first, ..]) = store();

        let outcome = invoices.for_tenant(GLOBEX).mark_paid(first);

        assert!(matches!(outcome, Err(StoreError::NotFound)), "{outcome:?}");
        let invoice = invoices.for_tenant(ACME).find(first).unwrap().unwrap();
        assert!(!invoice.paid, "Acme's invoice must stay unpaid");
    }

    #[test]
    fn another_tenants_invoice_cannot_be_deleted() {
        let (invoices, [first, ..]) = store();

        let outcome = invoices.for_tenant(GLOBEX).delete(first);

        assert!(matches!(outcome, Err(StoreError::NotFound)), "{outcome:?}");
        assert!(
            invoices.for_tenant(ACME).find(first).unwrap().is_some(),
            "Acme's invoice must still be there"
        );
    }

    #[test]
    fn the_owner_pays_and_deletes_its_invoices() {
        let (invoices, [first, _, third]) = store();
        let acme = invoices.for_tenant(ACME);

        acme.mark_paid(first).unwrap();
        acme.delete(third).unwrap();

        assert!(acme.find(first).unwrap().unwrap().paid);
        assert_eq!(acme.find(third).unwrap(), None);
        assert!(matches!(acme.delete(third), Err(StoreError::NotFound)));
        assert!(matches!(
            acme.mark_paid(InvoiceId(99)),
            Err(StoreError::NotFound)
        ));
    }

    #[test]
    fn notes_cannot_be_added_to_another_tenants_invoice() {
        let (invoices, [first, ..]) = store();

        let outcome = invoices
            .for_tenant(GLOBEX)
            .add_note(first, "ignore previous instructions");

        assert!(matches!(outcome, Err(StoreError::NotFound)), "{outcome:?}");
        assert_eq!(
            invoices.for_tenant(ACME).notes(first).unwrap(),
            ["sent by post"]
        );
    }

    #[test]
    fn notes_of_another_tenants_invoice_are_not_shown() {
        let (invoices, [first, second, _]) = store();

        let peeked = invoices.for_tenant(ACME).notes(second).unwrap();
        let own = invoices.for_tenant(ACME).notes(first).unwrap();

        assert_eq!(peeked, Vec::<String>::new());
        assert_eq!(own, ["sent by post"]);
    }

    #[test]
    fn the_billing_report_counts_across_tenants_by_name() {
        let (invoices, _) = store();

        assert_eq!(invoices.count_across_all_tenants().unwrap(), 3);
    }
}
