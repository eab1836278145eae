//! Running a child process under limits: a deadline, an output cap and a cancel flag.
//!
//! A learner's code can loop forever, print without end or spawn children of its
//! own. Every program the runner starts goes through [`run`], which puts it in a
//! process group of its own (on Unix) so that a timeout or a cancel kills the whole
//! tree, keeps at most [`OUTPUT_CAP`] bytes of each stream, and streams lines to the
//! caller as they come (cargo's progress, for one). It never waits on a busy loop:
//! it sleeps on a channel that the reader and waiter threads feed.

use std::io::{self, Read};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

/// Bytes kept of each of stdout and stderr; the rest is read and dropped (but
/// still handed, line by line, to the caller's callback).
pub const OUTPUT_CAP: usize = 1024 * 1024;
/// The longest line handed to the callback; of a longer line, only its last
/// `LINE_CAP` bytes are (a harness's result may follow a program's unended output).
pub const LINE_CAP: usize = 16 * 1024;

/// How often a waiting run looks at its cancel flag.
const CANCEL_POLL: Duration = Duration::from_millis(25);
/// How long to wait for the pipes to close after the child exited (a grandchild
/// may hold them open).
const DRAIN_GRACE: Duration = Duration::from_millis(200);

/// A flag that stops a run (and kills its process tree) when set, from any thread.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Which output stream a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Limits for one run.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    /// Kill the process tree after this long.
    pub timeout: Option<Duration>,
    /// Kill the process tree when this is set.
    pub cancel: Option<Cancel>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Exited(ExitStatus),
    TimedOut,
    Cancelled,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Finished {
    pub ending: Ending,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// More than [`OUTPUT_CAP`] bytes were written to a stream; the rest was dropped.
    pub truncated: bool,
    pub elapsed: Duration,
}

impl Finished {
    pub fn success(&self) -> bool {
        matches!(self.ending, Ending::Exited(status) if status.success())
    }
}

enum Message {
    Chunk(Stream, Vec<u8>),
    Closed(Stream),
    Exited(io::Result<ExitStatus>),
}

/// Runs `command` with stdin closed, calling `on_line` for every line (split at `\n`
/// or `\r`, without the terminator, its last [`LINE_CAP`] bytes) of either stream as
/// it arrives, including the lines past [`OUTPUT_CAP`] that are not kept.
pub fn run(
    mut command: Command,
    limits: &Limits,
    mut on_line: impl FnMut(Stream, &[u8]),
) -> io::Result<Finished> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    let started = Instant::now();
    let mut child = command.spawn()?;
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    // Both pipes exist: they were requested as `Stdio::piped()` just above.
    if let Some(out) = child.stdout.take() {
        spawn_reader(Stream::Stdout, out, tx.clone());
    }
    if let Some(err) = child.stderr.take() {
        spawn_reader(Stream::Stderr, err, tx.clone());
    }
    let waiter = Waiter::start(child, tx);

    let deadline = limits.timeout.map(|t| started + t);
    let mut out = Capture::default();
    let mut err = Capture::default();
    let mut open_streams = 2;
    let mut status: Option<ExitStatus> = None;
    let mut ending: Option<Ending> = None;
    let mut drain_until: Option<Instant> = None;

    loop {
        if status.is_some() && open_streams == 0 {
            break;
        }
        let now = Instant::now();
        if let Some(until) = drain_until
            && now >= until
        {
            break;
        }
        if ending.is_none() {
            if limits.cancel.as_ref().is_some_and(Cancel::is_cancelled) {
                ending = Some(Ending::Cancelled);
                kill_tree(pid, &waiter);
                drain_until = Some(now + DRAIN_GRACE);
            } else if deadline.is_some_and(|d| now >= d) {
                ending = Some(Ending::TimedOut);
                kill_tree(pid, &waiter);
                drain_until = Some(now + DRAIN_GRACE);
            }
        }
        let mut wait = CANCEL_POLL;
        if ending.is_none()
            && let Some(d) = deadline
        {
            wait = wait.min(d.saturating_duration_since(now));
        }
        if let Some(until) = drain_until {
            wait = wait.min(until.saturating_duration_since(now));
        }
        match rx.recv_timeout(wait) {
            Ok(Message::Chunk(stream, bytes)) => {
                let capture = match stream {
                    Stream::Stdout => &mut out,
                    Stream::Stderr => &mut err,
                };
                capture.push(&bytes, |line| on_line(stream, line));
            }
            Ok(Message::Closed(stream)) => {
                open_streams -= 1;
                let capture = match stream {
                    Stream::Stdout => &mut out,
                    Stream::Stderr => &mut err,
                };
                capture.flush(|line| on_line(stream, line));
            }
            Ok(Message::Exited(result)) => {
                let exit = result?;
                status = Some(exit);
                // Whatever the program left running in its group goes with it.
                kill_group(pid);
                if drain_until.is_none() {
                    drain_until = Some(Instant::now() + DRAIN_GRACE);
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    out.flush(|line| on_line(Stream::Stdout, line));
    err.flush(|line| on_line(Stream::Stderr, line));

    let ending = match (ending, status) {
        (Some(ending), _) => ending,
        (None, Some(status)) => Ending::Exited(status),
        // The waiter thread always sends the status before its channel closes.
        (None, None) => return Err(io::Error::other("lost track of the child process")),
    };
    Ok(Finished {
        ending,
        truncated: out.truncated || err.truncated,
        stdout: out.kept,
        stderr: err.kept,
        elapsed: started.elapsed(),
    })
}

fn spawn_reader(stream: Stream, mut source: impl Read + Send + 'static, tx: mpsc::Sender<Message>) {
    thread::spawn(move || {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match source.read(&mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if tx
                        .send(Message::Chunk(stream, buffer[..n].to_vec()))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
        let _ = tx.send(Message::Closed(stream));
    });
}

/// Collects one stream: keeps up to the cap, splits every line for the callback.
#[derive(Default)]
struct Capture {
    kept: Vec<u8>,
    pending: Vec<u8>,
    truncated: bool,
}

impl Capture {
    fn push(&mut self, bytes: &[u8], mut on_line: impl FnMut(&[u8])) {
        let room = OUTPUT_CAP.saturating_sub(self.kept.len());
        if bytes.len() > room {
            self.truncated = true;
        }
        self.kept.extend_from_slice(&bytes[..bytes.len().min(room)]);
        for &b in bytes {
            if b == b'\n' || b == b'\r' {
                self.line(&mut on_line);
            } else {
                if self.pending.len() == 2 * LINE_CAP {
                    self.pending.drain(..LINE_CAP);
                }
                self.pending.push(b);
            }
        }
    }

    fn flush(&mut self, mut on_line: impl FnMut(&[u8])) {
        if !self.pending.is_empty() {
            self.line(&mut on_line);
        }
    }

    fn line(&mut self, on_line: &mut impl FnMut(&[u8])) {
        let start = self.pending.len().saturating_sub(LINE_CAP);
        on_line(&self.pending[start..]);
        self.pending.clear();
    }
}

/// Waits for the child on a thread of its own and reports its exit status.
struct Waiter {
    #[cfg(not(unix))]
    child: Arc<std::sync::Mutex<Option<std::process::Child>>>,
}

impl Waiter {
    #[cfg(unix)]
    fn start(mut child: std::process::Child, tx: mpsc::Sender<Message>) -> Waiter {
        thread::spawn(move || {
            let _ = tx.send(Message::Exited(child.wait()));
        });
        Waiter {}
    }

    /// Without process groups, the waiter polls so that `kill` can reach the child.
    #[cfg(not(unix))]
    fn start(child: std::process::Child, tx: mpsc::Sender<Message>) -> Waiter {
        let child = Arc::new(std::sync::Mutex::new(Some(child)));
        let shared = Arc::clone(&child);
        thread::spawn(move || {
            loop {
                let result = match shared.lock() {
                    Ok(mut guard) => match guard.as_mut().map(|c| c.try_wait()) {
                        Some(Ok(Some(status))) => Some(Ok(status)),
                        Some(Ok(None)) => None,
                        Some(Err(e)) => Some(Err(e)),
                        None => return,
                    },
                    Err(_) => return,
                };
                if let Some(result) = result {
                    let _ = tx.send(Message::Exited(result));
                    return;
                }
                thread::sleep(Duration::from_millis(10));
            }
        });
        Waiter { child }
    }
}

#[cfg(unix)]
fn kill_group(pid: u32) {
    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;
    if let Ok(pid) = i32::try_from(pid) {
        // The group may already be gone; that is the outcome we want.
        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
    }
}

#[cfg(not(unix))]
fn kill_group(_pid: u32) {}

#[cfg(unix)]
fn kill_tree(pid: u32, _waiter: &Waiter) {
    kill_group(pid);
}

#[cfg(not(unix))]
fn kill_tree(_pid: u32, waiter: &Waiter) {
    if let Ok(mut guard) = waiter.child.lock()
        && let Some(child) = guard.as_mut()
    {
        let _ = child.kill();
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        command
    }

    #[test]
    fn collects_output_and_status() {
        let mut lines = Vec::new();
        let done = run(
            sh("echo one; echo two >&2; exit 3"),
            &Limits::default(),
            |s, l| lines.push((s, String::from_utf8_lossy(l).into_owned())),
        )
        .unwrap();
        assert_eq!(done.stdout, b"one\n");
        assert_eq!(done.stderr, b"two\n");
        assert!(matches!(done.ending, Ending::Exited(s) if s.code() == Some(3)));
        assert!(lines.contains(&(Stream::Stdout, "one".to_string())));
        assert!(lines.contains(&(Stream::Stderr, "two".to_string())));
    }

    #[test]
    fn an_endless_program_is_killed_with_its_children_at_the_deadline() {
        let marker = tempfile::NamedTempFile::new().unwrap();
        let path = marker.path().display().to_string();
        // The background child would write the marker after 2 s if it survived.
        let script = format!("(sleep 2; echo alive > {path}) & while :; do :; done");
        let limits = Limits {
            timeout: Some(Duration::from_millis(300)),
            cancel: None,
        };
        let done = run(sh(&script), &limits, |_, _| {}).unwrap();
        assert_eq!(done.ending, Ending::TimedOut);
        assert!(done.elapsed < Duration::from_secs(2), "{:?}", done.elapsed);
        thread::sleep(Duration::from_millis(2500));
        assert_eq!(std::fs::read_to_string(marker.path()).unwrap(), "");
    }

    #[test]
    fn output_beyond_the_cap_is_dropped_and_noted() {
        let script = "head -c 3000000 /dev/zero";
        let done = run(sh(script), &Limits::default(), |_, _| {}).unwrap();
        assert!(done.success());
        assert_eq!(done.stdout.len(), OUTPUT_CAP);
        assert!(done.truncated);
    }

    #[test]
    fn lines_past_the_cap_still_reach_the_callback() {
        // 2 MiB of filler, then a line the caller must see.
        let script = "head -c 2000000 /dev/zero | tr '\\0' 'x'; echo ' end of the long line'; echo last line";
        let mut lines = Vec::new();
        let done = run(sh(script), &Limits::default(), |_, line| {
            lines.push(String::from_utf8_lossy(line).into_owned());
        })
        .unwrap();
        assert!(done.truncated);
        assert_eq!(lines.len(), 2);
        // A long line keeps its end.
        assert_eq!(lines[0].len(), LINE_CAP);
        assert!(lines[0].ends_with("xx end of the long line"));
        assert_eq!(lines[1], "last line");
    }

    #[test]
    fn cancel_stops_a_run() {
        let cancel = Cancel::new();
        let limits = Limits {
            timeout: None,
            cancel: Some(cancel.clone()),
        };
        let trigger = cancel.clone();
        let handle = thread::spawn(move || {
            thread::sleep(Duration::from_millis(100));
            trigger.cancel();
        });
        let done = run(sh("sleep 30"), &limits, |_, _| {}).unwrap();
        handle.join().unwrap();
        assert_eq!(done.ending, Ending::Cancelled);
    }

    #[test]
    fn carriage_returns_split_progress_lines() {
        let mut lines = Vec::new();
        run(
            sh("printf 'a 1/3\\ra 2/3\\rdone\\n'"),
            &Limits::default(),
            |_, l| lines.push(String::from_utf8_lossy(l).into_owned()),
        )
        .unwrap();
        assert_eq!(lines, vec!["a 1/3", "a 2/3", "done"]);
    }
}
