//! Building exercise targets with one cargo invocation and reading what it says.
//!
//! Cargo is asked for JSON messages (`--message-format=json-diagnostic-rendered-ansi`)
//! so that each diagnostic arrives with rustc's coloured rendering, its target and its
//! primary span, and each built test binary arrives with its path: the runner then
//! starts that binary itself instead of paying for a second cargo invocation. Cargo's
//! progress bar is forced on (`CARGO_TERM_PROGRESS_WHEN=always`) and read from stderr,
//! which is how the first, long build of the workbook's dependencies is shown as
//! "crates compiled so far / total".

use std::collections::BTreeMap;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::process::{self, Cancel, Ending, Limits, Stream};

/// What a build produces for its targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `cargo test --no-run`: test harness binaries.
    Test,
    /// `cargo build`: the targets' `main`.
    Run,
    /// `cargo clippy --profile test`: lints only, no binary. Warnings are not
    /// denied: the caller decides which findings count (all of them, or only the
    /// deny-level ones).
    Clippy,
}

/// A place in a source file, relative to the workbook root.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// One compiler (or clippy) diagnostic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// `error`, `warning`, ...
    pub level: String,
    /// rustc's rendering, with ANSI colours.
    pub rendered: String,
    pub location: Option<Location>,
}

impl Diagnostic {
    pub fn is_error(&self) -> bool {
        self.level == "error" || self.level.starts_with("error:")
    }
}

/// The result of a build for one target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetBuild {
    /// The binary to run, when the target built.
    pub executable: Option<PathBuf>,
    /// Cargo did not compile it now but found it up to date (see
    /// [`crate::provenance`] for when that is not to be believed).
    pub fresh: bool,
    pub diagnostics: Vec<Diagnostic>,
}

impl TargetBuild {
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }
}

/// Progress of a build, as cargo reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildProgress {
    /// Compilation units finished so far.
    pub done: usize,
    /// Units this build needs in all.
    pub total: usize,
    /// What is being compiled now (crate names).
    pub current: String,
}

/// The result of one cargo invocation.
#[derive(Debug, Clone)]
pub struct BuildOutput {
    /// What it built.
    pub mode: Mode,
    pub targets: BTreeMap<String, TargetBuild>,
    /// Cargo's own complaint when it failed without any target diagnostic (an error in
    /// a Cargo.toml, a missing target, no network for a missing dependency).
    pub cargo_error: Option<String>,
    pub cancelled: bool,
}

impl BuildOutput {
    /// Nothing built yet.
    pub fn new(mode: Mode) -> BuildOutput {
        BuildOutput {
            mode,
            targets: BTreeMap::new(),
            cargo_error: None,
            cancelled: false,
        }
    }

    pub fn target(&self, name: &str) -> TargetBuild {
        self.targets.get(name).cloned().unwrap_or_default()
    }
}

/// The cargo to run: the one that started us (`$CARGO`), else the one on `PATH`.
pub fn cargo_program() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Builds `targets` (bin targets of the package `package`, a cargo package id) in
/// `mode`, with `--keep-going` where cargo has it, so that one broken target does
/// not hide the others' results.
///
/// `cargo test --no-run` has no `--keep-going`: it stops scheduling at the first
/// target that fails to compile (the caller builds again what it never reached).
/// With `whole_package`, test harnesses are built as `cargo build --tests
/// --keep-going` instead: every test harness of the package in one invocation,
/// for callers that want (nearly) all of them.
pub fn build(
    root: &Path,
    package: &str,
    targets: &[String],
    mode: Mode,
    whole_package: bool,
    cancel: Option<&Cancel>,
    mut on_progress: impl FnMut(BuildProgress),
) -> io::Result<BuildOutput> {
    let mut command = Command::new(cargo_program());
    command.current_dir(root);
    let whole_package = whole_package && mode == Mode::Test;
    match mode {
        Mode::Test if whole_package => command.args(["build", "--tests", "--keep-going"]),
        Mode::Test => command.args(["test", "--no-run", "--no-fail-fast"]),
        Mode::Run => command.args(["build", "--keep-going"]),
        Mode::Clippy => command.args(["clippy", "--profile", "test", "--keep-going"]),
    };
    command.args([
        "-p",
        package,
        "--message-format=json-diagnostic-rendered-ansi",
    ]);
    if !whole_package {
        for target in targets {
            command.args(["--bin", target]);
        }
    }
    command
        .env("CARGO_TERM_PROGRESS_WHEN", "always")
        .env("CARGO_TERM_PROGRESS_WIDTH", "200")
        .env("CARGO_TERM_COLOR", "always");

    let mut output = BuildOutput::new(mode);
    for target in targets {
        output
            .targets
            .insert(target.clone(), TargetBuild::default());
    }
    let limits = Limits {
        timeout: None,
        cancel: cancel.cloned(),
    };
    let finished = process::run(command, &limits, |stream, line| match stream {
        Stream::Stdout => absorb_message(root, line, mode, &mut output),
        Stream::Stderr => {
            if let Some(progress) = parse_progress(&String::from_utf8_lossy(line)) {
                on_progress(progress);
            }
        }
    })?;
    if finished.ending == Ending::Cancelled {
        output.cancelled = true;
        return Ok(output);
    }
    let any_diagnostic_error = output.targets.values().any(|t| t.errors().next().is_some());
    if !finished.success() && !any_diagnostic_error {
        output.cargo_error = Some(cargo_complaint(&finished.stderr));
    }
    Ok(output)
}

#[derive(Deserialize)]
struct RawMessage {
    reason: String,
    target: Option<RawTarget>,
    message: Option<RawDiagnostic>,
    executable: Option<PathBuf>,
    profile: Option<RawProfile>,
    #[serde(default)]
    fresh: bool,
}

#[derive(Deserialize)]
struct RawTarget {
    name: String,
}

#[derive(Deserialize)]
struct RawProfile {
    test: bool,
}

#[derive(Deserialize)]
struct RawDiagnostic {
    level: String,
    rendered: Option<String>,
    #[serde(default)]
    spans: Vec<RawSpan>,
}

#[derive(Deserialize)]
struct RawSpan {
    file_name: String,
    line_start: usize,
    column_start: usize,
    is_primary: bool,
    /// Set when the span is inside a macro's expansion: where it was expanded.
    #[serde(default)]
    expansion: Option<Box<RawExpansion>>,
}

#[derive(Deserialize)]
struct RawExpansion {
    span: RawSpan,
}

fn absorb_message(root: &Path, line: &[u8], mode: Mode, output: &mut BuildOutput) {
    let Ok(message) = serde_json::from_slice::<RawMessage>(line) else {
        return;
    };
    let Some(target) = message.target else {
        return;
    };
    let Some(build) = output.targets.get_mut(&target.name) else {
        return;
    };
    match message.reason.as_str() {
        "compiler-artifact" => {
            let wanted = match mode {
                Mode::Test => message.profile.is_some_and(|p| p.test),
                Mode::Run => message.profile.is_some_and(|p| !p.test),
                Mode::Clippy => false,
            };
            if wanted && message.executable.is_some() {
                build.executable = message.executable;
                build.fresh = message.fresh;
            }
        }
        "compiler-message" => {
            let Some(diagnostic) = message.message else {
                return;
            };
            let Some(mut rendered) = diagnostic.rendered else {
                return;
            };
            if diagnostic.level == "failure-note" {
                return;
            }
            for span in &diagnostic.spans {
                let clean = tidy_path(root, &span.file_name);
                if clean != span.file_name {
                    rendered = rendered.replace(&span.file_name, &clean);
                }
            }
            build.diagnostics.push(Diagnostic {
                level: diagnostic.level,
                rendered,
                location: learner_location(root, &diagnostic.spans),
            });
        }
        _ => {}
    }
}

/// Where a diagnostic is, in the workbook: its primary span when that lies in the
/// workbook, else the place a macro was called from there (an error inside
/// `assert_eq!` points into the standard library, its call into the learner's
/// file), else any of its spans there, else its primary span wherever it is.
fn learner_location(root: &Path, spans: &[RawSpan]) -> Option<Location> {
    let location = |span: &RawSpan| Location {
        file: tidy_path(root, &span.file_name),
        line: span.line_start,
        column: span.column_start,
    };
    let in_workbook = |span: &RawSpan| {
        let file = tidy_path(root, &span.file_name);
        !Path::new(&file).is_absolute() && !file.starts_with('<')
    };
    // A span, or the call site of the macro it was expanded from, in the workbook.
    let here = |span: &RawSpan| {
        let mut current = span;
        loop {
            if in_workbook(current) {
                return Some(location(current));
            }
            current = &current.expansion.as_ref()?.span;
        }
    };
    let primary = spans.iter().filter(|s| s.is_primary);
    primary
        .clone()
        .find_map(here)
        .or_else(|| spans.iter().find_map(here))
        .or_else(|| primary.clone().next().map(location))
}

/// Removes what cargo built for the package called `name` (not its dependencies),
/// so that its targets are compiled again from their sources.
pub fn clean(root: &Path, name: &str) -> io::Result<()> {
    let output = Command::new(cargo_program())
        .current_dir(root)
        .args(["clean", "-p", name])
        .output()?;
    if output.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "`cargo clean -p {name}` failed: {}",
            cargo_complaint(&output.stderr)
        )))
    }
}

/// `workbook/../exercises/x.rs` as `exercises/x.rs`: paths relative to the workbook
/// root, with `..` folded, so that messages name the file the learner edits.
pub fn tidy_path(root: &Path, file_name: &str) -> String {
    let path = Path::new(file_name);
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    };
    let mut folded = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::ParentDir => {
                folded.pop();
            }
            Component::CurDir => {}
            other => folded.push(other),
        }
    }
    match folded.strip_prefix(root) {
        Ok(relative) => relative.to_string_lossy().replace('\\', "/"),
        Err(_) => folded.to_string_lossy().into_owned(),
    }
}

/// Reads cargo's progress bar line, e.g. `    Building [=====>    ] 12/87: serde, syn`.
pub fn parse_progress(line: &str) -> Option<BuildProgress> {
    let plain = strip_ansi(line);
    let rest = plain.trim_start().strip_prefix("Building")?;
    let (_, after_bar) = rest.split_once(']')?;
    let after_bar = after_bar.trim_start();
    let (counts, current) = after_bar.split_once(':').unwrap_or((after_bar, ""));
    let (done, total) = counts.trim().split_once('/')?;
    Some(BuildProgress {
        done: done.parse().ok()?,
        total: total.parse().ok()?,
        current: current.trim().to_owned(),
    })
}

/// The lines of cargo's stderr that say what went wrong (its progress and
/// "Compiling" lines dropped).
fn cargo_complaint(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let mut lines = Vec::new();
    for line in text.split(['\n', '\r']) {
        let plain = strip_ansi(line);
        let trimmed = plain.trim_start();
        if trimmed.is_empty()
            || trimmed.starts_with("Building [")
            || trimmed.starts_with("Compiling ")
            || trimmed.starts_with("Finished ")
            || trimmed.starts_with("Checking ")
        {
            continue;
        }
        lines.push(plain.trim_end().to_owned());
    }
    lines.join("\n")
}

/// Text without ANSI escape sequences (CSI `ESC [ ... letter` and OSC `ESC ] ... BEL`).
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_progress_bar() {
        let line =
            "\u{1b}[1m\u{1b}[36m    Building\u{1b}[0m [=======>       ] 12/87: serde, syn(build)";
        assert_eq!(
            parse_progress(line),
            Some(BuildProgress {
                done: 12,
                total: 87,
                current: "serde, syn(build)".into()
            })
        );
        assert_eq!(parse_progress("   Compiling serde v1.0.0"), None);
    }

    #[test]
    fn folds_package_relative_paths() {
        let root = Path::new("/w");
        assert_eq!(
            tidy_path(root, "workbook/../exercises/a/b.rs"),
            "exercises/a/b.rs"
        );
        assert_eq!(tidy_path(root, "/elsewhere/x.rs"), "/elsewhere/x.rs");
    }

    #[test]
    fn diagnostics_are_kept_per_target_with_the_primary_location() {
        let root = Path::new("/w");
        let mut output = BuildOutput::new(Mode::Test);
        output.targets.insert("a".into(), TargetBuild::default());
        let line = r#"{"reason":"compiler-message","target":{"name":"a"},"message":{"level":"error","rendered":"error: x\n --> workbook/../exercises/t/a.rs:3:9\n","spans":[{"file_name":"workbook/../exercises/t/a.rs","line_start":3,"column_start":9,"is_primary":true}]}}"#;
        absorb_message(root, line.as_bytes(), Mode::Test, &mut output);
        let artifact = r#"{"reason":"compiler-artifact","target":{"name":"a"},"profile":{"test":true},"executable":"/w/target/debug/deps/a-123"}"#;
        absorb_message(root, artifact.as_bytes(), Mode::Test, &mut output);
        let build = output.target("a");
        assert_eq!(build.diagnostics.len(), 1);
        assert_eq!(
            build.diagnostics[0].rendered,
            "error: x\n --> exercises/t/a.rs:3:9\n"
        );
        assert_eq!(
            build.diagnostics[0]
                .location
                .as_ref()
                .map(ToString::to_string),
            Some("exercises/t/a.rs:3:9".to_owned())
        );
        assert_eq!(
            build.executable,
            Some(PathBuf::from("/w/target/debug/deps/a-123"))
        );
    }

    #[test]
    fn an_error_inside_a_macro_points_at_the_learners_call() {
        let root = Path::new("/w");
        let mut output = BuildOutput::new(Mode::Test);
        output.targets.insert("a".into(), TargetBuild::default());
        let line = r#"{"reason":"compiler-message","target":{"name":"a"},"message":{"level":"error","rendered":"error: x","spans":[{"file_name":"/rustc/abc/library/core/src/macros/mod.rs","line_start":44,"column_start":9,"is_primary":true,"expansion":{"span":{"file_name":"workbook/../exercises/t/a.rs","line_start":297,"column_start":48,"is_primary":false}}}]}}"#;
        absorb_message(root, line.as_bytes(), Mode::Test, &mut output);
        assert_eq!(
            output.target("a").diagnostics[0]
                .location
                .as_ref()
                .map(ToString::to_string),
            Some("exercises/t/a.rs:297:48".to_owned())
        );
    }

    #[test]
    fn strips_colour_codes() {
        assert_eq!(
            strip_ansi("\u{1b}[1m\u{1b}[91merror\u{1b}[0m: x"),
            "error: x"
        );
    }
}
