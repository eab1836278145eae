//! How much time `patterns run` adds to what cargo itself needs.
//!
//! `cargo bench --bench run_latency [-- EXERCISE [ROUNDS]]`
//!
//! Copies this workbook to a temporary folder, puts the reference solution in
//! place of EXERCISE (default `in_memory_repository`) so that its tests pass, warms
//! the build, then alternates, ROUNDS times (default 20): edit the file (a new
//! comment line, so cargo must recompile it) and time `patterns run EXERCISE`; edit
//! again and time bare `cargo test --workspace --bin EXERCISE`. Prints the medians
//! and their ratio. A benchmark that prints figures, not a timed test.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("run_latency: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let exercise = args
        .first()
        .cloned()
        .unwrap_or_else(|| "in_memory_repository".to_owned());
    let rounds: usize = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(20);

    let source = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = std::env::temp_dir().join(format!("patterns-bench-{}", std::process::id()));
    copy_workbook(source, &scratch).map_err(|e| format!("cannot copy the workbook: {e}"))?;
    let catalog = patterns::catalog::Catalog::load(&scratch).map_err(|e| e.to_string())?;
    let entry = catalog
        .find(&exercise)
        .ok_or_else(|| format!("no exercise {exercise}"))?;
    let file = scratch.join(entry.path());
    std::fs::copy(scratch.join(entry.solution_path()), &file).map_err(|e| e.to_string())?;
    let target_dir = scratch.join("target");

    let patterns = |name: &str| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_patterns"));
        command
            .current_dir(&scratch)
            .args(["run", name])
            .env("CARGO_TARGET_DIR", &target_dir);
        command
    };
    let cargo = |name: &str| {
        let mut command = Command::new("cargo");
        command
            .current_dir(&scratch)
            .args(["test", "--workspace", "--bin", name])
            .env("CARGO_TARGET_DIR", &target_dir);
        command
    };

    eprintln!("warming up (first build of {exercise})...");
    time(patterns(&exercise), true)?;
    time(cargo(&exercise), true)?;

    let mut ours = Vec::with_capacity(rounds);
    let mut bare = Vec::with_capacity(rounds);
    for round in 0..rounds {
        edit(&file, round * 2)?;
        ours.push(time(patterns(&exercise), true)?);
        edit(&file, round * 2 + 1)?;
        bare.push(time(cargo(&exercise), true)?);
    }
    let _ = std::fs::remove_dir_all(&scratch);

    let ours = median(&mut ours);
    let bare = median(&mut bare);
    println!("exercise: {exercise}, {rounds} edits each, warm cache");
    println!("patterns run      median {:>7.1} ms", ms(ours));
    println!("bare cargo test   median {:>7.1} ms", ms(bare));
    println!(
        "ratio             {:.3} (patterns run / cargo test), difference {:+.1} ms",
        ours.as_secs_f64() / bare.as_secs_f64(),
        ms(ours) - ms(bare)
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(samples: &mut [Duration]) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time(mut command: Command, must_pass: bool) -> Result<Duration, String> {
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

fn edit(file: &Path, n: usize) -> Result<(), String> {
    let mut text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
    text.push_str(&format!("// edit {n}\n"));
    std::fs::write(file, text).map_err(|e| e.to_string())
}

/// The parts of the repository a workbook needs (the root package's sources too,
/// since the workspace names it as a member).
fn copy_workbook(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in [
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "clippy.toml",
        "info.toml",
        "src",
        "benches",
        "workbook",
        "exercises",
        "solutions",
    ] {
        copy(&from.join(entry), &to.join(entry))?;
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
