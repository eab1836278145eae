//! # Anti-corruption layer: their model stops at the border
//!
//! Another system's model is shaped by its history, not by your rules:
//! field names from 1998, codes instead of words, numbers as text. Used
//! directly, it spreads through your code, and so does every one of its
//! quirks. An *anti-corruption layer* (ACL) is the adapter that translates
//! their model into yours, checks it on the way in, and is the only code
//! that knows theirs.
//!
//! ## The problem
//!
//! Before taking an order on credit, the ordering service asks the sales
//! team's old CRM about the customer. The CRM answers JSON like
//! `{"CUST_NO": "00042", "STAT": "A", "CRED_LIM": "1500.00", ...}`, and its
//! record type was used all over the ordering code: `stat == "A"` in three
//! places, `cred_lim.parse::<f64>()` in two. Then the CRM added a status
//! `"H"` (on hold). Two of the three places read "not closed" as active,
//! and customers on hold went on ordering for a week.
//!
//! The domain is clean now: `Customer`, `AccountStatus`, `Cents`, a
//! `CustomerDirectory` port and the `CreditCheck` that uses it. What is
//! missing is the layer between it and `mod crm`.
//!
//! ## Your task
//!
//! In `mod acl`:
//!
//! 1. `translate(&CustomerRecord) -> Result<Customer, TranslationError>`:
//!    - `CUST_NO` is digits only (`"00042"` is `CustomerId(42)`);
//!    - `NAME` is trimmed, and must not be blank;
//!    - `STAT`: `"A"` active, `"H"` on hold, `"C"` closed; any other code
//!      is `TranslationError::UnknownStatus(code)`, never a default;
//!    - `CRED_LIM` is euros with up to two decimals (`"1500.00"`, `"19.9"`,
//!      `"7"`), to be read exactly as `Cents`; empty means `Cents(0)`
//!      (cash-only customers);
//!    - `OVERDUE_FLG` is `"Y"` or `"N"`;
//!    - every other bad field is `TranslationError::BadField` with the CRM's
//!      field name and the value as it came.
//! 2. `impl CustomerDirectory for CrmDirectory`: ask the CRM for the
//!    five-digit, zero-padded number; `NotFound` means no such customer
//!    (`Ok(None)`); a timeout or a 5xx is `DirectoryError::Unavailable`;
//!    a body that does not parse or translate is `DirectoryError::Invalid`
//!    with the reason. Go through `translate`: one translator, one place.
//!
//! Architecture checks: `mod domain` never names the CRM, its record, or
//! JSON; the directory translates through `translate`.
//!
//! ## When not to use it
//!
//! When the other model is already yours in all but name (a service your
//! team owns, sharing your vocabulary), a translation layer copies fields
//! for nothing: use its types, and share them through a crate. The layer
//! pays when the other side is legacy, a vendor, or simply another team
//! whose model changes on its own schedule.

use serde::{Deserialize, Serialize};

/// The CRM's client, as its vendor ships it. (Given; do not change.)
mod crm {
    use super::{Deserialize, Serialize};
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::Rc;

    /// A customer as the CRM's JSON API returns it: every field a string.
    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    pub struct CustomerRecord {
        /// Five digits, zero-padded: `"00042"`.
        pub cust_no: String,
        pub name: String,
        /// `"A"` active, `"H"` on hold, `"C"` closed. (So far.)
        pub stat: String,
        /// A decimal amount in euros, `"1500.00"`; empty for cash-only.
        pub cred_lim: String,
        /// `"Y"` or `"N"`.
        pub overdue_flg: String,
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum CrmError {
        NotFound,
        Timeout,
        /// A 5xx status.
        Server(u16),
    }

    /// The HTTP client, with canned answers so that tests run offline.
    /// Clones share their state, like the clones of `reqwest::Client`.
    #[derive(Debug, Clone, Default)]
    pub struct CrmClient {
        answers: Rc<RefCell<HashMap<String, Result<String, CrmError>>>>,
        requests: Rc<RefCell<Vec<String>>>,
    }

    impl CrmClient {
        /// `GET /customers/{cust_no}`: the response body, or why there is none.
        pub fn get_customer(&self, cust_no: &str) -> Result<String, CrmError> {
            self.requests.borrow_mut().push(cust_no.to_string());
            let answers = self.answers.borrow();
            answers
                .get(cust_no)
                .cloned()
                .unwrap_or(Err(CrmError::NotFound))
        }

        /// Sets what the CRM answers for `cust_no`.
        pub fn answer(&self, cust_no: &str, answer: Result<String, CrmError>) {
            self.answers
                .borrow_mut()
                .insert(cust_no.to_string(), answer);
        }

        /// The customer numbers asked for so far.
        pub fn requests(&self) -> Vec<String> {
            self.requests.borrow().clone()
        }
    }
}

// ---- Our side: the domain (given) ---------------------------------------------

mod domain {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct CustomerId(pub u32);

    /// Money in euro cents: exact, never a float.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    pub struct Cents(pub u64);

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum AccountStatus {
        Active,
        OnHold,
        Closed,
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Customer {
        pub id: CustomerId,
        pub name: String,
        pub status: AccountStatus,
        pub credit_limit: Cents,
        pub overdue: bool,
    }

    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum DirectoryError {
        #[error("the customer directory cannot be reached")]
        Unavailable,
        #[error("the customer directory sent something we cannot use: {0}")]
        Invalid(String),
    }

    /// The port: customers as the domain needs them.
    pub trait CustomerDirectory {
        fn customer(&self, id: CustomerId) -> Result<Option<Customer>, DirectoryError>;
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Refusal {
        UnknownCustomer,
        OnHold,
        Closed,
        Overdue,
        OverLimit { limit: Cents },
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Decision {
        Approved,
        Refused(Refusal),
    }

    /// May this customer order this much on credit?
    pub struct CreditCheck<D> {
        directory: D,
    }

    impl<D: CustomerDirectory> CreditCheck<D> {
        pub fn new(directory: D) -> Self {
            Self { directory }
        }

        pub fn decide(&self, id: CustomerId, total: Cents) -> Result<Decision, DirectoryError> {
            let Some(customer) = self.directory.customer(id)? else {
                return Ok(Decision::Refused(Refusal::UnknownCustomer));
            };
            let refusal = match customer.status {
                AccountStatus::OnHold => Some(Refusal::OnHold),
                AccountStatus::Closed => Some(Refusal::Closed),
                AccountStatus::Active if customer.overdue => Some(Refusal::Overdue),
                AccountStatus::Active if total > customer.credit_limit => {
                    Some(Refusal::OverLimit {
                        limit: customer.credit_limit,
                    })
                }
                AccountStatus::Active => None,
            };
            Ok(refusal.map_or(Decision::Approved, Decision::Refused))
        }
    }
}

// ---- The anti-corruption layer --------------------------------------------------

mod acl {
    use crate::crm::{CrmClient, CrmError, CustomerRecord};
    use crate::domain::{
        AccountStatus, Cents, Customer, CustomerDirectory, CustomerId, DirectoryError,
    };

    /// What can be wrong with a record. It names the CRM's fields, so it
    /// lives here, and leaves as a `DirectoryError`.
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum TranslationError {
        #[error("CRM field {field} holds {value:?}, which we cannot read")]
        BadField { field: &'static str, value: String },
        #[error("CRM status code {0:?} is not one we know")]
        UnknownStatus(String),
    }

    /// Their record to our customer: the one place that knows both.
    pub fn translate(record: &CustomerRecord) -> Result<Customer, TranslationError> {
        // TODO: check and translate every field (see the task). Small helpers
        // for the status and for the money keep this readable.
        todo!()
    }

    /// The `CustomerDirectory` port over the CRM.
    pub struct CrmDirectory {
        client: CrmClient,
    }

    impl CrmDirectory {
        pub fn new(client: CrmClient) -> Self {
            Self { client }
        }
    }

    impl CustomerDirectory for CrmDirectory {
        fn customer(&self, id: CustomerId) -> Result<Option<Customer>, DirectoryError> {
            // TODO: ask the CRM, parse its JSON into a CustomerRecord, and
            // translate it; map each CrmError to what it means here.
            todo!()
        }
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::acl::{CrmDirectory, TranslationError, translate};
    use super::crm::{CrmClient, CrmError, CustomerRecord};
    use super::domain::{
        AccountStatus, Cents, CreditCheck, Customer, CustomerDirectory, CustomerId, Decision,
        DirectoryError, Refusal,
    };

    fn record() -> CustomerRecord {
        CustomerRecord {
            cust_no: "00042".to_string(),
            name: "  Ada Lovelace ".to_string(),
            stat: "A".to_string(),
            cred_lim: "1500.00".to_string(),
            overdue_flg: "N".to_string(),
        }
    }

    fn ada() -> Customer {
        Customer {
            id: CustomerId(42),
            name: "Ada Lovelace".to_string(),
            status: AccountStatus::Active,
            credit_limit: Cents(150_000),
            overdue: false,
        }
    }

    fn bad(field: &'static str, value: &str) -> TranslationError {
        TranslationError::BadField {
            field,
            value: value.to_string(),
        }
    }

    // ---- translate: their record, our customer -------------------------------

    #[test]
    fn a_well_formed_record_becomes_a_customer() {
        assert_eq!(translate(&record()), Ok(ada()));
    }

    #[test]
    fn status_letters_become_statuses_and_an_unknown_one_is_refused() {
        for (code, status) in [
            ("A", AccountStatus::Active),
            ("H", AccountStatus::OnHold),
            ("C", AccountStatus::Closed),
        ] {
            let record = CustomerRecord {
                stat: code.to_string(),
                ..record()
            };
            assert_eq!(translate(&record).map(|c| c.status), Ok(status), "{code}");
        }

        for code in ["X", "a", ""] {
            let record = CustomerRecord {
                stat: code.to_string(),
                ..record()
            };
            assert_eq!(
                translate(&record),
                Err(TranslationError::UnknownStatus(code.to_string())),
                "an unknown code is an error, never a default"
            );
        }
    }

    #[test]
    fn credit_limits_become_exact_cents() {
        for (text, cents) in [
            ("1500.00", 150_000),
            ("0.29", 29),
            ("19.9", 1_990),
            ("7", 700),
            ("0.05", 5),
            ("", 0),
        ] {
            let record = CustomerRecord {
                cred_lim: text.to_string(),
                ..record()
            };
            assert_eq!(
                translate(&record).map(|c| c.credit_limit),
                Ok(Cents(cents)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_credit_limit_we_cannot_read_exactly_is_refused() {
        for text in ["-5", "+5", "1,500.00", "12.345", "12.", ".5", "abc", "1e3"] {
            let record = CustomerRecord {
                cred_lim: text.to_string(),
                ..record()
            };
            assert_eq!(translate(&record), Err(bad("CRED_LIM", text)), "{text:?}");
        }
        let record = CustomerRecord {
            cred_lim: "999999999999999999.00".to_string(),
            ..record()
        };
        assert_eq!(
            translate(&record),
            Err(bad("CRED_LIM", "999999999999999999.00")),
            "too many cents for a u64"
        );
    }

    #[test]
    fn numbers_names_and_flags_are_checked() {
        let cases = [
            (
                CustomerRecord {
                    cust_no: "42A".to_string(),
                    ..record()
                },
                bad("CUST_NO", "42A"),
            ),
            (
                CustomerRecord {
                    cust_no: "+0042".to_string(),
                    ..record()
                },
                bad("CUST_NO", "+0042"),
            ),
            (
                CustomerRecord {
                    name: "   ".to_string(),
                    ..record()
                },
                bad("NAME", "   "),
            ),
            (
                CustomerRecord {
                    overdue_flg: "yes".to_string(),
                    ..record()
                },
                bad("OVERDUE_FLG", "yes"),
            ),
        ];
        for (record, error) in cases {
            assert_eq!(translate(&record), Err(error));
        }

        let overdue = CustomerRecord {
            overdue_flg: "Y".to_string(),
            ..record()
        };
        assert_eq!(translate(&overdue).map(|c| c.overdue), Ok(true));
    }

    // ---- CrmDirectory: the port over their API ------------------------------

    fn directory_answering(answer: Result<String, CrmError>) -> CrmDirectory {
        let client = CrmClient::default();
        client.answer("00042", answer);
        CrmDirectory::new(client)
    }

    fn body(record: &CustomerRecord) -> String {
        serde_json::to_string(record).unwrap()
    }

    #[test]
    fn the_directory_asks_for_the_crms_customer_number() {
        let client = CrmClient::default();
        client.answer("00042", Ok(body(&record())));
        let directory = CrmDirectory::new(client);

        assert_eq!(directory.customer(CustomerId(42)), Ok(Some(ada())));
    }

    #[test]
    fn the_directory_pads_every_number_to_five_digits() {
        let client = CrmClient::default();
        let directory = CrmDirectory::new(client.clone());

        for id in [7, 42, 12345] {
            let _ = directory.customer(CustomerId(id));
        }

        assert_eq!(client.requests(), ["00007", "00042", "12345"]);
    }

    #[test]
    fn an_unknown_customer_is_none_and_an_outage_is_unavailable() {
        assert_eq!(
            directory_answering(Err(CrmError::NotFound)).customer(CustomerId(42)),
            Ok(None)
        );
        for error in [CrmError::Timeout, CrmError::Server(503)] {
            assert_eq!(
                directory_answering(Err(error)).customer(CustomerId(42)),
                Err(DirectoryError::Unavailable)
            );
        }
    }

    #[test]
    fn a_body_we_cannot_use_is_invalid_never_a_customer() {
        let unknown_status = CustomerRecord {
            stat: "Q".to_string(),
            ..record()
        };
        for body in [
            "<html>maintenance</html>".to_string(),
            r#"{"CUST_NO": "00042"}"#.to_string(),
            body(&unknown_status),
        ] {
            let answer = directory_answering(Ok(body.clone())).customer(CustomerId(42));
            assert!(
                matches!(answer, Err(DirectoryError::Invalid(_))),
                "{body}: {answer:?}"
            );
        }
    }

    #[test]
    fn the_credit_check_reads_the_crm_through_the_layer() {
        let client = CrmClient::default();
        let on_hold = CustomerRecord {
            cust_no: "00007".to_string(),
            stat: "H".to_string(),
            ..record()
        };
        let overdue = CustomerRecord {
            cust_no: "00008".to_string(),
            overdue_flg: "Y".to_string(),
            ..record()
        };
        let closed = CustomerRecord {
            cust_no: "00006".to_string(),
            stat: "C".to_string(),
            ..record()
        };
        client.answer("00042", Ok(body(&record())));
        client.answer("00007", Ok(body(&on_hold)));
        client.answer("00008", Ok(body(&overdue)));
        client.answer("00006", Ok(body(&closed)));
        let check = CreditCheck::new(CrmDirectory::new(client));

        let decide = |id, cents| check.decide(CustomerId(id), Cents(cents));
        assert_eq!(decide(42, 150_000), Ok(Decision::Approved), "at the limit");
        assert_eq!(
            decide(42, 150_001),
            Ok(Decision::Refused(Refusal::OverLimit {
                limit: Cents(150_000)
            }))
        );
        assert_eq!(decide(7, 1), Ok(Decision::Refused(Refusal::OnHold)));
        assert_eq!(decide(8, 1), Ok(Decision::Refused(Refusal::Overdue)));
        assert_eq!(decide(6, 1), Ok(Decision::Refused(Refusal::Closed)));
        assert_eq!(
            decide(9, 1),
            Ok(Decision::Refused(Refusal::UnknownCustomer))
        );
    }
}
