//! The watch screen's state and its one update function.
//!
//! Everything that happens (a key, a saved file, cargo's progress, a verdict) comes
//! in as a [`Msg`]; [`App::update`] changes the model and returns [`Effect`]s for the
//! event loop to carry out (start a check, save progress, reset a file). Nothing
//! here draws, sleeps or touches the terminal, so every transition is unit tested.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use patterns_core::cargo::BuildProgress;
use patterns_core::catalog::{Catalog, Exercise};
use patterns_core::check::{Status, Verdict};
use patterns_core::progress::Progress;
use patterns_core::workbook::ResetScope;

use super::keys::{self, Action, Mode};

/// Everything the loop receives, from any thread.
#[derive(Debug)]
pub enum Msg {
    Key(crossterm::event::KeyEvent),
    /// Mouse wheel: positive scrolls down.
    Scroll(i16),
    Resize,
    /// A `.rs` file under exercises/ was saved (relative to the workbook root).
    FileChanged(PathBuf),
    /// Something to tell the learner once (a watcher error, another file saved).
    Notice(String),
    /// The watcher polls the files instead of using notifications, and why.
    Polling(String),
    /// Progress of the check numbered `run`.
    Building {
        run: u64,
        progress: BuildProgress,
    },
    /// The check numbered `run` finished.
    Checked {
        run: u64,
        verdict: Box<Verdict>,
    },
    /// The check could not run at all (cargo missing, ...).
    CheckFailed {
        run: u64,
        message: String,
    },
    /// Check-all progress and result: a line, each exercise as it is checked,
    /// then all verdicts.
    AllProgress(String),
    AllOne {
        name: String,
        status: Status,
    },
    AllChecked(Vec<Verdict>),
    /// The result of a reset: what to tell the learner, or why nothing changed.
    ResetDone {
        name: String,
        scope: ResetScope,
        result: Result<String, String>,
    },
    /// The solution's text for the side-by-side view.
    Solution {
        name: String,
        text: String,
        mine: String,
    },
    /// A periodic wake-up while a check runs (for the elapsed time).
    Tick,
    /// SIGTERM, SIGHUP, SIGINT from outside.
    Signal,
    /// A line from stdin in headless mode (`run [NAME]`, `quit`).
    Command(String),
}

/// What the loop must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Check this exercise as check number `run` (cancelling any check under way).
    Check {
        name: String,
        run: u64,
    },
    CheckAll,
    SaveProgress,
    Reset {
        name: String,
        scope: ResetScope,
    },
    LoadSolution(String),
    Quit,
}

/// Which overlay covers the main screen, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help,
    Welcome,
    /// A topic's README before its first exercise.
    TopicIntro {
        topic: String,
        text: String,
    },
    ConfirmReset {
        name: String,
        scope: ResetScope,
    },
    Final,
}

/// Which screen is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    Exercise,
    List,
    Solution,
}

/// Which exercises the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    All,
    Pending,
    Done,
}

impl Filter {
    pub fn next(self) -> Filter {
        match self {
            Filter::All => Filter::Pending,
            Filter::Pending => Filter::Done,
            Filter::Done => Filter::All,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Filter::All => "all",
            Filter::Pending => "pending",
            Filter::Done => "done",
        }
    }
}

/// The list screen's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListState {
    /// Index into the catalog of the highlighted exercise.
    pub selected: usize,
    pub filter: Filter,
    pub search: String,
    /// Typing goes to the search field.
    pub searching: bool,
}

/// A check under way.
#[derive(Debug, Clone)]
pub struct Running {
    pub run: u64,
    pub exercise: String,
    pub started: std::time::Instant,
    pub build: Option<BuildProgress>,
}

/// The whole state of the watch screen.
#[derive(Debug, Clone)]
pub struct App {
    pub catalog: Catalog,
    pub progress: Progress,
    /// Index of the current exercise.
    pub current: usize,
    /// The latest verdict of the current exercise.
    pub verdict: Option<Verdict>,
    pub running: Option<Running>,
    /// Checks numbered in order; results of older ones are dropped.
    pub next_run: u64,
    pub screen: Screen,
    pub overlay: Option<Overlay>,
    /// First line shown of the scrollable verdict.
    pub scroll: u16,
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
    /// A new screen on `catalog` and `progress`; `intro` gives a topic's README text.
    pub fn new(catalog: Catalog, progress: Progress, manual: bool) -> App {
        let current = progress
            .current
            .as_deref()
            .and_then(|name| catalog.position(name))
            .or_else(|| {
                catalog
                    .exercises
                    .iter()
                    .position(|e| !progress.is_done(&e.name))
            })
            .unwrap_or(0);
        let overlay =
            (!progress.welcomed && catalog.welcome_message.is_some()).then_some(Overlay::Welcome);
        App {
            catalog,
            progress,
            current,
            verdict: None,
            running: None,
            next_run: 1,
            screen: Screen::Exercise,
            overlay,
            scroll: 0,
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

    pub fn exercise(&self) -> &Exercise {
        &self.catalog.exercises[self.current]
    }

    /// The current exercise is done (by its latest verdict, or by progress).
    pub fn is_done(&self) -> bool {
        match &self.verdict {
            Some(verdict) if verdict.exercise == self.exercise().name => verdict.is_done(),
            _ => self.progress.is_done(&self.exercise().name),
        }
    }

    pub fn hints_revealed(&self) -> usize {
        self.progress
            .record(&self.exercise().name)
            .map_or(0, |r| r.hints_revealed)
            .min(self.exercise().hints.len())
    }

    pub fn done_count(&self) -> usize {
        self.catalog
            .exercises
            .iter()
            .filter(|e| self.progress.is_done(&e.name))
            .count()
    }

    /// The verdict on screen is older than the file (a check of a newer save runs).
    pub fn is_refreshing(&self) -> bool {
        self.running.is_some()
    }

    /// The mode that decides which keys work now.
    pub fn mode(&self) -> Mode {
        match (&self.overlay, &self.screen) {
            (Some(Overlay::ConfirmReset { .. }), _) => Mode::Confirm,
            (Some(_), _) => Mode::Overlay,
            (None, Screen::List) if self.list.searching => Mode::Search,
            (None, Screen::List) => Mode::List,
            (None, Screen::Solution) => Mode::Solution,
            (None, Screen::Exercise) => Mode::Exercise,
        }
    }

    /// Indices of the exercises the list shows, with its filter and search.
    pub fn visible(&self) -> Vec<usize> {
        let search = self.list.search.to_lowercase();
        self.catalog
            .exercises
            .iter()
            .enumerate()
            .filter(|(_, e)| match self.list.filter {
                Filter::All => true,
                Filter::Done => self.progress.is_done(&e.name),
                Filter::Pending => !self.progress.is_done(&e.name),
            })
            .filter(|(_, e)| {
                search.is_empty() || e.name.contains(&search) || e.topic().contains(&search)
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// Starts the first check (and shows the topic intro when due).
    pub fn start(&mut self, intro: &dyn Fn(&str) -> Option<String>) -> Vec<Effect> {
        self.maybe_introduce(intro);
        vec![self.check_current()]
    }

    fn check_current(&mut self) -> Effect {
        let run = self.next_run;
        self.next_run += 1;
        let name = self.exercise().name.clone();
        self.running = Some(Running {
            run,
            exercise: name.clone(),
            started: std::time::Instant::now(),
            build: None,
        });
        Effect::Check { name, run }
    }

    /// Shows the README of the current exercise's topic when it is the topic's first
    /// exercise and the learner has not seen it.
    fn maybe_introduce(&mut self, intro: &dyn Fn(&str) -> Option<String>) {
        if self.overlay.is_some() {
            return;
        }
        let exercise = self.exercise();
        let topic = exercise.topic().to_owned();
        let first_of_topic = self
            .catalog
            .exercises
            .iter()
            .find(|e| e.topic() == topic)
            .is_some_and(|e| e.name == exercise.name);
        if first_of_topic
            && !self.progress.topics_introduced.contains(&topic)
            && let Some(text) = intro(&topic)
        {
            self.overlay = Some(Overlay::TopicIntro { topic, text });
        }
    }

    fn go_to(&mut self, index: usize, intro: &dyn Fn(&str) -> Option<String>) -> Vec<Effect> {
        self.current = index;
        self.progress.current = Some(self.exercise().name.clone());
        self.verdict = None;
        self.scroll = 0;
        self.screen = Screen::Exercise;
        self.solution = None;
        self.notice = None;
        self.maybe_introduce(intro);
        vec![self.check_current(), Effect::SaveProgress]
    }

    /// Applies one message; `intro` reads a topic's README; `now` stamps progress.
    pub fn update(
        &mut self,
        msg: Msg,
        now: SystemTime,
        intro: &dyn Fn(&str) -> Option<String>,
    ) -> Vec<Effect> {
        match msg {
            Msg::Key(key) => match keys::action(self.mode(), key) {
                Some(action) => self.act(action, now, intro),
                None => Vec::new(),
            },
            Msg::Scroll(lines) => {
                if self.mode() == Mode::Exercise || self.mode() == Mode::Overlay {
                    self.scroll_by(i32::from(lines));
                }
                Vec::new()
            }
            Msg::Resize | Msg::Tick | Msg::Command(_) => Vec::new(),
            Msg::Signal => {
                self.quit = true;
                vec![Effect::Quit]
            }
            Msg::FileChanged(path) => self.file_changed(&path),
            Msg::Notice(text) => {
                self.notice = Some(text);
                Vec::new()
            }
            Msg::Polling(reason) => {
                self.polling = Some(reason);
                Vec::new()
            }
            Msg::Building { run, progress } => {
                if let Some(running) = self.running.as_mut().filter(|r| r.run == run) {
                    running.build = Some(progress);
                }
                Vec::new()
            }
            Msg::Checked { run, verdict } => self.checked(run, *verdict, now),
            Msg::CheckFailed { run, message } => {
                if self.running.as_ref().is_some_and(|r| r.run == run) {
                    self.running = None;
                    self.notice = Some(message);
                }
                Vec::new()
            }
            Msg::AllProgress(line) => {
                self.checking_all = Some(line);
                Vec::new()
            }
            Msg::AllOne { name, status } => {
                self.all_results.retain(|(n, _)| *n != name);
                self.all_results.push((name, status));
                let total = self.catalog.exercises.len();
                self.checking_all = Some(format!(
                    "{} of {total} checked, {} done",
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
                    self.progress.clear_done(&name);
                    effects.push(Effect::SaveProgress);
                }
                if name == self.exercise().name {
                    self.verdict = None;
                    effects.push(self.check_current());
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

    fn file_changed(&mut self, path: &Path) -> Vec<Effect> {
        if self.manual {
            return Vec::new();
        }
        if path == self.exercise().path() {
            return vec![self.check_current()];
        }
        // Another exercise's file: the current one stays current.
        if let Some(other) = self.catalog.exercises.iter().find(|e| e.path() == path) {
            self.notice = Some(format!(
                "{} changed; it is not the current exercise (l opens the list)",
                other.name
            ));
        }
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
        let was_done = self.progress.is_done(&verdict.exercise);
        if verdict.status.judges_the_code() {
            self.progress
                .record_check(&verdict.exercise, verdict.is_done(), true, now);
        }
        let just_finished = verdict.is_done() && !was_done;
        if self
            .verdict
            .as_ref()
            .is_none_or(|v| v.status != verdict.status)
        {
            self.scroll = 0;
        }
        self.verdict = Some(verdict);
        let mut effects = vec![Effect::SaveProgress];
        if just_finished && self.done_count() == self.catalog.exercises.len() {
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
        for verdict in verdicts.iter().filter(|v| v.status.judges_the_code()) {
            self.progress
                .record_check(&verdict.exercise, verdict.is_done(), false, now);
        }
        let done = verdicts.iter().filter(|v| v.is_done()).count();
        if done == self.catalog.exercises.len() {
            self.overlay = Some(Overlay::Final);
        } else {
            self.notice = Some(format!(
                "{done} of {} exercises pass; the list (l) shows which do not",
                verdicts.len()
            ));
        }
        vec![Effect::SaveProgress]
    }

    fn scroll_by(&mut self, lines: i32) {
        let next = (i32::from(self.scroll) + lines).clamp(0, i32::from(u16::MAX));
        self.scroll = u16::try_from(next).unwrap_or(0);
    }

    fn act(
        &mut self,
        action: Action,
        now: SystemTime,
        intro: &dyn Fn(&str) -> Option<String>,
    ) -> Vec<Effect> {
        match action {
            Action::Quit => {
                self.quit = true;
                vec![Effect::Quit]
            }
            Action::Help => {
                self.overlay = Some(Overlay::Help);
                Vec::new()
            }
            Action::Close => {
                match self.overlay.take() {
                    Some(Overlay::Welcome) => {
                        self.progress.welcomed = true;
                        self.scroll = 0;
                        self.maybe_introduce(intro);
                        return vec![Effect::SaveProgress];
                    }
                    Some(Overlay::TopicIntro { topic, .. }) => {
                        self.progress.topics_introduced.push(topic);
                        self.scroll = 0;
                        return vec![Effect::SaveProgress];
                    }
                    Some(_) => {}
                    None => {
                        self.screen = Screen::Exercise;
                        self.list.searching = false;
                    }
                }
                Vec::new()
            }
            Action::Next => {
                if !self.is_done() {
                    self.notice = Some("finish this exercise first (h for a hint)".to_owned());
                    return Vec::new();
                }
                let count = self.catalog.exercises.len();
                let next = (1..=count)
                    .map(|k| (self.current + k) % count)
                    .find(|&i| !self.progress.is_done(&self.catalog.exercises[i].name));
                match next {
                    Some(index) => self.go_to(index, intro),
                    None => {
                        self.checking_all = Some("checking every exercise...".to_owned());
                        vec![Effect::CheckAll]
                    }
                }
            }
            Action::Hint => {
                let count = self.exercise().hints.len();
                let name = self.exercise().name.clone();
                let record = self.progress.record_mut(&name, now);
                if record.hints_revealed < count {
                    record.hints_revealed += 1;
                    vec![Effect::SaveProgress]
                } else {
                    self.notice = Some("that was the last hint".to_owned());
                    Vec::new()
                }
            }
            Action::Solution => {
                if self.is_done() {
                    vec![Effect::LoadSolution(self.exercise().name.clone())]
                } else {
                    self.notice = Some("the solution opens once the exercise is done".to_owned());
                    Vec::new()
                }
            }
            Action::List => {
                self.screen = Screen::List;
                self.list.selected = self.current;
                Vec::new()
            }
            Action::CheckAll => {
                if self.checking_all.is_some() {
                    return Vec::new();
                }
                self.all_results.clear();
                self.checking_all = Some("checking every exercise...".to_owned());
                vec![Effect::CheckAll]
            }
            Action::Rerun => vec![self.check_current()],
            Action::Reset | Action::RestoreTests => {
                self.overlay = Some(Overlay::ConfirmReset {
                    name: self.exercise().name.clone(),
                    scope: if action == Action::Reset {
                        ResetScope::Exercise
                    } else {
                        ResetScope::Tests
                    },
                });
                Vec::new()
            }
            Action::Confirm => match self.overlay.take() {
                Some(Overlay::ConfirmReset { name, scope }) => vec![Effect::Reset { name, scope }],
                other => {
                    self.overlay = other;
                    Vec::new()
                }
            },
            Action::ScrollDown => {
                self.scroll_by(1);
                Vec::new()
            }
            Action::ScrollUp => {
                self.scroll_by(-1);
                Vec::new()
            }
            Action::PageDown => {
                self.scroll_by(10);
                Vec::new()
            }
            Action::PageUp => {
                self.scroll_by(-10);
                Vec::new()
            }
            Action::Top => {
                self.scroll = 0;
                Vec::new()
            }
            Action::Bottom => {
                self.scroll = u16::MAX;
                Vec::new()
            }
            Action::ListDown | Action::ListUp => {
                let visible = self.visible();
                if let Some(at) = visible.iter().position(|&i| i == self.list.selected) {
                    let next = if action == Action::ListDown {
                        (at + 1).min(visible.len() - 1)
                    } else {
                        at.saturating_sub(1)
                    };
                    self.list.selected = visible[next];
                } else if let Some(&first) = visible.first() {
                    self.list.selected = first;
                }
                Vec::new()
            }
            Action::ListOpen => {
                if self.visible().contains(&self.list.selected) {
                    self.list.searching = false;
                    self.go_to(self.list.selected, intro)
                } else {
                    Vec::new()
                }
            }
            Action::ListReset => {
                if self.visible().contains(&self.list.selected) {
                    let name = self.catalog.exercises[self.list.selected].name.clone();
                    self.overlay = Some(Overlay::ConfirmReset {
                        name,
                        scope: ResetScope::Exercise,
                    });
                }
                Vec::new()
            }
            Action::ListFilter => {
                self.list.filter = self.list.filter.next();
                self.keep_selection_visible();
                Vec::new()
            }
            Action::SearchStart => {
                // `/` starts a new search, as in less and vim.
                self.list.searching = true;
                self.list.search.clear();
                Vec::new()
            }
            Action::SearchChar(c) => {
                self.list.search.push(c);
                self.keep_selection_visible();
                Vec::new()
            }
            Action::SearchBackspace => {
                self.list.search.pop();
                self.keep_selection_visible();
                Vec::new()
            }
            Action::SearchDone => {
                self.list.searching = false;
                Vec::new()
            }
            Action::SearchClear => {
                self.list.search.clear();
                self.list.searching = false;
                self.keep_selection_visible();
                Vec::new()
            }
        }
    }

    fn keep_selection_visible(&mut self) {
        let visible = self.visible();
        if !visible.contains(&self.list.selected)
            && let Some(&first) = visible.first()
        {
            self.list.selected = first;
        }
    }
}

/// A pause between ticks while a check runs.
pub const TICK: Duration = Duration::from_millis(250);
