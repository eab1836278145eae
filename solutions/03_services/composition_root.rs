//! # Composition root: wire everything in one place (solution)

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, PartialEq, Eq)]
struct User {
    email: String,
    joined_at: SystemTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Mail {
    to: String,
    subject: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum StorageError {
    Unavailable(String),
}

#[derive(Debug, PartialEq, Eq)]
enum SignupError {
    EmailTaken,
    Storage(StorageError),
}

impl From<StorageError> for SignupError {
    fn from(error: StorageError) -> Self {
        SignupError::Storage(error)
    }
}

// ---- Ports ---------------------------------------------------------------
//
// `Send + Sync` as supertraits: every implementation can be shared by all
// threads of a server, and `Arc<dyn UserRepository>` needs no extra bounds.
// `describe` is what a service logs at start-up, so that an operator can see
// what it was wired with.

trait UserRepository: Send + Sync {
    fn describe(&self) -> String;
    fn find(&self, email: &str) -> Result<Option<User>, StorageError>;
    fn insert(&self, user: User) -> Result<(), StorageError>;
    fn count(&self) -> Result<usize, StorageError>;
}

trait Mailer: Send + Sync {
    fn describe(&self) -> String;
    fn send(&self, mail: Mail);
}

trait Clock: Send + Sync {
    fn describe(&self) -> String;
    fn now(&self) -> SystemTime;
}

// ---- Adapters (do not change) --------------------------------------------

#[derive(Default)]
struct InMemoryUsers {
    users: Mutex<Vec<User>>,
}

impl UserRepository for InMemoryUsers {
    fn describe(&self) -> String {
        "in memory".to_string()
    }

    fn find(&self, email: &str) -> Result<Option<User>, StorageError> {
        let users = self.users.lock().unwrap();
        Ok(users.iter().find(|user| user.email == email).cloned())
    }

    fn insert(&self, user: User) -> Result<(), StorageError> {
        self.users.lock().unwrap().push(user);
        Ok(())
    }

    fn count(&self) -> Result<usize, StorageError> {
        Ok(self.users.lock().unwrap().len())
    }
}

/// Stand-in for a Postgres repository. The workbook has no database to
/// reach, so every call fails the way a real one would when it is down.
///
/// Simplified: a real root connects a pool and runs migrations in
/// `async fn build_app(config) -> anyhow::Result<App>`, and fails fast when
/// the database is unreachable; this stand-in cannot fail to connect.
struct PostgresUsers {
    /// The URL without its `user:password@`: fit for logs and errors.
    shown: String,
}

impl PostgresUsers {
    fn connect(url: &str) -> Self {
        Self {
            shown: without_credentials(url),
        }
    }

    fn unavailable(&self) -> StorageError {
        StorageError::Unavailable(self.shown.clone())
    }
}

/// `postgres://app:s3cret@db.internal/app` -> `postgres://db.internal/app`.
/// Whatever is printed at start-up or put in an error ends up in the logs.
fn without_credentials(url: &str) -> String {
    match (url.split_once("://"), url.rsplit_once('@')) {
        (Some((scheme, _)), Some((_, host))) => format!("{scheme}://{host}"),
        _ => url.to_string(),
    }
}

impl UserRepository for PostgresUsers {
    fn describe(&self) -> String {
        format!("postgres at {}", self.shown)
    }

    fn find(&self, _email: &str) -> Result<Option<User>, StorageError> {
        Err(self.unavailable())
    }

    fn insert(&self, _user: User) -> Result<(), StorageError> {
        Err(self.unavailable())
    }

    fn count(&self) -> Result<usize, StorageError> {
        Err(self.unavailable())
    }
}

/// Stand-in for an SMTP client.
struct SmtpMailer {
    host: String,
}

impl Mailer for SmtpMailer {
    fn describe(&self) -> String {
        format!("smtp via {}", self.host)
    }

    fn send(&self, _mail: Mail) {}
}

/// Keeps mail in memory, where tests and a development server can read it.
#[derive(Default)]
struct Outbox {
    mails: Mutex<Vec<Mail>>,
}

impl Outbox {
    fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

impl Mailer for Outbox {
    fn describe(&self) -> String {
        "outbox".to_string()
    }

    fn send(&self, mail: Mail) {
        self.mails.lock().unwrap().push(mail);
    }
}

/// Sends nothing: what the mailer is when the welcome mail is switched off.
struct NoMail;

impl Mailer for NoMail {
    fn describe(&self) -> String {
        "none".to_string()
    }

    fn send(&self, _mail: Mail) {}
}

struct SystemClock;

impl Clock for SystemClock {
    fn describe(&self) -> String {
        "system".to_string()
    }

    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

struct FixedClock(SystemTime);

impl Clock for FixedClock {
    fn describe(&self) -> String {
        let seconds = self.0.duration_since(UNIX_EPOCH).unwrap_or_default();
        format!("fixed at {}", seconds.as_secs())
    }

    fn now(&self) -> SystemTime {
        self.0
    }
}

// ---- Services --------------------------------------------------------------

/// Signs users up. It receives its collaborators and never builds one, so
/// it does not know or care whether it runs in production, in a test or on a
/// laptop.
struct SignupService {
    users: Arc<dyn UserRepository>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
}

impl SignupService {
    fn new(users: Arc<dyn UserRepository>, mailer: Arc<dyn Mailer>, clock: Arc<dyn Clock>) -> Self {
        Self {
            users,
            mailer,
            clock,
        }
    }

    fn describe(&self) -> String {
        format!(
            "users: {}; mail: {}; clock: {}",
            self.users.describe(),
            self.mailer.describe(),
            self.clock.describe()
        )
    }

    fn register(&self, email: &str) -> Result<User, SignupError> {
        // Look-then-insert, simplified on purpose: the topic here is wiring.
        // Two concurrent signups can both pass the look; a real store refuses
        // the duplicate in `insert` (`uniqueness_conflict`).
        if self.users.find(email)?.is_some() {
            return Err(SignupError::EmailTaken);
        }
        let user = User {
            email: email.to_string(),
            joined_at: self.clock.now(),
        };
        self.users.insert(user.clone())?;
        self.mailer.send(Mail {
            to: user.email.clone(),
            subject: "Welcome!".to_string(),
        });
        Ok(user)
    }
}

/// Looks users up, for the admin pages.
struct DirectoryService {
    users: Arc<dyn UserRepository>,
}

impl DirectoryService {
    fn new(users: Arc<dyn UserRepository>) -> Self {
        Self { users }
    }

    fn find(&self, email: &str) -> Result<Option<User>, StorageError> {
        self.users.find(email)
    }

    fn count(&self) -> Result<usize, StorageError> {
        self.users.count()
    }
}

// ---- Configuration and the composition root --------------------------------

#[derive(Debug, Clone)]
struct Config {
    /// Postgres when set, memory otherwise.
    database_url: Option<String>,
    /// SMTP when set; otherwise mail stays in an in-memory outbox.
    smtp_host: Option<String>,
    /// A clock stopped at this time when set, the system clock otherwise.
    fixed_time: Option<SystemTime>,
    /// Feature flag: send a welcome mail on signup.
    welcome_mail: bool,
}

impl Config {
    fn test() -> Self {
        Self {
            database_url: None,
            smtp_host: None,
            fixed_time: Some(UNIX_EPOCH + Duration::from_secs(1_700_000_000)),
            welcome_mail: true,
        }
    }

    fn production(database_url: &str, smtp_host: &str) -> Self {
        Self {
            database_url: Some(database_url.to_string()),
            smtp_host: Some(smtp_host.to_string()),
            fixed_time: None,
            welcome_mail: true,
        }
    }
}

/// Everything the running application needs, built once.
struct App {
    signups: SignupService,
    directory: DirectoryService,
    /// The in-memory outbox, when mail is not going out over SMTP.
    outbox: Option<Arc<Outbox>>,
}

/// The composition root: the one function that knows which implementation
/// goes where. `main` calls it with the configuration it read; tests call it
/// with `Config::test()`. Every decision driven by configuration is taken
/// here, once, so no service carries an `if config.x` and no service can
/// build a second copy of something that must be shared.
fn build_app(config: Config) -> App {
    // One repository for the whole application. Both services get a handle to
    // the same instance; building one per service is the classic wiring bug
    // (a user signs up, and the admin page cannot find them).
    let users: Arc<dyn UserRepository> = match &config.database_url {
        Some(url) => Arc::new(PostgresUsers::connect(url)),
        None => Arc::new(InMemoryUsers::default()),
    };

    // Mail stays in an in-memory outbox unless there is an SMTP host. The
    // outbox is handed out twice: to the service as its mailer, and to the
    // caller, who reads it (tests, a development server's "sent mail" page).
    let (mailer, outbox): (Arc<dyn Mailer>, Option<Arc<Outbox>>) = match &config.smtp_host {
        Some(host) => (Arc::new(SmtpMailer { host: host.clone() }), None),
        None => {
            let outbox = Arc::new(Outbox::default());
            (outbox.clone(), Some(outbox))
        }
    };
    // The feature flag picks an implementation, a null object, instead of
    // becoming an `if` inside the service.
    let mailer: Arc<dyn Mailer> = if config.welcome_mail {
        mailer
    } else {
        Arc::new(NoMail)
    };

    let clock: Arc<dyn Clock> = match config.fixed_time {
        Some(time) => Arc::new(FixedClock(time)),
        None => Arc::new(SystemClock),
    };

    App {
        signups: SignupService::new(users.clone(), mailer, clock),
        directory: DirectoryService::new(users),
        outbox,
    }
}

fn main() {
    // A real binary would read its configuration here and serve:
    // let app = build_app(Config::from_env()?);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_700_000_000)
    }

    fn welcome(to: &str) -> Mail {
        Mail {
            to: to.to_string(),
            subject: "Welcome!".to_string(),
        }
    }

    #[test]
    fn the_test_config_wires_memory_an_outbox_and_the_fixed_clock() {
        let app = build_app(Config::test());

        assert_eq!(
            app.signups.describe(),
            "users: in memory; mail: outbox; clock: fixed at 1700000000"
        );
        let ada = app.signups.register("ada@example.com").unwrap();
        assert_eq!(ada.joined_at, t0());
        let outbox = app.outbox.expect("the test config keeps mail in an outbox");
        assert_eq!(outbox.mails(), [welcome("ada@example.com")]);
    }

    #[test]
    fn both_services_share_one_user_store() {
        let app = build_app(Config::test());

        app.signups.register("ada@example.com").unwrap();

        let found = app.directory.find("ada@example.com").unwrap();
        assert_eq!(
            found.map(|user| user.email),
            Some("ada@example.com".to_string())
        );
        assert_eq!(app.directory.count(), Ok(1));
        assert_eq!(
            app.signups.register("ada@example.com"),
            Err(SignupError::EmailTaken)
        );
    }

    #[test]
    fn each_app_gets_its_own_store() {
        let first = build_app(Config::test());
        let second = build_app(Config::test());

        first.signups.register("ada@example.com").unwrap();

        assert_eq!(second.directory.count(), Ok(0), "no global state");
    }

    #[test]
    fn the_production_config_wires_postgres_smtp_and_the_system_clock() {
        let app = build_app(Config::production(
            "postgres://app:s3cret@db.internal/app",
            "smtp.example.com",
        ));

        assert_eq!(
            app.signups.describe(),
            "users: postgres at postgres://db.internal/app; mail: smtp via smtp.example.com; clock: system",
            "what is logged at start-up names the database, never its password"
        );
        assert!(app.outbox.is_none(), "real mail goes out over SMTP");
        // The stand-in Postgres cannot be reached from here: the error proves
        // the app talks to it, and did not quietly fall back to memory.
        let unavailable = StorageError::Unavailable("postgres://db.internal/app".to_string());
        assert_eq!(
            app.signups.register("ada@example.com"),
            Err(SignupError::Storage(unavailable.clone()))
        );
        assert_eq!(app.directory.count(), Err(unavailable.clone()));
        assert_eq!(app.directory.find("ada@example.com"), Err(unavailable));
    }

    #[test]
    fn each_setting_is_chosen_on_its_own() {
        let config = Config {
            smtp_host: Some("smtp.example.com".to_string()),
            ..Config::test()
        };

        let app = build_app(config);

        assert_eq!(
            app.signups.describe(),
            "users: in memory; mail: smtp via smtp.example.com; clock: fixed at 1700000000"
        );
        assert!(app.outbox.is_none());
    }

    #[test]
    fn switching_the_welcome_mail_off_wires_the_null_mailer() {
        let config = Config {
            welcome_mail: false,
            ..Config::test()
        };
        let app = build_app(config);

        app.signups.register("ada@example.com").unwrap();

        assert_eq!(
            app.signups.describe(),
            "users: in memory; mail: none; clock: fixed at 1700000000"
        );
        let outbox = app.outbox.expect("mail still stays in the process");
        assert!(outbox.mails().is_empty());
    }

    #[test]
    fn a_test_can_wire_a_service_by_hand() {
        // The root is the only place that wires the *application*; a unit
        // test still builds a service with exactly the parts it wants.
        let outbox = Arc::new(Outbox::default());
        let service = SignupService::new(
            Arc::new(InMemoryUsers::default()),
            outbox.clone(),
            Arc::new(FixedClock(t0())),
        );

        service.register("grace@example.com").unwrap();

        assert_eq!(outbox.mails(), [welcome("grace@example.com")]);
    }
}
