//! Where a learner stands in a workbook, and the rules that move them on: which
//! exercise is current, which comes next, what a verdict changes, which hint shows.
//!
//! Every front end (the one-shot commands, the watch screen, headless watch) holds
//! a [`Session`] and asks it, so that each rule is written once. Tracks will change
//! "next" here, in one place. Nothing here reads the disk or the clock: callers
//! pass the time and save the progress.

use std::time::SystemTime;

use crate::catalog::{Catalog, Exercise};
use crate::progress::Progress;
use crate::suggest;
use crate::verdict::Verdict;

/// A workbook's catalog and a learner's progress in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub catalog: Catalog,
    pub progress: Progress,
}

/// A name that is no exercise of the catalog (of the learner's track), with the
/// closest one if any.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("there is no exercise \"{name}\"{}; {}",
    match track { Some(track) => format!(" in the track \"{track}\" (`--track all` leaves it)"), None => String::new() },
    match suggestion {
        Some(close) => format!("did you mean \"{close}\"?"),
        None => "`patterns progress` lists them".to_owned(),
    })]
pub struct UnknownExercise {
    pub name: String,
    pub suggestion: Option<String>,
    /// The track the learner is on, when the name may be outside it.
    pub track: Option<String>,
}

/// A hint level the exercise does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{exercise} has {count} hint{}; pick --level 1{}, not {level}",
    if *count == 1 { "" } else { "s" },
    if *count > 1 { format!(" to {count}") } else { String::new() })]
pub struct NoSuchHint {
    pub exercise: String,
    pub count: usize,
    pub level: usize,
}

/// What recording a verdict changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// The verdict finished an exercise that was not done before.
    pub newly_done: bool,
    /// It finished the current exercise, and this one is current now.
    pub moved_to: Option<String>,
    /// Every exercise is done now.
    pub all_done: bool,
}

impl Session {
    pub fn new(catalog: Catalog, progress: Progress) -> Session {
        Session { catalog, progress }
    }

    /// The current exercise: the one progress names, else the first not done,
    /// else the last.
    pub fn current(&self) -> &Exercise {
        &self.catalog.exercises[self.current_index()]
    }

    /// The current exercise's place in the catalog.
    pub fn current_index(&self) -> usize {
        let exercises = &self.catalog.exercises;
        self.progress
            .current
            .as_deref()
            .and_then(|name| self.catalog.position(name))
            .or_else(|| exercises.iter().position(|e| !self.is_done(&e.name)))
            .unwrap_or(exercises.len().saturating_sub(1))
    }

    /// Makes `name` the current exercise.
    pub fn set_current(&mut self, name: &str) {
        self.progress.current = Some(name.to_owned());
    }

    /// The exercise called `name`, or why not with the closest name.
    pub fn exercise(&self, name: &str) -> Result<&Exercise, UnknownExercise> {
        self.catalog.find(name).ok_or_else(|| UnknownExercise {
            name: name.to_owned(),
            suggestion: suggest::closest(
                name,
                self.catalog.exercises.iter().map(|e| e.name.as_str()),
            )
            .map(str::to_owned),
            track: self.catalog.track.as_ref().map(|t| t.name.clone()),
        })
    }

    /// NAME if given, else the current exercise.
    pub fn pick(&self, name: Option<&str>) -> Result<&Exercise, UnknownExercise> {
        match name {
            Some(name) => self.exercise(name),
            None => Ok(self.current()),
        }
    }

    pub fn is_done(&self, name: &str) -> bool {
        self.progress.is_done(name)
    }

    /// How many exercises are done.
    pub fn done_count(&self) -> usize {
        self.catalog
            .exercises
            .iter()
            .filter(|e| self.is_done(&e.name))
            .count()
    }

    /// The first exercise after `name` in the catalog's order (wrapping around)
    /// that is not done.
    pub fn next_pending(&self, name: &str) -> Option<&Exercise> {
        let exercises = &self.catalog.exercises;
        let start = self.catalog.position(name).map_or(0, |i| i + 1);
        (0..exercises.len())
            .map(|k| &exercises[(start + k) % exercises.len()])
            .find(|e| !self.is_done(&e.name))
    }

    /// Records what a check found of the learner's code (see
    /// [`Progress::record_check`]); a check that could not judge the code (stopped,
    /// cargo failed) changes nothing. When it finishes the current exercise, the
    /// next one not done becomes current.
    pub fn record(&mut self, verdict: &Verdict, count_attempt: bool, now: SystemTime) -> Recorded {
        if !verdict.status.judges_the_code() {
            return Recorded::default();
        }
        let name = &verdict.exercise;
        let was_done = self.is_done(name);
        let was_current = self.current().name == *name;
        self.progress
            .record_check(name, verdict.is_done(), count_attempt, now);
        let mut recorded = Recorded {
            newly_done: verdict.is_done() && !was_done,
            moved_to: None,
            all_done: self.done_count() == self.catalog.exercises.len(),
        };
        if verdict.is_done()
            && was_current
            && let Some(next) = self.next_pending(name).map(|e| e.name.clone())
        {
            self.set_current(&next);
            recorded.moved_to = Some(next);
        }
        recorded
    }

    /// Records a check of every exercise (none counts as an attempt), and makes the
    /// first one not done current.
    pub fn record_all(&mut self, verdicts: &[Verdict], now: SystemTime) {
        for verdict in verdicts.iter().filter(|v| v.status.judges_the_code()) {
            self.progress
                .record_check(&verdict.exercise, verdict.is_done(), false, now);
        }
        if let Some(first) = self
            .catalog
            .exercises
            .iter()
            .find(|e| !self.is_done(&e.name))
        {
            self.progress.current = Some(first.name.clone());
        }
    }

    /// How many hint levels of `name` were revealed (never more than it has).
    pub fn hints_revealed(&self, name: &str) -> usize {
        let count = self.catalog.find(name).map_or(0, |e| e.hints.len());
        self.progress
            .record(name)
            .map_or(0, |r| r.hints_revealed)
            .min(count)
    }

    /// Reveals hint `level` of `name` (1 is the first), or the next unrevealed one;
    /// the last when all are. Returns the level shown.
    pub fn reveal_hint(
        &mut self,
        name: &str,
        level: Option<usize>,
        now: SystemTime,
    ) -> Result<usize, NoSuchHint> {
        let count = self.catalog.find(name).map_or(0, |e| e.hints.len());
        let revealed = self.hints_revealed(name);
        let level = match level {
            Some(level) if (1..=count).contains(&level) => level,
            Some(level) => {
                return Err(NoSuchHint {
                    exercise: name.to_owned(),
                    count,
                    level,
                });
            }
            None => (revealed + 1).min(count),
        };
        let record = self.progress.record_mut(name, now);
        record.hints_revealed = record.hints_revealed.max(level);
        self.progress.note_activity(name, now);
        Ok(level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::Status;
    use std::time::Duration;

    fn session() -> Session {
        let catalog = Catalog::from_toml(
            "format_version = 1\n[[exercises]]\nname = \"a\"\nhint = \"h\"\n[[exercises]]\nname = \"b\"\nhints = [\"1\", \"2\"]\n[[exercises]]\nname = \"c\"\nhint = \"h\"\n",
            None,
        )
        .unwrap();
        Session::new(catalog, Progress::default())
    }

    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1)
    }

    fn verdict(session: &Session, name: &str, status: Status) -> Verdict {
        let exercise = session.catalog.find(name).unwrap();
        let mut verdict = Verdict::new(exercise, crate::verdict::Side::Exercise);
        verdict.status = status;
        verdict
    }

    #[test]
    fn the_current_exercise_is_the_stored_one_else_the_first_not_done() {
        let mut session = session();
        assert_eq!(session.current().name, "a");
        session.progress.record_check("a", true, true, now());
        assert_eq!(session.current().name, "b");
        session.set_current("c");
        assert_eq!(session.current().name, "c");
        session.set_current("gone");
        assert_eq!(session.current().name, "b");
        for name in ["a", "b", "c"] {
            session.progress.record_check(name, true, true, now());
        }
        assert_eq!(session.current().name, "c");
    }

    #[test]
    fn finishing_the_current_exercise_moves_on_to_the_next_not_done() {
        let mut session = session();
        session.progress.record_check("b", true, true, now());
        let done = verdict(&session, "a", Status::Done);
        let recorded = session.record(&done, true, now());
        assert_eq!(
            recorded,
            Recorded {
                newly_done: true,
                moved_to: Some("c".into()),
                all_done: false
            }
        );
        assert_eq!(session.current().name, "c");
        // A failing check of another exercise counts an attempt and moves nothing.
        let failing = verdict(&session, "a", Status::TestsFailed);
        assert_eq!(session.record(&failing, true, now()), Recorded::default());
        assert!(!session.is_done("a"));
        assert_eq!(session.progress.record("a").unwrap().attempts, 1);
        // A check that could not judge the code changes nothing.
        let broken = verdict(&session, "b", Status::BuildFailed);
        session.record(&broken, true, now());
        assert!(session.is_done("b"));
    }

    #[test]
    fn unknown_names_and_hint_levels_say_what_to_do() {
        let mut session = session();
        assert_eq!(
            session.exercise("bb").unwrap_err().to_string(),
            "there is no exercise \"bb\"; did you mean \"b\"?"
        );
        assert_eq!(
            session.exercise("zzz").unwrap_err().to_string(),
            "there is no exercise \"zzz\"; `patterns progress` lists them"
        );
        assert_eq!(session.reveal_hint("b", None, now()), Ok(1));
        assert_eq!(session.reveal_hint("b", None, now()), Ok(2));
        assert_eq!(session.reveal_hint("b", None, now()), Ok(2));
        assert_eq!(session.reveal_hint("b", Some(1), now()), Ok(1));
        assert_eq!(session.hints_revealed("b"), 2);
        assert_eq!(
            session
                .reveal_hint("b", Some(3), now())
                .unwrap_err()
                .to_string(),
            "b has 2 hints; pick --level 1 to 2, not 3"
        );
        assert_eq!(
            session
                .reveal_hint("a", Some(2), now())
                .unwrap_err()
                .to_string(),
            "a has 1 hint; pick --level 1, not 2"
        );
    }
}
