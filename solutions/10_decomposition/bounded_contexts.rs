//! # Bounded contexts with an explicit interface (solution)
//!
//! Billing keeps its invoices, its ledger entries and its rule of what
//! "paid" means to itself (private items), and publishes one question and
//! its answer: `Billing::payment_status` and `PaymentStatus`. Shipping asks
//! that question and decides in its own words. When billing adds a kind of
//! entry, the rule changes in one place, and shipping does not notice.

use std::collections::BTreeMap;

/// The shared kernel: the one identity both contexts agree on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct OrderNumber(u32);

// ---- Billing --------------------------------------------------------------------

mod billing {
    use super::{BTreeMap, OrderNumber};

    // The published language: what billing says to other contexts. Public,
    // documented, and changed with care, like an HTTP API.

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

    // The internals: private, so the compiler keeps other contexts out. Billing
    // may reshape them (a new kind of entry, another table) without asking.

    /// One line of an invoice's ledger, in cents.
    #[derive(Debug, Clone, Copy)]
    enum Entry {
        Payment(u64),
        /// A voucher or goodwill credit: settles like a payment.
        CreditNote(u64),
        Refund,
    }

    #[derive(Debug)]
    struct Invoice {
        total: u64,
        entries: Vec<Entry>,
    }

    impl Invoice {
        /// Billing's rule of "paid", in the only place it is written.
        fn status(&self) -> PaymentStatus {
            let mut settled: u64 = 0;
            for entry in &self.entries {
                match entry {
                    Entry::Payment(cents) | Entry::CreditNote(cents) => settled += cents,
                    Entry::Refund => return PaymentStatus::Refunded,
                }
            }
            match self.total.checked_sub(settled) {
                Some(due) if due > 0 => PaymentStatus::Outstanding { due },
                _ => PaymentStatus::Paid,
            }
        }
    }

    #[derive(Debug, Default)]
    pub struct Billing {
        invoices: BTreeMap<OrderNumber, Invoice>,
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

        /// The interface other contexts use: a question, answered in
        /// billing's published language, computed from private state.
        pub fn payment_status(&self, order: OrderNumber) -> PaymentStatus {
            self.invoices
                .get(&order)
                .map_or(PaymentStatus::NoInvoice, Invoice::status)
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
    use super::billing::{Billing, PaymentStatus};

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
            // Shipping asks billing's question and translates the answer
            // into its own decision. It does not know, and must not know,
            // how billing arrives at it: that is how the copy of the rule
            // that ignored credit notes and refunds came about.
            match billing.payment_status(order) {
                PaymentStatus::Paid => {}
                PaymentStatus::NoInvoice | PaymentStatus::Outstanding { .. } => {
                    return Err(DispatchError::AwaitingPayment(order));
                }
                PaymentStatus::Refunded => return Err(DispatchError::Cancelled(order)),
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
