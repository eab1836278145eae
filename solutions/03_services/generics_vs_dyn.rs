//! # Dependency injection: generics or `Arc<dyn Trait>` (solution)

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
///
/// There is exactly one mailer, and which one is known when the program is
/// compiled (SMTP in the binary, a fake in the tests), so a type parameter
/// says it best: calls are static and can be inlined, and `mailer()` hands a
/// test its own fake back, fully typed, with nothing to downcast or share.
/// The price is paid by whoever names the type (`NotificationService<SmtpMailer>`)
/// and by the compiler, which builds one copy of the code per mailer type.
struct NotificationService<M: Mailer> {
    mailer: M,
}

impl<M: Mailer> NotificationService<M> {
    fn new(mailer: M) -> Self {
        Self { mailer }
    }

    fn mailer(&self) -> &M {
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

/// A channel as the alert service holds it: any notifier, shared, and safe to
/// use from every thread of a web server. Naming the type once keeps the
/// `+ Send + Sync` from being forgotten in one of the signatures.
type SharedNotifier = Arc<dyn Notifier + Send + Sync>;

/// Sends an alert to every configured channel.
///
/// The channels are a list of *different* types, and which ones is decided by
/// the configuration at start-up. A type parameter cannot express either: a
/// `Vec<N>` holds one type, and `N` is fixed when compiling. Trait objects
/// can, for the price of a pointer indirection per call, which is nothing
/// next to the network call behind it.
struct AlertService {
    notifiers: Vec<SharedNotifier>,
}

impl AlertService {
    fn new(notifiers: Vec<SharedNotifier>) -> Self {
        Self { notifiers }
    }

    /// Notifies every channel and returns the names of those that failed.
    fn alert(&self, message: &str) -> Vec<String> {
        // No `?`: a broken Slack webhook must not keep the pager quiet. Each
        // channel is tried, and the caller learns which ones did not work.
        self.notifiers
            .iter()
            .filter(|notifier| notifier.notify(message).is_err())
            .map(|notifier| notifier.channel().to_string())
            .collect()
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
///
/// The concrete type of each element is decided by a string read at run
/// time, which only a trait object can return.
fn notifiers_from_config(config: &AlertConfig) -> Result<Vec<SharedNotifier>, ConfigError> {
    config
        .channels
        .iter()
        .map(|channel| -> Result<SharedNotifier, ConfigError> {
            match channel.as_str() {
                "slack" => Ok(Arc::new(SlackNotifier::new(&config.slack_webhook))),
                "pager" => Ok(Arc::new(PagerNotifier::new(&config.pager_key))),
                // Fail at start-up, not at the first incident.
                other => Err(ConfigError::UnknownChannel(other.to_string())),
            }
        })
        .collect()
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
