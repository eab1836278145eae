//! # Unit of work: all or nothing across two repositories (solution)
//!
//! The operation talks to the unit of work, never to the store: reads see
//! the unit's own changes, writes are staged and checked, and only `commit`
//! touches the store. Every early return (`?`) drops the unit, which is the
//! rollback.

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
    /// Read your own writes: without this, a second step of the same
    /// operation would compute from a stale balance and overwrite the first.
    fn balance(&self, id: AccountId) -> Option<u64> {
        let staged = self.balances.get(&id).copied();
        staged.or_else(|| self.store.balance(id))
    }

    /// Checked now, written at commit: the caller learns about an unknown
    /// account at the step that caused it, as with a SQL statement inside a
    /// transaction, and nothing is written yet.
    fn set_balance(&mut self, id: AccountId, balance: u64) -> Result<(), StoreError> {
        if self.store.balance(id).is_none() {
            return Err(StoreError::UnknownAccount(id));
        }
        self.balances.insert(id, balance);
        Ok(())
    }

    /// The unique index must hold for the store *after* commit, so a staged
    /// entry counts as much as a stored one.
    fn append(&mut self, entry: Transfer) -> Result<(), StoreError> {
        let staged = self.entries.iter().any(|staged| staged.id == entry.id);
        if staged || self.store.has_transfer(entry.id) {
            return Err(StoreError::DuplicateTransfer(entry.id));
        }
        self.entries.push(entry);
        Ok(())
    }

    /// `COMMIT`: write every staged change into the store.
    ///
    /// Every change was checked when it was staged, and nobody else can write
    /// to the store while this unit holds `&mut Store`, so nothing here can
    /// fail. That is why it writes the tables directly instead of through the
    /// fallible one-statement methods: a commit that could stop halfway would
    /// bring back the problem it exists to solve.
    fn commit(self) {
        self.store.balances.extend(self.balances);
        self.store.ledger.extend(self.entries);
    }
}

// ---- The operation -----------------------------------------------------------

/// Moves `t.amount` from `t.from` to `t.to` and records it in the ledger:
/// all of it, or, on any error, none of it.
///
/// The same steps as a direct-write version, in the same order, only against
/// `uow`. Each `?` returns early and drops `uow` uncommitted, which discards
/// the changes staged so far; there is no cleanup code to forget.
/// Moves `t.amount` from `t.from` to `t.to` and records it, all or nothing.
///
/// Read-compute-write is safe here only because `&mut Store` rules out a
/// concurrent transfer. In SQL, under READ COMMITTED, the same shape loses
/// updates: decrement in the `UPDATE` itself (`balance = balance - $1 WHERE
/// balance >= $1`) or lock the rows (`FOR UPDATE`, in id order).
fn transfer(store: &mut Store, t: Transfer) -> Result<(), TransferError> {
    let mut uow = store.begin();

    let from_balance = uow
        .balance(t.from)
        .ok_or(StoreError::UnknownAccount(t.from))?;
    if from_balance < t.amount {
        return Err(TransferError::InsufficientFunds {
            account: t.from,
            balance: from_balance,
            needed: t.amount,
        });
    }
    uow.set_balance(t.from, from_balance - t.amount)?;

    // Read through the unit, so a transfer to oneself sees the debit above.
    let to_balance = uow.balance(t.to).ok_or(StoreError::UnknownAccount(t.to))?;
    uow.set_balance(t.to, to_balance + t.amount)?;

    uow.append(t)?;
    uow.commit();
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
