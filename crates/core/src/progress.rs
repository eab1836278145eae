//! The learner's progress, stored in the workbook as `.patterns/state.toml`.
//!
//! Done marks are kept by exercise name, so reordering `info.toml` loses nothing.
//! Every write goes to a temporary file that is synced and renamed over the old one,
//! so a crash leaves either the old or the new state, never half of one. A file that
//! cannot be read is moved aside (never deleted) and the caller is told where, so the
//! learner can recover it; `patterns verify` can also rebuild every done mark from
//! the code itself.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// The state file's format version.
pub const STATE_VERSION: u32 = 1;

/// Where the learner stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub version: u32,
    /// The exercise the learner works on now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    /// The track the learner follows (`--track NAME`); none: the whole workbook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    /// The welcome message was shown.
    #[serde(default)]
    pub welcomed: bool,
    /// The learner's last activity (a check of a save, a hint), RFC 3339, UTC:
    /// the start of the time active that the next one adds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_active: Option<String>,
    /// Topics whose introduction was shown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics_introduced: Vec<String>,
    /// Per exercise, by name.
    #[serde(default)]
    pub exercises: BTreeMap<String, ExerciseRecord>,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            version: STATE_VERSION,
            current: None,
            track: None,
            last_active: None,
            welcomed: false,
            topics_introduced: Vec::new(),
            exercises: BTreeMap::new(),
        }
    }
}

/// What happened to one exercise, for the learner and for workshop reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseRecord {
    #[serde(default)]
    pub done: bool,
    /// Checks that did not pass.
    #[serde(default)]
    pub attempts: u32,
    /// How many hint levels were revealed.
    #[serde(default)]
    pub hints_revealed: usize,
    /// When the learner first worked on it (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// When it was first done (RFC 3339, UTC); kept when a later check fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_at: Option<String>,
    /// Seconds the learner was active on it: the time between two activities
    /// (checks, hints) counts when the gap is at most [`ACTIVE_GAP`].
    #[serde(default, skip_serializing_if = "is_zero")]
    pub active_secs: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A gap between two activities longer than this is a pause (a meeting, lunch,
/// the night), not time spent on the exercise.
pub const ACTIVE_GAP: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// Now, as stored in the state file.
pub fn timestamp(now: SystemTime) -> String {
    humantime::format_rfc3339_seconds(now).to_string()
}

impl Progress {
    pub fn is_done(&self, name: &str) -> bool {
        self.exercises.get(name).is_some_and(|r| r.done)
    }

    pub fn record(&self, name: &str) -> Option<&ExerciseRecord> {
        self.exercises.get(name)
    }

    /// The record of `name`, created (with `first_seen = now`) if new.
    pub fn record_mut(&mut self, name: &str, now: SystemTime) -> &mut ExerciseRecord {
        let record = self.exercises.entry(name.to_owned()).or_default();
        if record.first_seen.is_none() {
            record.first_seen = Some(timestamp(now));
        }
        record
    }

    /// Records what a check found of the learner's code: done follows the code, so
    /// a failing check clears the done mark (the time it was first done stays, for
    /// reports). A failure the learner caused counts as an attempt when
    /// `count_attempt` (a check-all or `verify` does not count).
    pub fn record_check(&mut self, name: &str, done: bool, count_attempt: bool, now: SystemTime) {
        let record = self.record_mut(name, now);
        record.done = done;
        if done {
            if record.done_at.is_none() {
                record.done_at = Some(timestamp(now));
            }
        } else if count_attempt {
            record.attempts = record.attempts.saturating_add(1);
        }
        // A check the learner caused (a save, `patterns run`) is activity; a
        // check of everything is not.
        if count_attempt {
            self.note_activity(name, now);
        }
    }

    /// The learner did something on `name` at `now`: the time since their last
    /// activity counts for it, unless it was a pause (over [`ACTIVE_GAP`]).
    pub fn note_activity(&mut self, name: &str, now: SystemTime) {
        let since_last = self
            .last_active
            .as_deref()
            .and_then(|last| humantime::parse_rfc3339(last).ok())
            .and_then(|last| now.duration_since(last).ok());
        if let Some(gap) = since_last.filter(|gap| *gap <= ACTIVE_GAP) {
            let record = self.record_mut(name, now);
            record.active_secs = record.active_secs.saturating_add(gap.as_secs());
        }
        self.last_active = Some(timestamp(now));
    }

    /// Marks `name` as not done (after a reset); its history stays.
    pub fn clear_done(&mut self, name: &str) {
        if let Some(record) = self.exercises.get_mut(name) {
            record.done = false;
        }
    }
}

/// Reads and writes the state file.
#[derive(Debug, Clone)]
pub struct Store {
    path: PathBuf,
}

/// What [`Store::load`] found.
#[derive(Debug)]
pub struct Loaded {
    pub progress: Progress,
    /// Set when the file could not be read and was moved aside: say so to the learner.
    pub warning: Option<String>,
}

impl Store {
    pub fn new(path: PathBuf) -> Store {
        Store { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stored progress; a missing file is a fresh start, a corrupt one is moved
    /// aside with a warning and also a fresh start.
    pub fn load(&self) -> io::Result<Loaded> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Ok(Loaded {
                    progress: Progress::default(),
                    warning: None,
                });
            }
            Err(error) => return Err(error),
        };
        let parsed = std::str::from_utf8(&bytes)
            .map_err(|e| e.to_string())
            .and_then(|text| toml::from_str::<Progress>(text).map_err(|e| e.to_string()))
            .and_then(|progress| {
                if progress.version == STATE_VERSION {
                    Ok(progress)
                } else {
                    Err(format!(
                        "it has version {}, this patterns reads version {STATE_VERSION}",
                        progress.version
                    ))
                }
            });
        match parsed {
            Ok(progress) => Ok(Loaded {
                progress,
                warning: None,
            }),
            Err(reason) => {
                let aside = self.aside_path();
                std::fs::rename(&self.path, &aside)?;
                let reason = reason.lines().next().unwrap_or_default().to_owned();
                Ok(Loaded {
                    progress: Progress::default(),
                    warning: Some(format!(
                        "your progress file {} could not be read ({reason}); it was kept as {} and progress starts afresh. Run `patterns verify` to restore the done marks from your code.",
                        self.path.display(),
                        aside.display()
                    )),
                })
            }
        }
    }

    fn aside_path(&self) -> PathBuf {
        let stamp = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".corrupt-{stamp}"));
        let mut aside = self.path.with_file_name(&name);
        let mut n = 1;
        while aside.exists() {
            let mut numbered = name.clone();
            numbered.push(format!("-{n}"));
            aside = self.path.with_file_name(numbered);
            n += 1;
        }
        aside
    }

    /// Writes `progress` atomically: temporary file, fsync, rename, fsync the folder.
    pub fn save(&self, progress: &Progress) -> io::Result<()> {
        let text = toml::to_string_pretty(progress).map_err(io::Error::other)?;
        write_atomically(&self.path, text.as_bytes())
    }
}

/// Replaces `path` with `contents` so that readers see the old or the new file whole.
pub fn write_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp_name = path.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        #[cfg(unix)]
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn round_trips_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path().join(".patterns/state.toml"));
        let mut progress = Progress {
            current: Some("b".into()),
            ..Progress::default()
        };
        progress.record_check("a", false, true, at(10));
        progress.record_check("a", true, true, at(20));
        progress.record_mut("b", at(30)).hints_revealed = 2;
        store.save(&progress).unwrap();

        let loaded = store.load().unwrap();
        assert!(loaded.warning.is_none());
        assert_eq!(loaded.progress, progress);
        let a = loaded.progress.record("a").unwrap();
        assert_eq!(a.attempts, 1);
        assert_eq!(a.first_seen.as_deref(), Some("1970-01-01T00:00:10Z"));
        assert_eq!(a.done_at.as_deref(), Some("1970-01-01T00:00:20Z"));
        // No temporary file is left behind.
        let names: Vec<_> = std::fs::read_dir(dir.path().join(".patterns"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["state.toml"]);
    }

    #[test]
    fn time_active_counts_the_gaps_between_activities_but_not_the_pauses() {
        let mut progress = Progress::default();
        let start = 1_000_000;
        // The first activity only starts the clock.
        progress.record_check("a", false, true, at(start));
        assert_eq!(progress.record("a").unwrap().active_secs, 0);
        // Two minutes later: two minutes on a.
        progress.record_check("a", false, true, at(start + 120));
        assert_eq!(progress.record("a").unwrap().active_secs, 120);
        // A hint on b a minute later counts for b.
        progress.note_activity("b", at(start + 180));
        assert_eq!(progress.record("b").unwrap().active_secs, 60);
        // Back after lunch: the pause does not count; exactly the limit does.
        progress.record_check("a", true, true, at(start + 180 + 3600));
        assert_eq!(progress.record("a").unwrap().active_secs, 120);
        let limit = ACTIVE_GAP.as_secs();
        progress.record_check("a", true, true, at(start + 180 + 3600 + limit));
        assert_eq!(progress.record("a").unwrap().active_secs, 120 + limit);
        // A check of everything is not the learner's activity.
        progress.record_check("a", true, false, at(start + 180 + 3600 + limit + 10));
        assert_eq!(progress.record("a").unwrap().active_secs, 120 + limit);
        // A clock that went back adds nothing.
        progress.record_check("a", true, true, at(start));
        assert_eq!(progress.record("a").unwrap().active_secs, 120 + limit);
    }

    #[test]
    fn done_follows_the_code_and_keeps_the_first_done_time() {
        let mut progress = Progress::default();
        progress.record_check("a", true, true, at(1));
        progress.record_check("a", false, false, at(2));
        assert!(!progress.is_done("a"));
        assert_eq!(progress.record("a").unwrap().attempts, 0);
        progress.record_check("a", false, true, at(3));
        assert_eq!(progress.record("a").unwrap().attempts, 1);
        progress.record_check("a", true, true, at(4));
        assert!(progress.is_done("a"));
        assert_eq!(
            progress.record("a").unwrap().done_at.as_deref(),
            Some("1970-01-01T00:00:01Z")
        );
    }

    #[test]
    fn a_corrupt_file_is_kept_aside_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.toml");
        std::fs::write(&path, "current = [oops\n").unwrap();
        let store = Store::new(path.clone());
        let loaded = store.load().unwrap();
        assert_eq!(loaded.progress, Progress::default());
        let warning = loaded.warning.unwrap();
        assert!(warning.contains("could not be read"), "{warning}");
        assert!(warning.contains("patterns verify"), "{warning}");
        assert!(!path.exists());
        let kept: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(kept.len(), 1);
        assert_eq!(
            std::fs::read_to_string(&kept[0]).unwrap(),
            "current = [oops\n"
        );
    }

    #[test]
    fn binary_garbage_and_future_versions_are_kept_aside_too() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.toml");
        let store = Store::new(path.clone());
        std::fs::write(&path, [0xff, 0xfe, 0x00]).unwrap();
        assert!(store.load().unwrap().warning.is_some());
        std::fs::write(&path, "version = 9\n").unwrap();
        let warning = store.load().unwrap().warning.unwrap();
        assert!(warning.contains("version 9"), "{warning}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_missing_file_is_a_fresh_start() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = Store::new(dir.path().join("none.toml")).load().unwrap();
        assert_eq!(loaded.progress, Progress::default());
        assert!(loaded.warning.is_none());
    }
}
