//! Ctrl-C, SIGTERM and SIGHUP, delivered to whoever listens.
//!
//! The handler can be installed only once per process, so it calls a list of
//! listeners: `main` cancels running checks (killing a learner's endless loop with
//! its process tree), the watch loop asks itself to quit and restore the terminal.

use std::sync::Mutex;

type Listener = Box<dyn Fn() + Send>;

static LISTENERS: Mutex<Vec<Listener>> = Mutex::new(Vec::new());

/// Installs the process's signal handler. Call once, early.
pub fn install() {
    // Failing to install leaves the default behaviour (the process ends), which is
    // still safe for a command-line run; nothing better can be done here.
    let _ = ctrlc::set_handler(|| {
        if let Ok(listeners) = LISTENERS.lock() {
            for listener in listeners.iter() {
                listener();
            }
        }
    });
}

/// Calls `listener` on every Ctrl-C, SIGTERM or SIGHUP.
pub fn on_signal(listener: impl Fn() + Send + 'static) {
    if let Ok(mut listeners) = LISTENERS.lock() {
        listeners.push(Box::new(listener));
    }
}
