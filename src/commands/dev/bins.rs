//! Which Cargo package builds which exercise, and editing the packages' lists of
//! bin targets so that they follow info.toml.
//!
//! Every exercise is a bin target named like it, and its solution `<name>_sol`.
//! An exercise stays in the package that lists it now (the heavy packages of this
//! workbook list theirs); a new one goes where the other exercises of its topic
//! are, else to the package with the most exercises. Manifests are edited with
//! toml_edit, so their comments and layout stay; both ways of writing the list
//! are read and written: `[[bin]]` tables, and rustlings' `bin = [ { ... } ]`.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};
use patterns_core::catalog::{EXERCISES_DIR, Exercise, SOLUTIONS_DIR};
use patterns_core::targets::Targets;
use patterns_core::workbook::Workbook;
use toml_edit::{ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

/// A bin target as a manifest lists it: its name and its path relative to the
/// manifest's folder, with `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinEntry {
    pub name: String,
    pub path: String,
}

/// One Cargo manifest, edited in place.
pub struct Manifest {
    pub path: PathBuf,
    doc: DocumentMut,
}

impl Manifest {
    pub fn read(path: &Path) -> Result<Manifest> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let doc = text
            .parse::<DocumentMut>()
            .with_context(|| format!("{} is not valid TOML; fix it first", path.display()))?;
        Ok(Manifest {
            path: path.to_path_buf(),
            doc,
        })
    }

    /// The folder the manifest's paths are relative to.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// Every bin target the manifest lists, in order.
    pub fn bins(&self) -> Vec<BinEntry> {
        let entry = |get: &dyn Fn(&str) -> Option<String>| {
            Some(BinEntry {
                name: get("name")?,
                path: get("path")?,
            })
        };
        match self.doc.get("bin") {
            Some(Item::ArrayOfTables(tables)) => tables
                .iter()
                .filter_map(|t| entry(&|k| t.get(k)?.as_str().map(str::to_owned)))
                .collect(),
            Some(Item::Value(Value::Array(array))) => array
                .iter()
                .filter_map(|v| v.as_inline_table())
                .filter_map(|t| entry(&|k| t.get(k)?.as_str().map(str::to_owned)))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Lists `wanted` as this manifest's exercise targets, in that order, after
    /// the targets that are no exercise's (which stay as they are). Returns
    /// whether anything changed.
    pub fn set_exercise_bins(
        &mut self,
        wanted: &[BinEntry],
        is_exercise: impl Fn(&BinEntry) -> bool,
    ) -> bool {
        let current = self.bins();
        let mut next: Vec<BinEntry> = current
            .iter()
            .filter(|b| !is_exercise(b))
            .cloned()
            .collect();
        next.extend(wanted.iter().cloned());
        if next == current {
            return false;
        }
        match self.doc.get_mut("bin") {
            Some(Item::Value(Value::Array(array))) => {
                // rustlings' layout: one inline table a line.
                array.clear();
                for bin in &next {
                    let mut table = InlineTable::new();
                    table.insert("name", bin.name.as_str().into());
                    table.insert("path", bin.path.as_str().into());
                    let mut value = Value::InlineTable(table);
                    value.decor_mut().set_prefix("\n  ");
                    array.push_formatted(value);
                }
                array.set_trailing("\n");
                array.set_trailing_comma(true);
            }
            existing => {
                // `[[bin]]` tables: the first one keeps the comment above it.
                let prefix = match existing {
                    Some(Item::ArrayOfTables(tables)) => tables
                        .iter()
                        .find(|t| {
                            t.get("path").and_then(|p| p.as_str()).is_some_and(|p| {
                                is_exercise(&BinEntry {
                                    name: String::new(),
                                    path: p.to_owned(),
                                })
                            })
                        })
                        .and_then(|t| {
                            t.decor()
                                .prefix()
                                .and_then(|p| p.as_str())
                                .map(str::to_owned)
                        }),
                    _ => None,
                };
                let mut tables = ArrayOfTables::new();
                let first_wanted = next.len() - wanted.len();
                for (i, bin) in next.iter().enumerate() {
                    let mut table = Table::new();
                    table.insert("name", toml_edit::value(bin.name.as_str()));
                    table.insert("path", toml_edit::value(bin.path.as_str()));
                    if i == first_wanted
                        && let Some(prefix) = &prefix
                    {
                        table.decor_mut().set_prefix(prefix.as_str());
                    }
                    tables.push(table);
                }
                self.doc.insert("bin", Item::ArrayOfTables(tables));
            }
        }
        true
    }

    pub fn text(&self) -> String {
        self.doc.to_string()
    }

    pub fn write(&self) -> Result<()> {
        patterns_core::progress::write_atomically(&self.path, self.text().as_bytes())
            .with_context(|| format!("cannot write {}", self.path.display()))
    }
}

/// `to` relative to the folder `from`, with `/` (`../exercises/x.rs`).
pub fn relative(from: &Path, to: &Path) -> String {
    let from: Vec<Component<'_>> = from.components().collect();
    let to: Vec<Component<'_>> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// Whether a path a manifest lists (relative to its folder) is an exercise's or
/// a solution's file of this workbook.
pub fn in_exercise_folders(root: &Path, manifest_dir: &Path, path: &str) -> bool {
    let absolute = fold(&manifest_dir.join(path));
    absolute.starts_with(root.join(EXERCISES_DIR)) || absolute.starts_with(root.join(SOLUTIONS_DIR))
}

/// A path with `.` and `..` folded away (without touching the file system).
fn fold(path: &Path) -> PathBuf {
    let mut folded = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                folded.pop();
            }
            Component::CurDir => {}
            other => folded.push(other),
        }
    }
    folded
}

/// What each package's list of exercise targets should be.
pub struct Plan {
    /// By manifest: the targets it should list, in info.toml's order.
    pub wanted: BTreeMap<PathBuf, Vec<BinEntry>>,
}

/// The manifests that list exercises now, and where each exercise belongs.
pub fn plan(workbook: &Workbook, targets: &Targets) -> Result<Plan> {
    let root = &workbook.root;
    let exercises = &workbook.catalog.exercises;
    // Who lists each exercise now.
    let owner_of = |exercise: &Exercise| {
        [exercise.name.clone(), exercise.solution_target()]
            .iter()
            .find_map(|name| targets.bins.get(name))
            .map(|bin| bin.package.manifest.clone())
    };
    let mut count: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let mut topic_owner: BTreeMap<String, BTreeMap<PathBuf, usize>> = BTreeMap::new();
    for exercise in exercises {
        if let Some(owner) = owner_of(exercise) {
            *count.entry(owner.clone()).or_default() += 1;
            *topic_owner
                .entry(exercise.topic().to_owned())
                .or_default()
                .entry(owner)
                .or_default() += 1;
        }
    }
    let most = |counts: &BTreeMap<PathBuf, usize>| {
        counts
            .iter()
            .max_by_key(|(path, n)| (**n, std::cmp::Reverse((*path).clone())))
            .map(|(path, _)| path.clone())
    };
    let default = match most(&count) {
        Some(manifest) => manifest,
        None => default_manifest(root, targets)?,
    };
    let mut wanted: BTreeMap<PathBuf, Vec<BinEntry>> = BTreeMap::new();
    for package in &targets.packages {
        if count.contains_key(&package.manifest) {
            wanted.insert(package.manifest.clone(), Vec::new());
        }
    }
    wanted.entry(default.clone()).or_default();
    for exercise in exercises {
        let manifest = owner_of(exercise)
            .or_else(|| topic_owner.get(exercise.topic()).and_then(most))
            .unwrap_or_else(|| default.clone());
        let dir = manifest.parent().unwrap_or(root).to_path_buf();
        let list = wanted.entry(manifest).or_default();
        list.push(BinEntry {
            name: exercise.name.clone(),
            path: relative(&dir, &root.join(exercise.path())),
        });
        // rustlings makes solutions optional: a target for a missing file would
        // break every build of the package.
        if root.join(exercise.solution_path()).is_file() {
            list.push(BinEntry {
                name: exercise.solution_target(),
                path: relative(&dir, &root.join(exercise.solution_path())),
            });
        }
    }
    Ok(Plan { wanted })
}

/// The workspace's packages and targets, for writing the bin lists. A package
/// that lists no target at all (a new collection, rustlings' `bin = []`) is
/// one cargo cannot read yet, and one `dev update` can fill.
pub fn targets(workbook: &Workbook) -> Result<Targets> {
    let root = &workbook.root;
    // Remembered in `.patterns/` while the manifests are unchanged.
    let _ = workbook.ensure_state_dir();
    match Targets::load(root, &workbook.state_dir()) {
        Ok(targets) => Ok(targets),
        Err(_) if fresh_package(&root.join("Cargo.toml")) => Ok(Targets::default()),
        Err(error) => Err(error).context("cannot list the workspace's targets"),
    }
}

/// A manifest with a `[package]` and no bin target (yet).
fn fresh_package(manifest: &Path) -> bool {
    Manifest::read(manifest)
        .is_ok_and(|m| m.doc.get("package").is_some_and(Item::is_table) && m.bins().is_empty())
}

/// Where exercises go when none is listed anywhere yet: the package at the root
/// (a rustlings set, a `dev new` collection), else `workbook/`.
fn default_manifest(root: &Path, targets: &Targets) -> Result<PathBuf> {
    let at = |relative: &str| {
        let path = root.join(relative);
        let known = targets.packages.iter().any(|p| p.manifest == path);
        (known || fresh_package(&path)).then_some(path)
    };
    match at("Cargo.toml").or_else(|| at("workbook/Cargo.toml")) {
        Some(manifest) => Ok(manifest),
        None => bail!(
            "no Cargo package lists the exercises, and neither Cargo.toml nor workbook/Cargo.toml is a package to list them in; add a [package] to Cargo.toml"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_manifests_folder() {
        assert_eq!(
            relative(
                Path::new("/w/workbook/web"),
                Path::new("/w/exercises/a/b.rs")
            ),
            "../../exercises/a/b.rs"
        );
        assert_eq!(
            relative(Path::new("/w"), Path::new("/w/exercises/a/b.rs")),
            "exercises/a/b.rs"
        );
        assert!(in_exercise_folders(
            Path::new("/w"),
            Path::new("/w/workbook"),
            "../solutions/a.rs"
        ));
        assert!(!in_exercise_folders(
            Path::new("/w"),
            Path::new("/w/workbook"),
            "src/main.rs"
        ));
    }

    fn edit(text: &str, wanted: &[(&str, &str)]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("Cargo.toml");
        std::fs::write(&path, text).unwrap();
        let mut manifest = Manifest::read(&path).unwrap();
        let wanted: Vec<BinEntry> = wanted
            .iter()
            .map(|(n, p)| BinEntry {
                name: (*n).into(),
                path: (*p).into(),
            })
            .collect();
        manifest.set_exercise_bins(&wanted, |b| b.path.starts_with("exercises/"));
        manifest.text()
    }

    #[test]
    fn a_rustlings_list_is_written_as_rustlings_writes_it() {
        let text = "# Don't edit the `bin` list manually!\nbin = [\n  { name = \"old\", path = \"exercises/old.rs\" },\n]\n\n[package]\nname = \"exercises\"\n";
        assert_eq!(
            edit(text, &[("a", "exercises/a.rs"), ("b", "exercises/b.rs")]),
            "# Don't edit the `bin` list manually!\nbin = [\n  { name = \"a\", path = \"exercises/a.rs\" },\n  { name = \"b\", path = \"exercises/b.rs\" },\n]\n\n[package]\nname = \"exercises\"\n"
        );
    }

    #[test]
    fn bin_tables_keep_the_comments_and_the_other_targets() {
        let text = "[package]\nname = \"w\" # the workbook\n\n[[bin]]\nname = \"tool\"\npath = \"src/tool.rs\"\n\n# Generated; do not edit below.\n[[bin]]\nname = \"old\"\npath = \"exercises/old.rs\"\n";
        assert_eq!(
            edit(text, &[("a", "exercises/a.rs")]),
            "[package]\nname = \"w\" # the workbook\n\n[[bin]]\nname = \"tool\"\npath = \"src/tool.rs\"\n\n# Generated; do not edit below.\n[[bin]]\nname = \"a\"\npath = \"exercises/a.rs\"\n"
        );
    }
}
