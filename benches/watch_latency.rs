//! Save-to-verdict latency of `patterns watch`, and what an idle watcher costs.
//!
//! `cargo bench --bench watch_latency [-- EXERCISE [ROUNDS [IDLE_SECS]]]`
//!
//! Starts `patterns watch --headless` on a scratch copy of this workbook with
//! EXERCISE (default `in_memory_repository`) solved, then ROUNDS times (default 20)
//! appends a comment to the file and measures the time from the write to the
//! `verdict` event; between rounds it times what a person would type, `cargo
//! test -q -p PACKAGE --bin EXERCISE`, on the same kind of change, in a second copy
//! (so that the watcher does not compile cargo's change first). Target: at most
//! 50 ms over it. Then it leaves the watcher idle for
//! IDLE_SECS (default 60) and reads its CPU time and peak resident memory from
//! /proc (Linux). Prints figures; it is not a timed test.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{Args, Scratch, edit, main_with, median, ms, time};

fn main() -> ExitCode {
    main_with("watch_latency", run)
}

fn run() -> Result<(), String> {
    let args = Args::read();
    let exercise = args.exercise.clone();
    let rounds = usize::try_from(args.number(0, 20)).unwrap_or(20);
    let idle = args.number(1, 60);

    let scratch = Scratch::new(&exercise, "watch-bench")?;
    // Make the exercise current, so the watcher checks it first (the warm-up).
    let state = scratch.root.join(".patterns");
    std::fs::create_dir_all(&state).map_err(|e| e.to_string())?;
    std::fs::write(
        state.join("state.toml"),
        format!("version = 1\ncurrent = \"{exercise}\"\nwelcomed = true\n"),
    )
    .map_err(|e| e.to_string())?;

    let mut child = scratch
        .command(env!("CARGO_BIN_EXE_patterns"), &["watch", "--headless"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start patterns watch: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let (tx, rx) = mpsc::channel::<(Instant, serde_json::Value)>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Ok(value) = serde_json::from_str(&line) {
                let _ = tx.send((Instant::now(), value));
            }
        }
    });
    let verdict = |rx: &mpsc::Receiver<(Instant, serde_json::Value)>| {
        loop {
            match rx.recv_timeout(Duration::from_secs(600)) {
                Ok((at, event)) if event["event"] == "verdict" => return Ok((at, event)),
                Ok(_) => {}
                Err(_) => return Err("no verdict from patterns watch".to_owned()),
            }
        }
    };

    eprintln!("warming up (first build of {exercise})...");
    let (_, first) = verdict(&rx)?;
    if first["done"] != true {
        return Err(format!("the solved exercise is not done: {first}"));
    }
    // Bare cargo runs on a copy of its own: the watcher would otherwise rebuild
    // after each edit first, leaving cargo nothing to compile.
    let bare_copy = Scratch::new(&exercise, "watch-bench-bare")?;
    let cargo = || bare_copy.bare_cargo();
    time(cargo(), true)?;

    let mut ours = Vec::with_capacity(rounds);
    let mut bare = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let saved = Instant::now();
        edit(&scratch.file, round * 2)?;
        let (at, event) = verdict(&rx)?;
        if event["done"] != true {
            return Err(format!("unexpected verdict: {event}"));
        }
        ours.push(at - saved);
        edit(&bare_copy.file, round)?;
        bare.push(time(cargo(), true)?);
    }

    let pid = child.id();
    let cpu_before = cpu_ticks(pid)?;
    eprintln!("idle for {idle} s...");
    std::thread::sleep(Duration::from_secs(idle));
    let cpu_after = cpu_ticks(pid)?;
    let peak = peak_rss_kib(pid)?;
    if let Some(stdin) = child.stdin.as_mut() {
        let _ = writeln!(stdin, "quit");
    }
    let _ = child.wait();

    let ours = median(&mut ours);
    let bare = median(&mut bare);
    println!("exercise: {exercise}, {rounds} saves, warm cache");
    println!(
        "save -> verdict (watch --headless)  median {:>7.1} ms",
        ms(ours)
    );
    println!(
        "cargo test -p                       median {:>7.1} ms",
        ms(bare)
    );
    println!(
        "overhead                                   {:>+7.1} ms",
        ms(ours) - ms(bare)
    );
    let ticks_per_sec = 100.0; // USER_HZ on Linux
    println!(
        "idle {idle} s: CPU time {:.2} s ({:.3}% of one core), peak RSS {:.1} MiB",
        (cpu_after - cpu_before) as f64 / ticks_per_sec,
        (cpu_after - cpu_before) as f64 / ticks_per_sec / idle as f64 * 100.0,
        peak as f64 / 1024.0
    );
    Ok(())
}

/// User plus system CPU time of `pid`, in clock ticks, from /proc/PID/stat.
fn cpu_ticks(pid: u32) -> Result<u64, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map_err(|e| format!("cannot read /proc/{pid}/stat (Linux only): {e}"))?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(") ").map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    Ok(field(11) + field(12))
}

/// Peak resident set size of `pid` in KiB (VmHWM).
fn peak_rss_kib(pid: u32) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("cannot read /proc/{pid}/status: {e}"))?;
    Ok(status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}
