//! # Auth: constant-time comparison of a webhook signature (solution)
//!
//! The receiver recomputes the HMAC of exactly what the sender signed (the
//! timestamp and the body) and compares it with each offered signature in
//! constant time; only then does it trust the timestamp to refuse replays.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// Wall-clock time in seconds since the Unix epoch: webhook timestamps are
/// set by another machine's clock, so this is the clock to compare with.
trait Clock {
    fn unix_now(&self) -> u64;
}

/// The real clock, for production.
struct SystemClock;

impl Clock for SystemClock {
    fn unix_now(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
enum WebhookError {
    /// No timestamp, no `v1` signature, or a timestamp that is not a number.
    #[error("malformed signature header")]
    Malformed,
    /// No offered signature is the HMAC of this timestamp and body.
    #[error("signature does not match")]
    BadSignature,
    /// Authentic, but signed too long ago (a replay) or too far ahead.
    #[error("timestamp outside the tolerance")]
    Stale,
}

/// Checks the `Payment-Signature` header of the payment provider's webhooks:
/// `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">[,v1=...]`.
struct WebhookVerifier<C> {
    secret: Vec<u8>,
    clock: C,
    /// How far (in seconds, either way) a timestamp may be from our clock.
    tolerance_secs: u64,
}

/// The header, parsed. Nothing in it is trusted until a signature matches.
struct SignatureHeader<'a> {
    timestamp: &'a str,
    signatures: Vec<Vec<u8>>,
}

fn parse_header(header: &str) -> Result<SignatureHeader<'_>, WebhookError> {
    let mut timestamp = None;
    let mut offers_v1 = false;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = Some(value),
            Some(("v1", value)) => {
                offers_v1 = true;
                // A signature that is not hex cannot match: skip it like
                // any other signature that does not match.
                signatures.extend(hex::decode(value).ok());
            }
            // Other schemes (a test-mode `v0`, a future `v2`) are not ours.
            _ => {}
        }
    }
    match timestamp {
        Some(timestamp) if offers_v1 => Ok(SignatureHeader {
            timestamp,
            signatures,
        }),
        _ => Err(WebhookError::Malformed),
    }
}

impl<C: Clock> WebhookVerifier<C> {
    fn new(secret: &[u8], clock: C) -> Self {
        Self {
            secret: secret.to_vec(),
            clock,
            tolerance_secs: 300,
        }
    }

    /// The HMAC the provider computes: over the timestamp, a dot, the body.
    fn expected_signature(&self, timestamp: &str, body: &[u8]) -> Vec<u8> {
        // HMAC accepts a key of any length, so this cannot fail.
        #[allow(clippy::expect_used)]
        let mut mac =
            HmacSha256::new_from_slice(&self.secret).expect("HMAC takes a key of any length");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.finalize().into_bytes().to_vec()
    }

    fn verify(&self, header: &str, body: &[u8]) -> Result<(), WebhookError> {
        let header = parse_header(header)?;
        let timestamp: u64 = header
            .timestamp
            .parse()
            .map_err(|_| WebhookError::Malformed)?;
        // The timestamp is signed together with the body: replaying an old
        // body under a fresh timestamp breaks the signature.
        let expected = self.expected_signature(header.timestamp, body);
        // `ct_eq` looks at every byte whatever the first difference, so the
        // time it takes says nothing about how much of a guess was right.
        // `==` stops at the first wrong byte: measured over many requests,
        // that lets an attacker build a valid signature one byte at a time.
        // Slices of another length are simply unequal (a truncated
        // signature must not match its prefix).
        let matches = header
            .signatures
            .iter()
            .any(|offered| bool::from(expected.ct_eq(offered)));
        if !matches {
            return Err(WebhookError::BadSignature);
        }
        // Only an authentic timestamp is worth comparing with the clock.
        if self.clock.unix_now().abs_diff(timestamp) > self.tolerance_secs {
            return Err(WebhookError::Stale);
        }
        Ok(())
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"whsec_4f1e0c9a7b";
    const NOW: u64 = 1_700_000_000;
    const BODY: &[u8] = br#"{"type":"payment_succeeded","order":"ord_42","amount":1999}"#;

    struct FixedClock(u64);

    impl Clock for FixedClock {
        fn unix_now(&self) -> u64 {
            self.0
        }
    }

    /// What the provider sends: signed independently of the code under test.
    fn sign(secret: &[u8], timestamp: u64, body: &[u8]) -> String {
        let mut mac = HmacSha256::new_from_slice(secret).unwrap();
        mac.update(format!("{timestamp}.").as_bytes());
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    fn header(timestamp: u64, signature: &str) -> String {
        format!("t={timestamp},v1={signature}")
    }

    fn verifier() -> WebhookVerifier<FixedClock> {
        WebhookVerifier::new(SECRET, FixedClock(NOW))
    }

    #[test]
    fn a_request_signed_with_the_secret_is_accepted() {
        let signed = header(NOW - 2, &sign(SECRET, NOW - 2, BODY));

        assert_eq!(verifier().verify(&signed, BODY), Ok(()));
    }

    #[test]
    fn a_changed_body_is_rejected() {
        let signed = header(NOW, &sign(SECRET, NOW, BODY));
        let forged = br#"{"type":"payment_succeeded","order":"ord_43","amount":1999}"#;

        assert_eq!(
            verifier().verify(&signed, forged),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn a_signature_made_with_another_secret_is_rejected() {
        let signed = header(NOW, &sign(b"whsec_guessed", NOW, BODY));

        assert_eq!(
            verifier().verify(&signed, BODY),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn a_truncated_or_empty_signature_is_rejected() {
        let full = sign(SECRET, NOW, BODY);

        for offered in [&full[..8], &full[..full.len() - 2], ""] {
            assert_eq!(
                verifier().verify(&header(NOW, offered), BODY),
                Err(WebhookError::BadSignature),
                "a prefix of the right signature is not the signature: {offered:?}"
            );
        }
    }

    #[test]
    fn a_signature_in_capitals_is_the_same_signature() {
        let signed = header(NOW, &sign(SECRET, NOW, BODY).to_uppercase());

        assert_eq!(verifier().verify(&signed, BODY), Ok(()));
    }

    #[test]
    fn a_captured_request_replayed_later_is_stale() {
        let captured = header(NOW - 301, &sign(SECRET, NOW - 301, BODY));
        let just_in_time = header(NOW - 300, &sign(SECRET, NOW - 300, BODY));

        assert_eq!(verifier().verify(&captured, BODY), Err(WebhookError::Stale));
        assert_eq!(
            verifier().verify(&just_in_time, BODY),
            Ok(()),
            "300 s old is still within the 300 s tolerance"
        );
    }

    #[test]
    fn a_timestamp_too_far_ahead_is_stale() {
        let ahead = header(NOW + 301, &sign(SECRET, NOW + 301, BODY));
        let skewed = header(NOW + 300, &sign(SECRET, NOW + 300, BODY));

        assert_eq!(verifier().verify(&ahead, BODY), Err(WebhookError::Stale));
        assert_eq!(verifier().verify(&skewed, BODY), Ok(()));
    }

    #[test]
    fn a_replay_under_a_fresh_timestamp_breaks_the_signature() {
        let captured_signature = sign(SECRET, NOW - 3_600, BODY);
        let replayed = header(NOW, &captured_signature);

        assert_eq!(
            verifier().verify(&replayed, BODY),
            Err(WebhookError::BadSignature),
            "the timestamp is part of what is signed"
        );
    }

    #[test]
    fn any_offered_signature_may_match_during_a_secret_rotation() {
        let by_old_secret = sign(b"whsec_old", NOW, BODY);
        let by_our_secret = sign(SECRET, NOW, BODY);
        let rotating = format!("t={NOW},v1={by_old_secret},v0=test-mode,v1={by_our_secret}");
        let old_only = format!("t={NOW},v1={by_old_secret}");

        assert_eq!(verifier().verify(&rotating, BODY), Ok(()));
        assert_eq!(
            verifier().verify(&old_only, BODY),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn a_malformed_header_is_rejected_without_panicking() {
        let signature = sign(SECRET, NOW, BODY);

        for malformed in [
            String::new(),
            format!("v1={signature}"),
            format!("t={NOW}"),
            format!("t=yesterday,v1={signature}"),
            format!("t=-5,v1={signature}"),
            "t=,v1=".to_string(),
        ] {
            assert_eq!(
                verifier().verify(&malformed, BODY),
                Err(WebhookError::Malformed),
                "{malformed:?}"
            );
        }
    }

    #[test]
    fn a_signature_that_is_not_hex_does_not_match() {
        let signed = header(NOW, "not-hex-at-all");

        assert_eq!(
            verifier().verify(&signed, BODY),
            Err(WebhookError::BadSignature)
        );
    }
}
