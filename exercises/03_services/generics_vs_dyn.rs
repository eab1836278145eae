//! # Dependency injection: generics or `Arc<dyn Trait>`
//!
//! A service gets its collaborators from outside. Rust gives two ways to say
//! "any type that implements `Mailer`": a type parameter (`M: Mailer`,
//! resolved when compiling) or a trait object (`Arc<dyn Mailer>`, resolved
//! at run time through a vtable). Both are dependency injection; they differ
//! in what they can express and what they cost.
//!
//! ## The problem
//!
//! Two services are welded to concrete types. `NotificationService` holds an
//! `SmtpMailer`, so its tests would send real mail. `AlertService` holds a
//! `Vec<SlackNotifier>`, but operations wants alerts on Slack *and* the pager,
//! chosen per environment in the config file, and a `Vec` of one concrete
//! type cannot hold both.
//!
//! ## Your task
//!
//! 1. Make `NotificationService` generic over `M: Mailer`, with `mailer()`
//!    returning `&M`. One mailer, known when compiling: the tests pass a fake.
//! 2. Make `AlertService` hold `Vec<Arc<dyn Notifier + Send + Sync>>`, so
//!    the list can mix types, be shared with the code that built it, and be
//!    used from every thread of a server. (A `type` alias saves typing it
//!    three times.) Implement `alert`: notify every channel, even after one
//!    fails, and return the names of those that failed, in order.
//! 3. Implement `notifiers_from_config`: "slack" and "pager" become a
//!    `SlackNotifier` / `PagerNotifier` built from the config; any other name
//!    is `ConfigError::UnknownChannel`. Only trait objects can do this: the
//!    type of each element depends on a string read at run time.
//!
//! The tests do not compile until the types accept their fakes.
//!
//! ## Which one?
//!
//! | | `S<M: Mailer>` | `Arc<dyn Mailer + Send + Sync>` |
//! |---|---|---|
//! | dispatch | static, can inline | one indirect call |
//! | compile time, binary | one copy per type used | one copy |
//! | choose at run time, mix types | no | yes |
//! | trait requirements | none | dyn-compatible: no generic methods, no `Self` as an argument or return type |
//! | in signatures | `M` spreads to every user of `S<M>` | stays out of types (handy in axum `State`) |
//! | tests | `service.mailer()` gives the fake back | keep an `Arc` clone of the fake |
//!
//! Default to generics for one collaborator fixed at compile time; reach for
//! `dyn` when the choice is made at run time, when you need a collection of
//! different types, or when the type parameters start to infect everything.
//!
//! ## When not to use it
//!
//! Neither, when there is only one implementation and nothing to swap in
//! tests (a pure function, a value type): inject nothing, call it directly.

use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Mail {
    to: String,
    subject: String,
    body: String,
}

#[derive(Debug, PartialEq, Eq)]
enum MailError {
    Rejected(String),
}

trait Mailer {
    fn send(&self, mail: Mail) -> Result<(), MailError>;
}

/// Stand-in for a real SMTP client: it keeps what it would have sent.
#[derive(Default)]
struct SmtpMailer {
    sent: Mutex<Vec<Mail>>,
}

impl Mailer for SmtpMailer {
    fn send(&self, mail: Mail) -> Result<(), MailError> {
        self.sent.lock().unwrap().push(mail);
        Ok(())
    }
}

// ---- Part 1: one dependency, known when compiling: a type parameter -------

/// Tells users their data export is ready.
// TODO: make the service generic over any `M: Mailer`.
struct NotificationService {
    mailer: SmtpMailer,
}

// TODO: the impl block needs the type parameter too.
impl NotificationService {
    fn new(mailer: SmtpMailer) -> Self {
        Self { mailer }
    }

    // TODO: return the mailer the service holds, whatever its type.
    fn mailer(&self) -> &SmtpMailer {
        &self.mailer
    }

    fn export_ready(&self, email: &str, download_url: &str) -> Result<(), MailError> {
        self.mailer.send(Mail {
            to: email.to_string(),
            subject: "Your export is ready".to_string(),
            body: format!("Download it here: {download_url}"),
        })
    }
}

// ---- Part 2: many dependencies, chosen at run time: trait objects ---------

#[derive(Debug, PartialEq, Eq)]
enum NotifyError {
    Unreachable(String),
}

/// A channel for operational alerts.
///
/// Usable as `dyn Notifier` because no method has type parameters or
/// mentions `Self` in its arguments or return type. A method like
/// `fn notify(&self, message: impl Display)` would make the trait impossible
/// to put behind a pointer, unless it opts out with `where Self: Sized` (and
/// then cannot be called on a `dyn Notifier`). A `self` receiver by value is
/// fine: `Box<dyn FnOnce()>` is called that way.
trait Notifier {
    /// A short name for reports: "slack", "pager", ...
    fn channel(&self) -> &str;
    fn notify(&self, message: &str) -> Result<(), NotifyError>;
}

/// Stand-in for a Slack webhook client.
struct SlackNotifier {
    webhook: String,
    posted: Mutex<Vec<String>>,
}

impl SlackNotifier {
    fn new(webhook: &str) -> Self {
        Self {
            webhook: webhook.to_string(),
            posted: Mutex::new(Vec::new()),
        }
    }
}

impl Notifier for SlackNotifier {
    fn channel(&self) -> &str {
        "slack"
    }

    fn notify(&self, message: &str) -> Result<(), NotifyError> {
        self.posted.lock().unwrap().push(message.to_string());
        Ok(())
    }
}

/// Stand-in for a paging service client.
struct PagerNotifier {
    service_key: String,
    pages: Mutex<Vec<String>>,
}

impl PagerNotifier {
    fn new(service_key: &str) -> Self {
        Self {
            service_key: service_key.to_string(),
            pages: Mutex::new(Vec::new()),
        }
    }
}

impl Notifier for PagerNotifier {
    fn channel(&self) -> &str {
        "pager"
    }

    fn notify(&self, message: &str) -> Result<(), NotifyError> {
        self.pages.lock().unwrap().push(message.to_string());
        Ok(())
    }
}

/// Sends an alert to every configured channel.
// TODO: hold any mix of notifiers: `Arc<dyn Notifier + Send + Sync>`.
struct AlertService {
    notifiers: Vec<SlackNotifier>,
}

impl AlertService {
    // TODO: accept the same type as the field.
    fn new(notifiers: Vec<SlackNotifier>) -> Self {
        Self { notifiers }
    }

    /// Notifies every channel and returns the names of those that failed.
    fn alert(&self, message: &str) -> Vec<String> {
        // TODO: try every notifier, even after a failure; collect the
        // `channel()` of each one that returned an error.
        todo!()
    }
}

struct AlertConfig {
    /// Channel names, in order: "slack" or "pager".
    channels: Vec<String>,
    slack_webhook: String,
    pager_key: String,
}

#[derive(Debug, PartialEq, Eq)]
enum ConfigError {
    UnknownChannel(String),
}

/// Builds the notifiers the configuration asks for.
// TODO: return trait objects, so one list can hold a Slack and a pager notifier.
fn notifiers_from_config(config: &AlertConfig) -> Result<Vec<SlackNotifier>, ConfigError> {
    // TODO: "slack" -> SlackNotifier::new(&config.slack_webhook),
    // "pager" -> PagerNotifier::new(&config.pager_key), else UnknownChannel.
    todo!()
}

fn main() {
    // This exercise is checked by its tests.
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A mailer that remembers what it was asked to send.
    #[derive(Default)]
    struct FakeMailer {
        sent: Mutex<Vec<Mail>>,
    }

    impl Mailer for FakeMailer {
        fn send(&self, mail: Mail) -> Result<(), MailError> {
            self.sent.lock().unwrap().push(mail);
            Ok(())
        }
    }

    /// A notifier that records messages, or fails every time.
    struct RecordingNotifier {
        name: &'static str,
        fails: bool,
        received: Mutex<Vec<String>>,
    }

    impl RecordingNotifier {
        fn working(name: &'static str) -> Arc<Self> {
            Self::new(name, false)
        }

        fn broken(name: &'static str) -> Arc<Self> {
            Self::new(name, true)
        }

        fn new(name: &'static str, fails: bool) -> Arc<Self> {
            Arc::new(Self {
                name,
                fails,
                received: Mutex::new(Vec::new()),
            })
        }

        fn received(&self) -> Vec<String> {
            self.received.lock().unwrap().clone()
        }
    }

    impl Notifier for RecordingNotifier {
        fn channel(&self) -> &str {
            self.name
        }

        fn notify(&self, message: &str) -> Result<(), NotifyError> {
            self.received.lock().unwrap().push(message.to_string());
            if self.fails {
                Err(NotifyError::Unreachable(self.name.to_string()))
            } else {
                Ok(())
            }
        }
    }

    fn config(channels: &[&str]) -> AlertConfig {
        AlertConfig {
            channels: channels.iter().map(|name| name.to_string()).collect(),
            slack_webhook: "https://hooks.example.com/T000".to_string(),
            pager_key: "pager-key-1".to_string(),
        }
    }

    #[test]
    fn the_generic_service_runs_against_a_fake_and_hands_it_back() {
        let service = NotificationService::new(FakeMailer::default());

        service
            .export_ready("ada@example.com", "https://files.example.com/export-7.zip")
            .unwrap();

        // No Arc, no downcast: the test gets its own type back.
        let sent = service.mailer().sent.lock().unwrap().clone();
        assert_eq!(
            sent,
            vec![Mail {
                to: "ada@example.com".to_string(),
                subject: "Your export is ready".to_string(),
                body: "Download it here: https://files.example.com/export-7.zip".to_string(),
            }]
        );
    }

    #[test]
    fn the_generic_service_also_runs_on_the_real_mailer() {
        let service = NotificationService::new(SmtpMailer::default());

        service
            .export_ready("grace@example.com", "https://x")
            .unwrap();

        assert_eq!(service.mailer().sent.lock().unwrap().len(), 1);
    }

    #[test]
    fn an_alert_reaches_channels_of_different_types() {
        let first = RecordingNotifier::working("ops-chat");
        let slack = Arc::new(SlackNotifier::new("https://hooks.example.com/T000"));
        let pager = Arc::new(PagerNotifier::new("key"));
        // The test keeps its own handles; the service gets clones as trait objects.
        let service = AlertService::new(vec![first.clone(), slack.clone(), pager.clone()]);

        let failed = service.alert("disk full on db-1");

        assert!(failed.is_empty());
        assert_eq!(first.received(), ["disk full on db-1"]);
        assert_eq!(*slack.posted.lock().unwrap(), ["disk full on db-1"]);
        assert_eq!(*pager.pages.lock().unwrap(), ["disk full on db-1"]);
    }

    #[test]
    fn a_failing_channel_does_not_silence_the_others() {
        let slack = RecordingNotifier::broken("slack");
        let pager = RecordingNotifier::working("pager");
        let sms = RecordingNotifier::broken("sms");
        let service = AlertService::new(vec![slack.clone(), pager.clone(), sms.clone()]);

        let failed = service.alert("db-1 is down");

        assert_eq!(failed, ["slack", "sms"]);
        assert_eq!(pager.received(), ["db-1 is down"]);
        assert_eq!(
            sms.received(),
            ["db-1 is down"],
            "tried even after a failure"
        );
    }

    #[test]
    fn the_alert_service_can_be_shared_between_threads() {
        let pager = RecordingNotifier::working("pager");
        let service = AlertService::new(vec![pager.clone()]);

        // As a web server would: several requests use one service at once.
        std::thread::scope(|scope| {
            scope.spawn(|| service.alert("from thread one"));
            scope.spawn(|| service.alert("from thread two"));
        });

        let mut received = pager.received();
        received.sort();
        assert_eq!(received, ["from thread one", "from thread two"]);
    }

    #[test]
    fn the_configuration_chooses_the_channels_at_run_time() {
        let notifiers = notifiers_from_config(&config(&["pager", "slack"])).unwrap();

        let channels: Vec<&str> = notifiers.iter().map(|n| n.channel()).collect();
        assert_eq!(channels, ["pager", "slack"]);
        assert!(notifiers_from_config(&config(&[])).unwrap().is_empty());
    }

    #[test]
    fn an_unknown_channel_is_a_configuration_error() {
        let result = notifiers_from_config(&config(&["slack", "fax"]));

        assert_eq!(
            result.err(),
            Some(ConfigError::UnknownChannel("fax".to_string()))
        );
    }

    #[test]
    fn configured_channels_plug_into_the_alert_service() {
        let service =
            AlertService::new(notifiers_from_config(&config(&["slack", "pager"])).unwrap());

        assert!(service.alert("certificate expires in 3 days").is_empty());
    }
}
