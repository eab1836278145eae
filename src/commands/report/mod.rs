//! `patterns report FILES... | DIR`: a cohort's progress from the exports its
//! learners made (`patterns progress --json`), as a table, CSV or one web page.
//! The figures come from the core's `cohort` module; this reads the files and
//! picks the rendering.

mod csv;
mod html;
mod table;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use patterns_core::cohort::{Cohort, Source};
use patterns_core::export;

use super::UsageError;
use crate::output::WARN;

/// What to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    /// One row per exercise, or per learner.
    Csv {
        learners: bool,
    },
    Html,
}

pub fn report(paths: &[PathBuf], format: Format) -> Result<ExitCode> {
    let files = export_files(paths)?;
    let mut err = anstream::stderr();
    let mut sources = Vec::new();
    for file in &files {
        let shown = file.display().to_string();
        let read = std::fs::read_to_string(file)
            .map_err(|e| e.to_string())
            .and_then(|text| export::read(&text).map_err(|e| e.to_string()));
        match read {
            Ok(export) => sources.push(Source {
                path: shown,
                export,
            }),
            Err(why) => writeln!(err, "{WARN}skipped{WARN:#} {shown}: {why}")?,
        }
    }
    if sources.is_empty() {
        return Err(UsageError(format!(
            "no progress export could be read from {}; each learner makes one with `patterns progress --json > NAME.json`",
            shown_paths(paths)
        ))
        .into());
    }
    let cohort = Cohort::new(sources);
    for path in &cohort.superseded {
        writeln!(
            err,
            "{WARN}skipped{WARN:#} {path}: a newer export of the same learner was given"
        )?;
    }
    let mut out = anstream::stdout();
    match format {
        Format::Table => table::write(&mut out, &cohort)?,
        Format::Csv { learners: false } => csv::exercises(&mut out, &cohort)?,
        Format::Csv { learners: true } => csv::learners(&mut out, &cohort)?,
        Format::Html => write!(out, "{}", html::page(&cohort))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The files to read: each file given, and every `.json` file under each folder
/// given (sorted, so a report reads the same twice).
fn export_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|e| {
            UsageError(format!(
                "cannot read {}: {e}; give the exports' files or the folder that holds them",
                path.display()
            ))
        })?;
        if metadata.is_dir() {
            let mut found = Vec::new();
            collect_json(path, &mut found)
                .with_context(|| format!("cannot read the folder {}", path.display()))?;
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

fn collect_json(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            // A learner's repository, a CI artifact's folder: looked into; the
            // build output and git's own files are not exports.
            let name = entry.file_name();
            if name != "target" && name != ".git" {
                collect_json(&path, found)?;
            }
        } else if path.extension().is_some_and(|e| e == "json") {
            found.push(path);
        }
    }
    Ok(())
}

fn shown_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `1h 05m`, `12m`, `40s`: a time active, as every rendering shows it.
fn duration(secs: f64) -> String {
    let secs = secs.round() as u64;
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m", secs / 60),
        _ => format!("{}h {:02}m", secs / 3600, secs % 3600 / 60),
    }
}

/// A figure: whole numbers as such, others with one decimal.
fn decimal(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

/// A median for people: `-` for none.
fn figure(value: Option<f64>) -> String {
    value.map_or_else(|| "-".to_owned(), decimal)
}

/// What the cohort follows, in words.
fn tracks_text(cohort: &Cohort) -> String {
    cohort
        .tracks
        .iter()
        .map(|t| match t {
            Some(name) => format!("track {name}"),
            None => "the whole workbook".to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_figures_read_at_a_glance() {
        assert_eq!(duration(40.0), "40s");
        assert_eq!(duration(725.0), "12m");
        assert_eq!(duration(3900.0), "1h 05m");
        assert_eq!(figure(Some(2.0)), "2");
        assert_eq!(figure(Some(2.5)), "2.5");
        assert_eq!(figure(None), "-");
    }
}
