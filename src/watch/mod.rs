//! `patterns watch`: the interactive workbook, and its headless twin.
//!
//! One channel, one loop: the key reader, the file watcher, the check threads and
//! the signal handler each turn what they see into a [`Msg`] and send it; the loop
//! applies each message to the model ([`model::App::update`]), carries out the
//! effects it returns, and redraws. Nothing polls: an idle session sleeps in
//! `recv()`. The terminal is restored on every way out (return, error, panic,
//! Ctrl-C, SIGTERM, SIGHUP).

pub mod ansi;
pub mod keys;
pub mod model;
pub mod view;

#[cfg(test)]
mod tests;

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::SystemTime;

use anyhow::{Context, Result};
use crossterm::event::{self, Event, MouseEventKind};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use patterns_core::catalog::Exercise;
use patterns_core::check::{self, Side, Verdict};
use patterns_core::process::Cancel;
use patterns_core::progress::{Progress, Store};
use patterns_core::workbook::{ResetScope, Workbook};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::commands::{Session, UsageError, jobs};
use crate::signals;
use crate::watcher::{WatchEvent, WatchMode, Watcher};
use model::{App, Effect, Msg};

/// How `patterns watch` runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub headless: bool,
    pub poll: bool,
    pub manual: bool,
}

pub fn run(dir: Option<&Path>, options: Options) -> Result<ExitCode> {
    if options.headless {
        return headless(dir, options);
    }
    if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
        return Err(UsageError(
            "patterns watch needs a terminal. To check once, run `patterns run`; for editors and scripts, `patterns watch --headless` prints one JSON object per event".to_owned(),
        )
        .into());
    }
    let session = Session::open(dir, Some("patterns watch"))?;
    let (tx, rx) = mpsc::channel();
    let sender = tx.clone();
    signals::on_signal(move || {
        let _ = sender.send(Msg::Signal);
    });
    let _watcher = start_watcher(&session.workbook.root, options, &tx);

    let mut terminal = TerminalGuard::enter().context("cannot set up the terminal")?;
    spawn_input(tx.clone());
    let mut app = App::new(
        session.workbook.catalog.clone(),
        session.progress.clone(),
        options.manual,
    );
    let mut saver = Saver::new(&session.store);
    let result = event_loop(
        &mut terminal.terminal,
        &mut app,
        &session,
        &mut saver,
        &tx,
        &rx,
    );
    drop(terminal);
    result?;
    saver.finish(&app.progress)?;

    let done = app.done_count();
    println!(
        "{done} of {} exercises done. Run `patterns` to continue at {}.",
        app.catalog.exercises.len(),
        app.exercise().name
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

type Term = Terminal<CrosstermBackend<io::Stdout>>;

/// Raw mode, the alternate screen and mouse reporting, undone on drop and on panic.
struct TerminalGuard {
    terminal: Term,
}

impl TerminalGuard {
    fn enter() -> io::Result<TerminalGuard> {
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            hook(info);
        }));
        enable_raw_mode()?;
        let mut stdout = io::stdout();
        if let Err(error) = execute!(
            stdout,
            EnterAlternateScreen,
            crossterm::event::EnableMouseCapture
        ) {
            restore_terminal();
            return Err(error);
        }
        match Terminal::new(CrosstermBackend::new(stdout)) {
            Ok(terminal) => Ok(TerminalGuard { terminal }),
            Err(error) => {
                restore_terminal();
                Err(error)
            }
        }
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = self.terminal.show_cursor();
        restore_terminal();
    }
}

fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        crossterm::event::DisableMouseCapture,
        LeaveAlternateScreen
    );
}

/// Reads keys, the mouse wheel and resizes on a thread of its own.
fn spawn_input(tx: Sender<Msg>) {
    std::thread::spawn(move || {
        loop {
            let msg = match event::read() {
                Ok(Event::Key(key)) => Msg::Key(key),
                Ok(Event::Mouse(mouse)) => match mouse.kind {
                    MouseEventKind::ScrollDown => Msg::Scroll(3),
                    MouseEventKind::ScrollUp => Msg::Scroll(-3),
                    _ => continue,
                },
                Ok(Event::Resize(..)) => Msg::Resize,
                Ok(_) => continue,
                // The terminal is gone (closed, or its input broke): quit, which
                // stops every check.
                Err(_) => {
                    let _ = tx.send(Msg::Signal);
                    break;
                }
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
}

/// Runs checks on threads of their own; a new check cancels the one under way.
/// Dropping it cancels every check and waits until each has killed what it
/// started, on every way out of the loop: nothing a check runs may outlive
/// patterns.
struct Checker {
    workbook: Arc<Workbook>,
    tx: Sender<Msg>,
    current: Option<(Cancel, Arc<AtomicBool>)>,
    all: Option<Cancel>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Checker {
    fn new(workbook: &Workbook, tx: &Sender<Msg>) -> Checker {
        Checker {
            workbook: Arc::new(workbook.clone()),
            tx: tx.clone(),
            current: None,
            all: None,
            threads: Vec::new(),
        }
    }

    fn check(&mut self, name: &str, run: u64) {
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

    fn check_all(&mut self) {
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
                lint_all: false,
                cancel: Some(cancel),
            };
            let result = check::check_many(&workbook, &items, &options, &|event| {
                let msg = match event {
                    check::Event::Building(p) => {
                        Msg::AllProgress(format!("building {}/{}", p.done, p.total))
                    }
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

fn topic_readme(root: &Path) -> impl Fn(&str) -> Option<String> + '_ {
    move |topic: &str| {
        std::fs::read_to_string(root.join("exercises").join(topic).join("README.md")).ok()
    }
}

fn event_loop(
    terminal: &mut Term,
    app: &mut App,
    session: &Session,
    saver: &mut Saver,
    tx: &Sender<Msg>,
    rx: &Receiver<Msg>,
) -> Result<()> {
    let root = session.workbook.root.clone();
    let intro = topic_readme(&root);
    let mut checker = Checker::new(&session.workbook, tx);
    let effects = if app.manual {
        Vec::new()
    } else {
        app.start(&intro)
    };
    apply_effects(app, effects, session, saver, &mut checker)?;
    terminal.draw(|frame| view::draw(frame, app))?;
    while let Ok(msg) = rx.recv() {
        let effects = app.update(msg, SystemTime::now(), &intro);
        apply_effects(app, effects, session, saver, &mut checker)?;
        // Apply whatever else is queued before drawing once.
        while let Ok(msg) = rx.try_recv() {
            let effects = app.update(msg, SystemTime::now(), &intro);
            apply_effects(app, effects, session, saver, &mut checker)?;
        }
        if app.quit {
            break;
        }
        terminal.draw(|frame| view::draw(frame, app))?;
    }
    Ok(())
}

fn apply_effects(
    app: &mut App,
    effects: Vec<Effect>,
    session: &Session,
    saver: &mut Saver,
    checker: &mut Checker,
) -> Result<()> {
    let mut queue = effects;
    while !queue.is_empty() {
        let mut more = Vec::new();
        for effect in queue {
            match effect {
                Effect::Check { name, run } => checker.check(&name, run),
                Effect::CheckAll => checker.check_all(),
                Effect::SaveProgress => {
                    if let Some(problem) = saver.save(&app.progress) {
                        app.notice = Some(problem);
                    }
                }
                Effect::Reset { name, scope } => {
                    let result = reset(&session.workbook, &name, scope);
                    more.extend(app.update(
                        Msg::ResetDone {
                            name,
                            scope,
                            result,
                        },
                        SystemTime::now(),
                        &|_| None,
                    ));
                }
                Effect::LoadSolution(name) => {
                    if let Some(exercise) = session.workbook.catalog.find(&name) {
                        let read = |p: &Path| {
                            std::fs::read_to_string(session.workbook.root.join(p))
                                .unwrap_or_else(|e| format!("cannot read {}: {e}", p.display()))
                        };
                        let msg = Msg::Solution {
                            name: name.clone(),
                            text: read(&exercise.solution_path()),
                            mine: read(&exercise.path()),
                        };
                        more.extend(app.update(msg, SystemTime::now(), &|_| None));
                    }
                }
                Effect::Quit => app.quit = true,
            }
        }
        queue = more;
    }
    Ok(())
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

/// One JSON object per line on stdout.
fn emit(value: serde_json::Value) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

/// `--headless`: the same loop without a screen, for editors, scripts and the
/// latency benchmark. Checks the current exercise, then every saved exercise file;
/// reads commands (`run [NAME]`, `quit`) from stdin, one per line.
fn headless(dir: Option<&Path>, options: Options) -> Result<ExitCode> {
    let mut session = Session::open(dir, Some("patterns watch --headless"))?;
    let (tx, rx) = mpsc::channel();
    let sender = tx.clone();
    signals::on_signal(move || {
        let _ = sender.send(Msg::Signal);
    });
    let watcher = start_watcher(&session.workbook.root, options, &tx);
    let mode = match (&watcher, options.manual) {
        (_, true) => "manual",
        (Some(w), _) if matches!(w.mode(), WatchMode::Poll) => "poll",
        (Some(_), _) => "native",
        (None, _) => "none",
    };
    let command_tx = tx.clone();
    std::thread::spawn(move || {
        for line in io::stdin().lines() {
            let Ok(line) = line else { break };
            if command_tx.send(Msg::Command(line)).is_err() {
                return;
            }
        }
        // End of input: whoever drove us is gone (an editor that quit or died).
        let _ = command_tx.send(Msg::Command("quit".to_owned()));
    });

    let mut checker = Checker::new(&session.workbook, &tx);
    let mut saver = Saver::new(&session.store);
    let mut next_run = 1u64;
    let mut running: Option<(u64, String)> = None;
    let mut start = |checker: &mut Checker, name: String, running: &mut Option<(u64, String)>| {
        let run = next_run;
        next_run += 1;
        emit(serde_json::json!({"event": "run_started", "exercise": name, "run": run}));
        checker.check(&name, run);
        *running = Some((run, name));
    };
    let current = session.current().name.clone();
    emit(serde_json::json!({"event": "watching", "mode": mode, "exercise": current}));
    start(&mut checker, current, &mut running);

    while let Ok(msg) = rx.recv() {
        match msg {
            Msg::FileChanged(path) => {
                let changed = session
                    .workbook
                    .catalog
                    .exercises
                    .iter()
                    .find(|e| e.path() == path)
                    .map(|e| e.name.clone());
                if let Some(name) = changed {
                    start(&mut checker, name, &mut running);
                }
            }
            Msg::Building { run, progress } if running.as_ref().is_some_and(|(r, _)| *r == run) => {
                emit(serde_json::json!({
                    "event": "building", "run": run,
                    "done": progress.done, "total": progress.total,
                }));
            }
            Msg::Checked { run, verdict } => {
                if running.as_ref().is_none_or(|(r, _)| *r != run) {
                    continue;
                }
                running = None;
                if verdict.status == check::Status::Cancelled {
                    continue;
                }
                let moved = session.record(&verdict, true);
                emit(verdict_json(run, &verdict));
                if verdict.is_done() {
                    emit(serde_json::json!({
                        "event": "done", "exercise": verdict.exercise, "next": moved,
                    }));
                }
                if let Some(problem) = saver.save(&session.progress) {
                    emit(serde_json::json!({"event": "error", "message": problem}));
                }
            }
            Msg::CheckFailed { run, message } => {
                running = None;
                emit(serde_json::json!({"event": "error", "run": run, "message": message}));
            }
            Msg::Command(command) => {
                let mut words = command.split_whitespace();
                match (words.next(), words.next()) {
                    (Some("quit"), _) => break,
                    (Some("run"), name) => {
                        let name =
                            name.map_or_else(|| session.current().name.clone(), str::to_owned);
                        if session.workbook.catalog.find(&name).is_some() {
                            start(&mut checker, name, &mut running);
                        } else {
                            emit(serde_json::json!({
                                "event": "error",
                                "message": format!("there is no exercise \"{name}\""),
                            }));
                        }
                    }
                    (None, _) => {}
                    (Some(other), _) => emit(serde_json::json!({
                        "event": "error",
                        "message": format!("unknown command \"{other}\"; the commands are: run [NAME], quit"),
                    })),
                }
            }
            Msg::Notice(text) | Msg::Polling(text) => {
                emit(serde_json::json!({"event": "notice", "message": text}));
            }
            Msg::Signal => break,
            _ => {}
        }
    }
    drop(checker);
    saver.finish(&session.progress)?;
    Ok(ExitCode::SUCCESS)
}

/// The `verdict` event of the headless stream.
pub fn verdict_json(run: u64, verdict: &Verdict) -> serde_json::Value {
    let (passed, total) = verdict.test_counts();
    serde_json::json!({
        "event": "verdict",
        "run": run,
        "exercise": verdict.exercise,
        "status": verdict.status,
        "done": verdict.is_done(),
        "tests_passed": passed,
        "tests_total": total,
        "first_error": verdict.first_error.as_ref().map(ToString::to_string),
        "tests_changed": verdict.tests_changed,
        "duration_ms": u64::try_from(verdict.elapsed.as_millis()).unwrap_or(u64::MAX),
    })
}
