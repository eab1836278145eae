//! The parts of the watch model that say what is shown: the screen, the overlay
//! over it, the list's filter and search, and a check under way.

use std::time::SystemTime;

use patterns_core::cargo::BuildProgress;
use patterns_core::workbook::ResetScope;

/// Which overlay covers the main screen, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help,
    /// The hints revealed so far, the newest first.
    Hints,
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

/// What the last drawn frame said about the part that scrolls now (an overlay,
/// else the screen's body): how many rows it shows and how far it can scroll.
/// Scrolling keys use it, so that `k` after `G` moves at once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Viewport {
    pub rows: u16,
    pub max_scroll: u16,
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
    pub started: SystemTime,
    pub build: Option<BuildProgress>,
}
