//! Building exercise targets for a check: one cargo invocation per package and
//! mode, more when cargo stopped at a broken target or built a binary that no
//! record vouches for (see `crate::provenance`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::cargo::{self, BuildOutput, Mode};
use crate::originals;
use crate::process::Cancel;
use crate::provenance::Records;
use crate::targets::{Package, Targets};
use crate::workbook::Workbook;

use super::Event;

/// One binary a check needs.
#[derive(Debug, Clone)]
pub(super) struct Wanted {
    /// The bin target.
    pub(super) target: String,
    /// Its source file, absolute.
    pub(super) source: PathBuf,
    /// The test harness, or the program itself.
    pub(super) mode: Mode,
    /// The name of its provenance record (one per binary).
    pub(super) record: String,
}

/// How building one package ended.
enum Built {
    /// Every target has a binary or a diagnostic (or never will).
    Complete,
    /// Cancelled, or cargo itself failed: nothing more to build.
    Stopped,
    /// Binaries no record vouches for made us clean the package: whatever was
    /// built of it before, in either mode, is gone.
    Cleaned,
}

/// One cargo invocation per package and mode that the exercises need (more when a
/// target could not be reached). When a package had to be cleaned (binaries no
/// record vouches for), everything is built again once: the clean removed that
/// package's binaries of both modes, those built earlier in this check too.
pub(super) fn build_all(
    workbook: &Workbook,
    packages: &Targets,
    wanted: &[Wanted],
    cancel: Option<&Cancel>,
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> std::io::Result<Vec<BuildOutput>> {
    let root = workbook.root.as_path();
    let records = Records::new(&workbook.state_dir());
    let mut cleaned: BTreeSet<String> = BTreeSet::new();
    loop {
        let mut outputs = Vec::new();
        let mut again = false;
        for mode in [Mode::Test, Mode::Run] {
            let of_mode: Vec<&Wanted> = wanted.iter().filter(|w| w.mode == mode).collect();
            let names: Vec<String> = of_mode.iter().map(|w| w.target.clone()).collect();
            // A target no package has is reported as "no binary" by the caller.
            for (package, names) in by_package(packages, &names) {
                let targets: Vec<&Wanted> = of_mode
                    .iter()
                    .filter(|w| names.contains(&w.target))
                    .copied()
                    .collect();
                let built = build_package(
                    root,
                    package,
                    packages,
                    &targets,
                    mode,
                    &records,
                    &mut cleaned,
                    cancel,
                    on_event,
                    &mut outputs,
                )?;
                match built {
                    Built::Complete => {}
                    Built::Stopped => return Ok(outputs),
                    Built::Cleaned => again = true,
                }
            }
        }
        // A package is cleaned at most once per check, so this ends.
        if !again {
            return Ok(outputs);
        }
    }
}

/// `targets` grouped by the package that builds them, in the order they first
/// appear; targets no package has are left out.
pub(super) fn by_package<'a>(
    packages: &'a Targets,
    targets: &[String],
) -> Vec<(&'a Package, Vec<String>)> {
    let mut groups: Vec<(&Package, Vec<String>)> = Vec::new();
    for target in targets {
        let Some(package) = packages.package(target) else {
            continue;
        };
        match groups.iter_mut().find(|(p, _)| p.id == package.id) {
            Some((_, list)) => list.push(target.clone()),
            None => groups.push((package, vec![target.clone()])),
        }
    }
    groups
}

/// Builds `targets` of one package until each has a binary (built from its
/// source as it is now) or a diagnostic, or until it had to clean the package
/// (once per check: `cleaned`).
#[allow(clippy::too_many_arguments)]
fn build_package(
    root: &Path,
    package: &Package,
    packages: &Targets,
    targets: &[&Wanted],
    mode: Mode,
    records: &Records,
    cleaned: &mut BTreeSet<String>,
    cancel: Option<&Cancel>,
    on_event: &(dyn Fn(Event<'_>) + Sync),
    outputs: &mut Vec<BuildOutput>,
) -> std::io::Result<Built> {
    let source_id = |path: &Path| {
        std::fs::read_to_string(path)
            .map(|text| originals::blob_id(&text))
            .unwrap_or_default()
    };
    // Nearly every bin of the package (`dev check` wants exercises and
    // solutions): one invocation that keeps going beats a round per broken target.
    let in_package = packages
        .bins
        .values()
        .filter(|bin| bin.package.id == package.id)
        .count();
    let whole_package = targets.len() > 1 && targets.len() * 4 >= in_package * 3;
    let mut pending: Vec<&Wanted> = targets.to_vec();
    while !pending.is_empty() {
        let before: Vec<String> = pending.iter().map(|w| source_id(&w.source)).collect();
        let names: Vec<String> = pending.iter().map(|w| w.target.clone()).collect();
        let mut output = cargo::build(
            root,
            &package.id,
            &names,
            mode,
            whole_package,
            cancel,
            |progress| {
                on_event(Event::Building(progress));
            },
        )?;
        let mut unreached = Vec::new();
        let mut stale = Vec::new();
        for (&target, id) in pending.iter().zip(&before) {
            let Some(build) = output.targets.get_mut(&target.target) else {
                continue;
            };
            match build.executable.clone() {
                // `cargo test` has no `--keep-going`: it stops scheduling at the
                // first target that fails to compile. Build again what it never
                // reached (one more round per broken target).
                None if build.errors().next().is_none() => unreached.push(target),
                None => {}
                // Built just now from the source (unless it was saved meanwhile:
                // then the next check builds again).
                Some(executable) if !build.fresh && source_id(&target.source) == *id => {
                    let _ = records.remember(&target.record, &executable, id);
                }
                Some(_) if !build.fresh => {}
                // A binary cargo calls fresh that no record vouches for: a copied
                // or moved workbook, a shared target directory.
                Some(executable) if !records.vouches(&target.record, &executable, id) => {
                    build.executable = None;
                    stale.push(target);
                }
                Some(_) => {}
            }
        }
        let stop = output.cancelled || output.cargo_error.is_some();
        outputs.push(output);
        if stop {
            return Ok(Built::Stopped);
        }
        if !stale.is_empty() && cleaned.insert(package.id.clone()) {
            // Cargo would call them fresh again: forget what it built for this
            // package (its dependencies stay) and compile from the sources.
            cargo::clean(root, &package.name)?;
            return Ok(Built::Cleaned);
        }
        if unreached.len() == pending.len() {
            break;
        }
        pending = unreached;
    }
    Ok(Built::Complete)
}
