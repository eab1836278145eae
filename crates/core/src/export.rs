//! A learner's progress as a file an instructor collects: `patterns progress
//! --json` writes it, `patterns report` reads many. The schema is versioned
//! ([`EXPORT_VERSION`]) and documented in docs/progress-export.md; a field that
//! changes meaning or goes away needs a new version (fields may be added).

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, topic_title};
use crate::progress::{Progress, timestamp};

/// The version of the export's schema.
pub const EXPORT_VERSION: u32 = 1;

/// One learner's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Export {
    pub version: u32,
    /// Who: `--name`, else git's `user.name` in the workbook, else null.
    pub learner: Option<String>,
    /// When the export was made (RFC 3339, UTC).
    pub generated_at: String,
    /// The track followed (its name); then the figures are the track's.
    pub track: Option<String>,
    pub done: usize,
    pub total: usize,
    /// The exercise the learner works on now.
    pub current: String,
    /// Seconds active over all exercises (pauses over five minutes left out).
    pub active_secs: u64,
    pub topics: Vec<TopicExport>,
    /// Every track of the workbook, with where the learner stands on it.
    pub tracks: Vec<TrackExport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicExport {
    /// The topic's folder.
    pub topic: String,
    /// Its name for people.
    pub title: String,
    pub done: usize,
    pub total: usize,
    pub exercises: Vec<ExerciseExport>,
}

/// Where a learner stands on one exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Never checked, no hint asked.
    NotStarted,
    /// Worked on, not done.
    Started,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExerciseExport {
    pub name: String,
    pub status: Standing,
    /// Checks of the learner's that did not pass.
    pub attempts: u32,
    pub hints_revealed: usize,
    /// How many hints the exercise has.
    pub hints: usize,
    /// When the learner first worked on it (RFC 3339, UTC).
    pub first_seen: Option<String>,
    /// When it was first done.
    pub done_at: Option<String>,
    /// Seconds active on it (pauses over five minutes left out).
    pub active_secs: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackExport {
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    pub done: usize,
    pub total: usize,
}

impl Export {
    /// The export of `progress` over `catalog` (the learner's view: a track's
    /// catalog when they follow one); `workbook` has every track.
    pub fn new(
        catalog: &Catalog,
        workbook: &Catalog,
        progress: &Progress,
        current: &str,
        learner: Option<String>,
        now: SystemTime,
    ) -> Export {
        let topics: Vec<TopicExport> = catalog
            .topics()
            .into_iter()
            .map(|(topic, exercises)| {
                let exercises: Vec<ExerciseExport> = exercises
                    .iter()
                    .map(|exercise| {
                        let record = progress.record(&exercise.name);
                        let status = match record {
                            Some(r) if r.done => Standing::Done,
                            Some(_) => Standing::Started,
                            None => Standing::NotStarted,
                        };
                        ExerciseExport {
                            name: exercise.name.clone(),
                            status,
                            attempts: record.map_or(0, |r| r.attempts),
                            hints_revealed: record
                                .map_or(0, |r| r.hints_revealed)
                                .min(exercise.hints.len()),
                            hints: exercise.hints.len(),
                            first_seen: record.and_then(|r| r.first_seen.clone()),
                            done_at: record.and_then(|r| r.done_at.clone()),
                            active_secs: record.map_or(0, |r| r.active_secs),
                        }
                    })
                    .collect();
                TopicExport {
                    topic: topic.to_owned(),
                    title: topic_title(topic).to_owned(),
                    done: exercises
                        .iter()
                        .filter(|e| e.status == Standing::Done)
                        .count(),
                    total: exercises.len(),
                    exercises,
                }
            })
            .collect();
        let tracks = workbook
            .tracks
            .iter()
            .map(|track| TrackExport {
                name: track.name.clone(),
                title: track.title.clone(),
                description: track.description.clone(),
                done: track
                    .exercises
                    .iter()
                    .filter(|e| progress.is_done(e))
                    .count(),
                total: track.exercises.len(),
            })
            .collect();
        Export {
            version: EXPORT_VERSION,
            learner,
            generated_at: timestamp(now),
            track: catalog.track.as_ref().map(|t| t.name.clone()),
            done: topics.iter().map(|t| t.done).sum(),
            total: catalog.exercises.len(),
            current: current.to_owned(),
            active_secs: topics
                .iter()
                .flat_map(|t| &t.exercises)
                .map(|e| e.active_secs)
                .sum(),
            topics,
            tracks,
        }
    }

    /// The exercises, in the learner's order.
    pub fn exercises(&self) -> impl Iterator<Item = &ExerciseExport> {
        self.topics.iter().flat_map(|t| &t.exercises)
    }
}

/// Why an export file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("it is not a progress export ({0}); make it with `patterns progress --json > FILE`")]
    NotAnExport(String),
    #[error(
        "it has schema version {found}, and this patterns reads version {EXPORT_VERSION}; make it again with this version of patterns"
    )]
    Version { found: u64 },
    #[error("it is `patterns verify --json`'s verdicts, not a progress export")]
    Verdicts,
}

/// Reads one export; says why not, in words an instructor can act on.
pub fn read(text: &str) -> Result<Export, ReadError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ReadError::NotAnExport(e.to_string()))?;
    if value.get("ok").is_some() && value.get("exercises").is_some() {
        return Err(ReadError::Verdicts);
    }
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(version) if version == u64::from(EXPORT_VERSION) => {}
        Some(found) => return Err(ReadError::Version { found }),
        None => return Err(ReadError::NotAnExport("it has no version".to_owned())),
    }
    let mut export: Export =
        serde_json::from_value(value).map_err(|e| ReadError::NotAnExport(e.to_string()))?;
    export.make_printable();
    Ok(export)
}

impl Export {
    /// Every text of a file someone sent, made one printable line: an export is
    /// shown in an instructor's terminal, and its escape codes must not be.
    fn make_printable(&mut self) {
        fn line(text: &mut String) {
            *text = crate::describe::printable(text).replace(['\n', '\t'], " ");
        }
        let optional = |text: &mut Option<String>| {
            if let Some(text) = text {
                line(text);
            }
        };
        optional(&mut self.learner);
        optional(&mut self.track);
        line(&mut self.generated_at);
        line(&mut self.current);
        for topic in &mut self.topics {
            line(&mut topic.topic);
            line(&mut topic.title);
            for exercise in &mut topic.exercises {
                line(&mut exercise.name);
                optional(&mut exercise.first_seen);
                optional(&mut exercise.done_at);
            }
        }
        for track in &mut self.tracks {
            line(&mut track.name);
            line(&mut track.title);
            optional(&mut track.description);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_export_reads_back_and_other_files_say_why_not() {
        let catalog = Catalog::from_toml(
            "format_version = 1\n[[exercises]]\nname = \"a\"\ndir = \"01_t\"\nhints = [\"1\", \"2\"]\n[[exercises]]\nname = \"b\"\ndir = \"01_t\"\nhint = \"h\"\n",
            None,
        )
        .unwrap();
        let mut progress = Progress::default();
        progress.record_check("a", true, true, SystemTime::UNIX_EPOCH);
        let export = Export::new(
            &catalog,
            &catalog,
            &progress,
            "b",
            Some("Ada".into()),
            SystemTime::UNIX_EPOCH,
        );
        assert_eq!(export.done, 1);
        assert_eq!(export.topics[0].exercises[1].status, Standing::NotStarted);
        let text = serde_json::to_string(&export).unwrap();
        assert_eq!(read(&text).unwrap(), export);
        // Someone else's file: its escape codes and line breaks never reach a
        // terminal or a table.
        let mut hostile = export.clone();
        hostile.learner = Some("\u{1b}[2JAda\nLovelace\u{7}".into());
        hostile.topics[0].exercises[0].name = "a\u{1b}]0;title\u{7}".into();
        let read_back = read(&serde_json::to_string(&hostile).unwrap()).unwrap();
        assert_eq!(read_back.learner.as_deref(), Some("Ada Lovelace"));
        assert_eq!(read_back.topics[0].exercises[0].name, "a");
        assert!(matches!(read("{}"), Err(ReadError::NotAnExport(_))));
        assert!(matches!(
            read("{\"version\": 1, \"ok\": true, \"exercises\": []}"),
            Err(ReadError::Verdicts)
        ));
        assert!(matches!(read("[1, 2"), Err(ReadError::NotAnExport(_))));
        assert_eq!(
            read("{\"version\": 7}").unwrap_err().to_string(),
            "it has schema version 7, and this patterns reads version 1; make it again with this version of patterns"
        );
    }
}
