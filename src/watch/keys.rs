//! Key bindings as data: one table maps (mode, key) to an [`Action`], and the same
//! table writes the footer and the help overlay, so they can never disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// What a key asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    Help,
    /// Close the overlay, or go back to the exercise.
    Close,
    Next,
    Hint,
    Solution,
    List,
    CheckAll,
    Rerun,
    Reset,
    /// Put back the original tests, keeping the rest of the learner's code.
    RestoreTests,
    /// Show the current topic's introduction.
    TopicIntro,
    Confirm,
    ScrollDown,
    ScrollUp,
    PageDown,
    PageUp,
    Top,
    Bottom,
    ListDown,
    ListUp,
    ListOpen,
    ListReset,
    ListFilter,
    SearchStart,
    SearchChar(char),
    SearchBackspace,
    SearchDone,
    SearchClear,
}

/// Which keys apply: depends on the screen and any overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Exercise,
    List,
    Search,
    Solution,
    Overlay,
    /// The hints overlay: `h` reveals the next one there too.
    Hints,
    Confirm,
}

/// One binding: the key, its label for people, what it does, where it works, and
/// whether the footer shows it.
pub struct Binding {
    pub key: KeyCode,
    pub label: &'static str,
    pub action: Action,
    pub modes: &'static [Mode],
    pub describe: &'static str,
    pub footer: bool,
}

const EXERCISE: &[Mode] = &[Mode::Exercise];
const SCROLLING: &[Mode] = &[Mode::Exercise, Mode::Solution, Mode::Overlay, Mode::Hints];
const MAIN: &[Mode] = &[Mode::Exercise, Mode::Solution, Mode::List];
const LIST: &[Mode] = &[Mode::List];

const fn bind(
    key: KeyCode,
    label: &'static str,
    action: Action,
    modes: &'static [Mode],
    describe: &'static str,
    footer: bool,
) -> Binding {
    Binding {
        key,
        label,
        action,
        modes,
        describe,
        footer,
    }
}

/// Every key binding of the watch screen.
pub const BINDINGS: &[Binding] = &[
    bind(
        KeyCode::Char('n'),
        "n",
        Action::Next,
        EXERCISE,
        "next exercise (once this one is done)",
        true,
    ),
    bind(
        KeyCode::Char('h'),
        "h",
        Action::Hint,
        &[Mode::Exercise, Mode::Hints],
        "the hints: reveals the next one",
        true,
    ),
    bind(
        KeyCode::Char('s'),
        "s",
        Action::Solution,
        EXERCISE,
        "the solution beside your code (once done)",
        true,
    ),
    bind(
        KeyCode::Char('l'),
        "l",
        Action::List,
        &[Mode::Exercise, Mode::Solution],
        "list of all exercises",
        true,
    ),
    bind(
        KeyCode::Char('c'),
        "c",
        Action::CheckAll,
        &[Mode::Exercise, Mode::List],
        "check all exercises",
        true,
    ),
    bind(
        KeyCode::Char('r'),
        "r",
        Action::Rerun,
        EXERCISE,
        "check again",
        true,
    ),
    bind(
        KeyCode::Char('x'),
        "x",
        Action::Reset,
        EXERCISE,
        "reset the exercise (asks first, keeps a backup)",
        true,
    ),
    bind(
        KeyCode::Char('t'),
        "t",
        Action::RestoreTests,
        EXERCISE,
        "put the original tests back, keep your code",
        false,
    ),
    bind(
        KeyCode::Char('i'),
        "i",
        Action::TopicIntro,
        EXERCISE,
        "the topic's introduction",
        false,
    ),
    bind(
        KeyCode::Char('j'),
        "j/↓",
        Action::ScrollDown,
        SCROLLING,
        "scroll down",
        false,
    ),
    bind(
        KeyCode::Down,
        "j/↓",
        Action::ScrollDown,
        SCROLLING,
        "scroll down",
        false,
    ),
    bind(
        KeyCode::Char('k'),
        "k/↑",
        Action::ScrollUp,
        SCROLLING,
        "scroll up",
        false,
    ),
    bind(
        KeyCode::Up,
        "k/↑",
        Action::ScrollUp,
        SCROLLING,
        "scroll up",
        false,
    ),
    bind(
        KeyCode::PageDown,
        "PgDn",
        Action::PageDown,
        SCROLLING,
        "page down",
        false,
    ),
    bind(
        KeyCode::PageUp,
        "PgUp",
        Action::PageUp,
        SCROLLING,
        "page up",
        false,
    ),
    bind(
        KeyCode::Char('g'),
        "g",
        Action::Top,
        SCROLLING,
        "to the top",
        false,
    ),
    bind(
        KeyCode::Char('G'),
        "G",
        Action::Bottom,
        SCROLLING,
        "to the bottom",
        false,
    ),
    bind(
        KeyCode::Char('j'),
        "j/↓",
        Action::ListDown,
        LIST,
        "next in the list",
        false,
    ),
    bind(
        KeyCode::Down,
        "j/↓",
        Action::ListDown,
        LIST,
        "next in the list",
        false,
    ),
    bind(
        KeyCode::Char('k'),
        "k/↑",
        Action::ListUp,
        LIST,
        "previous in the list",
        false,
    ),
    bind(
        KeyCode::Up,
        "k/↑",
        Action::ListUp,
        LIST,
        "previous in the list",
        false,
    ),
    bind(
        KeyCode::Enter,
        "Enter",
        Action::ListOpen,
        LIST,
        "continue at the selected exercise",
        true,
    ),
    bind(
        KeyCode::Char('x'),
        "x",
        Action::ListReset,
        LIST,
        "reset the selected exercise (asks first)",
        true,
    ),
    bind(
        KeyCode::Char('f'),
        "f",
        Action::ListFilter,
        LIST,
        "filter: all, pending, done",
        true,
    ),
    bind(
        KeyCode::Char('/'),
        "/",
        Action::SearchStart,
        LIST,
        "search by name or topic",
        true,
    ),
    bind(
        KeyCode::Enter,
        "Enter",
        Action::SearchDone,
        &[Mode::Search],
        "keep the search",
        true,
    ),
    bind(
        KeyCode::Esc,
        "Esc",
        Action::SearchClear,
        &[Mode::Search],
        "clear the search",
        true,
    ),
    bind(
        KeyCode::Backspace,
        "⌫",
        Action::SearchBackspace,
        &[Mode::Search],
        "delete a character",
        false,
    ),
    bind(
        KeyCode::Char('y'),
        "y",
        Action::Confirm,
        &[Mode::Confirm],
        "yes, do it",
        true,
    ),
    bind(
        KeyCode::Char('n'),
        "n",
        Action::Close,
        &[Mode::Confirm],
        "no, keep my code",
        true,
    ),
    bind(
        KeyCode::Esc,
        "Esc",
        Action::Close,
        &[
            Mode::Confirm,
            Mode::Overlay,
            Mode::Hints,
            Mode::List,
            Mode::Solution,
        ],
        "close / back",
        true,
    ),
    bind(
        KeyCode::Enter,
        "Enter",
        Action::Close,
        &[Mode::Overlay, Mode::Hints],
        "close",
        false,
    ),
    bind(
        KeyCode::Char('q'),
        "q",
        Action::Close,
        &[Mode::Overlay, Mode::Hints, Mode::List, Mode::Solution],
        "back",
        false,
    ),
    bind(
        KeyCode::Char('?'),
        "?",
        Action::Help,
        MAIN,
        "all keys",
        true,
    ),
    bind(
        KeyCode::Char('q'),
        "q",
        Action::Quit,
        EXERCISE,
        "quit",
        true,
    ),
];

/// The action for `key` in `mode`. Ctrl-C quits everywhere; in search mode other
/// printable keys type into the search.
pub fn action(mode: Mode, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        return matches!(key.code, KeyCode::Char('c')).then_some(Action::Quit);
    }
    if let Some(binding) = BINDINGS
        .iter()
        .find(|b| b.key == key.code && b.modes.contains(&mode))
    {
        return Some(binding.action);
    }
    match (mode, key.code) {
        (Mode::Search, KeyCode::Char(c)) => Some(Action::SearchChar(c)),
        _ => None,
    }
}

/// The footer's bindings for `mode`, each label once.
pub fn footer(mode: Mode) -> Vec<(&'static str, &'static str)> {
    let mut shown: Vec<(&str, &str)> = Vec::new();
    for binding in BINDINGS
        .iter()
        .filter(|b| b.footer && b.modes.contains(&mode))
    {
        if !shown.iter().any(|(label, _)| *label == binding.label) {
            shown.push((binding.label, short(binding.action)));
        }
    }
    shown
}

fn short(action: Action) -> &'static str {
    match action {
        Action::Quit => "quit",
        Action::Help => "help",
        Action::Close => "back",
        Action::Next => "next",
        Action::Hint => "hint",
        Action::Solution => "solution",
        Action::List => "list",
        Action::CheckAll => "check all",
        Action::Rerun => "rerun",
        Action::Reset | Action::ListReset => "reset",
        Action::Confirm => "yes",
        Action::ListOpen => "open",
        Action::ListFilter => "filter",
        Action::SearchStart => "search",
        Action::SearchDone => "keep",
        Action::SearchClear => "clear",
        _ => "",
    }
}

/// Every binding for the help overlay: (keys, what it does), grouped by screen.
pub fn help() -> Vec<(&'static str, Vec<(String, &'static str)>)> {
    let groups: [(&str, Mode); 4] = [
        ("Exercise", Mode::Exercise),
        ("List", Mode::List),
        ("Search in the list", Mode::Search),
        ("Reset question", Mode::Confirm),
    ];
    groups
        .iter()
        .map(|(title, mode)| {
            let mut rows: Vec<(String, &str)> = Vec::new();
            for binding in BINDINGS.iter().filter(|b| b.modes.contains(mode)) {
                if !rows.iter().any(|(_, d)| *d == binding.describe) {
                    rows.push((binding.label.to_owned(), binding.describe));
                }
            }
            if *mode != Mode::Confirm {
                rows.push(("Ctrl-C".to_owned(), "quit"));
            }
            (*title, rows)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn the_same_key_means_what_its_mode_says() {
        assert_eq!(
            action(Mode::Exercise, key(KeyCode::Char('r'))),
            Some(Action::Rerun)
        );
        assert_eq!(
            action(Mode::List, key(KeyCode::Char('x'))),
            Some(Action::ListReset)
        );
        assert_eq!(
            action(Mode::Confirm, key(KeyCode::Char('n'))),
            Some(Action::Close)
        );
        assert_eq!(
            action(Mode::Search, key(KeyCode::Char('r'))),
            Some(Action::SearchChar('r'))
        );
        assert_eq!(action(Mode::Overlay, key(KeyCode::Char('n'))), None);
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action(Mode::Search, ctrl_c), Some(Action::Quit));
    }

    #[test]
    fn no_key_is_bound_twice_in_one_mode() {
        for (i, a) in BINDINGS.iter().enumerate() {
            for b in &BINDINGS[i + 1..] {
                let shared = a.modes.iter().any(|m| b.modes.contains(m));
                assert!(
                    !(a.key == b.key && shared),
                    "{:?} is bound twice ({} and {})",
                    a.key,
                    a.describe,
                    b.describe
                );
            }
        }
    }

    #[test]
    fn the_footer_lists_each_label_once() {
        let footer = footer(Mode::Exercise);
        assert_eq!(
            footer.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
            vec!["n", "h", "s", "l", "c", "r", "x", "?", "q"]
        );
    }
}
