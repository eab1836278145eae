//! `patterns dev`: the author's and CI's view of a workbook.
//!
//! `dev check` answers "can this workbook ship?"; `dev update` writes what is
//! generated from info.toml (the originals manifest, the `[[bin]]` list).

pub mod check;
pub mod update;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use patterns_core::originals::Manifest;
use patterns_core::targets::Targets;
use patterns_core::workbook::Workbook;

/// Every bin target in the workspace, from `cargo metadata`: name -> manifest path.
fn bin_targets(root: &Path) -> Result<BTreeMap<String, PathBuf>> {
    let targets = Targets::read(root).context("cannot list the workspace's targets")?;
    Ok(targets
        .bins
        .into_iter()
        .map(|(name, bin)| (name, bin.package.manifest))
        .collect())
}

/// The originals manifest for the exercise files as they are now.
fn current_originals(workbook: &Workbook) -> Result<Manifest> {
    let paths: Vec<String> = workbook
        .catalog
        .exercises
        .iter()
        .map(|e| e.path().to_string_lossy().replace('\\', "/"))
        .collect();
    Manifest::of_files(&workbook.root, paths.iter().map(String::as_str))
        .context("cannot read the exercise files")
}
