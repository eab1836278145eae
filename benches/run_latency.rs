//! How much time `patterns run` adds to what cargo itself needs.
//!
//! `cargo bench --bench run_latency [-- EXERCISE [ROUNDS]]`
//!
//! Copies this workbook to a temporary folder, puts the reference solution in
//! place of EXERCISE (default `in_memory_repository`) so that its tests pass, warms
//! the build, then alternates, ROUNDS times (default 20): edit the file (a new
//! comment line, so cargo must recompile it) and time `patterns run EXERCISE`; edit
//! again and time what a person would type, `cargo test -q -p PACKAGE --bin
//! EXERCISE`. Prints the medians and their ratio (target: at most 1.05). A
//! benchmark that prints figures, not a timed test.

mod common;

use std::process::ExitCode;

use common::{Args, Scratch, edit, main_with, median, ms, time};

fn main() -> ExitCode {
    main_with("run_latency", run)
}

fn run() -> Result<(), String> {
    let args = Args::read();
    let exercise = args.exercise.clone();
    let rounds = usize::try_from(args.number(0, 20)).unwrap_or(20);

    let scratch = Scratch::new(&exercise, "run-bench")?;
    let patterns = |name: &str| scratch.command(env!("CARGO_BIN_EXE_patterns"), &["run", name]);
    let cargo = |_: &str| scratch.bare_cargo();
    let file = scratch.file.clone();

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

    let ours = median(&mut ours);
    let bare = median(&mut bare);
    println!("exercise: {exercise}, {rounds} edits each, warm cache");
    println!("patterns run      median {:>7.1} ms", ms(ours));
    println!("{:<17} median {:>7.1} ms", "cargo test -p", ms(bare));
    println!(
        "ratio             {:.3} (patterns run / cargo test -p), difference {:+.1} ms",
        ours.as_secs_f64() / bare.as_secs_f64(),
        ms(ours) - ms(bare)
    );
    Ok(())
}
