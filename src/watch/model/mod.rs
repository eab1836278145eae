//! The watch screen's state and its one update function.
//!
//! Everything that happens (a key, a saved file, cargo's progress, a verdict) comes
//! in as a [`Msg`]; [`App::update`] changes the model and returns [`Effect`]s for the
//! event loop to carry out (start a check, save progress, reset a file). Nothing
//! here draws, sleeps or touches the terminal, so every transition is unit tested.
//!
//! Inside: `msg` (what comes in, what goes out), `state` (the screens, overlays
//! and list), `act` (what each key's action does).

mod act;
mod msg;
mod state;

use std::path::Path;
use std::time::{Duration, SystemTime};

use patterns_core::catalog::Exercise;
use patterns_core::session::Session;
use patterns_core::verdict::{Status, Verdict};
use patterns_core::workbook::ResetScope;

use super::events::Report;

use super::keys::{self, Mode};

pub use msg::{Effect, Msg};
pub use state::{Filter, ListState, Overlay, Running, Screen, Viewport};

/// The whole state of `patterns watch`, on the screen or headless: one state
/// machine for both, so that their rules cannot drift apart.
#[derive(Debug, Clone)]
pub struct App {
    /// The catalog, the learner's progress, and the rules that move them on.
    pub session: Session,
    /// Headless: no screen; every saved exercise is checked, and what happens is
    /// reported ([`Effect::Report`]) for the listener.
    pub headless: bool,
    /// The time of the latest message, for what the screen shows of time.
    pub now: SystemTime,
    /// Index of the exercise shown (the current one, until the learner moves on).
    pub current: usize,
    /// The latest verdict of the current exercise.
    pub verdict: Option<Verdict>,
    pub running: Option<Running>,
    /// Checks numbered in order; results of older ones are dropped.
    pub next_run: u64,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    /// First line shown of the scrollable body (the verdict, the solution).
    pub scroll: u16,
    /// First line shown of the overlay's text, apart from the body's.
    pub overlay_scroll: u16,
    /// The last frame's scrollable part (see [`Viewport`]).
    pub viewport: Viewport,
    /// Hints of the shown exercise read after it was done: shown, not counted
    /// as help used.
    pub hints_after_done: usize,
    pub list: ListState,
    /// A line for the status bar (reset results, errors), until the next
    /// verdict or move.
    pub notice: Option<String>,
    /// Why the watcher polls, shown whenever there is no notice.
    pub polling: Option<String>,
    /// Check-all under way: its progress line.
    pub checking_all: Option<String>,
    /// Results of the last check-all, by exercise name.
    pub all_results: Vec<(String, Status)>,
    /// Learner's code and solution for the side-by-side view.
    pub solution: Option<(String, String, String)>,
    /// Watching for saves is off (`--manual-run`).
    pub manual: bool,
    pub quit: bool,
}

impl App {
    /// The watch screen on `session`, starting at its current exercise.
    pub fn new(session: Session, manual: bool) -> App {
        let current = session.current_index();
        let overlay = (!session.progress.welcomed && session.catalog.welcome_message.is_some())
            .then_some(Overlay::Welcome);
        App {
            session,
            headless: false,
            now: SystemTime::UNIX_EPOCH,
            current,
            verdict: None,
            running: None,
            next_run: 1,
            screen: Screen::Exercise,
            overlay,
            scroll: 0,
            overlay_scroll: 0,
            viewport: Viewport::default(),
            hints_after_done: 0,
            list: ListState {
                selected: current,
                filter: Filter::All,
                search: String::new(),
                searching: false,
            },
            notice: None,
            polling: None,
            checking_all: None,
            all_results: Vec::new(),
            solution: None,
            manual,
            quit: false,
        }
    }

    /// Headless watch on `session`: no overlays, reports for a listener.
    pub fn headless(session: Session, manual: bool) -> App {
        App {
            headless: true,
            overlay: None,
            ..App::new(session, manual)
        }
    }

    pub fn exercise(&self) -> &Exercise {
        &self.session.catalog.exercises[self.current]
    }

    /// The current exercise is done (by its latest verdict, or by progress).
    pub fn is_done(&self) -> bool {
        match &self.verdict {
            Some(verdict) if verdict.exercise == self.exercise().name => verdict.is_done(),
            _ => self.session.progress.is_done(&self.exercise().name),
        }
    }

    /// How many hints of the shown exercise the learner has read.
    pub fn hints_revealed(&self) -> usize {
        self.session
            .hints_revealed(&self.exercise().name)
            .max(self.hints_after_done)
            .min(self.exercise().hints.len())
    }

    pub fn done_count(&self) -> usize {
        self.session.done_count()
    }

    /// The verdict on screen is older than the file (a check of a newer save runs).
    pub fn is_refreshing(&self) -> bool {
        self.running.is_some()
    }

    /// The mode that decides which keys work now.
    pub fn mode(&self) -> Mode {
        match (&self.overlay, &self.screen) {
            (Some(Overlay::ConfirmReset { .. }), _) => Mode::Confirm,
            (Some(Overlay::Hints), _) => Mode::Hints,
            (Some(_), _) => Mode::Overlay,
            (None, Screen::List) if self.list.searching => Mode::Search,
            (None, Screen::List) => Mode::List,
            (None, Screen::Solution) => Mode::Solution,
            (None, Screen::Exercise) => Mode::Exercise,
        }
    }

    /// Indices of the exercises the list shows, with its filter and search; a
    /// search puts the best matches first (the name itself, then names that start
    /// with it, then names with a word that does, then any other match).
    pub fn visible(&self) -> Vec<usize> {
        let search = self.list.search.to_lowercase();
        let mut shown: Vec<(usize, usize)> = self
            .session
            .catalog
            .exercises
            .iter()
            .enumerate()
            .filter(|(_, e)| match self.list.filter {
                Filter::All => true,
                Filter::Done => self.session.is_done(&e.name),
                Filter::Pending => !self.session.is_done(&e.name),
            })
            .filter_map(|(i, e)| search_rank(&search, &e.name, e.topic()).map(|rank| (rank, i)))
            .collect();
        shown.sort();
        shown.into_iter().map(|(_, i)| i).collect()
    }

    /// Starts the first check at `now` (and shows the topic intro when due).
    pub fn start(
        &mut self,
        now: SystemTime,
        intro: &dyn Fn(&str) -> Option<String>,
    ) -> Vec<Effect> {
        self.now = now;
        self.maybe_introduce(intro);
        self.check_current()
    }

    fn check_current(&mut self) -> Vec<Effect> {
        let name = self.exercise().name.clone();
        self.check(name)
    }

    /// Checks the exercise `name` as a new run (which cancels any check under way).
    fn check(&mut self, name: String) -> Vec<Effect> {
        let run = self.next_run;
        self.next_run += 1;
        self.running = Some(Running {
            run,
            exercise: name.clone(),
            started: self.now,
            build: None,
        });
        let mut effects = Vec::new();
        self.report(
            &mut effects,
            Report::RunStarted {
                exercise: name.clone(),
                run,
            },
        );
        effects.push(Effect::Check { name, run });
        effects
    }

    /// Adds a report for a headless listener (the screen shows its state instead).
    fn report(&self, effects: &mut Vec<Effect>, report: Report) {
        if self.headless {
            effects.push(Effect::Report(report));
        }
    }

    /// Shows the README of the shown exercise's topic the first time the learner
    /// reaches the topic, whichever of its exercises they reach first.
    fn maybe_introduce(&mut self, intro: &dyn Fn(&str) -> Option<String>) {
        if self.overlay.is_some() || self.headless {
            return;
        }
        let topic = self.exercise().topic().to_owned();
        if !self.session.progress.topics_introduced.contains(&topic) {
            self.introduce(topic, intro);
        }
    }

    /// Opens the introduction of `topic`, if it has one.
    pub(super) fn introduce(&mut self, topic: String, intro: &dyn Fn(&str) -> Option<String>) {
        if let Some(text) = intro(&topic) {
            self.overlay_scroll = 0;
            self.overlay = Some(Overlay::TopicIntro { topic, text });
        }
    }

    fn go_to(&mut self, index: usize, intro: &dyn Fn(&str) -> Option<String>) -> Vec<Effect> {
        self.current = index;
        self.hints_after_done = 0;
        let name = self.exercise().name.clone();
        self.session.set_current(&name);
        self.verdict = None;
        self.scroll = 0;
        self.screen = Screen::Exercise;
        self.solution = None;
        self.notice = None;
        self.maybe_introduce(intro);
        let mut effects = self.check_current();
        effects.push(Effect::SaveProgress);
        effects
    }

    /// Applies one message; `intro` reads a topic's README; `now` is the time it
    /// arrived (it stamps progress, and is the time the screen shows).
    pub fn update(
        &mut self,
        msg: Msg,
        now: SystemTime,
        intro: &dyn Fn(&str) -> Option<String>,
    ) -> Vec<Effect> {
        self.now = now;
        match msg {
            Msg::Key(key) => {
                // A notice answers the key before; the next key moves on from it.
                self.notice = None;
                match keys::action(self.mode(), key) {
                    Some(action) => self.act(action, now, intro),
                    None => Vec::new(),
                }
            }
            Msg::Viewport(viewport) => {
                self.viewport = viewport;
                let scroll = self.scroll_target();
                *scroll = (*scroll).min(viewport.max_scroll);
                Vec::new()
            }
            Msg::Scroll(lines) => {
                if matches!(
                    self.mode(),
                    Mode::Exercise | Mode::Overlay | Mode::Hints | Mode::Solution
                ) {
                    self.scroll_by(i32::from(lines));
                }
                Vec::new()
            }
            Msg::Resize | Msg::Tick => Vec::new(),
            Msg::Command(line) => self.command(&line),
            Msg::Signal => self.quit(),
            Msg::FileChanged(path) => self.file_changed(&path),
            Msg::Notice(text) | Msg::Polling(text) if self.headless => {
                let mut effects = Vec::new();
                self.report(&mut effects, Report::Notice { message: text });
                effects
            }
            Msg::Notice(text) => {
                self.notice = Some(text);
                Vec::new()
            }
            Msg::Polling(reason) => {
                self.polling = Some(reason);
                Vec::new()
            }
            Msg::SaveFailed(problem) => {
                let mut effects = Vec::new();
                self.report(
                    &mut effects,
                    Report::Error {
                        message: problem.clone(),
                        run: None,
                    },
                );
                self.notice = Some(problem);
                effects
            }
            Msg::Building { run, progress } => {
                let mut effects = Vec::new();
                if let Some(running) = self.running.as_mut().filter(|r| r.run == run) {
                    running.build = Some(progress.clone());
                    self.report(
                        &mut effects,
                        Report::Building {
                            run,
                            done: progress.done,
                            total: progress.total,
                        },
                    );
                }
                effects
            }
            Msg::Checked { run, verdict } => self.checked(run, *verdict, now),
            Msg::CheckFailed { run, message } => {
                let mut effects = Vec::new();
                if self.running.as_ref().is_some_and(|r| r.run == run) {
                    self.running = None;
                    self.report(
                        &mut effects,
                        Report::Error {
                            message: message.clone(),
                            run: Some(run),
                        },
                    );
                    self.notice = Some(message);
                }
                effects
            }
            Msg::AllProgress(line) => {
                if self.all_results.is_empty() {
                    self.checking_all = Some(line);
                }
                Vec::new()
            }
            Msg::AllOne { name, status } => {
                self.all_results.retain(|(n, _)| *n != name);
                self.all_results.push((name, status));
                let total = self.session.catalog.exercises.len();
                self.checking_all = Some(format!(
                    "{} of {total} exercises checked, {} done",
                    self.all_results.len(),
                    self.all_results.iter().filter(|(_, s)| s.is_done()).count()
                ));
                Vec::new()
            }
            Msg::AllChecked(verdicts) => self.all_checked(verdicts, now),
            Msg::ResetDone {
                name,
                scope,
                result,
            } => {
                // A reset that failed changed nothing: no progress is touched and
                // no check wipes its message.
                let message = match result {
                    Ok(message) => message,
                    Err(error) => {
                        self.notice = Some(error);
                        return Vec::new();
                    }
                };
                let mut effects = Vec::new();
                if scope == ResetScope::Exercise {
                    self.session.progress.clear_done(&name);
                    effects.push(Effect::SaveProgress);
                }
                if name == self.exercise().name {
                    self.verdict = None;
                    effects.extend(self.check_current());
                }
                // After the check it starts, which would clear it.
                self.notice = Some(message);
                effects
            }
            Msg::Solution { name, text, mine } => {
                if name == self.exercise().name {
                    self.solution = Some((name, mine, text));
                    self.screen = Screen::Solution;
                    self.scroll = 0;
                }
                Vec::new()
            }
        }
    }

    fn quit(&mut self) -> Vec<Effect> {
        self.quit = true;
        vec![Effect::Quit]
    }

    /// A headless command: `run [NAME]` or `quit`.
    fn command(&mut self, line: &str) -> Vec<Effect> {
        let mut words = line.split_whitespace();
        let mut effects = Vec::new();
        match (words.next(), words.next()) {
            (Some("quit"), _) => return self.quit(),
            (Some("run"), name) => match self.session.pick(name) {
                Ok(exercise) => {
                    let name = exercise.name.clone();
                    return self.check(name);
                }
                Err(unknown) => self.report(
                    &mut effects,
                    Report::Error {
                        message: unknown.to_string(),
                        run: None,
                    },
                ),
            },
            (None, _) => {}
            (Some(other), _) => self.report(
                &mut effects,
                Report::Error {
                    message: format!(
                        "unknown command \"{other}\"; the commands are: run [NAME], quit"
                    ),
                    run: None,
                },
            ),
        }
        effects
    }

    fn file_changed(&mut self, path: &Path) -> Vec<Effect> {
        if self.manual {
            return Vec::new();
        }
        let Some(changed) = self
            .session
            .catalog
            .exercises
            .iter()
            .find(|e| e.path() == path)
            .map(|e| e.name.clone())
        else {
            return Vec::new();
        };
        // Headless checks every saved exercise; the screen, the one it shows.
        if self.headless || changed == self.exercise().name {
            return self.check(changed);
        }
        self.notice = Some(format!(
            "{changed} changed; it is not the current exercise (l opens the list)"
        ));
        Vec::new()
    }

    fn checked(&mut self, run: u64, verdict: Verdict, now: SystemTime) -> Vec<Effect> {
        if self.running.as_ref().is_none_or(|r| r.run != run) {
            return Vec::new(); // an older check, superseded by a newer save
        }
        self.running = None;
        if verdict.status == Status::Cancelled {
            return Vec::new();
        }
        // A new verdict supersedes whatever the status line said.
        self.notice = None;
        let recorded = self.session.record(&verdict, true, now);
        let mut effects = Vec::new();
        self.report(&mut effects, Report::verdict(run, &verdict));
        if verdict.is_done() {
            self.report(
                &mut effects,
                Report::Done {
                    exercise: verdict.exercise.clone(),
                    next: recorded.moved_to.clone(),
                },
            );
        }
        effects.push(Effect::SaveProgress);
        if verdict.exercise == self.exercise().name {
            // A new verdict is read from its top: a scrolled view of the old one
            // would start in the middle of something.
            self.scroll = 0;
            self.verdict = Some(verdict);
        }
        if recorded.newly_done && recorded.all_done && !self.headless {
            // The last one: re-check everything before congratulating.
            self.checking_all = Some("checking every exercise...".to_owned());
            effects.push(Effect::CheckAll);
        }
        effects
    }

    fn all_checked(&mut self, verdicts: Vec<Verdict>, now: SystemTime) -> Vec<Effect> {
        self.checking_all = None;
        self.all_results = verdicts
            .iter()
            .map(|v| (v.exercise.clone(), v.status))
            .collect();
        self.session.record_all(&verdicts, now);
        let done = verdicts.iter().filter(|v| v.is_done()).count();
        if done == self.session.catalog.exercises.len() {
            self.overlay = Some(Overlay::Final);
        } else {
            self.notice = Some(format!(
                "{done} of {} exercises pass; the list (l) shows which do not",
                verdicts.len()
            ));
        }
        vec![Effect::SaveProgress]
    }
}

/// Where `name` (in `topic`) ranks for a search (lower first), or `None` when it
/// does not match: the name itself, a name that starts with the search, a name
/// with a word that does (`_http`), the search anywhere in the name, in the topic.
fn search_rank(search: &str, name: &str, topic: &str) -> Option<usize> {
    if search.is_empty() {
        return Some(0);
    }
    if name == search {
        Some(0)
    } else if name.starts_with(search) {
        Some(1)
    } else if name.contains(&format!("_{search}")) {
        Some(2)
    } else if name.contains(search) {
        Some(3)
    } else if topic.contains(search) {
        Some(4)
    } else {
        None
    }
}

/// A pause between ticks while a check runs.
pub const TICK: Duration = Duration::from_millis(250);
