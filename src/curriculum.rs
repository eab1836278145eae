//! The curriculum this binary carries besides the exercises' original texts
//! (`originals`): info.toml, Cargo.lock, the topic READMEs, the solutions and
//! the workbook packages' manifests, embedded by build.rs for `patterns init`
//! and for showing a solution the workbook does not have on disk.

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/curriculum.rs"));
}

/// Every embedded file, by its path in the repository.
pub fn files() -> &'static [(&'static str, &'static str)] {
    embedded::FILES
}

/// The embedded file at `path` (with `/`), if there is one.
pub fn file(path: &str) -> Option<&'static str> {
    embedded::FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, text)| *text)
}

/// The solution at `path` (relative to the workbook), for a workbook made from
/// this curriculum (its originals.toml is the one built in): `patterns init`
/// writes none on disk. Any other workbook's solutions are its own.
pub fn solution(root: &std::path::Path, path: &std::path::Path) -> Option<&'static str> {
    let ours = file("originals.toml")?;
    let theirs = std::fs::read_to_string(root.join("originals.toml")).ok()?;
    if theirs != ours {
        return None;
    }
    file(&path.to_string_lossy().replace('\\', "/"))
}

/// The key `patterns init` writes in a workbook's Cargo.toml: which patterns
/// made it (`[workspace.metadata.patterns] version = ".."`).
pub const MADE_BY: &str = "patterns";

/// For a workbook `patterns init` made: what this patterns' curriculum has
/// that the workbook has not (new exercises, new starting code, exercises
/// gone), in words. Nothing in the workbook is changed: a learner's files and
/// progress are theirs, and the new curriculum goes to a new folder.
pub fn upgrade_notice(
    root: &std::path::Path,
    workbook: &patterns_core::catalog::Catalog,
) -> Option<String> {
    use patterns_core::originals::Manifest;
    let cargo: toml_edit::DocumentMut = std::fs::read_to_string(root.join("Cargo.toml"))
        .ok()?
        .parse()
        .ok()?;
    let made_by = cargo
        .get("workspace")?
        .get("metadata")?
        .get(MADE_BY)?
        .get("version")?
        .as_str()?
        .to_owned();
    let ours = patterns_core::catalog::Catalog::from_toml(file("info.toml")?, None).ok()?;
    let our_ids = Manifest::parse(file("originals.toml")?).ok()?;
    let their_ids = std::fs::read_to_string(root.join("originals.toml"))
        .ok()
        .and_then(|text| Manifest::parse(&text).ok())
        .unwrap_or_default();
    let names = |catalog: &patterns_core::catalog::Catalog| -> Vec<String> {
        catalog.exercises.iter().map(|e| e.name.clone()).collect()
    };
    let (our_names, their_names) = (names(&ours), names(workbook));
    let added: Vec<&String> = our_names
        .iter()
        .filter(|n| !their_names.contains(n))
        .collect();
    let gone: Vec<&String> = their_names
        .iter()
        .filter(|n| !our_names.contains(n))
        .collect();
    let changed: Vec<&String> = ours
        .exercises
        .iter()
        .filter(|e| their_names.contains(&e.name))
        .filter(|e| {
            let path = e.path().to_string_lossy().replace('\\', "/");
            our_ids.files.get(&path) != their_ids.files.get(&path)
        })
        .map(|e| &e.name)
        .collect();
    if added.is_empty() && gone.is_empty() && changed.is_empty() {
        return None;
    }
    let list = |what: &str, names: &[&String]| -> Option<String> {
        (!names.is_empty()).then(|| {
            let shown: Vec<&str> = names.iter().take(5).map(|n| n.as_str()).collect();
            let more = if names.len() > 5 { ", ..." } else { "" };
            format!("{} {what} ({}{more})", names.len(), shown.join(", "))
        })
    };
    let parts: Vec<String> = [
        list("new", &added),
        list("with new starting code", &changed),
        list("no longer in it", &gone),
    ]
    .into_iter()
    .flatten()
    .collect();
    Some(format!(
        "this workbook was made by patterns {made_by}; this patterns ({}) has a newer curriculum: exercises {}. Nothing here was changed; `patterns init NEW-FOLDER` writes the new one beside it",
        env!("CARGO_PKG_VERSION"),
        parts.join("; ")
    ))
}
