//! The command line: every argument documented here is also its `--help`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Learn backend architecture patterns in Rust, one exercise at a time.
///
/// Run `patterns` (or `patterns watch`) inside the workbook and edit the exercise it
/// shows; every save is checked. The other commands do the same steps one at a time.
///
/// Exit status: 0 done, 1 not done (an exercise fails its checks), 2 the command
/// could not do what was asked (usage, a broken info.toml, the workbook is busy).
#[derive(Debug, Parser)]
#[command(name = "patterns", version, max_term_width = 100)]
pub struct Cli {
    /// The workbook to use; by default the nearest folder at or above the current one
    /// that has an info.toml.
    #[arg(long, global = true, value_name = "DIR", env = "PATTERNS_WORKBOOK")]
    pub workbook: Option<PathBuf>,

    /// Follow a track of the workbook (its info.toml names them; `all` for the
    /// whole workbook). `watch` and `run` remember it; by default the commands
    /// follow the track you chose last.
    #[arg(long, global = true, value_name = "NAME", env = "PATTERNS_TRACK")]
    pub track: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The interactive workbook (the default): re-checks the current exercise on
    /// every save and shows its tests, the compiler's output and hints.
    ///
    /// Keys: n next, h hints, s solution, l list, c check all, r rerun, x reset,
    /// t original tests, i topic introduction, ? help, q quit.
    Watch {
        /// No screen: print one JSON object per line for each event (run started,
        /// build progress, verdict, done, errors), for editors and scripts. Reads
        /// `run [NAME]` and `quit` from stdin. See docs/headless.md.
        #[arg(long)]
        headless: bool,
        /// Watch by polling the files instead of the operating system's
        /// notifications (network drives, WSL2 on a Windows drive). Chosen
        /// automatically where notifications are known to miss saves.
        #[arg(long, conflicts_with = "manual_run")]
        poll: bool,
        /// Do not watch files at all; press r to check.
        #[arg(long)]
        manual_run: bool,
    },
    /// Check the current exercise (or NAME) once and print the verdict.
    ///
    /// On success the exercise is marked done and, if it was the current one, the
    /// next unfinished exercise becomes current.
    Run {
        /// The exercise to check, by name (see `patterns progress`).
        name: Option<String>,
    },
    /// Show the next hint of the current exercise (or NAME).
    ///
    /// Hints come in levels: a nudge, then the approach, then nearly the code. Each
    /// call reveals one more level; revealed levels are remembered.
    Hint {
        /// The exercise, by name; the current one when left out.
        name: Option<String>,
        /// Show this level (1 is the first) instead of the next unrevealed one.
        #[arg(long, short, value_name = "N")]
        level: Option<usize>,
    },
    /// Put an exercise back to its original text.
    ///
    /// Your version is saved first under .patterns/backups/, and its path printed.
    Reset {
        /// The exercise, by name.
        name: String,
        /// Put back only the original tests (`mod tests`) and keep the rest of your
        /// code, for when the tests were changed.
        #[arg(long)]
        tests: bool,
    },
    /// Check every exercise and print a summary; exit 0 only if all are done.
    ///
    /// Done marks are updated from the results, which also restores them after a
    /// lost or corrupt progress file.
    Verify {
        /// How many exercise binaries run at once (default: the number of CPUs).
        #[arg(long, short, value_name = "N")]
        jobs: Option<usize>,
        /// Print the verdicts as JSON (a versioned schema), for an autograder.
        #[arg(long)]
        json: bool,
    },
    /// Show where you stand, overall and per topic.
    Progress {
        /// Print the export an instructor collects for `patterns report`: JSON in a
        /// versioned schema (docs/progress-export.md).
        #[arg(long)]
        json: bool,
        /// Who you are in the export (default: git's user.name).
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
    },
    /// Write a workbook of this patterns' curriculum into DIR (new or empty),
    /// for working without a clone of the repository: the exercises, one Cargo
    /// package per topic, the topic introductions and editor settings. Solutions
    /// are not written; `s` shows one once its exercise is done.
    Init {
        /// The folder to write the workbook in.
        #[arg(default_value = "patterns-workbook")]
        dir: PathBuf,
        /// Also write a GitHub Actions workflow that grades every push with
        /// `patterns verify --json` (docs/autograding.md).
        #[arg(long)]
        ci: bool,
    },
    /// A cohort's progress from the exports its learners made with `patterns
    /// progress --json`: per exercise completion, median attempts, hints and time
    /// active, where learners get stuck, and per learner completion.
    ///
    /// Give the export files, or folders to search for `.json` files (a shared
    /// folder, the learners' repositories, CI artifacts). Needs no workbook.
    Report {
        /// Export files, or folders that hold them.
        #[arg(required = true, value_name = "FILE|DIR")]
        paths: Vec<PathBuf>,
        /// CSV for a spreadsheet: one row per exercise (`--learners`: per learner).
        #[arg(long, conflicts_with = "html")]
        csv: bool,
        /// With `--csv`: one row per learner.
        #[arg(long, requires = "csv")]
        learners: bool,
        /// One self-contained web page with a chart of the cohort along the path.
        #[arg(long)]
        html: bool,
    },
    /// Commands for exercise authors and CI.
    Dev {
        #[command(subcommand)]
        command: DevCommand,
    },
    /// Print a completion script for SHELL to stdout.
    ///
    /// For example: `patterns completions bash > ~/.local/share/bash-completion/completions/patterns`.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum DevCommand {
    /// Can this workbook ship? Checks the catalog, the Cargo targets, the sources
    /// (a `// TODO` in each; in a strict workbook also solutions, originals and
    /// tests equal to the solution's), rustfmt on the solutions, that every
    /// solution passes with clippy warnings denied and every exercise fails while
    /// unsolved. Every finding is reported with its place and a fix.
    Check {
        /// How many binaries run at once (default: the number of CPUs).
        #[arg(long, short, value_name = "N")]
        jobs: Option<usize>,
        /// Print the findings as JSON (a versioned schema), for CI.
        #[arg(long)]
        json: bool,
    },
    /// Start a new exercise collection in DIR (new or empty): info.toml with every
    /// field explained, a Cargo package, the folders, .gitignore, editor settings
    /// and a first exercise, ready for `patterns watch` and `patterns dev check`.
    New {
        /// The folder to create the collection in.
        dir: PathBuf,
        /// Do not run `git init`.
        #[arg(long)]
        no_git: bool,
    },
    /// Add an exercise: its file (header, `// TODO`, test skeleton), its solution,
    /// a README for a new topic, its info.toml entry after the topic's last
    /// exercise, and its Cargo targets.
    Add {
        /// The topic folder under exercises/, e.g. `05_caching`.
        topic: String,
        /// The exercise's name, e.g. `cache_aside`.
        name: String,
        /// A program: done when `main` runs to its end (`test = false`), not when
        /// tests pass.
        #[arg(long)]
        program: bool,
    },
    /// Write what follows from info.toml: each exercise's and solution's Cargo bin
    /// target (in the package that holds it, `[[bin]]` or rustlings' inline list),
    /// and in a strict workbook originals.toml.
    Update,
}
