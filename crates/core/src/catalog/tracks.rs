//! Tracks: named paths through the catalog, for a workshop or a cohort (an
//! onboarding week, a caching deep dive). A track lists topics and exercises in
//! the order learners take them; the instructor shapes the path in info.toml
//! without touching an exercise file.
//!
//! ```toml
//! [[tracks]]
//! name = "onboarding"
//! title = "Onboarding week"
//! description = "Layers, repositories, errors; then one quiz."
//! include = ["01_layering", "02_repositories", "04_errors", "quiz1"]
//! ```
//!
//! A learner on a track sees the catalog of the track ([`Catalog::for_track`]):
//! the list, "next", progress and `verify` follow it, with no other code
//! knowing about tracks.

use std::collections::HashMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::problems::Problems;
use super::{Catalog, Exercise, INFO_FILE};
use crate::suggest::closest;

pub(super) const TRACK_KEYS: &[&str] = &["name", "title", "description", "include"];

/// The name that means no track: the whole workbook (`--track all`).
pub const ALL: &str = "all";

/// One `[[tracks]]` table as written, before validation.
#[derive(Debug, Deserialize)]
pub struct RawTrack {
    /// How learners and instructors name it (`patterns watch --track NAME`):
    /// lowercase ASCII letters, digits, `_` and `-`.
    pub name: Spanned<String>,
    /// What the screen and the reports call it.
    pub title: Option<Spanned<String>>,
    /// Who it is for and what it covers (optional).
    pub description: Option<String>,
    /// Topics (their `dir`) and exercise names, in the order learners take
    /// them; a topic stands for all its exercises in info.toml's order.
    pub include: Spanned<Vec<Spanned<String>>>,
}

/// A validated track.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Track {
    pub name: String,
    pub title: String,
    pub description: Option<String>,
    /// Its exercises, in order, each once.
    pub exercises: Vec<String>,
}

/// A track name that the catalog does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("there is no track \"{name}\" in {INFO_FILE}; {}", match (suggestion, known.is_empty()) {
    (Some(close), _) => format!("did you mean \"{close}\"?"),
    (None, true) => "this workbook has no tracks".to_owned(),
    (None, false) => format!("the tracks are {}", known.join(", ")),
})]
pub struct UnknownTrack {
    pub name: String,
    pub suggestion: Option<String>,
    pub known: Vec<String>,
}

fn valid_track_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 32
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

/// Every track, with what is wrong reported at its place.
pub(super) fn validate_tracks(
    raw: Vec<Spanned<RawTrack>>,
    exercises: &[Exercise],
    problems: &mut Problems<'_>,
) -> Vec<Track> {
    let mut seen: HashMap<String, Range<usize>> = HashMap::new();
    let mut tracks = Vec::with_capacity(raw.len());
    for spanned in raw {
        let table = spanned.span();
        let raw = spanned.into_inner();
        let name_span = raw.name.span();
        let name = raw.name.into_inner();
        let mut ok = true;
        if !valid_track_name(&name) {
            ok = false;
            problems.at(
                name_span.clone(),
                format!(
                    "track name \"{name}\" may only use lowercase letters a-z, digits, _ and - (at most 32); e.g. \"onboarding\""
                ),
            );
        }
        if name == ALL {
            ok = false;
            problems.at(
                name_span.clone(),
                format!("track name \"{ALL}\" is taken: `--track {ALL}` means the whole workbook; pick another name"),
            );
        }
        if seen.insert(name.clone(), name_span.clone()).is_some() {
            ok = false;
            problems.at(
                name_span,
                format!("track name \"{name}\" is used twice; give each track its own name"),
            );
        }
        let title = match raw.title {
            Some(title) if !title.get_ref().trim().is_empty() => title.into_inner(),
            Some(title) => {
                ok = false;
                problems.at(
                    title.span(),
                    format!("track \"{name}\": the title is empty; say what the track is"),
                );
                String::new()
            }
            None => {
                ok = false;
                problems.at(
                    table.clone(),
                    format!(
                        "track \"{name}\" has no title; add title = \"...\" (what learners and reports call it)"
                    ),
                );
                String::new()
            }
        };
        let include_span = raw.include.span();
        let entries = raw.include.into_inner();
        if entries.is_empty() {
            ok = false;
            problems.at(
                include_span,
                format!("track \"{name}\" includes nothing; list topics or exercises in include"),
            );
        }
        let mut names: Vec<String> = Vec::new();
        for entry in entries {
            let span = entry.span();
            let entry = entry.into_inner();
            let of_topic: Vec<&Exercise> =
                exercises.iter().filter(|e| e.topic() == entry).collect();
            let exercise = exercises.iter().find(|e| e.name == entry);
            let found: Vec<&str> = match (of_topic.is_empty(), exercise) {
                (false, Some(_)) => {
                    ok = false;
                    problems.at(
                        span,
                        format!(
                            "track \"{name}\": \"{entry}\" is both a topic and an exercise; rename one of them"
                        ),
                    );
                    continue;
                }
                (false, None) => of_topic.iter().map(|e| e.name.as_str()).collect(),
                (true, Some(exercise)) => vec![exercise.name.as_str()],
                (true, None) => {
                    ok = false;
                    let candidates = exercises
                        .iter()
                        .map(Exercise::topic)
                        .chain(exercises.iter().map(|e| e.name.as_str()));
                    problems.at(
                        span,
                        match closest(&entry, candidates) {
                            Some(close) => format!(
                                "track \"{name}\": \"{entry}\" is no topic or exercise; did you mean \"{close}\"?"
                            ),
                            None => format!(
                                "track \"{name}\": \"{entry}\" is no topic or exercise of {INFO_FILE}"
                            ),
                        },
                    );
                    continue;
                }
            };
            for found in found {
                if !names.iter().any(|n| n == found) {
                    names.push(found.to_owned());
                }
            }
        }
        if ok {
            tracks.push(Track {
                name,
                title,
                description: raw.description,
                exercises: names,
            });
        }
    }
    tracks
}

impl Catalog {
    /// The track called `name`.
    pub fn track(&self, name: &str) -> Result<&Track, UnknownTrack> {
        self.tracks
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| UnknownTrack {
                name: name.to_owned(),
                suggestion: closest(name, self.tracks.iter().map(|t| t.name.as_str()))
                    .map(str::to_owned),
                known: self.tracks.iter().map(|t| t.name.clone()).collect(),
            })
    }

    /// The catalog a learner on track `name` sees: its exercises, in its order.
    pub fn for_track(&self, name: &str) -> Result<Catalog, UnknownTrack> {
        let track = self.track(name)?;
        let exercises = track
            .exercises
            .iter()
            .filter_map(|name| self.find(name).cloned())
            .collect();
        Ok(Catalog {
            exercises,
            track: Some(track.clone()),
            ..self.clone()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Catalog;

    const INFO: &str = r#"format_version = 1

[[exercises]]
name = "a1"
dir = "01_a"
hint = "h"

[[exercises]]
name = "a2"
dir = "01_a"
hint = "h"

[[exercises]]
name = "b1"
dir = "02_b"
hint = "h"

[[exercises]]
name = "quiz"
dir = "quiz1"
hint = "h"
"#;

    fn with_tracks(tracks: &str) -> Result<Catalog, String> {
        Catalog::from_toml(&format!("{INFO}\n{tracks}"), None).map_err(|e| e.to_string())
    }

    #[test]
    fn a_track_takes_topics_and_exercises_in_its_own_order() {
        let catalog = with_tracks(
            "[[tracks]]\nname = \"short\"\ntitle = \"Short\"\ninclude = [\"quiz\", \"01_a\", \"a1\"]\n",
        )
        .unwrap();
        let view = catalog.for_track("short").unwrap();
        let names: Vec<&str> = view.exercises.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["quiz", "a1", "a2"]);
        assert_eq!(view.track.as_ref().unwrap().title, "Short");
        assert_eq!(catalog.exercises.len(), 4);
        assert!(catalog.track.is_none());
    }

    #[test]
    fn what_a_track_gets_wrong_is_said_at_its_place() {
        let error = with_tracks(
            "[[tracks]]\nname = \"Bad Name\"\ntitle = \"\"\ninclude = [\"01_aa\", \"nothing_like_it\"]\n\n[[tracks]]\nname = \"x\"\ninclude = []\n\n[[tracks]]\nname = \"x\"\ntitle = \"X\"\ninclude = [\"a1\"]\n",
        )
        .unwrap_err();
        for expected in [
            "info.toml:24:8: track name \"Bad Name\" may only use lowercase letters a-z, digits, _ and - (at most 32)",
            "info.toml:25:9: track \"Bad Name\": the title is empty",
            "info.toml:26:12: track \"Bad Name\": \"01_aa\" is no topic or exercise; did you mean \"01_a\"?",
            "track \"Bad Name\": \"nothing_like_it\" is no topic or exercise of info.toml",
            "track \"x\" has no title",
            "track \"x\" includes nothing",
            "track name \"x\" is used twice",
        ] {
            assert!(error.contains(expected), "{expected}\nin\n{error}");
        }
    }

    #[test]
    fn all_is_not_a_track_name() {
        let error =
            with_tracks("[[tracks]]\nname = \"all\"\ntitle = \"All\"\ninclude = [\"01_a\"]\n")
                .unwrap_err();
        assert!(error.contains("track name \"all\" is taken"), "{error}");
    }

    #[test]
    fn an_unknown_track_suggests_the_closest() {
        let catalog =
            with_tracks("[[tracks]]\nname = \"onboarding\"\ntitle = \"O\"\ninclude = [\"01_a\"]\n")
                .unwrap();
        assert_eq!(
            catalog.for_track("onbording").unwrap_err().to_string(),
            "there is no track \"onbording\" in info.toml; did you mean \"onboarding\"?"
        );
        assert_eq!(
            catalog.for_track("zzz").unwrap_err().to_string(),
            "there is no track \"zzz\" in info.toml; the tracks are onboarding"
        );
    }
}
