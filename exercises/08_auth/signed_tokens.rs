//! # Auth: signed, expiring tokens
//!
//! After a login, the server hands the client a **token** that proves the
//! login on every later request. A *signed* token carries its own claims
//! (who, which role, until when) plus a MAC over them, so any instance that
//! holds the key can check it without a database lookup:
//!
//! ```text
//!   k1 . eyJzdWIiOiJ1c2VyLTciLCJyb2xlIjoibWVtYmVyIiwiZXhwIjoxNzAwMDAwOTAwfQ . 3q2-7w...
//!   key    claims, base64url of {"sub":"user-7","role":"member","exp":1700000900}
//!   id                                                                 HMAC-SHA256 of
//!                                                                   "k1.<claims>", base64url
//! ```
//!
//! This is a JWT with the algorithm fixed to HS256, minus the header: you
//! build it once to see what `jsonwebtoken` checks for you. Three rules:
//!
//! - **Nothing in the token is believed before the MAC matches.** Not the
//!   claims, not `exp`; the key id only picks which key to try.
//! - **The MAC is compared in constant time**, in full (previous exercise).
//! - **Every token expires.** `exp` is the first second it is refused, read
//!   from an injected clock so that tests can move time.
//!
//! Keys are rotated: new tokens are signed with the new key while tokens
//! signed with the previous one stay valid until that key is retired.
//!
//! ## The problem
//!
//! The first version of the API put base64 JSON in a cookie, unsigned and
//! without expiry. A user changed `"member"` to `"admin"` in their browser's
//! developer tools; a laptop stolen a year later still had a working
//! session.
//!
//! ## Your task
//!
//! 1. `issue`: sign `<key id>.<claims>` with the current key (HMAC-SHA256,
//!    base64url without padding) and append the signature as the third part.
//! 2. `verify`, in this order: find the key named by the key id (an unknown
//!    one is `BadSignature`), decode the signature and check it over
//!    `<key id>.<claims>` in constant time (`BadSignature`); then decode the
//!    claims (`Malformed`); then refuse them from `exp` on (`Expired`).
//!
//! `SigningKey::mac`, `key`, `rotate` and `retire` are given.
//!
//! ## When not to use it
//!
//! A signed token cannot be taken back before it expires: logout, a banned
//! user or a changed role wait for `exp`. Keep its lifetime short (minutes)
//! and pair it with a refresh token checked against the database, or use
//! opaque session ids looked up on every request when revocation must be
//! immediate. In production use `jsonwebtoken` (or PASETO) rather than a
//! format of your own, with the algorithm pinned and `exp` required.

use std::cell::Cell;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Wall-clock seconds since the Unix epoch: expiry times travel in tokens
/// between machines, so they are wall-clock time, not `Instant`s.
trait Clock {
    fn unix_now(&self) -> u64;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Role {
    Member,
    Admin,
}

/// What a token says: who (`sub`), what they may do, until when (`exp`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Claims {
    sub: String,
    role: Role,
    /// Unix seconds from which the token is no longer accepted.
    exp: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
enum TokenError {
    /// Not three dot-separated parts, or parts that do not decode.
    #[error("malformed token")]
    Malformed,
    /// Unknown key, or a MAC that does not match: not one of our tokens.
    #[error("invalid token signature")]
    BadSignature,
    /// One of ours, but its time is up: the client should log in again.
    #[error("token expired")]
    Expired,
}

/// A secret with a name, so that a token can say which key signed it.
struct SigningKey {
    id: String,
    secret: Vec<u8>,
}

impl SigningKey {
    fn new(id: &str, secret: &[u8]) -> Self {
        Self {
            id: id.to_string(),
            secret: secret.to_vec(),
        }
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts a key of any length, so this cannot fail.
        #[allow(clippy::expect_used)]
        HmacSha256::new_from_slice(&self.secret).expect("HMAC takes a key of any length")
    }
}

/// Issues and verifies tokens `<key id>.<claims>.<mac>`, each part
/// base64url without padding; the MAC is HMAC-SHA256 over `<key id>.<claims>`.
struct TokenService<C> {
    current: SigningKey,
    /// Keys rotated out but still accepted, until their tokens have expired.
    previous: Vec<SigningKey>,
    clock: C,
    ttl_secs: u64,
}

impl<C: Clock> TokenService<C> {
    fn new(key: SigningKey, clock: C) -> Self {
        Self {
            current: key,
            previous: Vec::new(),
            clock,
            ttl_secs: 15 * 60,
        }
    }

    /// New tokens are signed with `key`; the old key still verifies.
    fn rotate(&mut self, key: SigningKey) {
        let old = std::mem::replace(&mut self.current, key);
        self.previous.push(old);
    }

    /// Tokens signed with `id` are refused from now on.
    fn retire(&mut self, id: &str) {
        self.previous.retain(|key| key.id != id);
    }

    fn key(&self, id: &str) -> Option<&SigningKey> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|key| key.id == id)
    }

    fn issue(&self, sub: &str, role: Role) -> String {
        let claims = Claims {
            sub: sub.to_string(),
            role,
            exp: self.clock.unix_now().saturating_add(self.ttl_secs),
        };
        // Serializing a struct of strings and numbers cannot fail.
        #[allow(clippy::expect_used)]
        let json = serde_json::to_vec(&claims).expect("claims serialize");
        let signing_input = format!("{}.{}", self.current.id, URL_SAFE_NO_PAD.encode(json));
        // TODO: sign `signing_input` with the current key (`self.current.mac()`,
        // then `update` and `finalize`) and encode the MAC as base64url.
        let signature = String::new();
        format!("{signing_input}.{signature}")
    }

    fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let mut parts = token.split('.');
        let (Some(key_id), Some(claims), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Malformed);
        };

        // TODO: 1. the key named `key_id` (`self.key`) and the signature over
        // "<key_id>.<claims>", checked in constant time, before anything else.
        let _ = (key_id, signature);

        let json = URL_SAFE_NO_PAD
            .decode(claims)
            .map_err(|_| TokenError::Malformed)?;
        let claims: Claims = serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)?;

        // TODO: 3. refuse the claims from `exp` on.
        Ok(claims)
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: u64 = 1_700_000_000;
    const TTL: u64 = 15 * 60;

    #[derive(Default)]
    struct FakeClock(Cell<u64>);

    impl FakeClock {
        fn at(unix: u64) -> Self {
            Self(Cell::new(unix))
        }

        fn advance(&self, secs: u64) {
            self.0.set(self.0.get() + secs);
        }
    }

    impl Clock for &FakeClock {
        fn unix_now(&self) -> u64 {
            self.0.get()
        }
    }

    fn service(clock: &FakeClock) -> TokenService<&FakeClock> {
        TokenService::new(
            SigningKey::new("k1", b"first secret, 32 bytes or more!!"),
            clock,
        )
    }

    fn parts(token: &str) -> Vec<String> {
        token.split('.').map(str::to_string).collect()
    }

    fn decoded_claims(token: &str) -> String {
        let claims = URL_SAFE_NO_PAD.decode(&parts(token)[1]).unwrap();
        String::from_utf8(claims).unwrap()
    }

    #[test]
    fn an_issued_token_verifies_to_its_claims() {
        let clock = FakeClock::at(START);
        let tokens = service(&clock);

        let token = tokens.issue("user-7", Role::Member);

        assert_eq!(
            tokens.verify(&token),
            Ok(Claims {
                sub: "user-7".to_string(),
                role: Role::Member,
                exp: START + TTL,
            })
        );
    }

    #[test]
    fn a_token_is_key_id_claims_and_signature_in_base64url() {
        let clock = FakeClock::at(START);
        let token = service(&clock).issue("user-7", Role::Member);

        let parts = parts(&token);
        assert_eq!(parts.len(), 3, "{token}");
        assert_eq!(parts[0], "k1");
        assert_eq!(
            decoded_claims(&token),
            format!(
                r#"{{"sub":"user-7","role":"member","exp":{}}}"#,
                START + TTL
            )
        );
        let mut mac = HmacSha256::new_from_slice(b"first secret, 32 bytes or more!!").unwrap();
        mac.update(format!("k1.{}", parts[1]).as_bytes());
        assert_eq!(
            URL_SAFE_NO_PAD.decode(&parts[2]).unwrap(),
            mac.finalize().into_bytes().to_vec(),
            "the MAC covers the key id, a dot and the encoded claims"
        );
    }

    #[test]
    fn a_token_expires_exactly_at_exp() {
        let clock = FakeClock::at(START);
        let tokens = service(&clock);
        let token = tokens.issue("user-7", Role::Member);

        clock.advance(TTL - 1);
        assert!(tokens.verify(&token).is_ok(), "one second left");

        clock.advance(1);
        assert_eq!(tokens.verify(&token), Err(TokenError::Expired));
    }

    #[test]
    fn changed_claims_break_the_signature() {
        let clock = FakeClock::at(START);
        let tokens = service(&clock);
        let token = tokens.issue("user-7", Role::Member);
        let parts = parts(&token);

        let promoted = decoded_claims(&token).replace("member", "admin");
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(promoted),
            parts[2]
        );

        assert_eq!(tokens.verify(&forged), Err(TokenError::BadSignature));
    }

    #[test]
    fn a_token_signed_with_another_secret_is_rejected() {
        let clock = FakeClock::at(START);
        let tokens = service(&clock);
        let impostor = TokenService::new(SigningKey::new("k1", b"a guessed secret"), &clock);

        let token = impostor.issue("user-7", Role::Admin);

        assert_eq!(tokens.verify(&token), Err(TokenError::BadSignature));
    }

    #[test]
    fn an_unsigned_or_truncated_signature_is_rejected() {
        let clock = FakeClock::at(START);
        let tokens = service(&clock);
        let token = tokens.issue("user-7", Role::Member);
        let parts = parts(&token);

        let unsigned = format!("{}.{}.", parts[0], parts[1]);
        let truncated = format!("{}.{}.{}", parts[0], parts[1], &parts[2][..8]);

        assert_eq!(tokens.verify(&unsigned), Err(TokenError::BadSignature));
        assert_eq!(tokens.verify(&truncated), Err(TokenError::BadSignature));
    }

    #[test]
    fn the_signature_is_checked_before_the_claims_are_read() {
        let clock = FakeClock::at(START);
        let tokens = service(&clock);
        let token = tokens.issue("user-7", Role::Member);
        let parts = parts(&token);
        let garbage_claims = format!("{}.{}.{}", parts[0], "bm90IGpzb24", parts[2]);

        clock.advance(TTL);
        let expired_and_tampered = format!("{}.{}.{}", parts[0], parts[1], "AAAA");

        assert_eq!(
            tokens.verify(&garbage_claims),
            Err(TokenError::BadSignature),
            "claims nobody signed are not read at all"
        );
        assert_eq!(
            tokens.verify(&expired_and_tampered),
            Err(TokenError::BadSignature),
            "an unsigned exp says nothing"
        );
    }

    #[test]
    fn a_malformed_token_is_rejected_without_panicking() {
        let clock = FakeClock::at(START);
        let tokens = service(&clock);
        let token = tokens.issue("user-7", Role::Member);

        for malformed in [
            String::new(),
            "not-a-token".to_string(),
            "k1.only-two".to_string(),
            format!("{token}.extra"),
            format!("{token}!"),
        ] {
            assert_eq!(
                tokens.verify(&malformed),
                Err(TokenError::Malformed),
                "{malformed:?}"
            );
        }
    }

    #[test]
    fn after_a_rotation_old_tokens_verify_until_their_key_is_retired() {
        let clock = FakeClock::at(START);
        let mut tokens = service(&clock);
        let old = tokens.issue("user-7", Role::Member);

        tokens.rotate(SigningKey::new("k2", b"second secret, also long enough!"));
        let new = tokens.issue("user-8", Role::Admin);

        assert!(new.starts_with("k2."), "new tokens use the new key: {new}");
        assert_eq!(tokens.verify(&old).unwrap().sub, "user-7");
        assert_eq!(tokens.verify(&new).unwrap().sub, "user-8");

        tokens.retire("k1");
        assert_eq!(tokens.verify(&old), Err(TokenError::BadSignature));
        assert_eq!(tokens.verify(&new).unwrap().sub, "user-8");
    }

    #[test]
    fn a_token_cannot_borrow_another_keys_name() {
        let clock = FakeClock::at(START);
        let mut tokens = service(&clock);
        tokens.rotate(SigningKey::new("k2", b"second secret, also long enough!"));
        let token = tokens.issue("user-8", Role::Admin);
        let parts = parts(&token);

        let renamed = format!("k1.{}.{}", parts[1], parts[2]);
        let unknown = format!("k9.{}.{}", parts[1], parts[2]);

        assert_eq!(tokens.verify(&renamed), Err(TokenError::BadSignature));
        assert_eq!(tokens.verify(&unknown), Err(TokenError::BadSignature));
    }
}
