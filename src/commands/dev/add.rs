//! `patterns dev add TOPIC NAME`: one new exercise, so that an author never edits
//! a manifest by hand: the exercise file (the conventional `//!` header, a
//! `// TODO`, a test skeleton or a checking `main`), its solution, a README for a
//! new topic, the `[[exercises]]` entry in info.toml (after the topic's last
//! exercise, the rest of the file byte for byte as it was), and then what
//! `dev update` writes (the Cargo targets, originals.toml).
//!
//! Nothing is written until the new catalog validates, and no file is
//! overwritten.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use patterns_core::catalog::{Catalog, CatalogError, EXERCISES_DIR, INFO_FILE, SOLUTIONS_DIR};
use patterns_core::progress::write_atomically;
use patterns_core::workbook::Workbook;

use super::update;
use crate::output::{BOLD, DIM, GOOD};

const HEADER: &str = include_str!("templates/header.rs.tmpl");
const TEST: &str = include_str!("templates/test.rs.tmpl");
const PROGRAM: &str = include_str!("templates/program.rs.tmpl");
const TOPIC_README: &str = include_str!("templates/topic_readme.md.tmpl");

/// What kind of exercise to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Done when its tests pass.
    Test,
    /// Done when `main` runs to its end (`test = false`).
    Program,
}

/// The files of one exercise, as `dev add` writes them.
struct Texts {
    exercise: String,
    solution: String,
}

pub fn add(dir: Option<&Path>, topic: &str, name: &str, kind: Kind) -> Result<ExitCode> {
    let root = crate::open::root(dir)?;
    let said = add_exercise(&root, topic, name, kind)?;
    let mut out = anstream::stdout();
    for line in said {
        writeln!(out, "{line}")?;
    }
    writeln!(
        out,
        "\n{BOLD}Next:{BOLD:#} write the exercise and its solution (the header says what \
         each part is for), its hints in {INFO_FILE}, then `patterns dev check`."
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Adds the exercise; says what it wrote.
pub fn add_exercise(root: &Path, topic: &str, name: &str, kind: Kind) -> Result<Vec<String>> {
    let info_path = root.join(INFO_FILE);
    let info = std::fs::read_to_string(&info_path)
        .with_context(|| format!("cannot read {}", info_path.display()))?;
    let document = toml_edit::Document::parse(info.as_str()).with_context(|| {
        format!("{INFO_FILE} is not valid TOML; fix it first (`patterns dev check` says where)")
    })?;
    let strict = document
        .get("strict")
        .and_then(toml_edit::Item::as_bool)
        .unwrap_or(false);
    let entry = entry(topic, name, kind, strict);
    let (at, after) = insertion_point(&info, &document, topic);
    let new_info = insert(&info, at, &entry);
    // The catalog decides what a valid name and topic are: one rule, one wording.
    if let Err(error) = Catalog::from_toml(&new_info, None) {
        bail!(
            "cannot add {name}: {}",
            problems(&error, &info, &new_info, at, &entry)
        );
    }

    let exercise = PathBuf::from(EXERCISES_DIR)
        .join(topic)
        .join(format!("{name}.rs"));
    let solution = PathBuf::from(SOLUTIONS_DIR)
        .join(topic)
        .join(format!("{name}.rs"));
    for path in [&exercise, &solution] {
        if root.join(path).exists() {
            bail!(
                "{} exists already; `patterns dev add` writes new files only: pick another name, or move that file away",
                path.display()
            );
        }
    }
    let texts = texts(name, kind);
    let mut said = Vec::new();
    let readme = PathBuf::from(EXERCISES_DIR).join(topic).join("README.md");
    let new_topic = !root.join(&readme).exists() && after.is_none();
    let mut written: Vec<PathBuf> = Vec::new();
    let mut files = vec![(exercise, texts.exercise), (solution, texts.solution)];
    if new_topic {
        files.push((readme, TOPIC_README.replace("{{title}}", &title(topic))));
    }
    for (path, text) in &files {
        if let Err(error) = write_new(&root.join(path), text) {
            for written in &written {
                let _ = std::fs::remove_file(root.join(written));
            }
            return Err(error);
        }
        written.push(path.clone());
        said.push(format!("{GOOD}✓{GOOD:#} wrote {}", path.display()));
    }
    write_atomically(&info_path, new_info.as_bytes())
        .with_context(|| format!("cannot write {}", info_path.display()))?;
    said.push(format!(
        "{GOOD}✓{GOOD:#} added {name} to {INFO_FILE} {DIM}({}){DIM:#}",
        match after {
            Some(previous) => format!("after {previous}"),
            None => "at the end".to_owned(),
        }
    ));
    let workbook = Workbook::open(root).with_context(|| {
        format!("{INFO_FILE} has the new entry, but the workbook does not open")
    })?;
    let updated = update::write(&workbook).context(
        "the files and the entry are written, but the Cargo targets are not; fix what is said above, then run `patterns dev update`",
    )?;
    said.extend(
        updated
            .into_iter()
            .map(|line| format!("{GOOD}✓{GOOD:#} {line}")),
    );
    Ok(said)
}

/// The `[[exercises]]` table for the new exercise. A rustlings set gets one
/// `hint`, as rustlings reads it.
fn entry(topic: &str, name: &str, kind: Kind, strict: bool) -> String {
    let mut entry = format!(
        "[[exercises]]\nname = {}\ndir = {}\n",
        toml_string(name),
        toml_string(topic)
    );
    if kind == Kind::Program {
        entry.push_str("test = false\n");
    }
    if strict {
        entry.push_str(
            "hints = [\n    \"A nudge: where to look.\",\n    \"The approach, in words.\",\n    \"Nearly the code.\",\n]\n",
        );
    } else {
        entry.push_str("hint = \"\"\"\nWhere to look, then the approach.\"\"\"\n");
    }
    entry
}

/// A TOML basic string.
fn toml_string(text: &str) -> String {
    toml_edit::Value::from(text).to_string().trim().to_owned()
}

/// Where the entry goes: after the topic's last exercise (before the comments
/// that lead the next entry), else at the end. Also the name it follows.
fn insertion_point(
    text: &str,
    document: &toml_edit::Document<&str>,
    topic: &str,
) -> (usize, Option<String>) {
    let Some(tables) = document
        .get("exercises")
        .and_then(toml_edit::Item::as_array_of_tables)
    else {
        return (text.len(), None);
    };
    let tables: Vec<&toml_edit::Table> = tables.iter().collect();
    let last_of_topic = tables
        .iter()
        .rposition(|t| t.get("dir").and_then(toml_edit::Item::as_str) == Some(topic));
    let Some(index) = last_of_topic else {
        return (text.len(), None);
    };
    let name = tables[index]
        .get("name")
        .and_then(toml_edit::Item::as_str)
        .map(str::to_owned);
    match tables.get(index + 1).and_then(|next| next.span()) {
        Some(span) => (start_of_leading_comments(text, span.start), name),
        None => (text.len(), name),
    }
}

/// The start of the comment lines right above the line at `at` (they belong to
/// what follows them).
fn start_of_leading_comments(text: &str, at: usize) -> usize {
    let mut start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    while start > 0 {
        let previous = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
        if !text[previous..start].trim_start().starts_with('#') {
            break;
        }
        start = previous;
    }
    start
}

/// `text` with `entry` at `at`, a blank line between it and its neighbours.
fn insert(text: &str, at: usize, entry: &str) -> String {
    let before = &text[..at];
    let after = &text[at..];
    let mut out = String::with_capacity(text.len() + entry.len() + 2);
    out.push_str(before);
    if !before.is_empty() && !before.ends_with('\n') {
        out.push('\n');
    }
    if !before.is_empty() && !before.ends_with("\n\n") {
        out.push('\n');
    }
    out.push_str(entry);
    if !after.is_empty() {
        out.push('\n');
    }
    out.push_str(after);
    out
}

/// The catalog's problems: those in the new entry as they are (the author has
/// not seen its lines), the others at their place in the file as it is.
fn problems(error: &CatalogError, old: &str, new: &str, at: usize, entry: &str) -> String {
    let line_of = |byte: usize| new[..byte].matches('\n').count() + 1;
    let entry_start = new[at..].find(entry).map_or(at, |i| at + i);
    let entry_lines = line_of(entry_start)..line_of(entry_start + entry.len());
    let inserted = new.matches('\n').count() - old.matches('\n').count();
    let mut about_entry: Vec<String> = Vec::new();
    let mut elsewhere: Vec<String> = Vec::new();
    for problem in &error.problems {
        if entry_lines.contains(&problem.line) {
            about_entry.push(problem.message.clone());
        } else {
            let line = if problem.line >= entry_lines.end {
                problem.line - inserted
            } else {
                problem.line
            };
            elsewhere.push(format!(
                "{INFO_FILE}:{line}:{}: {}",
                problem.column, problem.message
            ));
        }
    }
    if !elsewhere.is_empty() {
        about_entry.push(format!(
            "{INFO_FILE} has problems of its own; fix them first:"
        ));
        about_entry.extend(elsewhere);
    }
    about_entry.join("\n  ")
}

/// The exercise and its solution: one template, two bodies.
fn texts(name: &str, kind: Kind) -> Texts {
    let title = title(name);
    let (task, code, todo, solved) = match kind {
        Kind::Test => (
            "What to change, and what the tests expect.",
            TEST,
            "    // TODO: return the answer the tests expect.\n    todo!()",
            "    42",
        ),
        Kind::Program => (
            "What to change. This exercise is done when `main` runs to its end.",
            PROGRAM,
            "    // TODO: greet `name` as `main` expects.\n    todo!(\"greet {name}\")",
            "    format!(\"Hello, {name}!\")",
        ),
    };
    let header = HEADER
        .replace("{{title}}", &title)
        .replace("{{task}}", task);
    Texts {
        exercise: format!("{header}{}", code.replace("{{body}}", todo)),
        solution: format!("{header}{}", code.replace("{{body}}", solved)),
    }
}

/// `cache_aside` as a title: "Cache aside"; `05_caching` as "Caching".
fn title(name: &str) -> String {
    let words = patterns_core::catalog::topic_title(name).replace(['_', '-'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => name.to_owned(),
    }
}

/// Writes a file that must not exist yet (with its folders).
fn write_new(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INFO: &str = "format_version = 1\n\n# The first topic.\n[[exercises]]\nname = \"a\"\ndir = \"01_one\"\nhint = \"h\"\n\n[[exercises.checks]]\nkind = \"forbid_types\"\n\n# Leads b.\n# Two lines.\n[[exercises]]\nname = \"b\"\ndir = \"02_two\"\nhint = \"h\"\n";

    fn add_to(text: &str, topic: &str) -> (String, Option<String>) {
        let document = toml_edit::Document::parse(text).unwrap();
        let (at, after) = insertion_point(text, &document, topic);
        (insert(text, at, "[[exercises]]\nname = \"new\"\n"), after)
    }

    #[test]
    fn a_new_exercise_follows_its_topics_last_and_keeps_the_comments_where_they_were() {
        let (text, after) = add_to(INFO, "01_one");
        assert_eq!(after.as_deref(), Some("a"));
        assert_eq!(
            text,
            "format_version = 1\n\n# The first topic.\n[[exercises]]\nname = \"a\"\ndir = \"01_one\"\nhint = \"h\"\n\n[[exercises.checks]]\nkind = \"forbid_types\"\n\n[[exercises]]\nname = \"new\"\n\n# Leads b.\n# Two lines.\n[[exercises]]\nname = \"b\"\ndir = \"02_two\"\nhint = \"h\"\n"
        );
    }

    #[test]
    fn a_new_topic_goes_at_the_end() {
        let (text, after) = add_to(INFO, "03_three");
        assert_eq!(after, None);
        assert!(text.starts_with(INFO), "{text}");
        assert!(
            text.ends_with("hint = \"h\"\n\n[[exercises]]\nname = \"new\"\n"),
            "{text}"
        );
        let (text, _) = add_to(INFO, "02_two");
        assert!(text.starts_with(INFO));
        // Without a newline at the end, or without any exercise.
        let (text, _) = add_to("format_version = 1", "x");
        assert_eq!(
            text,
            "format_version = 1\n\n[[exercises]]\nname = \"new\"\n"
        );
    }

    #[test]
    fn titles_read_as_words() {
        assert_eq!(title("cache_aside"), "Cache aside");
        assert_eq!(title("05_caching"), "Caching");
        assert_eq!(title("x"), "X");
    }

    #[test]
    fn names_are_quoted_as_toml_strings() {
        assert_eq!(toml_string("a\"b"), "'a\"b'");
        assert_eq!(toml_string("plain"), "\"plain\"");
    }
}
