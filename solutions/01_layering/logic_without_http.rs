//! # Layering: business logic you can test without HTTP (solution)
//!
//! `pricing::quote` is a pure function: domain values in, a `Quote` or a
//! `QuoteError` out, nothing read from or written to the outside world. That
//! is what lets every boundary case be a one-line test, and the handler keep
//! only a couple of tests about translation.

/// The rules, with no HTTP, JSON or storage in sight.
///
/// The numbers of the rules are named constants: when marketing changes the
/// free-shipping threshold, the change is one line here, and the tests say
/// which cases moved.
mod pricing {
    const SHIPPING: u64 = 495;
    const FREE_SHIPPING_FROM: u64 = 5000;
    const GOLD_DISCOUNT_PERCENT: u64 = 10;
    const BULK_DISCOUNT_PERCENT: u64 = 5;
    const BULK_FROM_ITEMS: u64 = 10;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Tier {
        Regular,
        Gold,
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct OrderLine {
        pub sku: String,
        /// In cents.
        pub unit_price: u64,
        pub quantity: u32,
    }

    /// What the customer will pay, in cents.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Quote {
        pub subtotal: u64,
        pub discount: u64,
        pub shipping: u64,
        pub total: u64,
    }

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum QuoteError {
        EmptyOrder,
        ZeroQuantity {
            sku: String,
        },
        /// A total that does not fit in a `u64` of cents.
        AmountTooLarge,
    }

    /// Prices an order for a customer of `tier`.
    pub fn quote(tier: Tier, lines: &[OrderLine]) -> Result<Quote, QuoteError> {
        if lines.is_empty() {
            return Err(QuoteError::EmptyOrder);
        }
        if let Some(line) = lines.iter().find(|line| line.quantity == 0) {
            let sku = line.sku.clone();
            return Err(QuoteError::ZeroQuantity { sku });
        }

        // Checked: quantities come from the client, and `*` on `u64` panics
        // in a debug build and wraps to a tiny total in a release build.
        let mut subtotal: u64 = 0;
        for line in lines {
            let amount = line.unit_price.checked_mul(u64::from(line.quantity));
            subtotal = amount
                .and_then(|amount| subtotal.checked_add(amount))
                .ok_or(QuoteError::AmountTooLarge)?;
        }
        // Cannot overflow: at most `lines.len()` times `u32::MAX`.
        let items: u64 = lines.iter().map(|line| u64::from(line.quantity)).sum();

        // Each discount is worked out on its own and the best one wins:
        // "do not add up" is easiest to read, and to change, written as `max`.
        let tier_percent = match tier {
            Tier::Gold => GOLD_DISCOUNT_PERCENT,
            Tier::Regular => 0,
        };
        let bulk_percent = if items >= BULK_FROM_ITEMS {
            BULK_DISCOUNT_PERCENT
        } else {
            0
        };
        let discount = percent_of(subtotal, tier_percent.max(bulk_percent))
            .ok_or(QuoteError::AmountTooLarge)?;

        // Cannot underflow: a discount is at most 100% of the subtotal.
        let discounted = subtotal - discount;
        let shipping = if discounted >= FREE_SHIPPING_FROM {
            0
        } else {
            SHIPPING
        };
        Ok(Quote {
            subtotal,
            discount,
            shipping,
            // Cannot overflow: shipping is only charged below 5000.
            total: discounted + shipping,
        })
    }

    /// `percent`% of `amount`, rounded down to the cent. Integer division
    /// rounds down by itself and is exact. `f64` cannot hold most decimal
    /// amounts (`0.29 * 100.0` is `28.999999999999996`), so a float discount
    /// is off by a cent now and then, and money must not be.
    fn percent_of(amount: u64, percent: u64) -> Option<u64> {
        Some(amount.checked_mul(percent)? / 100)
    }
}

// ---- The HTTP side: translation only (do not change) ----------------------

use std::collections::HashMap;

use pricing::{OrderLine, QuoteError, Tier};
use serde::Deserialize;
use serde_json::json;

/// What the client sends: which products, how many. Never a price or a
/// tier: a client that could send those could give itself a discount.
#[derive(Deserialize)]
struct QuoteRequest {
    lines: Vec<LineRequest>,
}

#[derive(Deserialize)]
struct LineRequest {
    sku: String,
    quantity: u32,
}

/// The shop's prices in cents, by SKU. (A repository in a real service.)
type Catalog = HashMap<String, u64>;

/// `POST /quote`: returns the status and the JSON body.
///
/// `tier` comes from the authenticated account (the session), the prices
/// from the catalog; the body only says what to price.
fn quote_handler(catalog: &Catalog, tier: Tier, body: &str) -> (u16, String) {
    let request = match serde_json::from_str::<QuoteRequest>(body) {
        Ok(request) => request,
        Err(error) if error.is_data() => {
            return (422, json!({ "error": "invalid_body" }).to_string());
        }
        Err(_) => return (400, json!({ "error": "invalid_json" }).to_string()),
    };
    let mut lines = Vec::new();
    for line in request.lines {
        let Some(&unit_price) = catalog.get(&line.sku) else {
            let body = json!({ "error": "unknown_sku", "sku": line.sku });
            return (422, body.to_string());
        };
        lines.push(OrderLine {
            sku: line.sku,
            unit_price,
            quantity: line.quantity,
        });
    }

    match pricing::quote(tier, &lines) {
        Ok(quote) => {
            let body = json!({
                "subtotal": quote.subtotal,
                "discount": quote.discount,
                "shipping": quote.shipping,
                "total": quote.total,
            });
            (200, body.to_string())
        }
        Err(QuoteError::EmptyOrder) => (422, json!({ "error": "empty_order" }).to_string()),
        Err(QuoteError::ZeroQuantity { sku }) => {
            let body = json!({ "error": "zero_quantity", "sku": sku });
            (422, body.to_string())
        }
        Err(QuoteError::AmountTooLarge) => {
            (422, json!({ "error": "amount_too_large" }).to_string())
        }
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::pricing::{OrderLine, Quote, QuoteError, Tier, quote};

    fn line(sku: &str, unit_price: u64, quantity: u32) -> OrderLine {
        OrderLine {
            sku: sku.to_string(),
            unit_price,
            quantity,
        }
    }

    // The rules: one function call per case, no HTTP.

    #[test]
    fn a_small_regular_order_pays_shipping_and_gets_no_discount() {
        let lines = [line("MUG", 1250, 2), line("TEA", 899, 1)];

        let expected = Quote {
            subtotal: 3399,
            discount: 0,
            shipping: 495,
            total: 3894,
        };
        assert_eq!(quote(Tier::Regular, &lines), Ok(expected));
    }

    #[test]
    fn gold_customers_get_ten_percent_rounded_down_to_the_cent() {
        let lines = [line("BOOK", 1999, 1)];

        let result = quote(Tier::Gold, &lines).unwrap();

        assert_eq!(result.discount, 199, "10% of 19.99 is 1.999, rounded down");
        assert_eq!(result.total, 1999 - 199 + 495);
    }

    #[test]
    fn ten_items_in_total_get_five_percent() {
        let lines = [line("PEN", 100, 6), line("PAD", 250, 4)];

        let result = quote(Tier::Regular, &lines).unwrap();

        assert_eq!(result.subtotal, 1600);
        assert_eq!(result.discount, 80);
    }

    #[test]
    fn nine_items_are_not_a_bulk_order() {
        let lines = [line("PEN", 100, 9)];

        assert_eq!(quote(Tier::Regular, &lines).unwrap().discount, 0);
    }

    #[test]
    fn a_gold_bulk_order_gets_the_larger_discount_not_both() {
        let lines = [line("PEN", 1000, 10)];

        let result = quote(Tier::Gold, &lines).unwrap();

        assert_eq!(result.discount, 1000, "10% of 100.00, not 15%");
    }

    #[test]
    fn shipping_is_free_from_exactly_fifty_after_the_discount() {
        let exactly_fifty = [line("LAMP", 5000, 1)];
        let one_cent_less = [line("LAMP", 4999, 1)];

        assert_eq!(quote(Tier::Regular, &exactly_fifty).unwrap().shipping, 0);
        assert_eq!(quote(Tier::Regular, &one_cent_less).unwrap().shipping, 495);
    }

    #[test]
    fn the_free_shipping_threshold_looks_at_the_discounted_amount() {
        // 54.00 before the discount, 48.60 after it: below 50.00.
        let lines = [line("LAMP", 5400, 1)];

        let result = quote(Tier::Gold, &lines).unwrap();

        let expected = Quote {
            subtotal: 5400,
            discount: 540,
            shipping: 495,
            total: 5355,
        };
        assert_eq!(result, expected);
    }

    #[test]
    fn an_order_without_lines_cannot_be_priced() {
        assert_eq!(quote(Tier::Gold, &[]), Err(QuoteError::EmptyOrder));
    }

    #[test]
    fn a_line_with_quantity_zero_is_refused_by_its_sku() {
        let lines = [line("MUG", 1250, 1), line("TEA", 899, 0)];

        let expected = QuoteError::ZeroQuantity {
            sku: "TEA".to_string(),
        };
        assert_eq!(quote(Tier::Regular, &lines), Err(expected));
    }

    #[test]
    fn an_amount_too_large_for_u64_is_an_error_not_a_wrapped_total() {
        let one_line = [line("GOLD_BAR", u64::MAX / 2, 3)];
        let two_lines = [
            line("GOLD_BAR", u64::MAX / 2, 1),
            line("GOLD_BAR", u64::MAX / 2, 2),
        ];

        assert_eq!(
            quote(Tier::Regular, &one_line),
            Err(QuoteError::AmountTooLarge)
        );
        assert_eq!(
            quote(Tier::Regular, &two_lines),
            Err(QuoteError::AmountTooLarge)
        );
    }

    #[test]
    fn the_largest_amounts_that_fit_are_still_priced() {
        // The discount multiplies by 10 before dividing: that must not
        // overflow for any amount that is accepted.
        let gold = quote(Tier::Gold, &[line("GOLD_BAR", u64::MAX / 10, 1)]).unwrap();
        let max = [
            line("GOLD_BAR", u64::MAX / 2, 1),
            line("GOLD_BAR", u64::MAX / 2 + 1, 1),
        ];

        assert_eq!(gold.discount, u64::MAX / 100);
        assert_eq!(quote(Tier::Regular, &max).unwrap().total, u64::MAX);
        assert_eq!(
            quote(Tier::Gold, &[line("GOLD_BAR", u64::MAX / 10 + 1, 1)]),
            Err(QuoteError::AmountTooLarge),
            "10% of this amount cannot be computed as amount * 10 / 100"
        );
    }

    // The handler: a few tests of the translation, not of the rules.

    fn catalog() -> super::Catalog {
        [("LAMP".to_string(), 5400), ("MUG".to_string(), 1250)].into()
    }

    #[test]
    fn the_handler_prices_from_the_catalog_for_the_signed_in_tier() {
        let body = r#"{"lines": [{"sku": "LAMP", "quantity": 1}]}"#;

        let (status, json) = super::quote_handler(&catalog(), Tier::Gold, body);

        assert_eq!(status, 200);
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(json["total"], 5355);
    }

    #[test]
    fn the_handler_answers_422_to_a_rule_violation() {
        let (status, json) = super::quote_handler(&catalog(), Tier::Regular, r#"{"lines": []}"#);

        assert_eq!(status, 422);
        assert!(json.contains("empty_order"), "body: {json}");
    }

    #[test]
    fn the_handler_answers_400_to_broken_json_and_422_to_the_wrong_shape() {
        let (broken, _) = super::quote_handler(&catalog(), Tier::Regular, r#"{"lines": ["#);
        let (shape, _) = super::quote_handler(&catalog(), Tier::Regular, r#"{"lines": 3}"#);
        let (unknown, body) = super::quote_handler(
            &catalog(),
            Tier::Regular,
            r#"{"lines": [{"sku": "SOFA", "quantity": 1}]}"#,
        );

        assert_eq!((broken, shape), (400, 422));
        assert_eq!(unknown, 422);
        assert!(body.contains("unknown_sku"), "body: {body}");
    }
}
