//! `patterns dev update`: writes what is generated from info.toml: the list of bin
//! targets of every workbook package (an exercise stays in the package that
//! lists it; a new one goes where its topic is; see `bins`), and, in a strict
//! workbook or one that has it, the originals manifest (`originals.toml`).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use patterns_core::originals::ORIGINALS_FILE;
use patterns_core::workbook::Workbook;

use super::bins::{self, Manifest};
use super::current_originals;
use crate::open;

pub fn update(dir: Option<&Path>) -> Result<ExitCode> {
    let workbook = open::workbook(dir)?;
    let mut out = anstream::stdout();
    for line in write(&workbook)? {
        writeln!(out, "{line}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Brings every generated file in line with info.toml; says what it did.
pub fn write(workbook: &Workbook) -> Result<Vec<String>> {
    let mut said = Vec::new();
    if workbook.catalog.strict || workbook.originals.is_some() {
        let manifest = current_originals(workbook)?;
        if workbook.originals.as_ref() == Some(&manifest) {
            said.push(format!("{ORIGINALS_FILE} is up to date"));
        } else {
            patterns_core::progress::write_atomically(
                &workbook.root.join(ORIGINALS_FILE),
                manifest.render().as_bytes(),
            )
            .with_context(|| format!("cannot write {ORIGINALS_FILE}"))?;
            said.push(format!(
                "wrote the original text ids of {} to {ORIGINALS_FILE}",
                crate::output::count(manifest.files.len(), "exercise")
            ));
        }
    }
    let targets = bins::targets(workbook)?;
    let plan = bins::plan(workbook, &targets)?;
    for (path, wanted) in &plan.wanted {
        let mut manifest = Manifest::read(path)?;
        let dir = manifest.dir().to_path_buf();
        let shown = path.strip_prefix(&workbook.root).unwrap_or(path).display();
        if manifest.set_exercise_bins(wanted, |bin| {
            bins::in_exercise_folders(&workbook.root, &dir, &bin.path)
        }) {
            manifest.write()?;
            said.push(format!(
                "wrote {} to {shown}",
                crate::output::count(wanted.len(), "bin target")
            ));
        } else {
            said.push(format!("{shown} is up to date"));
        }
    }
    Ok(said)
}
