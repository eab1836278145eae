//! `patterns dev new DIR`: a new exercise collection, ready for `patterns watch`
//! and `patterns dev check`: info.toml with every field explained, a Cargo
//! package of its own, the exercise folders, .gitignore, editor settings that
//! give rust-analyzer its own target folder, a README, and a first exercise
//! (written by `dev add`) to rename or replace.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use patterns_core::catalog::INFO_FILE;

use super::add::{self, Kind};
use crate::output::{BOLD, GOOD, WARN};

const INFO: &str = include_str!("templates/info.toml.tmpl");
const CARGO_TOML: &str = include_str!("templates/Cargo.toml.tmpl");
const README: &str = include_str!("templates/README.md.tmpl");
const GITIGNORE: &str = include_str!("templates/gitignore.tmpl");
const VSCODE_SETTINGS: &str = include_str!("templates/vscode_settings.json.tmpl");
const RUST_ANALYZER: &str = include_str!("templates/rust-analyzer.toml.tmpl");
const SOLUTIONS_README: &str = include_str!("templates/solutions_readme.md.tmpl");
/// Grading in CI: where the collection's repository (or a learner's fork) is on
/// GitHub; docs/autograding.md has the same for GitLab.
const GITHUB_WORKFLOW: &str = include_str!("templates/github_workflow.yml.tmpl");

/// The first exercise of a new collection.
const FIRST_TOPIC: &str = "01_first_topic";
const FIRST_EXERCISE: &str = "first_exercise";

pub fn new(dir: &Path, git: bool) -> Result<ExitCode> {
    let mut out = anstream::stdout();
    for line in create(dir, git)? {
        writeln!(out, "{line}")?;
    }
    writeln!(
        out,
        "\n{BOLD}Next:{BOLD:#} cd {} and `patterns watch` to try it; `patterns dev add TOPIC NAME` for each exercise; `patterns dev check` before you share it.",
        dir.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Creates the collection in `dir` (which must be new or empty); says what it did.
pub fn create(dir: &Path, git: bool) -> Result<Vec<String>> {
    if !crate::commands::is_new_or_empty(dir)? {
        bail!(
            "{} is not empty; `patterns dev new` starts a collection in a new or empty folder",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let package = package_name(dir);
    let files: [(&str, String); 8] = [
        (INFO_FILE, INFO.to_owned()),
        ("Cargo.toml", CARGO_TOML.replace("{{package}}", &package)),
        ("README.md", README.replace("{{name}}", &package)),
        (".gitignore", GITIGNORE.to_owned()),
        (".vscode/settings.json", VSCODE_SETTINGS.to_owned()),
        ("rust-analyzer.toml", RUST_ANALYZER.to_owned()),
        ("solutions/README.md", SOLUTIONS_README.to_owned()),
        (".github/workflows/patterns.yml", GITHUB_WORKFLOW.to_owned()),
    ];
    let mut said = Vec::new();
    crate::commands::write_files(dir, &files)?;
    said.push(format!(
        "{GOOD}✓{GOOD:#} wrote {}",
        files.iter().map(|(p, _)| *p).collect::<Vec<_>>().join(", ")
    ));
    if git {
        said.push(git_init(dir));
    }
    said.extend(add::add_exercise(
        dir,
        FIRST_TOPIC,
        FIRST_EXERCISE,
        Kind::Test,
    )?);
    Ok(said)
}

/// The folder's name as a Cargo package name, else `exercises`.
fn package_name(dir: &Path) -> String {
    let name: String = absolute(dir)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let name = name.trim_matches('-');
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        "exercises".to_owned()
    } else {
        name.to_owned()
    }
}

fn absolute(dir: &Path) -> PathBuf {
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())
}

/// `git init`, or why not (the collection works without it).
fn git_init(dir: &Path) -> String {
    let inside = Command::new("git")
        .current_dir(dir)
        .args(["rev-parse", "--is-inside-work-tree"])
        .output();
    match inside {
        Ok(output) if output.status.success() => {
            return format!(
                "{GOOD}✓{GOOD:#} inside a git repository already: not running git init"
            );
        }
        Err(_) => {
            return format!(
                "{WARN}!{WARN:#} git is not installed: no repository made (patterns works without one)"
            );
        }
        Ok(_) => {}
    }
    match Command::new("git")
        .current_dir(dir)
        .args(["init", "--quiet"])
        .status()
    {
        Ok(status) if status.success() => format!("{GOOD}✓{GOOD:#} git init"),
        _ => format!(
            "{WARN}!{WARN:#} git init failed: no repository made (patterns works without one)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names_come_from_the_folder() {
        assert_eq!(package_name(Path::new("/tmp/My Course")), "my-course");
        assert_eq!(package_name(Path::new("/tmp/rust_backend")), "rust_backend");
        assert_eq!(package_name(Path::new("/tmp/2026")), "exercises");
        assert_eq!(package_name(Path::new("/tmp/ünï")), "n");
    }
}
