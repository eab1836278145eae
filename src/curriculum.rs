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
