//! # Auth: rehash on login when the parameters change (solution)
//!
//! A hash cannot be upgraded without the password, and the only moment the
//! service holds the password is a successful login. So the policy (the
//! current algorithm and costs) is checked against the stored hash right
//! there, and an outdated hash is replaced, best effort.

use std::collections::HashMap;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{self, PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct UserId(u64);

#[derive(Debug, Clone, PartialEq, Eq)]
struct StoredUser {
    id: UserId,
    email: String,
    password_hash: String,
}

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed")]
struct HashError(#[source] password_hash::Error);

impl From<password_hash::phc::Error> for HashError {
    fn from(error: password_hash::phc::Error) -> Self {
        HashError(error.into())
    }
}

/// The password policy: Argon2id, version 0x13, and these costs.
struct Passwords {
    argon2: Argon2<'static>,
}

impl Passwords {
    /// OWASP's minimum for Argon2id: 19 MiB, 2 passes, 1 lane.
    fn production() -> Self {
        Self::with_params(Params::DEFAULT)
    }

    fn with_params(params: Params) -> Self {
        Self {
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
        }
    }

    fn hash(&self, password: &str) -> Result<String, HashError> {
        let hash = self
            .argon2
            .hash_password(password.as_bytes())
            .map_err(HashError)?;
        Ok(hash.to_string())
    }

    fn verify(&self, password: &str, stored: &PasswordHash) -> Result<bool, HashError> {
        match self.argon2.verify_password(password.as_bytes(), stored) {
            Ok(()) => Ok(true),
            Err(password_hash::Error::PasswordInvalid) => Ok(false),
            Err(error) => Err(HashError(error)),
        }
    }

    /// Whether `stored` was made under another policy: another algorithm,
    /// another version, or other costs.
    fn needs_rehash(&self, stored: &PasswordHash) -> Result<bool, HashError> {
        if stored.algorithm != Algorithm::Argon2id.ident()
            || stored.version != Some(Version::V0x13.into())
        {
            return Ok(true);
        }
        let current = self.argon2.params();
        let used = Params::try_from(stored).map_err(HashError)?;
        // Compare the costs, not the whole `Params`: one read from a hash
        // also records the output length, so `==` would call every hash
        // outdated and rewrite it on every login. And compare for
        // difference, not only for "weaker": when the policy is lowered
        // (the login servers ran out of memory), the policy still wins.
        Ok(used.m_cost() != current.m_cost()
            || used.t_cost() != current.t_cost()
            || used.p_cost() != current.p_cost())
    }
}

// ---- Storage ------------------------------------------------------------------

#[derive(Debug, thiserror::Error)]
#[error("the user store is unavailable")]
struct StoreError;

trait UserStore {
    fn find_by_email(&self, email: &str) -> Option<StoredUser>;
    fn update_password_hash(&mut self, id: UserId, hash: String) -> Result<(), StoreError>;
}

#[derive(Default)]
struct InMemoryUsers {
    users: HashMap<UserId, StoredUser>,
    /// How many password hashes were rewritten.
    writes: usize,
}

impl InMemoryUsers {
    fn add(&mut self, email: &str, password_hash: String) -> UserId {
        let id = UserId(self.users.len() as u64 + 1);
        let email = email.to_string();
        let user = StoredUser {
            id,
            email,
            password_hash,
        };
        self.users.insert(id, user);
        id
    }
}

impl UserStore for InMemoryUsers {
    fn find_by_email(&self, email: &str) -> Option<StoredUser> {
        self.users.values().find(|u| u.email == email).cloned()
    }

    fn update_password_hash(&mut self, id: UserId, hash: String) -> Result<(), StoreError> {
        let user = self.users.get_mut(&id).ok_or(StoreError)?;
        user.password_hash = hash;
        self.writes += 1;
        Ok(())
    }
}

// ---- The service --------------------------------------------------------------

#[derive(Debug, thiserror::Error)]
enum LoginError {
    #[error("invalid email or password")]
    InvalidCredentials,
    #[error("login is unavailable")]
    Internal(#[from] HashError),
}

struct Accounts<S> {
    store: S,
    passwords: Passwords,
    dummy_hash: String,
    /// What went wrong but did not stop a login (stands in for `tracing::warn!`).
    warnings: Vec<String>,
}

impl<S: UserStore> Accounts<S> {
    fn new(store: S, passwords: Passwords) -> Result<Self, HashError> {
        let dummy_hash = passwords.hash("no account has this password")?;
        Ok(Self {
            store,
            passwords,
            dummy_hash,
            warnings: Vec::new(),
        })
    }

    fn login(&mut self, email: &str, password: &str) -> Result<UserId, LoginError> {
        let Some(user) = self.store.find_by_email(email) else {
            let dummy = PasswordHash::new(&self.dummy_hash).map_err(HashError::from)?;
            let _ = self.passwords.verify(password, &dummy);
            return Err(LoginError::InvalidCredentials);
        };
        let stored = PasswordHash::new(&user.password_hash).map_err(HashError::from)?;
        if !self.passwords.verify(password, &stored)? {
            return Err(LoginError::InvalidCredentials);
        }
        // Only now: the password is proven, so the new hash is of the right
        // password. Rehashing before the check would let anyone who types a
        // wrong password overwrite the account's hash with it.
        if self.passwords.needs_rehash(&stored)? {
            self.upgrade(&user, password);
        }
        Ok(user.id)
    }

    /// Best effort: the user proved who they are, and a store that cannot
    /// take the new hash right now must not turn that into a failed login.
    /// The old hash still works; the next login tries again.
    fn upgrade(&mut self, user: &StoredUser, password: &str) {
        let outcome = self
            .passwords
            .hash(password)
            .map_err(|error| error.to_string())
            .and_then(|hash| {
                self.store
                    .update_password_hash(user.id, hash)
                    .map_err(|error| error.to_string())
            });
        if let Err(error) = outcome {
            self.warnings.push(format!(
                "could not upgrade the password hash of user {}: {error}",
                user.id.0
            ));
        }
    }
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TEST-ONLY parameters, tiny so that debug builds stay fast: the policy
    /// the service runs with...
    fn current_params() -> Params {
        Params::new(16, 2, 1, None).unwrap()
    }

    /// ...and the one it ran with last year.
    fn old_params() -> Params {
        Params::new(8, 1, 1, None).unwrap()
    }

    fn hash_with(algorithm: Algorithm, version: Version, params: Params, password: &str) -> String {
        let argon2 = Argon2::new(algorithm, version, params);
        argon2
            .hash_password(password.as_bytes())
            .unwrap()
            .to_string()
    }

    fn accounts_with(email: &str, stored_hash: String) -> (Accounts<InMemoryUsers>, UserId) {
        let mut store = InMemoryUsers::default();
        let id = store.add(email, stored_hash);
        let accounts = Accounts::new(store, Passwords::with_params(current_params())).unwrap();
        (accounts, id)
    }

    fn stored_hash(accounts: &Accounts<InMemoryUsers>, email: &str) -> String {
        accounts.store.find_by_email(email).unwrap().password_hash
    }

    /// A store that reads fine but cannot write: a replica, a full disk.
    struct ReadOnlyStore(InMemoryUsers);

    impl UserStore for ReadOnlyStore {
        fn find_by_email(&self, email: &str) -> Option<StoredUser> {
            self.0.find_by_email(email)
        }

        fn update_password_hash(&mut self, _: UserId, _: String) -> Result<(), StoreError> {
            Err(StoreError)
        }
    }

    #[test]
    fn an_outdated_hash_is_replaced_after_a_successful_login() {
        let old = hash_with(
            Algorithm::Argon2id,
            Version::V0x13,
            old_params(),
            "hunter22",
        );
        let (mut accounts, ada) = accounts_with("ada@example.com", old);

        assert_eq!(accounts.login("ada@example.com", "hunter22").unwrap(), ada);

        let upgraded = stored_hash(&accounts, "ada@example.com");
        assert!(
            upgraded.starts_with("$argon2id$v=19$m=16,t=2,p=1$"),
            "expected the current parameters, got {upgraded:?}"
        );
        assert_eq!(
            accounts.login("ada@example.com", "hunter22").unwrap(),
            ada,
            "the new hash must be of the same password"
        );
        assert!(accounts.login("ada@example.com", "hunter23").is_err());
    }

    #[test]
    fn a_wrong_password_never_rewrites_the_hash() {
        let old = hash_with(
            Algorithm::Argon2id,
            Version::V0x13,
            old_params(),
            "hunter22",
        );
        let (mut accounts, _) = accounts_with("ada@example.com", old.clone());

        let outcome = accounts.login("ada@example.com", "letmein");

        assert!(
            matches!(outcome, Err(LoginError::InvalidCredentials)),
            "{outcome:?}"
        );
        assert_eq!(stored_hash(&accounts, "ada@example.com"), old);
        assert_eq!(accounts.store.writes, 0);
    }

    #[test]
    fn a_current_hash_is_left_alone() {
        let current = hash_with(
            Algorithm::Argon2id,
            Version::V0x13,
            current_params(),
            "hunter22",
        );
        let (mut accounts, _) = accounts_with("ada@example.com", current.clone());

        accounts.login("ada@example.com", "hunter22").unwrap();
        accounts.login("ada@example.com", "hunter22").unwrap();

        assert_eq!(
            accounts.store.writes, 0,
            "a hash made under the current policy must not be rewritten on every login"
        );
        assert_eq!(stored_hash(&accounts, "ada@example.com"), current);
    }

    #[test]
    fn an_upgraded_hash_is_not_upgraded_again() {
        let old = hash_with(
            Algorithm::Argon2id,
            Version::V0x13,
            old_params(),
            "hunter22",
        );
        let (mut accounts, _) = accounts_with("ada@example.com", old);

        for _ in 0..3 {
            accounts.login("ada@example.com", "hunter22").unwrap();
        }

        assert_eq!(accounts.store.writes, 1);
    }

    #[test]
    fn stronger_costs_are_brought_to_the_policy_too() {
        let stronger = Params::new(32, 3, 1, None).unwrap();
        let stored = hash_with(Algorithm::Argon2id, Version::V0x13, stronger, "hunter22");
        let (mut accounts, _) = accounts_with("ada@example.com", stored);

        accounts.login("ada@example.com", "hunter22").unwrap();

        assert!(
            stored_hash(&accounts, "ada@example.com").contains("$m=16,t=2,p=1$"),
            "the policy was lowered (the login servers ran out of memory): it still wins"
        );
    }

    #[test]
    fn one_cost_that_differs_is_enough() {
        for (m, t, p) in [(16, 1, 1), (16, 2, 2), (24, 2, 1)] {
            let params = Params::new(m, t, p, None).unwrap();
            let stored = hash_with(Algorithm::Argon2id, Version::V0x13, params, "hunter22");
            let (mut accounts, _) = accounts_with("ada@example.com", stored);

            accounts.login("ada@example.com", "hunter22").unwrap();

            assert_eq!(
                accounts.store.writes, 1,
                "m={m}, t={t}, p={p} is not the policy"
            );
        }
    }

    #[test]
    fn an_argon2i_hash_is_upgraded_to_argon2id() {
        let stored = hash_with(
            Algorithm::Argon2i,
            Version::V0x13,
            current_params(),
            "hunter22",
        );
        let (mut accounts, ada) = accounts_with("ada@example.com", stored);

        assert_eq!(accounts.login("ada@example.com", "hunter22").unwrap(), ada);

        let upgraded = stored_hash(&accounts, "ada@example.com");
        assert!(upgraded.starts_with("$argon2id$"), "got {upgraded:?}");
    }

    #[test]
    fn a_version_16_hash_is_upgraded_to_version_19() {
        let stored = hash_with(
            Algorithm::Argon2id,
            Version::V0x10,
            current_params(),
            "hunter22",
        );
        assert!(stored.starts_with("$argon2id$v=16$"));
        let (mut accounts, ada) = accounts_with("ada@example.com", stored);

        assert_eq!(accounts.login("ada@example.com", "hunter22").unwrap(), ada);

        let upgraded = stored_hash(&accounts, "ada@example.com");
        assert!(upgraded.starts_with("$argon2id$v=19$"), "got {upgraded:?}");
    }

    #[test]
    fn a_failed_upgrade_is_logged_and_the_login_still_succeeds() {
        let old = hash_with(
            Algorithm::Argon2id,
            Version::V0x13,
            old_params(),
            "hunter22",
        );
        let mut users = InMemoryUsers::default();
        let ada = users.add("ada@example.com", old);
        let store = ReadOnlyStore(users);
        let mut accounts = Accounts::new(store, Passwords::with_params(current_params())).unwrap();

        let outcome = accounts.login("ada@example.com", "hunter22");

        assert_eq!(
            outcome.unwrap(),
            ada,
            "the user proved who they are; a store that cannot take the new hash must not fail the login"
        );
        assert_eq!(accounts.warnings.len(), 1, "the failed upgrade is logged");
        assert!(
            accounts.warnings[0].contains("user 1"),
            "{:?}",
            accounts.warnings
        );
    }

    #[test]
    fn the_production_policy_is_argon2id_with_the_owasp_minimum() {
        let passwords = Passwords::production();
        let params = passwords.argon2.params();

        assert!(params.m_cost() >= 19 * 1024);
        assert!(params.t_cost() >= 2);
        let outdated = hash_with(Algorithm::Argon2id, Version::V0x13, old_params(), "x");
        let outdated = PasswordHash::new(&outdated).unwrap();
        assert!(passwords.needs_rehash(&outdated).unwrap());
    }
}
