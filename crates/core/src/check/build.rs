//! Building exercise targets for a check: one cargo invocation per package and
//! mode, more when cargo stopped at a broken target or built a binary that no
//! record vouches for (see `crate::provenance`).

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

/// One cargo invocation per package and mode that the exercises need (more when a
/// target could not be reached or its binary cannot be trusted).
pub(super) fn build_all(
    workbook: &Workbook,
    packages: &Targets,
    wanted: &[Wanted],
    cancel: Option<&Cancel>,
    on_event: &(dyn Fn(Event<'_>) + Sync),
) -> std::io::Result<Vec<BuildOutput>> {
    let root = workbook.root.as_path();
    let records = Records::new(&workbook.state_dir());
    let mut outputs = Vec::new();
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
            if !build_package(
                root,
                package,
                packages,
                &targets,
                mode,
                &records,
                cancel,
                on_event,
                &mut outputs,
            )? {
                return Ok(outputs);
            }
        }
    }
    Ok(outputs)
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
/// source as it is now) or a diagnostic. Returns false when the build stopped
/// (cancelled, or cargo itself failed).
#[allow(clippy::too_many_arguments)]
fn build_package(
    root: &Path,
    package: &Package,
    packages: &Targets,
    targets: &[&Wanted],
    mode: Mode,
    records: &Records,
    cancel: Option<&Cancel>,
    on_event: &(dyn Fn(Event<'_>) + Sync),
    outputs: &mut Vec<BuildOutput>,
) -> std::io::Result<bool> {
    let source_id = |path: &Path| {
        std::fs::read_to_string(path)
            .map(|text| originals::blob_id(&text))
            .unwrap_or_default()
    };
    let mut cleaned = false;
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
            return Ok(false);
        }
        let progressed = unreached.len() < pending.len();
        let rebuild = !stale.is_empty() && !cleaned;
        if rebuild {
            // Cargo would call them fresh again: forget what it built for this
            // package (its dependencies stay) and compile from the sources.
            cargo::clean(root, &package.name)?;
            cleaned = true;
            unreached.extend(stale);
        }
        if !progressed && !rebuild {
            break;
        }
        pending = unreached;
    }
    Ok(true)
}
