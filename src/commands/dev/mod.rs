//! `patterns dev`: the author's and CI's view of a workbook.
//!
//! `dev check` answers "can this workbook ship?"; `dev update` writes what is
//! generated from info.toml (the originals manifest, the bin targets); `dev new`
//! starts a collection and `dev add` adds an exercise to one.

pub mod add;
mod bins;
pub mod check;
pub mod new;
pub mod update;

use anyhow::{Context, Result};
use patterns_core::originals::Manifest;
use patterns_core::workbook::Workbook;

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
