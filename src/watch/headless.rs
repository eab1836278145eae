//! `patterns watch --headless`: the watch loop without a screen, for editors,
//! scripts and the latency benchmark. The same model and loop as the screen
//! (`App::headless`); what happens is printed as JSON lines ([`Report`]), and
//! commands (`run [NAME]`, `quit`) are read from stdin, one per line. The end of
//! stdin quits, as its reader (an editor) is gone.

use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::mpsc;

use anyhow::Result;

use super::events::Report;
use super::model::{App, Msg};
use super::{Options, drive, start_watcher};
use crate::open::{OpenWorkbook, Selection};
use crate::saves::WatchMode;
use crate::signals;

pub fn run(at: &Selection, options: Options) -> Result<ExitCode> {
    let open = OpenWorkbook::open(at, Some("patterns watch --headless"))?;
    let (tx, rx) = mpsc::channel();
    let sender = tx.clone();
    signals::on_signal(move || {
        let _ = sender.send(Msg::Signal);
    });
    let watcher = start_watcher(&open.workbook.root, options, &tx);
    let mode = match (&watcher, options.manual) {
        (_, true) => "manual",
        (Some(w), _) if matches!(w.mode(), WatchMode::Poll) => "poll",
        (Some(_), _) => "native",
        (None, _) => "none",
    };
    let commands = tx.clone();
    std::thread::spawn(move || {
        for line in io::stdin().lines() {
            let Ok(line) = line else { break };
            if commands.send(Msg::Command(line)).is_err() {
                return;
            }
        }
        // End of input: whoever drove us is gone (an editor that quit or died).
        let _ = commands.send(Msg::Command("quit".to_owned()));
    });

    let mut app = App::headless(open.session.clone(), options.manual);
    emit(&Report::Watching {
        mode: mode.to_owned(),
        exercise: app.exercise().name.clone(),
    });
    if let Some(message) = super::catalog_warning(&open.workbook) {
        emit(&Report::Notice { message });
    }
    drive(&mut app, &open, &tx, &rx, |_, reports| {
        for report in &reports {
            emit(report);
        }
        Ok(None)
    })?;
    Ok(ExitCode::SUCCESS)
}

/// One JSON object per line on stdout.
fn emit(report: &Report) {
    let mut out = io::stdout().lock();
    if let Ok(line) = serde_json::to_string(report) {
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}
