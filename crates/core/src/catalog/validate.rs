//! From the raw file to the catalog: every rule an `info.toml` must follow, each
//! broken rule a problem with its place and a fix.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use toml::Spanned;

use super::problems::{Problems, line_column};
use super::raw::{EXERCISE_KEYS, RawExercise, RawInfo, TOP_LEVEL_KEYS};
use super::tracks::{TRACK_KEYS, validate_tracks};
use super::{
    Catalog, DEFAULT_TIMEOUT, EXERCISES_DIR, Exercise, INFO_FILE, MAX_NAME_LEN, MAX_TIMEOUT_SECS,
};
use crate::architecture::Check;
use crate::suggest::closest;

fn unknown_key_message(key: &str, known: &[&str], place: &str) -> String {
    match closest(key, known.iter().copied()) {
        Some(suggestion) => {
            format!("unknown key \"{key}\" {place}; did you mean \"{suggestion}\"?")
        }
        None => format!(
            "unknown key \"{key}\" {place}; the known keys are {}",
            known.join(", ")
        ),
    }
}

/// Keys no version of the format knows: errors in a strict catalog, warnings in
/// another (a rustlings set may carry keys of its own, such as "difficulty").
pub(super) fn report_unknown_keys(
    document: &toml::de::DeTable<'_>,
    strict: bool,
    problems: &mut Problems<'_>,
) {
    for (key, value) in document {
        if !TOP_LEVEL_KEYS.contains(&key.get_ref().as_ref()) {
            problems.by(
                strict,
                key.span(),
                unknown_key_message(key.get_ref(), TOP_LEVEL_KEYS, "at the top level"),
            );
            continue;
        }
        let (known, place) = match key.get_ref().as_ref() {
            "exercises" => (EXERCISE_KEYS, "in [[exercises]]"),
            "tracks" => (TRACK_KEYS, "in [[tracks]]"),
            _ => continue,
        };
        let toml::de::DeValue::Array(tables) = value.get_ref() else {
            continue;
        };
        for table in tables {
            let toml::de::DeValue::Table(table) = table.get_ref() else {
                continue;
            };
            for key in table.keys() {
                if !known.contains(&key.get_ref().as_ref()) {
                    problems.by(
                        strict,
                        key.span(),
                        unknown_key_message(key.get_ref(), known, place),
                    );
                }
            }
        }
    }
}

pub(super) fn validate(
    raw: RawInfo,
    root: Option<(&Path, bool)>,
    problems: &mut Problems<'_>,
) -> Catalog {
    if *raw.format_version.get_ref() != 1 {
        problems.at(
            raw.format_version.span(),
            format!(
                "unsupported format_version {}; this version of patterns reads format_version = 1",
                raw.format_version.get_ref()
            ),
        );
    }
    if raw.exercises.is_empty() {
        problems.at(
            0..0,
            "there are no exercises; add an [[exercises]] table with name, dir and hint",
        );
    }

    let strict = raw.strict;
    let mut seen: HashMap<String, Range<usize>> = HashMap::new();
    let mut exercises = Vec::with_capacity(raw.exercises.len());
    for spanned in raw.exercises {
        let table_span = spanned.span();
        let raw = spanned.into_inner();
        if let Some(exercise) =
            validate_exercise(raw, table_span, root, strict, &mut seen, problems)
        {
            exercises.push(exercise);
        }
    }
    let tracks = validate_tracks(raw.tracks, &exercises, problems);
    Catalog {
        welcome_message: raw.welcome_message,
        final_message: raw.final_message,
        strict,
        exercises,
        tracks,
        track: None,
        warnings: Vec::new(),
    }
}

/// patterns' convention for names: lowercase ASCII letters, digits and `_`.
fn conventional_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// What Cargo takes as a bin target's name (and a file system as a file's):
/// letters (of any script), digits, `_` and `-`.
fn cargo_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

fn valid_dir(dir: &str) -> bool {
    !dir.is_empty()
        && !dir.starts_with('.')
        && dir
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn validate_exercise(
    raw: RawExercise,
    table_span: Range<usize>,
    root: Option<(&Path, bool)>,
    strict: bool,
    seen: &mut HashMap<String, Range<usize>>,
    problems: &mut Problems<'_>,
) -> Option<Exercise> {
    let name_span = raw.name.span();
    let name = raw.name.into_inner();
    let mut ok = true;

    let conventional = format!(
        "exercise name \"{name}\" may only use lowercase letters a-z, digits and _; rename it, e.g. \"{}\"",
        suggest_name(&name)
    );
    if !cargo_name(&name) {
        // Cargo would refuse it as a target's name: no workbook can build it.
        ok = false;
        problems.at(name_span.clone(), conventional);
    } else if !conventional_name(&name) {
        ok &= !strict;
        problems.by(strict, name_span.clone(), conventional);
    } else if name.len() > MAX_NAME_LEN {
        ok &= !strict;
        problems.by(
            strict,
            name_span.clone(),
            format!(
                "exercise name \"{name}\" is {} bytes long; shorten it to at most {MAX_NAME_LEN}",
                name.len()
            ),
        );
    }
    if let Some(first) = seen.get(&name) {
        ok = false;
        let (line, column) = line_column(problems.text, first.start);
        problems.at(
            name_span.clone(),
            format!(
                "exercise name \"{name}\" is used twice (first at {INFO_FILE}:{line}:{column}); give each exercise its own name"
            ),
        );
    } else {
        seen.insert(name.clone(), name_span.clone());
    }

    let dir = match raw.dir {
        Some(dir) if !valid_dir(dir.get_ref()) => {
            ok = false;
            problems.at(
                dir.span(),
                format!(
                    "exercise \"{name}\": dir \"{}\" must be one plain folder name under exercises/ (letters, digits, _ and -; no /, no ..); e.g. dir = \"02_repositories\"",
                    dir.get_ref()
                ),
            );
            None
        }
        Some(dir) => Some(dir.into_inner()),
        None => None,
    };

    let hints = match (raw.hint, raw.hints) {
        (Some(hint), Some(hints)) => {
            ok = false;
            problems.at(
                hints.span(),
                format!(
                    "exercise \"{name}\" has both hint and hints; keep one (hints = [..] for progressive hints)"
                ),
            );
            let _ = hint;
            Vec::new()
        }
        (Some(hint), None) => {
            let span = hint.span();
            let hint = hint.into_inner();
            if hint.trim().is_empty() {
                ok = false;
                problems.at(
                    span,
                    format!(
                        "exercise \"{name}\" has an empty hint; write one, e.g. hint = \"Start from the failing test's message.\""
                    ),
                );
            }
            vec![hint]
        }
        (None, Some(hints)) => {
            let span = hints.span();
            let hints = hints.into_inner();
            if hints.is_empty() {
                ok = false;
                problems.at(
                    span,
                    format!(
                        "exercise \"{name}\" has an empty hints list; add at least one hint, a nudge first"
                    ),
                );
            }
            for (level, hint) in hints.iter().enumerate() {
                if hint.get_ref().trim().is_empty() {
                    ok = false;
                    problems.at(
                        hint.span(),
                        format!(
                            "exercise \"{name}\": hint {} is empty; write it or remove it",
                            level + 1
                        ),
                    );
                }
            }
            hints.into_iter().map(Spanned::into_inner).collect()
        }
        (None, None) => {
            ok = false;
            problems.at(
                table_span.clone(),
                format!(
                    "exercise \"{name}\" has no hint; add hint = \"...\" or hints = [\"nudge\", \"approach\"]"
                ),
            );
            Vec::new()
        }
    };

    let timeout = match raw.timeout_secs {
        Some(secs) => match u64::try_from(*secs.get_ref()) {
            Ok(s) if (1..=MAX_TIMEOUT_SECS).contains(&s) => Duration::from_secs(s),
            _ => {
                ok = false;
                problems.at(
                    secs.span(),
                    format!(
                        "exercise \"{name}\": timeout_secs = {} is out of range; use 1 to {MAX_TIMEOUT_SECS} (default 10)",
                        secs.get_ref()
                    ),
                );
                DEFAULT_TIMEOUT
            }
        },
        None => DEFAULT_TIMEOUT,
    };

    let mut checks = Vec::with_capacity(raw.checks.len());
    for table in &raw.checks {
        match Check::from_table(table.get_ref()) {
            Ok(check) => checks.push(check),
            Err(messages) => {
                ok = false;
                for message in messages {
                    problems.at(
                        table.span(),
                        format!("exercise \"{name}\": check: {message}"),
                    );
                }
            }
        }
    }

    let exercise = Exercise {
        name,
        dir,
        test: raw.test,
        strict_clippy: raw.strict_clippy,
        skip_check_unsolved: raw.skip_check_unsolved,
        hints,
        timeout,
        checks,
    };
    if ok && let Some(root) = root {
        ok = check_files(&exercise, root, table_span, problems);
    }
    ok.then_some(exercise)
}

/// The exercise file must exist and stay inside the workbook (a `dir` that is a
/// symbolic link to elsewhere is refused); checks must name items the solution has.
fn check_files(
    exercise: &Exercise,
    (root, verify_solutions): (&Path, bool),
    span: Range<usize>,
    problems: &mut Problems<'_>,
) -> bool {
    let name = &exercise.name;
    let path = exercise.path();
    let full = root.join(&path);
    if !full.is_file() {
        problems.at(
            span,
            format!(
                "exercise \"{name}\": file {} not found; create it or fix name/dir",
                path.display()
            ),
        );
        return false;
    }
    let inside = match (full.canonicalize(), root.canonicalize()) {
        (Ok(file), Ok(root)) => file.starts_with(root.join(EXERCISES_DIR)),
        _ => false,
    };
    if !inside {
        problems.at(
            span,
            format!(
                "exercise \"{name}\": {} leads outside the workbook's exercises/ folder; make it a real file, not a link",
                path.display()
            ),
        );
        return false;
    }
    if exercise.checks.is_empty() || !verify_solutions {
        return true;
    }
    let solution = root.join(exercise.solution_path());
    let Ok(source) = std::fs::read_to_string(&solution) else {
        // Learners' copies may ship without solutions; `dev check` reports a missing one.
        return true;
    };
    let Ok(file) = syn::parse_file(&source) else {
        problems.at(
            span,
            format!(
                "exercise \"{name}\": solution {} does not parse, so its checks cannot be verified; fix the solution",
                exercise.solution_path().display()
            ),
        );
        return false;
    };
    let mut ok = true;
    for check in &exercise.checks {
        for missing in check.missing_targets(&file) {
            ok = false;
            problems.at(
                span.clone(),
                format!(
                    "exercise \"{name}\": check \"{}\" names {missing}, which the solution does not have; fix the check or the solution",
                    check.summary()
                ),
            );
        }
    }
    ok
}

/// A conventional name close to `name`: lowercase, accents dropped, anything else
/// a `_`.
fn suggest_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        match c {
            'a'..='z' | '0'..='9' | '_' => out.push(c),
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => out.push('a'),
            'ç' => out.push('c'),
            'è' | 'é' | 'ê' | 'ë' => out.push('e'),
            'ì' | 'í' | 'î' | 'ï' => out.push('i'),
            'ñ' => out.push('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => out.push('o'),
            'ù' | 'ú' | 'û' | 'ü' => out.push('u'),
            'ý' | 'ÿ' => out.push('y'),
            'ß' => out.push_str("ss"),
            _ => out.push('_'),
        }
    }
    out.truncate(MAX_NAME_LEN);
    out
}
