//! Checks for the watch loop, each on a thread of its own, reporting back as
//! messages; a new check cancels the one under way.
//!
//! Dropping the [`Checker`] cancels every check and waits until each has killed
//! what it started, on every way out of the loop: nothing a check runs may outlive
//! patterns.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;

use patterns_core::catalog::Exercise;
use patterns_core::check;
use patterns_core::process::Cancel;
use patterns_core::verdict::Side;
use patterns_core::workbook::Workbook;

use super::model::{self, Msg};
use crate::commands::jobs;

/// Runs the watch loop's checks.
pub struct Checker {
    workbook: Arc<Workbook>,
    tx: Sender<Msg>,
    current: Option<(Cancel, Arc<AtomicBool>)>,
    all: Option<Cancel>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Checker {
    pub fn new(workbook: &Workbook, tx: &Sender<Msg>) -> Checker {
        Checker {
            workbook: Arc::new(workbook.clone()),
            tx: tx.clone(),
            current: None,
            all: None,
            threads: Vec::new(),
        }
    }

    pub fn check(&mut self, name: &str, run: u64) {
        if let Some((cancel, _)) = self.current.take() {
            cancel.cancel();
        }
        let Some(exercise) = self.workbook.catalog.find(name).cloned() else {
            return;
        };
        let cancel = Cancel::new();
        let finished = Arc::new(AtomicBool::new(false));
        self.current = Some((cancel.clone(), Arc::clone(&finished)));
        let workbook = Arc::clone(&self.workbook);
        let tx = self.tx.clone();
        spawn_ticks(&tx, &finished);
        self.forget_finished();
        self.threads.push(std::thread::spawn(move || {
            let result = check::check(
                &workbook,
                &exercise,
                Side::Exercise,
                Some(&cancel),
                &|event| {
                    if let check::Event::Building(progress) = event {
                        let _ = tx.send(Msg::Building { run, progress });
                    }
                },
            );
            finished.store(true, Ordering::SeqCst);
            let msg = match result {
                Ok(verdict) => Msg::Checked {
                    run,
                    verdict: Box::new(verdict),
                },
                Err(error) => Msg::CheckFailed {
                    run,
                    message: format!("cannot run cargo ({error}); is Rust installed?"),
                },
            };
            let _ = tx.send(msg);
        }));
    }

    pub fn check_all(&mut self) {
        if let Some(cancel) = self.all.take() {
            cancel.cancel();
        }
        let cancel = Cancel::new();
        self.all = Some(cancel.clone());
        let workbook = Arc::clone(&self.workbook);
        let tx = self.tx.clone();
        self.forget_finished();
        self.threads.push(std::thread::spawn(move || {
            let items: Vec<(&Exercise, Side)> = workbook
                .catalog
                .exercises
                .iter()
                .map(|e| (e, Side::Exercise))
                .collect();
            let options = check::Options {
                jobs: jobs(None),
                lint_solutions: false,
                cancel: Some(cancel),
            };
            let result = check::check_many(&workbook, &items, &options, &|event| {
                let msg = match event {
                    // Each package is a build of its own, with its own count of
                    // units: a count would shrink and grow; say what happens.
                    check::Event::Building(p) => Msg::AllProgress(format!(
                        "compiling the exercises ({})…",
                        if p.current.is_empty() {
                            "cargo"
                        } else {
                            &p.current
                        }
                    )),
                    check::Event::Running { .. } | check::Event::Linting => return,
                    check::Event::Checked(verdict) => Msg::AllOne {
                        name: verdict.exercise.clone(),
                        status: verdict.status,
                    },
                };
                let _ = tx.send(msg);
            });
            let msg = match result {
                Ok(verdicts) => Msg::AllChecked(verdicts),
                Err(error) => Msg::Notice(format!("cannot check all: {error}")),
            };
            let _ = tx.send(msg);
        }));
    }

    /// Drops the handles of checks that are over.
    fn forget_finished(&mut self) {
        self.threads.retain(|thread| !thread.is_finished());
    }
}

impl Drop for Checker {
    /// Cancels every check and waits for each to end, its processes killed.
    fn drop(&mut self) {
        if let Some((cancel, _)) = self.current.take() {
            cancel.cancel();
        }
        if let Some(cancel) = self.all.take() {
            cancel.cancel();
        }
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Wakes the loop a few times a second while a check runs, for its elapsed time.
fn spawn_ticks(tx: &Sender<Msg>, finished: &Arc<AtomicBool>) {
    let tx = tx.clone();
    let finished = Arc::clone(finished);
    std::thread::spawn(move || {
        while !finished.load(Ordering::SeqCst) {
            std::thread::sleep(model::TICK);
            if tx.send(Msg::Tick).is_err() {
                break;
            }
        }
    });
}
