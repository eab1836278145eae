//! What the benchmarks share: a scratch copy of the workbook, edits that force a
//! rebuild, timing a command, medians.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

pub fn time(mut command: Command, must_pass: bool) -> Result<Duration, String> {
    let started = Instant::now();
    let output = command.output().map_err(|e| e.to_string())?;
    let elapsed = started.elapsed();
    if must_pass && !output.status.success() {
        return Err(format!(
            "{command:?} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(elapsed)
}

pub fn edit(file: &Path, n: usize) -> Result<(), String> {
    let mut text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    text.push_str(&format!("// edit {n}\n"));
    std::fs::write(file, text).map_err(|e| e.to_string())
}

/// The repository as git tracks it: the workbook and the packages its
/// workspace names as members.
pub fn copy_workbook(from: &Path, to: &Path) -> std::io::Result<()> {
    // Every file git tracks, so that a new folder of the project (a crate, a
    // manifest) is never left behind.
    let listed = std::process::Command::new("git")
        .current_dir(from)
        .args(["ls-files", "-z"])
        .output()?;
    if !listed.status.success() {
        return Err(std::io::Error::other(format!(
            "git ls-files failed in {}: {}",
            from.display(),
            String::from_utf8_lossy(&listed.stderr)
        )));
    }
    for file in listed.stdout.split(|b| *b == 0).filter(|f| !f.is_empty()) {
        let file = Path::new(std::str::from_utf8(file).map_err(std::io::Error::other)?);
        copy(&from.join(file), &to.join(file))?;
    }
    Ok(())
}

fn copy(from: &Path, to: &Path) -> std::io::Result<()> {
    if from.is_dir() {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy(&entry.path(), &to.join(entry.file_name()))?;
        }
    } else if from.exists() {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(from, to)?;
    }
    Ok(())
}

/// A scratch copy of this workbook with `exercise` solved (its solution copied over
/// the exercise file), and a target directory of its own.
pub struct Scratch {
    pub root: std::path::PathBuf,
    /// The exercise file, absolute.
    pub file: std::path::PathBuf,
    pub target_dir: std::path::PathBuf,
    pub exercise: String,
    /// The workspace member that builds the exercise.
    pub package: String,
}

impl Scratch {
    pub fn new(exercise: &str, tag: &str) -> Result<Scratch, String> {
        let source = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = std::env::temp_dir().join(format!("patterns-{tag}-{}", std::process::id()));
        copy_workbook(source, &root).map_err(|e| format!("cannot copy the workbook: {e}"))?;
        let catalog = patterns_core::workbook::Workbook::open(&root)
            .map_err(|e| e.to_string())?
            .catalog;
        let entry = catalog
            .find(exercise)
            .ok_or_else(|| format!("no exercise {exercise}"))?;
        let file = root.join(entry.path());
        std::fs::copy(root.join(entry.solution_path()), &file).map_err(|e| e.to_string())?;
        let target_dir = root.join("target");
        let package = patterns_core::targets::Targets::read(&root)
            .map_err(|e| e.to_string())?
            .package(exercise)
            .ok_or_else(|| format!("no package of the workspace builds {exercise}"))?
            .name
            .clone();
        Ok(Scratch {
            root,
            file,
            target_dir,
            exercise: exercise.to_owned(),
            package,
        })
    }

    /// The command a person would type to test the exercise: `cargo test -q -p
    /// PACKAGE --bin NAME`, with PACKAGE the workspace member that builds it.
    pub fn bare_cargo(&self) -> Command {
        self.command(
            "cargo",
            &["test", "-q", "-p", &self.package, "--bin", &self.exercise],
        )
    }

    /// `program args...` in the scratch workbook, with its target directory.
    pub fn command(&self, program: &str, args: &[&str]) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(&self.root)
            .args(args)
            .env("CARGO_TARGET_DIR", &self.target_dir);
        command
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The benchmark's positional arguments (cargo's own `--bench` flags dropped):
/// an exercise name (default `in_memory_repository`), then numbers.
pub struct Args {
    pub exercise: String,
    numbers: Vec<String>,
}

impl Args {
    pub fn read() -> Args {
        let mut words: Vec<String> = std::env::args()
            .skip(1)
            .filter(|a| !a.starts_with("--"))
            .collect();
        let exercise = if words.is_empty() {
            "in_memory_repository".to_owned()
        } else {
            words.remove(0)
        };
        Args {
            exercise,
            numbers: words,
        }
    }

    /// The `index`th number after the exercise, or `default`.
    pub fn number(&self, index: usize, default: u64) -> u64 {
        self.numbers
            .get(index)
            .and_then(|n| n.parse().ok())
            .unwrap_or(default)
    }
}

/// Runs a benchmark body and turns its error into a message and exit status.
pub fn main_with(name: &str, body: fn() -> Result<(), String>) -> std::process::ExitCode {
    match body() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{name}: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
