//! `patterns completions SHELL`: a completion script on stdout.

use std::process::ExitCode;

use anyhow::Result;

pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode> {
    let mut command = <crate::cli::Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut command, "patterns", &mut std::io::stdout());
    Ok(ExitCode::SUCCESS)
}
