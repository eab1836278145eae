//! The one-shot commands, a file each: each opens the workbook, does its one thing
//! with the core, and prints for a person (or JSON for a script). Errors go back to
//! `main` as `anyhow` errors with a message that says what to do.

pub mod completions;
pub mod dev;
pub mod hint;
pub mod init;
pub mod progress;
pub mod report;
pub mod reset;
pub mod run;
pub mod verify;

mod progress_bar;

pub use progress_bar::BuildProgress;

/// A usage problem: bad arguments, a command that cannot work here. Exits with
/// status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Whether `dir` is missing or an empty folder: `dev new` and `init` write
/// only there, so that nobody's work is written over.
pub fn is_new_or_empty(dir: &std::path::Path) -> anyhow::Result<bool> {
    use anyhow::Context;
    if !dir.exists() {
        return Ok(true);
    }
    let mut entries = dir
        .read_dir()
        .with_context(|| format!("{} exists and is not a folder", dir.display()))?;
    Ok(entries.next().is_none())
}

/// Writes each file under `dir`, with the folders it needs (`dev new`, `init`).
pub fn write_files<P: AsRef<std::path::Path>>(
    dir: &std::path::Path,
    files: &[(P, String)],
) -> anyhow::Result<()> {
    use anyhow::Context;
    for (path, text) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// How many binaries run at once: as asked, else one per CPU.
pub fn jobs(requested: Option<usize>) -> usize {
    requested
        .filter(|&n| n > 0)
        .or_else(|| std::thread::available_parallelism().ok().map(Into::into))
        .unwrap_or(2)
}
