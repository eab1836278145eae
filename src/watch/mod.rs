//! `patterns watch`: the interactive workbook, and its headless twin.
//!
//! One state machine ([`model::App`]), one channel, one loop ([`drive`]) for both:
//! the key reader (or stdin, headless), the file watcher, the check threads and
//! the signal handler each turn what they see into a [`Msg`] and send it; the loop
//! applies each message to the model, carries out the effects it returns, and
//! then presents the result: the screen draws the model, headless prints the
//! reports. Nothing polls: an idle session sleeps in `recv()`.
//!
//! Inside: `model` (state and update), `view` (drawing, pure), `keys` (the key
//! table), `ansi` (coloured text), `terminal` (borrowing the terminal),
//! `checker` (check threads), `headless` (the JSON lines front end), `events`
//! (what headless prints).

pub mod ansi;
mod checker;
pub mod events;
mod headless;
pub mod keys;
pub mod model;
mod terminal;
pub mod view;

#[cfg(test)]
mod tests;

use std::io::{self, IsTerminal};
use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::SystemTime;

use anyhow::{Context, Result};
use patterns_core::progress::{Progress, Store};
use patterns_core::workbook::{ResetScope, Workbook};

use crate::commands::UsageError;
use crate::open::{OpenWorkbook, Selection};
use crate::saves::{WatchEvent, WatchMode, Watcher};
use crate::signals;
use checker::Checker;
use events::Report;
use model::{App, Effect, Msg};

/// How `patterns watch` runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub headless: bool,
    pub poll: bool,
    pub manual: bool,
}

pub fn run(at: &Selection, options: Options) -> Result<ExitCode> {
    if options.headless {
        return headless::run(at, options);
    }
    if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
        return Err(UsageError(
            "patterns watch needs a terminal. To check once, run `patterns run`; for editors and scripts, `patterns watch --headless` prints one JSON object per event".to_owned(),
        )
        .into());
    }
    let open = OpenWorkbook::open(at, Some("patterns watch"))?;
    let (tx, rx) = mpsc::channel();
    let sender = tx.clone();
    signals::on_signal(move || {
        let _ = sender.send(Msg::Signal);
    });
    let _watcher = start_watcher(&open.workbook.root, options, &tx);

    let mut guard = terminal::TerminalGuard::enter().context("cannot set up the terminal")?;
    terminal::spawn_input(tx.clone());
    let mut app = App::new(open.session.clone(), options.manual);
    if let Some(notice) =
        crate::curriculum::upgrade_notice(&open.workbook.root, &open.workbook.catalog)
            .or_else(|| catalog_warning(&open.workbook))
    {
        app.notice = Some(notice);
    }
    let result = drive(&mut app, &open, &tx, &rx, |app, _reports| {
        let mut drawn = app.viewport;
        guard
            .terminal
            .draw(|frame| drawn = view::draw(frame, app))?;
        // What the frame showed decides how far the scrolling keys go.
        Ok((drawn != app.viewport).then_some(Msg::Viewport(drawn)))
    });
    drop(guard);
    result?;

    println!(
        "{} of {} exercises done. Run `patterns` to continue at {}.",
        app.done_count(),
        app.session.catalog.exercises.len(),
        app.session.current().name
    );
    Ok(ExitCode::SUCCESS)
}

fn start_watcher(root: &Path, options: Options, tx: &Sender<Msg>) -> Option<Watcher> {
    if options.manual {
        return None;
    }
    let mode = if options.poll {
        WatchMode::Poll
    } else {
        WatchMode::Native
    };
    let sender = tx.clone();
    let started = Watcher::start(root, mode, move |event| {
        let msg = match event {
            WatchEvent::Changed(path) => Msg::FileChanged(path),
            WatchEvent::Polling(why) => Msg::Polling(why),
            WatchEvent::Error(error) => Msg::Notice(error),
        };
        let _ = sender.send(msg);
    });
    match started {
        Ok(watcher) => Some(watcher),
        Err(error) => {
            let _ = tx.send(Msg::Notice(format!(
                "cannot watch for saves ({error:#}); press r to check"
            )));
            None
        }
    }
}

/// One line about what is odd in info.toml, when something is.
fn catalog_warning(workbook: &Workbook) -> Option<String> {
    let count = workbook.catalog.warnings.len();
    (count > 0).then(|| {
        format!(
            "info.toml has {} (`patterns dev check` lists them)",
            crate::output::count(count, "warning")
        )
    })
}

fn topic_readme(root: &Path) -> impl Fn(&str) -> Option<String> + '_ {
    move |topic: &str| {
        std::fs::read_to_string(root.join("exercises").join(topic).join("README.md")).ok()
    }
}

/// The one loop: starts the first check (unless saves are not watched and there
/// is a screen to press `r` on), then applies every message to the model and
/// carries out its effects, and calls `present` once the queue is empty (which
/// may answer with what the frame showed, for the model). Returns when the model
/// quits; whatever a check started is stopped by then.
fn drive(
    app: &mut App,
    open: &OpenWorkbook,
    tx: &Sender<Msg>,
    rx: &Receiver<Msg>,
    mut present: impl FnMut(&App, Vec<Report>) -> Result<Option<Msg>>,
) -> Result<()> {
    let intro = topic_readme(&open.workbook.root);
    let mut checker = Checker::new(&open.workbook, tx);
    let mut saver = Saver::new(&open.store);
    let mut reports = Vec::new();
    let effects = if app.manual && !app.headless {
        Vec::new()
    } else {
        app.start(SystemTime::now(), &intro)
    };
    apply(
        app,
        effects,
        &open.workbook,
        &mut saver,
        &mut checker,
        &mut reports,
    );
    present(app, std::mem::take(&mut reports))?;
    while !app.quit {
        let Ok(msg) = rx.recv() else { break };
        let effects = app.update(msg, SystemTime::now(), &intro);
        apply(
            app,
            effects,
            &open.workbook,
            &mut saver,
            &mut checker,
            &mut reports,
        );
        // Apply whatever else is queued before presenting once.
        while let Ok(msg) = rx.try_recv() {
            let effects = app.update(msg, SystemTime::now(), &intro);
            apply(
                app,
                effects,
                &open.workbook,
                &mut saver,
                &mut checker,
                &mut reports,
            );
        }
        if let Some(msg) = present(app, std::mem::take(&mut reports))? {
            // Only what the frame showed: nothing to carry out, nothing to redraw.
            app.update(msg, SystemTime::now(), &intro);
        }
    }
    drop(checker);
    saver.finish(&app.session.progress)
}

/// Carries out effects, and those their results lead to.
fn apply(
    app: &mut App,
    effects: Vec<Effect>,
    workbook: &Workbook,
    saver: &mut Saver,
    checker: &mut Checker,
    reports: &mut Vec<Report>,
) {
    let mut queue = effects;
    while !queue.is_empty() {
        let mut more = Vec::new();
        let mut then = |msg: Msg, app: &mut App| {
            more.extend(app.update(msg, SystemTime::now(), &|_| None));
        };
        for effect in queue {
            match effect {
                Effect::Check { name, run } => checker.check(&name, run),
                Effect::CheckAll => checker.check_all(),
                Effect::SaveProgress => {
                    if let Some(problem) = saver.save(&app.session.progress) {
                        then(Msg::SaveFailed(problem), app);
                    }
                }
                Effect::Reset { name, scope } => {
                    let result = reset(workbook, &name, scope);
                    then(
                        Msg::ResetDone {
                            name,
                            scope,
                            result,
                        },
                        app,
                    );
                }
                Effect::LoadSolution(name) => {
                    if let Some(exercise) = workbook.catalog.find(&name) {
                        // A workbook made by `patterns init` has no solutions on
                        // disk: the one built into patterns stands in.
                        let read = |p: &Path| {
                            std::fs::read_to_string(workbook.root.join(p)).unwrap_or_else(|e| {
                                crate::curriculum::solution(&workbook.root, p).map_or_else(
                                    || format!("cannot read {}: {e}", p.display()),
                                    str::to_owned,
                                )
                            })
                        };
                        let msg = Msg::Solution {
                            name: name.clone(),
                            text: read(&exercise.solution_path()),
                            mine: read(&exercise.path()),
                        };
                        then(msg, app);
                    }
                }
                Effect::Report(report) => reports.push(report),
                Effect::Quit => app.quit = true,
            }
        }
        queue = more;
    }
}

fn reset(workbook: &Workbook, name: &str, scope: ResetScope) -> Result<String, String> {
    let exercise = workbook
        .catalog
        .find(name)
        .ok_or_else(|| format!("no exercise {name}"))?;
    let done = workbook
        .reset_scope(exercise, scope)
        .map_err(|error| format!("cannot reset {name}: {error}"))?;
    let what = match scope {
        ResetScope::Exercise => "is reset",
        ResetScope::Tests => "has its original tests back",
    };
    Ok(match done.backup {
        Some(backup) => format!(
            "{name} {what}; your version is saved as {}",
            backup
                .strip_prefix(&workbook.root)
                .unwrap_or(&backup)
                .display()
        ),
        None => format!("{name} already had them; nothing changed"),
    })
}

/// Saving progress from a watch loop. A save that failed (a read-only state file,
/// `.patterns` gone unwritable) is tried again by every later save and once more
/// at the end; only what still cannot be saved then is lost, and the learner is
/// told so on the way out.
struct Saver {
    store: Store,
    failing: bool,
}

impl Saver {
    fn new(store: &Store) -> Saver {
        Saver {
            store: store.clone(),
            failing: false,
        }
    }

    /// Saves `progress`; on failure, what to tell the learner now.
    fn save(&mut self, progress: &Progress) -> Option<String> {
        match self.store.save(progress) {
            Ok(()) => {
                self.failing = false;
                None
            }
            Err(error) => {
                self.failing = true;
                Some(format!(
                    "cannot save progress to {} ({error}); trying again at the next change and on quitting",
                    self.store.path().display()
                ))
            }
        }
    }

    /// On the way out: saves again if the last save failed.
    fn finish(&mut self, progress: &Progress) -> Result<()> {
        if self.failing
            && let Err(error) = self.store.save(progress)
        {
            anyhow::bail!(
                "cannot save your progress to {} ({error}): what this session recorded is lost. Make that folder writable; `patterns verify` rebuilds the done marks from your code",
                self.store.path().display()
            );
        }
        Ok(())
    }
}
