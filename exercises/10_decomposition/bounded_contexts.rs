//! # Bounded contexts with an explicit interface
//!
//! A *bounded context* is a part of the system with its own model and its
//! own meaning for words: "paid" in billing is a sum over a ledger; in
//! shipping it is only a yes or no before a parcel leaves. Contexts talk
//! through an explicit interface (a few public functions and types, the
//! *published language*); each keeps its internals to itself, so it can
//! change them without a meeting.
//!
//! ## The problem
//!
//! A web shop's billing and shipping live in one service, as modules.
//! Everything in billing was `pub`, and shipping used it: it read the
//! invoices and added up the payments itself to decide whether a parcel
//! could leave. Then billing added credit notes (vouchers) and refunds.
//! Shipping's copy of the rule knew neither: customers who paid with a
//! voucher waited forever, and refunded orders were shipped anyway.
//!
//! ## Your task
//!
//! 1. In `mod billing`, write `Billing::payment_status`, billing's answer
//!    to "is this order paid?", in its published language `PaymentStatus`:
//!    `NoInvoice` without an invoice; `Refunded` once a refund is recorded,
//!    whatever was paid; `Paid` when payments and credit notes together
//!    cover the total (or more); otherwise `Outstanding { due }`.
//! 2. Make billing's internals private: `Invoice`, `Entry` and the fields
//!    of `Billing` and `Invoice`. The interface is what stays `pub`:
//!    `Billing` and its methods, `PaymentStatus`, `BillingError`.
//! 3. Rewrite `Shipping::dispatch` to ask `billing.payment_status(order)`
//!    and decide in shipping's words: `Paid` ships; no invoice or money
//!    outstanding is `AwaitingPayment`; a refund is `Cancelled`.
//!
//! Step 2 turns the compiler into the first guard: shipping cannot read
//! what billing does not export. Architecture checks are the second:
//! nothing outside billing names its `Invoice` or `Entry` or calls into
//! them (not shipping, not a helper beside it), `dispatch` must ask
//! `payment_status`, and `mod billing` must not know about shipping at all.
//!
//! ## When not to use it
//!
//! Drawing context lines inside a small service with one team and one
//! model is ceremony: the boundary is worth it where the words really mean
//! different things, or different teams change the parts. And a line drawn
//! in the wrong place costs more than none: if two contexts call each other
//! for every request, they are one context.

use std::collections::BTreeMap;

/// The shared kernel: the one identity both contexts agree on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct OrderNumber(u32);

// ---- Billing --------------------------------------------------------------------

mod billing {
    use super::{BTreeMap, OrderNumber};

    // The published language: what billing says to other contexts.

    /// Where an order stands with billing.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum PaymentStatus {
        NoInvoice,
        /// Cents still to be paid.
        Outstanding {
            due: u64,
        },
        Paid,
        /// The money went back to the customer: the sale is off.
        Refunded,
    }

    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum BillingError {
        #[error("order {0:?} has no invoice")]
        NoInvoice(OrderNumber),
    }

    // TODO: everything from here to `impl Billing` is billing's internals.
    // Nothing outside billing should see it.

    /// One line of an invoice's ledger, in cents.
    #[derive(Debug, Clone, Copy)]
    pub enum Entry {
        Payment(u64),
        /// A voucher or goodwill credit: settles like a payment.
        CreditNote(u64),
        Refund,
    }

    #[derive(Debug)]
    pub struct Invoice {
        pub total: u64,
        pub entries: Vec<Entry>,
    }

    #[derive(Debug, Default)]
    pub struct Billing {
        pub invoices: BTreeMap<OrderNumber, Invoice>,
    }

    impl Billing {
        pub fn issue_invoice(&mut self, order: OrderNumber, total: u64) {
            let invoice = Invoice {
                total,
                entries: Vec::new(),
            };
            self.invoices.insert(order, invoice);
        }

        pub fn pay(&mut self, order: OrderNumber, cents: u64) -> Result<(), BillingError> {
            self.append(order, Entry::Payment(cents))
        }

        pub fn credit(&mut self, order: OrderNumber, cents: u64) -> Result<(), BillingError> {
            self.append(order, Entry::CreditNote(cents))
        }

        /// Gives all the money back.
        pub fn refund(&mut self, order: OrderNumber) -> Result<(), BillingError> {
            self.append(order, Entry::Refund)
        }

        /// Billing's answer to "is this order paid?".
        pub fn payment_status(&self, order: OrderNumber) -> PaymentStatus {
            // TODO: billing's rule of "paid", in billing (see the task).
            todo!()
        }

        fn append(&mut self, order: OrderNumber, entry: Entry) -> Result<(), BillingError> {
            let invoice = self
                .invoices
                .get_mut(&order)
                .ok_or(BillingError::NoInvoice(order))?;
            invoice.entries.push(entry);
            Ok(())
        }
    }
}

// ---- Shipping -------------------------------------------------------------------

mod shipping {
    use super::OrderNumber;
    use super::billing::{self, Billing};

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Shipment {
        pub order: OrderNumber,
        pub address: String,
    }

    /// Shipping's own words for why a parcel does not leave.
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum DispatchError {
        #[error("order {0:?} is not paid yet")]
        AwaitingPayment(OrderNumber),
        #[error("order {0:?} was cancelled")]
        Cancelled(OrderNumber),
        #[error("order {0:?} has already left")]
        AlreadyDispatched(OrderNumber),
    }

    #[derive(Debug, Default)]
    pub struct Shipping {
        shipments: Vec<Shipment>,
    }

    impl Shipping {
        pub fn dispatch(
            &mut self,
            billing: &Billing,
            order: OrderNumber,
            address: &str,
        ) -> Result<Shipment, DispatchError> {
            if self.shipments.iter().any(|s| s.order == order) {
                return Err(DispatchError::AlreadyDispatched(order));
            }
            // TODO: ask billing's interface instead of reading its invoices.
            // This copy of billing's rule predates credit notes and refunds.
            let Some(invoice) = billing.invoices.get(&order) else {
                return Err(DispatchError::AwaitingPayment(order));
            };
            let mut paid = 0;
            for entry in &invoice.entries {
                if let billing::Entry::Payment(cents) = entry {
                    paid += cents;
                }
            }
            if paid < invoice.total {
                return Err(DispatchError::AwaitingPayment(order));
            }
            let shipment = Shipment {
                order,
                address: address.to_string(),
            };
            self.shipments.push(shipment.clone());
            Ok(shipment)
        }

        pub fn shipments(&self) -> &[Shipment] {
            &self.shipments
        }
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::OrderNumber;
    use super::billing::{Billing, BillingError, PaymentStatus};
    use super::shipping::{DispatchError, Shipment, Shipping};

    const ORDER: OrderNumber = OrderNumber(1001);
    const ADDRESS: &str = "12 Analytical Row, London";

    fn invoiced(total: u64) -> Billing {
        let mut billing = Billing::default();
        billing.issue_invoice(ORDER, total);
        billing
    }

    // ---- Billing's interface ------------------------------------------------

    #[test]
    fn an_order_without_an_invoice_has_no_invoice() {
        let billing = invoiced(5_000);

        assert_eq!(
            billing.payment_status(OrderNumber(7)),
            PaymentStatus::NoInvoice
        );
        assert_eq!(
            Billing::default().pay(ORDER, 100),
            Err(BillingError::NoInvoice(ORDER))
        );
    }

    #[test]
    fn an_invoice_is_outstanding_until_its_payments_cover_it() {
        let mut billing = invoiced(5_000);
        assert_eq!(
            billing.payment_status(ORDER),
            PaymentStatus::Outstanding { due: 5_000 }
        );

        billing.pay(ORDER, 3_000).unwrap();
        assert_eq!(
            billing.payment_status(ORDER),
            PaymentStatus::Outstanding { due: 2_000 }
        );

        billing.pay(ORDER, 1_999).unwrap();
        assert_eq!(
            billing.payment_status(ORDER),
            PaymentStatus::Outstanding { due: 1 }
        );

        billing.pay(ORDER, 1).unwrap();
        assert_eq!(billing.payment_status(ORDER), PaymentStatus::Paid);
    }

    #[test]
    fn an_overpaid_invoice_is_paid() {
        let mut billing = invoiced(5_000);

        billing.pay(ORDER, 6_000).unwrap();

        assert_eq!(billing.payment_status(ORDER), PaymentStatus::Paid);
    }

    #[test]
    fn a_credit_note_settles_like_a_payment() {
        let mut billing = invoiced(5_000);

        billing.pay(ORDER, 3_500).unwrap();
        billing.credit(ORDER, 1_500).unwrap();

        assert_eq!(billing.payment_status(ORDER), PaymentStatus::Paid);
    }

    #[test]
    fn a_refund_calls_the_sale_off_whatever_was_paid() {
        let mut billing = invoiced(5_000);
        billing.pay(ORDER, 5_000).unwrap();

        billing.refund(ORDER).unwrap();

        assert_eq!(billing.payment_status(ORDER), PaymentStatus::Refunded);
    }

    // ---- Shipping, through that interface -----------------------------------

    #[test]
    fn a_paid_order_is_dispatched_once() {
        let mut billing = invoiced(5_000);
        billing.pay(ORDER, 5_000).unwrap();
        let mut shipping = Shipping::default();

        let shipment = shipping.dispatch(&billing, ORDER, ADDRESS);

        let expected = Shipment {
            order: ORDER,
            address: ADDRESS.to_string(),
        };
        assert_eq!(shipment, Ok(expected.clone()));
        assert_eq!(
            shipping.dispatch(&billing, ORDER, ADDRESS),
            Err(DispatchError::AlreadyDispatched(ORDER))
        );
        assert_eq!(shipping.shipments(), [expected]);
    }

    #[test]
    fn an_unpaid_order_waits_for_its_payment() {
        let mut billing = invoiced(5_000);
        billing.pay(ORDER, 4_999).unwrap();
        let mut shipping = Shipping::default();

        assert_eq!(
            shipping.dispatch(&billing, ORDER, ADDRESS),
            Err(DispatchError::AwaitingPayment(ORDER))
        );
        assert_eq!(
            shipping.dispatch(&billing, OrderNumber(7), ADDRESS),
            Err(DispatchError::AwaitingPayment(OrderNumber(7))),
            "no invoice yet: nothing is paid"
        );
        assert!(shipping.shipments().is_empty());
    }

    #[test]
    fn an_order_settled_with_a_credit_note_is_dispatched() {
        let mut billing = invoiced(5_000);
        billing.pay(ORDER, 3_500).unwrap();
        billing.credit(ORDER, 1_500).unwrap();
        let mut shipping = Shipping::default();

        assert!(shipping.dispatch(&billing, ORDER, ADDRESS).is_ok());
    }

    #[test]
    fn a_refunded_order_is_cancelled_not_dispatched() {
        let mut billing = invoiced(5_000);
        billing.pay(ORDER, 5_000).unwrap();
        billing.refund(ORDER).unwrap();
        let mut shipping = Shipping::default();

        assert_eq!(
            shipping.dispatch(&billing, ORDER, ADDRESS),
            Err(DispatchError::Cancelled(ORDER))
        );
        assert!(shipping.shipments().is_empty());
    }
}
