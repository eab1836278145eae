//! # Unit of work: all or nothing across two repositories
//!
//! A **unit of work** collects the changes of one business operation and
//! writes them together when you commit, or not at all. With a database it
//! wraps a transaction (`BEGIN` ... `COMMIT`). What both give you is
//! *atomicity*: other code never sees half of an operation. What neither
//! gives you by itself is *isolation* from a concurrent operation: see "In a
//! real database" below.
//!
//! ## The problem
//!
//! A transfer of credits touches two tables: the balances of two accounts,
//! and the ledger, which records every transfer once under the client's
//! transfer id. `transfer` writes each change as soon as it has worked it
//! out. A mobile client retried a transfer after a timeout. The ledger
//! refused the known transfer id, as it should, but the balances had already
//! been moved a second time. Money moved without a ledger entry, and the
//! books no longer add up. A transfer to a closed account did the same to the
//! sender: debited, then failed.
//!
//! ```text
//!  direct writes:   debit A ✓   credit B ✓   ledger ✗   -> A and B changed, no entry
//!  unit of work:    stage debit, stage credit, stage entry ✗   -> nothing written
//! ```
//!
//! ## Your task
//!
//! `UnitOfWork` stages changes against a `Store` and writes nothing until
//! `commit`:
//!
//! 1. `balance`: a staged balance if there is one, else the stored one, so
//!    code inside the unit sees its own changes.
//! 2. `set_balance`: stage it; an account the store does not have is
//!    `StoreError::UnknownAccount`.
//! 3. `append`: stage a ledger entry; a transfer id already stored *or
//!    already staged* is `StoreError::DuplicateTransfer`.
//! 4. `commit`: write everything staged into the store. Dropping the unit
//!    without committing discards it, like a transaction that is rolled back.
//! 5. Rewrite `transfer` to do its reads and writes through `store.begin()`
//!    and commit only at the end, so any error on the way leaves the store
//!    untouched.
//!
//! Staged changes are checked when they are staged, the way a database
//! checks constraints statement by statement. So `commit` cannot fail here;
//! a real `COMMIT` can (a serialization failure, or a lost connection that
//! leaves you not knowing whether it happened), which is one more reason the
//! client's transfer id matters.
//!
//! A retry is recognised and refused: `DuplicateTransfer`, with no money
//! moved. That is the store's answer. An idempotent API turns it into the
//! *original* outcome for the client (the stored transfer, a 200), not an
//! error the app would show its user.
//!
//! ## In a real database
//!
//! `&mut Store` makes this exercise single-threaded, and that is what keeps
//! its read-compute-write `transfer` correct. Ported to Postgres inside
//! `BEGIN ... COMMIT` at the default READ COMMITTED, two concurrent transfers
//! from Alice both read 100 and both write 70: one debit is lost, and the
//! balance check is bypassed. Two transfers A->B and B->A that lock rows in
//! opposite order deadlock. The usual fixes: let the database compute
//! (`UPDATE accounts SET balance = balance - $1 WHERE id = $2 AND balance >=
//! $1`, and check that one row changed), or `SELECT ... FOR UPDATE` both
//! rows in id order, or run at SERIALIZABLE and retry on a serialization
//! failure.
//!
//! ## When not to use it
//!
//! A single write is already atomic; wrapping it in a unit of work adds
//! nothing. And a unit of work can only span what one transaction spans: two
//! tables in one database, yes; your database and a payment provider, no.
//! Across systems you need a different pattern (an outbox, or a saga with
//! compensating steps).

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct AccountId(u32);

/// Chosen by the client, so that a retry can be recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct TransferId(u64);

/// A transfer request, and the ledger entry that records it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Transfer {
    id: TransferId,
    from: AccountId,
    to: AccountId,
    amount: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum StoreError {
    #[error("there is no account {0:?}")]
    UnknownAccount(AccountId),
    #[error("transfer {0:?} is already in the ledger")]
    DuplicateTransfer(TransferId),
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
enum TransferError {
    #[error("account {account:?} has {balance}, the transfer needs {needed}")]
    InsufficientFunds {
        account: AccountId,
        balance: u64,
        needed: u64,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

// ---- The database: two tables (do not change) -------------------------------

/// Account balances and the ledger. Each write method is one statement that
/// takes effect at once, like SQL outside a transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Store {
    balances: BTreeMap<AccountId, u64>,
    ledger: Vec<Transfer>,
}

impl Store {
    fn open_account(&mut self, id: AccountId, balance: u64) {
        self.balances.insert(id, balance);
    }

    fn balance(&self, id: AccountId) -> Option<u64> {
        self.balances.get(&id).copied()
    }

    fn has_transfer(&self, id: TransferId) -> bool {
        self.ledger.iter().any(|entry| entry.id == id)
    }

    /// `UPDATE accounts SET balance = ?2 WHERE id = ?1`
    fn set_balance(&mut self, id: AccountId, balance: u64) -> Result<(), StoreError> {
        let stored = self.balances.get_mut(&id);
        *stored.ok_or(StoreError::UnknownAccount(id))? = balance;
        Ok(())
    }

    /// `INSERT INTO ledger ...`, with a unique index on the transfer id.
    fn append(&mut self, entry: Transfer) -> Result<(), StoreError> {
        if self.has_transfer(entry.id) {
            return Err(StoreError::DuplicateTransfer(entry.id));
        }
        self.ledger.push(entry);
        Ok(())
    }

    /// `BEGIN`: a unit of work over this store.
    fn begin(&mut self) -> UnitOfWork<'_> {
        UnitOfWork {
            store: self,
            balances: BTreeMap::new(),
            entries: Vec::new(),
        }
    }
}

// ---- The unit of work --------------------------------------------------------

/// Changes staged against a `Store`: written together by `commit`, or, if it
/// is dropped first, not at all.
struct UnitOfWork<'s> {
    store: &'s mut Store,
    /// Staged new balances, by account.
    balances: BTreeMap<AccountId, u64>,
    /// Staged ledger entries, in order.
    entries: Vec<Transfer>,
}

impl UnitOfWork<'_> {
    /// The balance as this unit of work sees it.
    fn balance(&self, id: AccountId) -> Option<u64> {
        // TODO: the staged balance if any, else the stored one.
        todo!()
    }

    fn set_balance(&mut self, id: AccountId, balance: u64) -> Result<(), StoreError> {
        // TODO: refuse an unknown account; stage the balance. The store must
        // not change before `commit`.
        todo!()
    }

    fn append(&mut self, entry: Transfer) -> Result<(), StoreError> {
        // TODO: refuse a transfer id that is stored or staged; stage the entry.
        todo!()
    }

    /// `COMMIT`: write every staged change into the store.
    fn commit(self) {
        // TODO
        todo!()
    }
}

// ---- The operation -----------------------------------------------------------

/// Moves `t.amount` from `t.from` to `t.to` and records it in the ledger:
/// all of it, or, on any error, none of it.
// TODO: every write below takes effect at once, so an error halfway leaves
// the store half-changed. Do the reads and writes through a unit of work.
fn transfer(store: &mut Store, t: Transfer) -> Result<(), TransferError> {
    let from_balance = store
        .balance(t.from)
        .ok_or(StoreError::UnknownAccount(t.from))?;
    if from_balance < t.amount {
        return Err(TransferError::InsufficientFunds {
            account: t.from,
            balance: from_balance,
            needed: t.amount,
        });
    }
    store.set_balance(t.from, from_balance - t.amount)?;

    let to_balance = store
        .balance(t.to)
        .ok_or(StoreError::UnknownAccount(t.to))?;
    store.set_balance(t.to, to_balance + t.amount)?;

    store.append(t)?;
    Ok(())
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: AccountId = AccountId(1);
    const BOB: AccountId = AccountId(2);
    const CLOSED: AccountId = AccountId(99);

    fn store() -> Store {
        let mut store = Store::default();
        store.open_account(ALICE, 100);
        store.open_account(BOB, 20);
        store
    }

    fn payment(id: u64, from: AccountId, to: AccountId, amount: u64) -> Transfer {
        let id = TransferId(id);
        Transfer {
            id,
            from,
            to,
            amount,
        }
    }

    // ---- The unit of work on its own -----------------------------------

    #[test]
    fn a_unit_of_work_reads_its_own_staged_balances() {
        let mut store = store();
        let mut uow = store.begin();

        uow.set_balance(ALICE, 70).unwrap();

        assert_eq!(uow.balance(ALICE), Some(70));
        assert_eq!(uow.balance(BOB), Some(20), "unstaged: the stored balance");
        assert_eq!(uow.balance(CLOSED), None);
    }

    #[test]
    fn nothing_reaches_the_store_without_commit() {
        let mut store = store();
        let before = store.clone();

        let mut uow = store.begin();
        uow.set_balance(ALICE, 0).unwrap();
        uow.append(payment(1, ALICE, BOB, 100)).unwrap();
        drop(uow);

        assert_eq!(store, before, "a dropped unit of work is rolled back");
    }

    #[test]
    fn commit_writes_every_staged_change() {
        let mut store = store();

        let mut uow = store.begin();
        uow.set_balance(ALICE, 60).unwrap();
        uow.set_balance(BOB, 60).unwrap();
        uow.append(payment(1, ALICE, BOB, 40)).unwrap();
        uow.commit();

        assert_eq!(store.balance(ALICE), Some(60));
        assert_eq!(store.balance(BOB), Some(60));
        assert_eq!(store.ledger, vec![payment(1, ALICE, BOB, 40)]);
    }

    #[test]
    fn staging_a_balance_for_an_unknown_account_fails() {
        let mut store = store();
        let mut uow = store.begin();

        let result = uow.set_balance(CLOSED, 5);

        assert_eq!(result, Err(StoreError::UnknownAccount(CLOSED)));
        assert_eq!(uow.balance(CLOSED), None);
    }

    #[test]
    fn a_transfer_id_is_refused_if_stored_or_already_staged() {
        let mut store = store();
        store.append(payment(1, ALICE, BOB, 5)).unwrap();
        let mut uow = store.begin();

        let stored = uow.append(payment(1, ALICE, BOB, 5));
        uow.append(payment(2, ALICE, BOB, 5)).unwrap();
        let staged = uow.append(payment(2, BOB, ALICE, 5));

        assert_eq!(stored, Err(StoreError::DuplicateTransfer(TransferId(1))));
        assert_eq!(staged, Err(StoreError::DuplicateTransfer(TransferId(2))));
    }

    // ---- The transfer: all or nothing ----------------------------------

    #[test]
    fn a_transfer_moves_the_amount_and_records_it_once() {
        let mut store = store();

        transfer(&mut store, payment(7, ALICE, BOB, 30)).unwrap();

        assert_eq!(store.balance(ALICE), Some(70));
        assert_eq!(store.balance(BOB), Some(50));
        assert_eq!(store.ledger, vec![payment(7, ALICE, BOB, 30)]);
    }

    #[test]
    fn a_retried_transfer_fails_at_the_ledger_and_moves_no_money() {
        let mut store = store();
        transfer(&mut store, payment(7, ALICE, BOB, 30)).unwrap();
        let after_first = store.clone();

        let retry = transfer(&mut store, payment(7, ALICE, BOB, 30));

        let duplicate = StoreError::DuplicateTransfer(TransferId(7));
        assert_eq!(retry, Err(TransferError::Store(duplicate)));
        assert_eq!(store, after_first, "balances must not move a second time");
    }

    #[test]
    fn a_transfer_to_an_unknown_account_leaves_the_sender_untouched() {
        let mut store = store();
        let before = store.clone();

        let result = transfer(&mut store, payment(8, ALICE, CLOSED, 30));

        let unknown = StoreError::UnknownAccount(CLOSED);
        assert_eq!(result, Err(TransferError::Store(unknown)));
        assert_eq!(store, before, "Alice must keep her 100");
    }

    #[test]
    fn a_transfer_beyond_the_balance_changes_nothing() {
        let mut store = store();
        let before = store.clone();

        let result = transfer(&mut store, payment(9, BOB, ALICE, 21));

        let expected = TransferError::InsufficientFunds {
            account: BOB,
            balance: 20,
            needed: 21,
        };
        assert_eq!(result, Err(expected));
        assert_eq!(store, before);
    }

    #[test]
    fn the_whole_balance_may_be_sent_and_a_transfer_to_oneself_changes_nothing() {
        let mut store = store();

        transfer(&mut store, payment(10, BOB, ALICE, 20)).unwrap();
        transfer(&mut store, payment(11, ALICE, ALICE, 50)).unwrap();

        assert_eq!(store.balance(BOB), Some(0), "exactly the balance is enough");
        assert_eq!(
            store.balance(ALICE),
            Some(120),
            "a transfer to oneself reads its own debit"
        );
        assert_eq!(store.ledger.len(), 2);
    }

    #[test]
    fn the_stores_own_writes_check_the_account() {
        let mut store = store();

        assert_eq!(
            store.set_balance(CLOSED, 5),
            Err(StoreError::UnknownAccount(CLOSED))
        );
        assert_eq!(store.set_balance(BOB, 5), Ok(()));
        assert_eq!(store.balance(BOB), Some(5));
    }
}
