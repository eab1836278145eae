//! A cohort read from many progress exports: per exercise how far the learners
//! got and where they stand out, per learner how far they are. `patterns report`
//! renders it as a table, CSV or a web page; the figures are made here, once.

use crate::export::{Export, Standing};

/// One learner's export and where it was read from.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file's path as given, for messages and the report's learner column.
    pub path: String,
    pub export: Export,
}

/// The whole cohort, exercises in the order of the path they follow.
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    pub learners: Vec<Learner>,
    pub exercises: Vec<ExerciseStats>,
    /// The tracks the learners follow (`None`: the whole workbook), each once.
    pub tracks: Vec<Option<String>>,
    /// Exports left out because a newer one of the same learner was given.
    pub superseded: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Learner {
    /// The export's learner, else the file's name.
    pub name: String,
    pub path: String,
    pub track: Option<String>,
    pub done: usize,
    pub total: usize,
    pub current: String,
    pub active_secs: u64,
    pub generated_at: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExerciseStats {
    pub name: String,
    /// The topic's folder and its name for people.
    pub topic: String,
    pub topic_title: String,
    /// Learners whose path has this exercise.
    pub learners: usize,
    /// Of those, how many worked on it (started or done), and how many are done.
    pub started: usize,
    pub done: usize,
    /// How many hints it has.
    pub hints: usize,
    /// Medians over the learners who worked on it; `None` when nobody did.
    pub median_attempts: Option<f64>,
    pub median_hints: Option<f64>,
    pub median_active_secs: Option<f64>,
    /// Why it stands out, if it does.
    pub signals: Vec<Signal>,
}

/// A way an exercise stands out from the rest of the path: where learners get
/// stuck.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Its median attempts are at least twice the path's typical exercise's.
    ManyAttempts,
    /// Its median time active is at least twice the path's typical exercise's.
    LongTime,
    /// Most learners who worked on it needed most of its hints, more than on
    /// the path's typical exercise.
    ManyHints,
    /// Most learners who started it have not finished it, though some did.
    Unfinished,
}

impl Signal {
    /// The words for it, in every rendering.
    pub fn text(self) -> &'static str {
        match self {
            Signal::ManyAttempts => "many attempts",
            Signal::LongTime => "long time active",
            Signal::ManyHints => "most hints revealed",
            Signal::Unfinished => "most who started have not finished",
        }
    }
}

/// Below these an exercise does not stand out, whatever the path's typical one
/// looks like: three attempts, five minutes.
const MIN_ATTEMPTS: f64 = 3.0;
const MIN_ACTIVE_SECS: f64 = 300.0;

impl ExerciseStats {
    /// The share of its learners who are done, 0 to 100.
    pub fn completion(&self) -> f64 {
        share(self.done, self.learners)
    }
}

impl Learner {
    pub fn completion(&self) -> f64 {
        share(self.done, self.total)
    }
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

impl Cohort {
    /// The cohort of these exports. When one learner (by name) sent several, the
    /// newest counts and the others are listed in `superseded`.
    pub fn new(sources: Vec<Source>) -> Cohort {
        let mut sources = sources;
        // Newest first, so the first of each name is the one that counts; the
        // timestamps are RFC 3339 in UTC, which sort as text.
        sources.sort_by(|a, b| b.export.generated_at.cmp(&a.export.generated_at));
        let mut kept: Vec<Source> = Vec::new();
        let mut superseded = Vec::new();
        for source in sources {
            let name = learner_name(&source);
            if kept.iter().any(|k| learner_name(k) == name) {
                superseded.push(source.path);
            } else {
                kept.push(source);
            }
        }
        kept.sort_by_key(learner_name);

        let mut tracks: Vec<Option<String>> = Vec::new();
        for source in &kept {
            if !tracks.contains(&source.export.track) {
                tracks.push(source.export.track.clone());
            }
        }
        let learners = kept
            .iter()
            .map(|source| Learner {
                name: learner_name(source),
                path: source.path.clone(),
                track: source.export.track.clone(),
                done: source.export.done,
                total: source.export.total,
                current: source.export.current.clone(),
                active_secs: source.export.active_secs,
                generated_at: source.export.generated_at.clone(),
            })
            .collect();
        let mut exercises = exercise_stats(&kept);
        mark_signals(&mut exercises);
        Cohort {
            learners,
            exercises,
            tracks,
            superseded,
        }
    }

    /// The exercises that stand out, most signals first, then by how many learners
    /// have not finished them.
    pub fn stuck(&self) -> Vec<&ExerciseStats> {
        let mut stuck: Vec<&ExerciseStats> = self
            .exercises
            .iter()
            .filter(|e| !e.signals.is_empty())
            .collect();
        stuck.sort_by_key(|e| {
            (
                std::cmp::Reverse(e.signals.len()),
                std::cmp::Reverse(e.started - e.done),
            )
        });
        stuck
    }
}

fn learner_name(source: &Source) -> String {
    source.export.learner.clone().unwrap_or_else(|| {
        std::path::Path::new(&source.path)
            .file_stem()
            .map_or_else(|| source.path.clone(), |s| s.to_string_lossy().into_owned())
    })
}

/// Per exercise figures, in the order of the longest path among the exports
/// (exercises only others have follow, in their order).
fn exercise_stats(sources: &[Source]) -> Vec<ExerciseStats> {
    let mut by_length: Vec<&Source> = sources.iter().collect();
    by_length.sort_by_key(|s| std::cmp::Reverse(s.export.total));
    let mut stats: Vec<ExerciseStats> = Vec::new();
    for source in by_length {
        for topic in &source.export.topics {
            for exercise in &topic.exercises {
                if !stats.iter().any(|s| s.name == exercise.name) {
                    stats.push(ExerciseStats {
                        name: exercise.name.clone(),
                        topic: topic.topic.clone(),
                        topic_title: topic.title.clone(),
                        learners: 0,
                        started: 0,
                        done: 0,
                        hints: exercise.hints,
                        median_attempts: None,
                        median_hints: None,
                        median_active_secs: None,
                        signals: Vec::new(),
                    });
                }
            }
        }
    }
    for stat in &mut stats {
        let mut attempts = Vec::new();
        let mut hints = Vec::new();
        let mut active = Vec::new();
        for exercise in sources
            .iter()
            .flat_map(|s| s.export.exercises())
            .filter(|e| e.name == stat.name)
        {
            stat.learners += 1;
            if exercise.status == Standing::NotStarted {
                continue;
            }
            stat.started += 1;
            if exercise.status == Standing::Done {
                stat.done += 1;
            }
            attempts.push(f64::from(exercise.attempts));
            hints.push(exercise.hints_revealed as f64);
            active.push(exercise.active_secs as f64);
        }
        stat.median_attempts = median(attempts);
        stat.median_hints = median(hints);
        stat.median_active_secs = median(active);
    }
    stats
}

/// Flags the exercises that stand out against the path's typical exercise: the
/// median of the other exercises' medians.
fn mark_signals(stats: &mut [ExerciseStats]) {
    let others = |stats: &[ExerciseStats], i: usize, figure: fn(&ExerciseStats) -> Option<f64>| {
        median(
            stats
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .filter_map(|(_, s)| figure(s))
                .collect(),
        )
    };
    for i in 0..stats.len() {
        let typical_attempts = others(stats, i, |s| s.median_attempts);
        let typical_active = others(stats, i, |s| s.median_active_secs);
        let typical_hints = others(stats, i, |s| s.median_hints);
        let stat = &mut stats[i];
        let stands_out = |value: Option<f64>, typical: Option<f64>, floor: f64| match value {
            Some(value) => value >= floor && value >= 2.0 * typical.unwrap_or(0.0),
            None => false,
        };
        if stands_out(stat.median_attempts, typical_attempts, MIN_ATTEMPTS) {
            stat.signals.push(Signal::ManyAttempts);
        }
        if stands_out(stat.median_active_secs, typical_active, MIN_ACTIVE_SECS) {
            stat.signals.push(Signal::LongTime);
        }
        // Most of its hints, and a whole hint more than the path's typical
        // exercise needs: where every exercise takes two hints, none stands out.
        if stat.hints > 0
            && stat.median_hints.is_some_and(|h| {
                h >= 2.0
                    && h * 3.0 >= 2.0 * stat.hints as f64
                    && h >= typical_hints.unwrap_or(0.0) + 1.0
            })
        {
            stat.signals.push(Signal::ManyHints);
        }
        // At the cohort's front everyone has started and nobody finished yet: that
        // is progress, not being stuck. Stuck is where others got through.
        let unfinished = stat.started - stat.done;
        if stat.done > 0 && unfinished >= 2 && unfinished * 2 > stat.started {
            stat.signals.push(Signal::Unfinished);
        }
    }
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{ExerciseExport, TopicExport};

    fn exercise(
        name: &str,
        status: Standing,
        attempts: u32,
        hints: usize,
        secs: u64,
    ) -> ExerciseExport {
        ExerciseExport {
            name: name.into(),
            status,
            attempts,
            hints_revealed: hints,
            hints: 3,
            first_seen: None,
            done_at: None,
            active_secs: secs,
        }
    }

    fn export(learner: Option<&str>, at: &str, exercises: Vec<ExerciseExport>) -> Export {
        let done = exercises
            .iter()
            .filter(|e| e.status == Standing::Done)
            .count();
        Export {
            version: 1,
            learner: learner.map(Into::into),
            generated_at: at.into(),
            track: None,
            done,
            total: exercises.len(),
            current: "b".into(),
            active_secs: exercises.iter().map(|e| e.active_secs).sum(),
            topics: vec![TopicExport {
                topic: "01_t".into(),
                title: "t".into(),
                done,
                total: exercises.len(),
                exercises,
            }],
            tracks: vec![],
        }
    }

    fn source(path: &str, export: Export) -> Source {
        Source {
            path: path.into(),
            export,
        }
    }

    #[test]
    fn medians_count_only_the_learners_who_worked_on_it() {
        use Standing::*;
        let cohort = Cohort::new(vec![
            source(
                "a.json",
                export(
                    Some("Ada"),
                    "2026-01-01T00:00:00Z",
                    vec![
                        exercise("a", Done, 1, 0, 60),
                        exercise("b", Started, 9, 3, 3000),
                    ],
                ),
            ),
            source(
                "b.json",
                export(
                    Some("Bo"),
                    "2026-01-01T00:00:00Z",
                    vec![
                        exercise("a", Done, 3, 1, 120),
                        exercise("b", Started, 7, 2, 2000),
                    ],
                ),
            ),
            source(
                "c.json",
                export(
                    None,
                    "2026-01-01T00:00:00Z",
                    vec![
                        exercise("a", Done, 2, 0, 90),
                        exercise("b", Done, 5, 3, 1000),
                    ],
                ),
            ),
            source(
                "d.json",
                export(
                    Some("Di"),
                    "2026-01-01T00:00:00Z",
                    vec![
                        exercise("a", Started, 0, 0, 30),
                        exercise("b", NotStarted, 0, 0, 0),
                    ],
                ),
            ),
        ]);
        let names: Vec<&str> = cohort.learners.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["Ada", "Bo", "Di", "c"]);
        let a = &cohort.exercises[0];
        assert_eq!((a.learners, a.started, a.done), (4, 4, 3));
        assert_eq!(a.median_attempts, Some(1.5));
        assert_eq!(a.completion(), 75.0);
        let b = &cohort.exercises[1];
        assert_eq!((b.learners, b.started, b.done), (4, 3, 1));
        assert_eq!(b.median_attempts, Some(7.0));
        assert_eq!(b.median_active_secs, Some(2000.0));
        assert_eq!(
            b.signals,
            [
                Signal::ManyAttempts,
                Signal::LongTime,
                Signal::ManyHints,
                Signal::Unfinished
            ]
        );
        assert!(a.signals.is_empty());
        assert_eq!(cohort.stuck().len(), 1);
    }

    #[test]
    fn the_front_of_the_cohort_is_not_where_it_is_stuck() {
        use Standing::*;
        let learner = |name: &str| {
            source(
                name,
                export(
                    Some(name),
                    "2026-01-01T00:00:00Z",
                    vec![
                        exercise("a", Done, 1, 0, 400),
                        exercise("b", Started, 1, 0, 300),
                    ],
                ),
            )
        };
        let cohort = Cohort::new(vec![learner("x"), learner("y"), learner("z")]);
        assert!(cohort.stuck().is_empty(), "{:?}", cohort.exercises);
    }

    #[test]
    fn the_newest_export_of_a_learner_counts() {
        use Standing::*;
        let cohort = Cohort::new(vec![
            source(
                "old.json",
                export(
                    Some("Ada"),
                    "2026-01-01T00:00:00Z",
                    vec![exercise("a", Started, 1, 0, 60)],
                ),
            ),
            source(
                "new.json",
                export(
                    Some("Ada"),
                    "2026-01-02T00:00:00Z",
                    vec![exercise("a", Done, 1, 0, 60)],
                ),
            ),
        ]);
        assert_eq!(cohort.learners.len(), 1);
        assert_eq!(cohort.learners[0].path, "new.json");
        assert_eq!(cohort.superseded, ["old.json"]);
        assert_eq!(cohort.exercises[0].done, 1);
    }

    #[test]
    fn a_longer_path_gives_the_order_and_a_shorter_one_counts_where_it_overlaps() {
        use Standing::*;
        let mut short = export(
            Some("S"),
            "2026-01-01T00:00:00Z",
            vec![exercise("b", Done, 1, 0, 1)],
        );
        short.track = Some("quick".into());
        let long = export(
            Some("L"),
            "2026-01-01T00:00:00Z",
            vec![
                exercise("a", Done, 1, 0, 1),
                exercise("b", NotStarted, 0, 0, 0),
            ],
        );
        let cohort = Cohort::new(vec![source("s", short), source("l", long)]);
        let names: Vec<&str> = cohort.exercises.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(cohort.exercises[0].learners, 1);
        assert_eq!(cohort.exercises[1].learners, 2);
        assert_eq!(cohort.tracks, [None, Some("quick".to_owned())]);
    }
}
