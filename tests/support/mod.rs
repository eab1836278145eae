//! What the integration tests share: fixture workbooks copied to a temporary
//! folder, the real `patterns` binary run in them, and `watch --headless` read
//! event by event.

// Not every test binary uses every helper.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

pub struct Fixture {
    pub dir: tempfile::TempDir,
    /// The workbook's folder when it is not `dir` itself.
    root: Option<PathBuf>,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Fixture {
    pub fn new(name: &str) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        copy_dir(&source, dir.path());
        Fixture { dir, root: None }
    }

    /// A fixture in a folder that already holds a workbook.
    pub fn at(dir: tempfile::TempDir) -> Fixture {
        Fixture { dir, root: None }
    }

    /// The workbook in `relative` of another fixture's folder (which it keeps).
    pub fn at_path(parent: Fixture, relative: &str) -> Fixture {
        Fixture {
            root: Some(parent.dir.path().join(relative)),
            dir: parent.dir,
        }
    }

    pub fn root(&self) -> &Path {
        self.root.as_deref().unwrap_or(self.dir.path())
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_patterns"));
        command
            .current_dir(self.root())
            .args(args)
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("PATTERNS_WORKBOOK")
            // One shared target directory: the fixture builds once per test binary run.
            .env("CARGO_TARGET_DIR", self.root().join("target"));
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let output: Output = self.command(args).output().unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    pub fn state(&self) -> String {
        std::fs::read_to_string(self.path(".patterns/state.toml")).unwrap_or_default()
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Replaces `from` by `to` in a fixture file; `from` must occur.
pub fn edit(fixture: &Fixture, file: &str, from: &str, to: &str) {
    let path = fixture.path(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

impl Fixture {
    /// Runs git in the fixture; it must succeed.
    pub fn git(&self, args: &[&str]) {
        let out = Command::new("git")
            .current_dir(self.root())
            .args(["-c", "user.name=t", "-c", "user.email=t@t"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
    }

    /// Writes originals.toml for the exercise files as they are now.
    pub fn write_originals(&self) {
        let workbook = patterns_core::workbook::Workbook::open(self.root()).unwrap();
        let paths: Vec<String> = workbook
            .catalog
            .exercises
            .iter()
            .map(|e| e.path().to_string_lossy().replace('\\', "/"))
            .collect();
        let manifest = patterns_core::originals::Manifest::of_files(
            self.root(),
            paths.iter().map(String::as_str),
        )
        .unwrap();
        std::fs::write(self.path("originals.toml"), manifest.render()).unwrap();
    }

    /// Holds the fixture to the rules of our own workbook (`strict = true`).
    pub fn make_strict(&self) {
        let info = self.path("info.toml");
        let text = std::fs::read_to_string(&info).unwrap();
        std::fs::write(&info, format!("strict = true\n{text}")).unwrap();
    }
}

/// `patterns watch --headless` on a fixture, read line by line.
pub struct Headless {
    pub child: std::process::Child,
    events: std::sync::mpsc::Receiver<serde_json::Value>,
}

impl Headless {
    pub fn start(fixture: &Fixture) -> Headless {
        Headless::start_with(fixture, &[])
    }

    /// `watch --headless` with more arguments.
    pub fn start_with(fixture: &Fixture, args: &[&str]) -> Headless {
        use std::io::BufRead;
        let mut child = fixture
            .command(&[&["watch", "--headless"], args].concat())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value: serde_json::Value = serde_json::from_str(&line).unwrap();
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        Headless { child, events: rx }
    }

    /// The next event named `name`, skipping others; panics after 60 s.
    pub fn next(&self, name: &str) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = self
                .events
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no {name} event within 60 s"));
            if event["event"] == name {
                return event;
            }
        }
    }

    /// Every event that arrives within `quiet`.
    pub fn drain(&self, quiet: Duration) -> Vec<serde_json::Value> {
        let mut events = Vec::new();
        while let Ok(event) = self.events.recv_timeout(quiet) {
            events.push(event);
        }
        events
    }
}

impl Drop for Headless {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn runs_started(events: &[serde_json::Value]) -> usize {
    events
        .iter()
        .filter(|e| e["event"] == "run_started")
        .count()
}
