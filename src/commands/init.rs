//! `patterns init [DIR]`: a standalone workbook from the curriculum this binary
//! carries, for a learner who installed patterns with `cargo install` and has no
//! clone of the repository.
//!
//! The layout differs from the repository's in one way: each topic is a Cargo
//! package of its own (`exercises/<topic>/Cargo.toml`), so every exercise file
//! lies inside its package's folder and cargo records it by a path relative to
//! the package (a copied or moved workbook is then judged by its own files
//! without help). A topic's package has the dependencies of the packages that
//! hold its exercises in the repository, so heavy stacks are still compiled only
//! when a learner reaches them. Solutions are not written: `s` in watch shows
//! them from the binary once an exercise is done.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use patterns_core::catalog::Catalog;
use patterns_core::originals::Manifest;
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, Value};

use crate::curriculum;
use crate::output::{BOLD, GOOD};

const RUST_ANALYZER: &str = include_str!("dev/templates/rust-analyzer.toml.tmpl");
const VSCODE_SETTINGS: &str = include_str!("dev/templates/vscode_settings.json.tmpl");

/// Grading in CI, as `dev new` writes it.
const GITHUB_WORKFLOW: &str = include_str!("dev/templates/github_workflow.yml.tmpl");

pub fn init(dir: &Path, ci: bool) -> Result<ExitCode> {
    let mut files = workbook_files()?;
    if ci {
        files.push((
            ".github/workflows/patterns.yml".into(),
            GITHUB_WORKFLOW.to_owned(),
        ));
    }
    refuse_to_overwrite(dir)?;
    super::write_files(dir, &files)?;
    let exercises = files
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "rs"))
        .count();
    let mut out = anstream::stdout();
    writeln!(
        out,
        "{GOOD}✓{GOOD:#} wrote a workbook of {exercises} exercises to {}",
        dir.display()
    )?;
    writeln!(
        out,
        "\n{BOLD}Next:{BOLD:#} cd {} and run `patterns` (the first check builds for a while; after that, no network is needed).",
        dir.display()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// `dir` must be new or empty: a learner's work is never written over.
fn refuse_to_overwrite(dir: &Path) -> Result<()> {
    if !super::is_new_or_empty(dir)? {
        let workbook = dir.join("info.toml").is_file();
        bail!(
            "{} is not empty{}; `patterns init` writes a new workbook into a new or empty folder. {}",
            dir.display(),
            if workbook {
                " (it holds a workbook)"
            } else {
                ""
            },
            if workbook {
                "To go on with it, run `patterns` there; to start over, give another folder."
            } else {
                "Give another folder."
            }
        );
    }
    Ok(())
}

/// Every file of the standalone workbook, by its path in it.
fn workbook_files() -> Result<Vec<(PathBuf, String)>> {
    let info = curriculum::file("info.toml").context("this patterns carries no curriculum")?;
    let catalog = Catalog::from_toml(info, None)
        .map_err(|e| anyhow::anyhow!("the curriculum built into patterns is broken: {e}"))?;
    let originals = curriculum::file("originals.toml").unwrap_or_default();
    let manifest = Manifest::parse(originals)?;
    let packages = repository_packages()?;

    let mut files: Vec<(PathBuf, String)> = vec![
        ("info.toml".into(), info.to_owned()),
        ("originals.toml".into(), originals.to_owned()),
        ("README.md".into(), README.to_owned()),
        (".gitignore".into(), "target/\n".to_owned()),
        ("rust-analyzer.toml".into(), RUST_ANALYZER.to_owned()),
        (".vscode/settings.json".into(), VSCODE_SETTINGS.to_owned()),
        (
            "Cargo.toml".into(),
            format!(
                "[workspace]\n# One package per topic: exercises/<topic>/Cargo.toml.\nresolver = \"3\"\nmembers = [\"exercises/*\"]\n\n# Which patterns wrote this workbook: a newer one says what its curriculum adds.\n[workspace.metadata.{}]\nversion = \"{}\"\n",
                curriculum::MADE_BY,
                env!("CARGO_PKG_VERSION")
            ),
        ),
    ];
    if let Some(lock) = curriculum::file("Cargo.lock") {
        // The versions the curriculum was tested with; cargo drops what this
        // workspace does not use at its first build.
        files.push(("Cargo.lock".into(), lock.to_owned()));
    }

    let mut topics: Vec<&str> = Vec::new();
    for exercise in &catalog.exercises {
        let topic = exercise.topic();
        if !topics.contains(&topic) {
            topics.push(topic);
        }
    }
    for topic in topics {
        let mut package = topic_package(topic);
        for exercise in catalog.exercises.iter().filter(|e| e.topic() == topic) {
            let path = format!("exercises/{topic}/{}.rs", exercise.name);
            let text = manifest
                .files
                .get(&path)
                .and_then(|id| crate::originals::ORIGINALS.iter().find(|(i, _)| i == id))
                .map(|(_, text)| *text)
                .with_context(|| {
                    format!("the curriculum built into patterns lacks the text of {path}")
                })?;
            files.push((path.clone().into(), text.to_owned()));
            let source = packages
                .iter()
                .find(|p| p.paths.iter().any(|p| p.ends_with(&path)))
                .with_context(|| format!("no workbook package builds {path}"))?;
            merge_dependencies(&mut package, &source.manifest);
            let mut bin = Table::new();
            bin.insert("name", toml_edit::value(exercise.name.as_str()));
            bin.insert("path", toml_edit::value(format!("{}.rs", exercise.name)));
            package["bin"]
                .or_insert(Item::ArrayOfTables(Default::default()))
                .as_array_of_tables_mut()
                .context("[[bin]] is a list")?
                .push(bin);
        }
        files.push((
            format!("exercises/{topic}/Cargo.toml").into(),
            package.to_string(),
        ));
        if let Some(readme) = curriculum::file(&format!("exercises/{topic}/README.md")) {
            files.push((
                format!("exercises/{topic}/README.md").into(),
                readme.to_owned(),
            ));
        }
    }
    Ok(files)
}

const README: &str = "# A patterns workbook

Backend architecture patterns in Rust, one small exercise at a time. Run
`patterns` in this folder: it shows the current exercise and checks it every time
you save. `h` reveals hints, `n` moves on, `?` lists the keys.

Each topic of `exercises/` is a Cargo package of its own, so a topic's crates are
compiled when you reach it. Your progress lives in `.patterns/`.
";

/// A package of the repository's workbook: its manifest and the sources of its
/// bins.
struct RepositoryPackage {
    manifest: DocumentMut,
    paths: Vec<String>,
}

fn repository_packages() -> Result<Vec<RepositoryPackage>> {
    let mut packages = Vec::new();
    for (path, text) in curriculum::files() {
        if !(path.starts_with("workbook/") && path.ends_with("Cargo.toml")) {
            continue;
        }
        let manifest: DocumentMut = text
            .parse()
            .with_context(|| format!("the curriculum's {path} does not parse"))?;
        let paths = manifest
            .get("bin")
            .and_then(Item::as_array_of_tables)
            .map(|bins| {
                bins.iter()
                    .filter_map(|b| b.get("path").and_then(Item::as_str))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        packages.push(RepositoryPackage { manifest, paths });
    }
    Ok(packages)
}

/// The manifest of a topic's package, without dependencies or bins yet.
fn topic_package(topic: &str) -> DocumentMut {
    let mut doc = DocumentMut::new();
    let mut package = Table::new();
    package.insert(
        "name",
        toml_edit::value(format!("topic-{}", topic.replace('_', "-"))),
    );
    package.insert("version", toml_edit::value("0.0.0"));
    package.insert("edition", toml_edit::value("2024"));
    package.insert("publish", toml_edit::value(false));
    doc.insert("package", Item::Table(package));
    doc.insert("dependencies", Item::Table(Table::new()));
    // Exercise code is used by its tests: a plain build would call it dead.
    let mut rust = Table::new();
    rust.insert("dead_code", toml_edit::value("allow"));
    let mut lints = Table::new();
    lints.set_implicit(true);
    lints.insert("rust", Item::Table(rust));
    doc.insert("lints", Item::Table(lints));
    doc
}

/// Adds `source`'s dependencies to `package`: a crate both name gets the union
/// of their features, and its default features unless both turn them off.
fn merge_dependencies(package: &mut DocumentMut, source: &DocumentMut) {
    let Some(theirs) = source.get("dependencies").and_then(Item::as_table) else {
        return;
    };
    let Some(ours) = package["dependencies"].as_table_mut() else {
        return;
    };
    for (name, item) in theirs.iter() {
        let Some(incoming) = dependency(item) else {
            continue;
        };
        let merged = match ours.get(name).and_then(dependency) {
            None => incoming,
            Some(mut existing) => {
                for feature in incoming
                    .get("features")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let features = existing
                        .entry("features")
                        .or_insert(Value::Array(Array::new()));
                    if let Some(features) = features.as_array_mut()
                        && !features.iter().any(|f| f.as_str() == feature.as_str())
                    {
                        features.push(feature.as_str().unwrap_or_default());
                        features.fmt();
                    }
                }
                let no_defaults = |t: &InlineTable| {
                    t.get("default-features").and_then(Value::as_bool) == Some(false)
                };
                if no_defaults(&existing) && !no_defaults(&incoming) {
                    existing.remove("default-features");
                }
                existing
            }
        };
        ours.insert(name, toml_edit::value(merged));
    }
}

/// A dependency as an inline table (`"1"` becomes `{ version = "1" }`).
fn dependency(item: &Item) -> Option<InlineTable> {
    match item.as_value()? {
        Value::String(version) => {
            let mut table = InlineTable::new();
            table.insert("version", Value::from(version.value().as_str()));
            Some(table)
        }
        Value::InlineTable(table) => Some(table.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_topic_gets_the_union_of_its_packages_dependencies() {
        let mut package = topic_package("04_errors");
        let light: DocumentMut =
            "[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\nthiserror = \"2\"\n"
                .parse()
                .unwrap();
        let web: DocumentMut = "[dependencies]\nserde = { version = \"1\", features = [\"derive\", \"rc\"] }\ntracing = { version = \"0.1\", default-features = false, features = [\"std\"] }\n"
            .parse()
            .unwrap();
        let capstone: DocumentMut =
            "[dependencies]\ntracing = { version = \"0.1\", features = [\"attributes\"] }\n"
                .parse()
                .unwrap();
        merge_dependencies(&mut package, &light);
        merge_dependencies(&mut package, &web);
        merge_dependencies(&mut package, &capstone);
        let text = package.to_string();
        assert!(text.contains("name = \"topic-04-errors\""), "{text}");
        assert!(
            text.contains("serde = { version = \"1\", features = [\"derive\", \"rc\"] }"),
            "{text}"
        );
        assert!(text.contains("thiserror = { version = \"2\" }"), "{text}");
        assert!(
            text.contains("tracing = { version = \"0.1\", features = [\"std\", \"attributes\"] }"),
            "{text}"
        );
    }

    #[test]
    fn the_workbook_has_every_exercise_inside_its_topics_package_and_no_solution() {
        let files = workbook_files().unwrap();
        let catalog = Catalog::from_toml(curriculum::file("info.toml").unwrap(), None).unwrap();
        let paths: Vec<String> = files
            .iter()
            .map(|(p, _)| p.to_string_lossy().replace('\\', "/"))
            .collect();
        for exercise in &catalog.exercises {
            let topic = exercise.topic();
            assert!(paths.contains(&format!("exercises/{topic}/{}.rs", exercise.name)));
            let (_, manifest) = files
                .iter()
                .find(|(p, _)| p == Path::new(&format!("exercises/{topic}/Cargo.toml")))
                .unwrap();
            assert!(
                manifest.contains(&format!("path = \"{}.rs\"", exercise.name)),
                "{manifest}"
            );
        }
        assert!(!paths.iter().any(|p| p.starts_with("solutions/")));
        // Every bin's path lies in its package's folder.
        for (path, text) in &files {
            if path.ends_with("Cargo.toml") {
                assert!(!text.contains("../"), "{}: {text}", path.display());
            }
        }
    }
}
