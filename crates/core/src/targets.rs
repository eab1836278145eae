//! Which package of the workspace builds each exercise's Cargo target.
//!
//! Building with `-p PACKAGE --bin NAME`, as a person would type it, costs cargo
//! about half of what `--workspace --bin NAME` does (it need not look at every
//! member). The map comes from `cargo metadata --no-deps` and is remembered in
//! `.patterns/targets.toml` until the root manifest or a member's changes, so that
//! a check pays for neither.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::cargo::cargo_program;

/// The file, under the workbook's state folder, that remembers the map.
const CACHE_FILE: &str = "targets.toml";

/// A package of the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Cargo's package id, which `-p` takes whatever other packages are called.
    pub id: String,
    /// Its name (what `cargo clean -p` takes).
    pub name: String,
    pub manifest: PathBuf,
}

/// A bin target and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bin {
    pub package: Package,
    /// Its source file, absolute.
    pub path: PathBuf,
    /// Its Rust edition (for `rustfmt --edition`).
    pub edition: String,
}

/// Every package of the workspace, and every bin target by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Targets {
    /// What the map was read from: the manifests' paths, sizes and times.
    stamp: String,
    pub packages: Vec<Package>,
    pub bins: BTreeMap<String, Bin>,
}

impl Targets {
    /// The map for the workspace at `root`: remembered in `state_dir` while the
    /// manifests are unchanged, else read from cargo (and remembered, if it can be).
    pub fn load(root: &Path, state_dir: &Path) -> io::Result<Targets> {
        let cache = state_dir.join(CACHE_FILE);
        if let Some(targets) = std::fs::read_to_string(&cache)
            .ok()
            .and_then(|text| toml::from_str::<Targets>(&text).ok())
            .filter(|targets| targets.stamp == stamp(root, targets.manifests()))
        {
            return Ok(targets);
        }
        let targets = Targets::read(root)?;
        if state_dir.is_dir()
            && let Ok(text) = toml::to_string(&targets)
        {
            // Only a cache: failing to write it costs time, nothing else.
            let _ = std::fs::write(&cache, text);
        }
        Ok(targets)
    }

    /// The map as cargo reports it now.
    pub fn read(root: &Path) -> io::Result<Targets> {
        #[derive(Deserialize)]
        struct Metadata {
            packages: Vec<RawPackage>,
        }
        #[derive(Deserialize)]
        struct RawPackage {
            id: String,
            name: String,
            manifest_path: PathBuf,
            targets: Vec<RawTarget>,
        }
        #[derive(Deserialize)]
        struct RawTarget {
            name: String,
            kind: Vec<String>,
            src_path: PathBuf,
            #[serde(default)]
            edition: String,
        }
        let output = Command::new(cargo_program())
            .current_dir(root)
            .args(["metadata", "--no-deps", "--format-version", "1"])
            .output()?;
        if !output.status.success() {
            return Err(io::Error::other(format!(
                "`cargo metadata` failed; fix the workspace's Cargo.toml:\n{}",
                String::from_utf8_lossy(&output.stderr).trim_end()
            )));
        }
        let metadata: Metadata = serde_json::from_slice(&output.stdout).map_err(|error| {
            io::Error::other(format!("cannot read `cargo metadata` output: {error}"))
        })?;
        let mut bins = BTreeMap::new();
        let mut packages = Vec::new();
        for raw in metadata.packages {
            let package = Package {
                id: raw.id.clone(),
                name: raw.name.clone(),
                manifest: raw.manifest_path.clone(),
            };
            for target in raw.targets {
                if target.kind.iter().any(|k| k == "bin") {
                    bins.insert(
                        target.name,
                        Bin {
                            package: package.clone(),
                            path: target.src_path,
                            edition: target.edition,
                        },
                    );
                }
            }
            packages.push(package);
        }
        let mut targets = Targets {
            stamp: String::new(),
            packages,
            bins,
        };
        targets.stamp = stamp(root, targets.manifests());
        Ok(targets)
    }

    /// The package that builds the bin target `name`.
    pub fn package(&self, name: &str) -> Option<&Package> {
        self.bins.get(name).map(|bin| &bin.package)
    }

    fn manifests(&self) -> Vec<&Path> {
        let mut manifests: Vec<&Path> =
            self.packages.iter().map(|p| p.manifest.as_path()).collect();
        manifests.sort();
        manifests.dedup();
        manifests
    }
}

/// The root and every manifest, with their sizes and modification times.
fn stamp(root: &Path, manifests: Vec<&Path>) -> String {
    let root_manifest = root.join("Cargo.toml");
    let mut stamp = root.display().to_string();
    for manifest in std::iter::once(root_manifest.as_path()).chain(manifests) {
        let meta = std::fs::metadata(manifest).ok();
        let modified = meta
            .as_ref()
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        stamp.push_str(&format!(
            "\n{} {} {modified}",
            manifest.display(),
            meta.map_or(0, |m| m.len())
        ));
    }
    stamp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            "[workspace]\nmembers = [\"pkg\"]\nresolver = \"3\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("pkg/Cargo.toml"),
            "[package]\nname = \"pkg\"\nversion = \"0.0.0\"\nedition = \"2024\"\n[[bin]]\nname = \"one\"\npath = \"one.rs\"\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("pkg/one.rs"), "fn main() {}\n").unwrap();
        dir
    }

    #[test]
    fn the_map_is_remembered_until_a_manifest_changes() {
        let dir = workspace();
        let state = dir.path().join(".patterns");
        std::fs::create_dir_all(&state).unwrap();
        let root = dir.path().canonicalize().unwrap();
        let first = Targets::load(&root, &state).unwrap();
        let package = first.package("one").unwrap();
        assert!(package.id.contains("pkg"), "{}", package.id);
        assert!(state.join(CACHE_FILE).is_file());
        // Remembered: a cache that names a bin cargo would not know still serves.
        let mut remembered = first.clone();
        let ghost = remembered.bins["one"].clone();
        remembered.bins.insert("ghost".into(), ghost);
        std::fs::write(
            state.join(CACHE_FILE),
            toml::to_string(&remembered).unwrap(),
        )
        .unwrap();
        assert!(
            Targets::load(&root, &state)
                .unwrap()
                .package("ghost")
                .is_some()
        );
        // A manifest that changes makes it read again.
        std::fs::write(
            root.join("pkg/Cargo.toml"),
            "[package]\nname = \"pkg\"\nversion = \"0.0.0\"\nedition = \"2024\"\n[[bin]]\nname = \"two\"\npath = \"one.rs\"\n",
        )
        .unwrap();
        let again = Targets::load(&root, &state).unwrap();
        assert!(again.package("ghost").is_none());
        assert!(again.package("two").is_some());
    }
}
