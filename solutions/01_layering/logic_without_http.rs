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
        ZeroQuantity { sku: String },
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

        let subtotal: u64 = lines
            .iter()
            .map(|line| line.unit_price * u64::from(line.quantity))
            .sum();
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
        let discount = percent_of(subtotal, tier_percent.max(bulk_percent));

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
            total: discounted + shipping,
        })
    }

    /// `percent`% of `amount`, rounded down to the cent. Integer division
    /// rounds down by itself and is exact. `f64` cannot hold most decimal
    /// amounts (`0.29 * 100.0` is `28.999999999999996`), so a float discount
    /// is off by a cent now and then, and money must not be.
    fn percent_of(amount: u64, percent: u64) -> u64 {
        amount * percent / 100
    }
}

// ---- The HTTP side: translation only (do not change) ----------------------

use pricing::{OrderLine, QuoteError, Tier};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct QuoteRequest {
    tier: String,
    lines: Vec<LineRequest>,
}

#[derive(Deserialize)]
struct LineRequest {
    sku: String,
    unit_price: u64,
    quantity: u32,
}

/// `POST /quote`: returns the status and the JSON body.
fn quote_handler(body: &str) -> (u16, String) {
    let Ok(request) = serde_json::from_str::<QuoteRequest>(body) else {
        return (400, json!({ "error": "invalid_body" }).to_string());
    };
    let tier = match request.tier.as_str() {
        "gold" => Tier::Gold,
        "regular" => Tier::Regular,
        _ => return (400, json!({ "error": "unknown_tier" }).to_string()),
    };
    let lines: Vec<OrderLine> = request
        .lines
        .into_iter()
        .map(|line| OrderLine {
            sku: line.sku,
            unit_price: line.unit_price,
            quantity: line.quantity,
        })
        .collect();

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

    // The handler: a few tests of the translation, not of the rules.

    #[test]
    fn the_handler_renders_a_quote_as_json() {
        let body =
            r#"{"tier": "gold", "lines": [{"sku": "LAMP", "unit_price": 5400, "quantity": 1}]}"#;

        let (status, json) = super::quote_handler(body);

        assert_eq!(status, 200);
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(json["total"], 5355);
    }

    #[test]
    fn the_handler_answers_422_to_a_rule_violation() {
        let (status, json) = super::quote_handler(r#"{"tier": "regular", "lines": []}"#);

        assert_eq!(status, 422);
        assert!(json.contains("empty_order"), "body: {json}");
    }
}
