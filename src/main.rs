//! The `patterns` binary: parses the command line, runs one command, and turns its
//! result into an exit status in one place.

/// The original exercise texts of this repository's curriculum, by git blob id,
/// embedded by build.rs from what originals.toml names.
mod originals {
    include!(concat!(env!("OUT_DIR"), "/originals.rs"));
}

mod cli;
mod commands;
mod curriculum;
mod open;
mod output;
mod saves;
mod signals;
mod watch;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use patterns_core::process::Cancel;

use cli::{Cli, Command, DevCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Ctrl-C and SIGTERM stop a running check (and kill its process tree) instead of
    // leaving a learner's endless loop running after patterns is gone.
    let cancel = Cancel::new();
    let on_signal = cancel.clone();
    signals::install();
    signals::on_signal(move || on_signal.cancel());

    match run(cli, &cancel) {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => {
            // The reader went away (`patterns progress | head`): nothing to say.
            ExitCode::SUCCESS
        }
        Err(error) => {
            let mut err = anstream::stderr();
            let _ = writeln!(
                err,
                "{}error{}: {error:#}",
                output::BAD.render(),
                output::BAD.render_reset()
            );
            if cancel.is_cancelled() {
                ExitCode::from(130)
            } else {
                ExitCode::from(2)
            }
        }
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli, cancel: &Cancel) -> anyhow::Result<ExitCode> {
    let dir = cli.workbook.as_deref();
    let at = open::Selection {
        dir: cli.workbook.clone(),
        track: cli.track.clone(),
    };
    let at = &at;
    match cli.command {
        None => watch::run(at, watch::Options::default()),
        Some(Command::Watch {
            headless,
            poll,
            manual_run,
        }) => watch::run(
            at,
            watch::Options {
                headless,
                poll,
                manual: manual_run,
            },
        ),
        Some(Command::Run { name }) => commands::run::run(at, name.as_deref(), cancel),
        Some(Command::Hint { name, level }) => commands::hint::hint(at, name.as_deref(), level),
        Some(Command::Reset { name, tests }) => commands::reset::reset(at, &name, tests),
        Some(Command::Verify { jobs, json }) => commands::verify::verify(at, jobs, json, cancel),
        Some(Command::Progress { json, name }) => {
            commands::progress::progress(at, json, name.as_deref())
        }
        Some(Command::Init { dir, ci }) => commands::init::init(&dir, ci),
        Some(Command::Report {
            paths,
            csv,
            learners,
            html,
        }) => commands::report::report(
            &paths,
            if html {
                commands::report::Format::Html
            } else if csv {
                commands::report::Format::Csv { learners }
            } else {
                commands::report::Format::Table
            },
        ),
        Some(Command::Dev { command }) => match command {
            DevCommand::Check { jobs, json } => {
                commands::dev::check::check(dir, jobs, json, cancel)
            }
            DevCommand::Update => commands::dev::update::update(dir),
            DevCommand::New {
                dir: new_dir,
                no_git,
            } => commands::dev::new::new(&new_dir, !no_git),
            DevCommand::Add {
                topic,
                name,
                program,
            } => commands::dev::add::add(
                dir,
                &topic,
                &name,
                if program {
                    commands::dev::add::Kind::Program
                } else {
                    commands::dev::add::Kind::Test
                },
            ),
        },
        Some(Command::Completions { shell }) => commands::completions::completions(shell),
    }
}
