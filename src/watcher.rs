//! Notices when the learner saves an exercise, whatever their editor does to the file
//! system to save it, and says so once per save.
//!
//! Editors save in many ways: they write in place, truncate and write, write a temporary
//! file and rename it over the original (vim, VS Code, JetBrains "safe write", emacs), or
//! delete and create. One save is a burst of raw events on several paths, among them
//! swap, backup, lock and temporary files. This module waits for the burst to end (a
//! quiet period of [`QUIET`]) and then looks at the files *as they are now*, not at the
//! events, so neither the order nor the shape of an editor's events matters: a path whose
//! content differs from what was last seen is reported once as [`WatchEvent::Changed`].
//!
//! Where native events are known to go missing (a Windows drive seen from WSL, a network
//! file system) or the native watcher cannot start, it polls instead and says why, once.
//!
//! It must never: report anything but a `.rs` file under `exercises/` (never a swap,
//! backup or temporary file); use CPU while nothing happens (its thread blocks on a
//! channel and only sets a timeout while a burst is being waited out); write to any file;
//! panic; or call back after its [`Watcher`] has been dropped.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, PollWatcher, RecommendedWatcher, RecursiveMode};

/// How long the folder must stay quiet after an event before a save counts as done.
/// Editors finish one save well within this; a person cannot save twice within it.
const QUIET: Duration = Duration::from_millis(20);
/// The longest a change waits while events keep coming (a tool rewriting files
/// non-stop), so that a steady stream cannot hold every report back forever.
const MAX_DELAY: Duration = Duration::from_secs(1);
/// How often polling looks at every exercise.
const POLL_INTERVAL: Duration = Duration::from_millis(500);
/// The folder under the workbook root that holds the learner's files.
const EXERCISES: &str = "exercises";
/// File system types whose files can change without the kernel here sending events
/// (another machine writes them), as `/proc/self/mountinfo` names them.
const NETWORK_FILE_SYSTEMS: &[&str] = &[
    "nfs",
    "nfs4",
    "cifs",
    "smb3",
    "smbfs",
    "9p",
    "drvfs",
    "fuse.sshfs",
    "fuse.rclone",
    "davfs",
    "afs",
];

/// How to watch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchMode {
    /// The operating system's change notifications (inotify, FSEvents, ...).
    Native,
    /// Looking at every exercise every half second.
    Poll,
}

/// What the watcher reports, through the callback, from its own thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEvent {
    /// A `.rs` file under exercises/ was saved (debounced), relative to the workbook root.
    Changed(PathBuf),
    /// The watcher chose polling, and why (say it to the learner once).
    Polling(String),
    /// Something went wrong; a message a person can act on.
    Error(String),
}

/// Watches a workbook's exercises; dropping it stops watching.
pub struct Watcher {
    mode: WatchMode,
    /// Kept alive only: dropping it ends notify's own thread.
    _backend: Box<dyn notify::Watcher + Send>,
    /// Tells the debounce thread to stop.
    stop: Sender<Message>,
    /// The debounce thread, joined on drop so that no callback runs afterwards.
    debouncer: Option<JoinHandle<()>>,
}

/// What the debounce thread receives.
enum Message {
    Notify(notify::Result<Event>),
    Stop,
}

impl Watcher {
    /// Starts watching `root/exercises` recursively. Events go to `send`, which must not
    /// block for long (the app wraps an mpsc Sender in it).
    pub fn start(
        root: &Path,
        mode: WatchMode,
        send: impl Fn(WatchEvent) + Send + 'static,
    ) -> anyhow::Result<Watcher> {
        let root = fs::canonicalize(root).with_context(|| {
            format!(
                "cannot open the workbook folder {}; check that it exists",
                root.display()
            )
        })?;
        let exercises = root.join(EXERCISES);
        if !exercises.is_dir() {
            bail!(
                "{} has no {EXERCISES}/ folder to watch; run patterns from the workbook folder (the one with info.toml)",
                root.display()
            );
        }

        let (sender, receiver) = mpsc::channel();
        let (backend, mode, notice) = open_backend(&exercises, mode, &sender)?;
        // Taken once the watch is set up: a save after `start` returns both differs from
        // this baseline and has its events queued. (A save during `start` itself may go
        // unreported: the baseline already holds its content.)
        let mut baseline = HashMap::new();
        for path in rust_files(&exercises) {
            if let Ok(bytes) = fs::read(&path) {
                baseline.insert(path, content_hash(&bytes));
            }
        }
        let debouncer = Debouncer {
            root,
            exercises,
            baseline,
            send,
            last_error: None,
        };
        let debouncer = thread::Builder::new()
            .name("patterns-watcher".to_owned())
            .spawn(move || debouncer.run(&receiver, notice))
            .context("cannot start the file watcher's thread; the system may be out of resources, try again")?;

        Ok(Watcher {
            mode,
            _backend: backend,
            stop: sender,
            debouncer: Some(debouncer),
        })
    }

    /// Which mode is in effect (after any automatic fallback).
    pub fn mode(&self) -> WatchMode {
        self.mode
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        // The thread may already be gone; then there is nobody to tell.
        let _ = self.stop.send(Message::Stop);
        if let Some(debouncer) = self.debouncer.take() {
            // Joining from the debounce thread itself (a callback that drops its own
            // watcher) would wait forever; that thread stops right after anyway.
            if debouncer.thread().id() != thread::current().id() {
                let _ = debouncer.join();
            }
        }
    }
}

/// Starts notify the way `asked` and the file system call for. Returns the watcher,
/// the mode in effect, and why it polls (if it does).
fn open_backend(
    exercises: &Path,
    asked: WatchMode,
    sender: &Sender<Message>,
) -> anyhow::Result<(Box<dyn notify::Watcher + Send>, WatchMode, Option<String>)> {
    let reason = match asked {
        WatchMode::Poll => {
            "watching by polling, as asked with --poll; saves show within about a second".to_owned()
        }
        WatchMode::Native => match polling_reason(exercises) {
            Some(reason) => reason,
            None => match native_watcher(exercises, sender) {
                Ok(watcher) => return Ok((watcher, WatchMode::Native, None)),
                Err(error) => format!(
                    "the native file watcher could not start ({}); watching by polling",
                    describe(&error)
                ),
            },
        },
    };
    let watcher = poll_watcher(exercises, sender).with_context(|| {
        format!(
            "cannot watch {} for changes, not even by polling; check that the folder is readable",
            exercises.display()
        )
    })?;
    Ok((watcher, WatchMode::Poll, Some(reason)))
}

fn native_watcher(
    exercises: &Path,
    sender: &Sender<Message>,
) -> notify::Result<Box<dyn notify::Watcher + Send>> {
    use notify::Watcher as _;
    let mut watcher = RecommendedWatcher::new(forward_to(sender), notify::Config::default())?;
    watcher.watch(exercises, RecursiveMode::Recursive)?;
    Ok(Box::new(watcher))
}

fn poll_watcher(
    exercises: &Path,
    sender: &Sender<Message>,
) -> notify::Result<Box<dyn notify::Watcher + Send>> {
    use notify::Watcher as _;
    // notify compares modification times in whole seconds, so two saves within one
    // second would look alike; comparing contents catches them. The exercises are a
    // few dozen small files, so reading them twice a second costs little.
    let config = notify::Config::default()
        .with_poll_interval(POLL_INTERVAL)
        .with_compare_contents(true);
    let mut watcher = PollWatcher::new(forward_to(sender), config)?;
    watcher.watch(exercises, RecursiveMode::Recursive)?;
    Ok(Box::new(watcher))
}

/// notify's callback: hands every raw event to the debounce thread, never blocking.
fn forward_to(sender: &Sender<Message>) -> impl FnMut(notify::Result<Event>) + Send + 'static {
    let sender = sender.clone();
    move |event| {
        // Fails only once the debounce thread has stopped, when nobody wants events.
        let _ = sender.send(Message::Notify(event));
    }
}

/// The debounce thread's state: what each exercise held when last seen.
struct Debouncer<F> {
    /// The canonical workbook root; reported paths are relative to it.
    root: PathBuf,
    exercises: PathBuf,
    /// Content hash of every exercise as last seen or reported.
    baseline: HashMap<PathBuf, u64>,
    send: F,
    /// The last error reported, so that a repeated one is said once.
    last_error: Option<String>,
}

/// Paths touched since the last flush.
#[derive(Default)]
struct Pending {
    paths: BTreeSet<PathBuf>,
    /// Events were lost (the kernel's queue overflowed): look at everything.
    rescan: bool,
}

impl<F: Fn(WatchEvent)> Debouncer<F> {
    fn run(mut self, receiver: &Receiver<Message>, notice: Option<String>) {
        if let Some(reason) = notice {
            (self.send)(WatchEvent::Polling(reason));
        }
        let mut pending = Pending::default();
        // When to flush, while something is pending; `flush_by` caps how far later
        // events may push it.
        let mut deadline: Option<Instant> = None;
        let mut flush_by: Option<Instant> = None;
        loop {
            let received = match deadline {
                None => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(at) => receiver.recv_timeout(at.saturating_duration_since(Instant::now())),
            };
            match received {
                Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                Ok(Message::Notify(Ok(event))) => {
                    if note(&event, &mut pending) {
                        let now = Instant::now();
                        let by = *flush_by.get_or_insert(now + MAX_DELAY);
                        deadline = Some((now + QUIET).min(by));
                    }
                }
                Ok(Message::Notify(Err(error))) => self.report_error(&error),
                Err(RecvTimeoutError::Timeout) => {
                    self.flush(std::mem::take(&mut pending));
                    deadline = None;
                    flush_by = None;
                }
            }
        }
    }

    /// Looks at every touched path as it is now and reports the exercises whose content
    /// changed, once each, in path order.
    fn flush(&mut self, pending: Pending) {
        let mut files = BTreeSet::new();
        if pending.rescan {
            self.baseline.retain(|path, _| path.is_file());
            files.extend(rust_files(&self.exercises));
        }
        for path in pending.paths {
            match fs::metadata(&path) {
                // A folder created or moved in: its files may predate the folder's watch.
                Ok(meta) if meta.is_dir() => files.extend(rust_files(&path)),
                Ok(meta) if meta.is_file() && is_exercise_file(&path) => {
                    files.insert(path);
                }
                Ok(_) => {}
                // Gone (renamed away, deleted): forget it, so that it counts as changed
                // when it comes back, however late.
                Err(_) => self.baseline.retain(|known, _| !known.starts_with(&path)),
            }
        }
        for path in files {
            self.check(path);
        }
    }

    /// Reports `path` if its content differs from the baseline.
    fn check(&mut self, path: PathBuf) {
        match fs::read(&path) {
            Ok(bytes) => {
                let hash = content_hash(&bytes);
                if self.baseline.insert(path.clone(), hash) == Some(hash) {
                    return;
                }
            }
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                self.baseline.remove(&path);
                return;
            }
            // Unreadable right now: report it anyway, and the check shows why.
            Err(_) => {
                self.baseline.remove(&path);
            }
        }
        if let Ok(relative) = path.strip_prefix(&self.root) {
            (self.send)(WatchEvent::Changed(relative.to_path_buf()));
        }
    }

    fn report_error(&mut self, error: &notify::Error) {
        let message = match error.kind {
            notify::ErrorKind::MaxFilesWatch => "the system's limit on watched folders is reached, so new folders under exercises/ go unnoticed; raise fs.inotify.max_user_watches or restart patterns with --poll".to_owned(),
            _ => format!(
                "the file watcher reported a problem ({}); if saves stop being noticed, restart patterns with --poll",
                describe(error)
            ),
        };
        if self.last_error.as_deref() != Some(message.as_str()) {
            self.last_error = Some(message.clone());
            (self.send)(WatchEvent::Error(message));
        }
    }
}

/// Adds the paths of `event` that may matter to `pending`; says whether any did.
fn note(event: &Event, pending: &mut Pending) -> bool {
    if event.need_rescan() {
        pending.rescan = true;
        return true;
    }
    // Opening and reading change nothing, and reading is what `check` does: noting it
    // would make every flush cause another.
    if let EventKind::Access(kind) = event.kind
        && kind != AccessKind::Close(AccessMode::Write)
    {
        return false;
    }
    let mut noted = false;
    for path in &event.paths {
        if worth_a_look(path) {
            pending.paths.insert(path.clone());
            noted = true;
        }
    }
    noted
}

/// Whether an event on `path` may concern an exercise: a `.rs` file, or a folder (which
/// has no extension) that may hold some.
fn worth_a_look(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
        return false;
    };
    !is_scratch_name(name) && path.extension().is_none_or(|extension| extension == "rs")
}

/// Whether `path` names an exercise file: `.rs`, and no editor's scratch file.
fn is_exercise_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| !is_scratch_name(name))
        && path.extension().is_some_and(|extension| extension == "rs")
}

/// Names that editors use for swap, backup, lock and temporary files.
fn is_scratch_name(name: &str) -> bool {
    // Hidden: vim's `.name.swp`, emacs's `.#name` lock, gedit's `.goutputstream-*`.
    name.starts_with('.')
        // emacs's auto-save `#name#`.
        || name.starts_with('#')
        || name.ends_with('#')
        // vim's and emacs's backups.
        || name.ends_with('~')
        // vim's probe for whether it may create files in the folder.
        || name == "4913"
        || [
            ".swp",
            ".swx",
            ".swo",
            ".tmp",
            ".bak",
            ".orig",
            "___jb_tmp___",
            "___jb_old___",
        ]
        .iter()
        .any(|suffix| name.ends_with(suffix))
}

/// Every exercise file under `dir`, not following links to folders (no loops).
fn rust_files(dir: &Path) -> BTreeSet<PathBuf> {
    let mut found = BTreeSet::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            // Hidden folders hold no exercises (and may be large, like `.git`).
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            match entry.file_type() {
                Ok(kind) if kind.is_dir() && !hidden => folders.push(path),
                Ok(_) if is_exercise_file(&path) && path.is_file() => {
                    found.insert(path);
                }
                _ => {}
            }
        }
    }
    found
}

fn content_hash(bytes: &[u8]) -> u64 {
    let mut hasher = DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// A notify error as a person reads it.
fn describe(error: &notify::Error) -> String {
    match error.kind {
        notify::ErrorKind::MaxFilesWatch => {
            "the system's limit on watched folders is reached; raise fs.inotify.max_user_watches"
                .to_owned()
        }
        _ => error.to_string(),
    }
}

/// Why native events would miss saves in `dir`, if they would.
fn polling_reason(dir: &Path) -> Option<String> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let mountinfo = fs::read_to_string("/proc/self/mountinfo").ok();
    polling_reason_in(dir, is_wsl(), mountinfo.as_deref())
}

/// [`polling_reason`] for a given system: whether it is WSL, and its mount table.
fn polling_reason_in(dir: &Path, wsl: bool, mountinfo: Option<&str>) -> Option<String> {
    if wsl && let Some(drive) = windows_drive(dir) {
        return Some(format!(
            "the workbook is on the Windows drive /mnt/{drive}, where WSL misses saves made by Windows editors; watching by polling (move it under your Linux home folder for instant checks)"
        ));
    }
    let fs_type = mount_fs_type(mountinfo?, dir)?;
    NETWORK_FILE_SYSTEMS.contains(&fs_type.as_str()).then(|| {
        format!("the workbook is on a network file system ({fs_type}); watching by polling")
    })
}

fn is_wsl() -> bool {
    Path::new("/proc/sys/fs/binfmt_misc/WSLInterop").exists()
        || fs::read_to_string("/proc/version")
            .is_ok_and(|version| version.to_ascii_lowercase().contains("microsoft"))
}

/// The drive letter if `path` is under `/mnt/<letter>`, where WSL mounts Windows drives.
fn windows_drive(path: &Path) -> Option<char> {
    let mut components = path.components();
    if components.next()? != Component::RootDir
        || components.next()? != Component::Normal("mnt".as_ref())
    {
        return None;
    }
    let Component::Normal(letter) = components.next()? else {
        return None;
    };
    let mut chars = letter.to_str()?.chars();
    match (chars.next(), chars.next()) {
        (Some(drive), None) if drive.is_ascii_lowercase() => Some(drive),
        _ => None,
    }
}

/// The type of the file system that holds `path`, from `/proc/self/mountinfo` text:
/// the deepest mount point containing it, the later line winning (it is mounted over).
fn mount_fs_type(mountinfo: &str, path: &Path) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    for line in mountinfo.lines() {
        // `id parent major:minor root mount-point options [optional...] - type source super`
        let Some(mount_point) = line.split(' ').nth(4) else {
            continue;
        };
        let Some(fs_type) = line
            .split_once(" - ")
            .and_then(|(_, rest)| rest.split(' ').next())
        else {
            continue;
        };
        let mount_point = PathBuf::from(unescape_octal(mount_point));
        if path.starts_with(&mount_point) {
            let depth = mount_point.components().count();
            if best.is_none_or(|(deepest, _)| depth >= deepest) {
                best = Some((depth, fs_type));
            }
        }
    }
    best.map(|(_, fs_type)| fs_type.to_owned())
}

/// Undoes mountinfo's escapes (`\040` for a space, `\134` for a backslash, ...).
fn unescape_octal(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let digits = bytes.get(i + 1..i + 4);
        match digits {
            Some(digits)
                if bytes[i] == b'\\' && digits.iter().all(|d| (b'0'..=b'7').contains(d)) =>
            {
                let value = digits
                    .iter()
                    .fold(0u32, |value, d| value * 8 + u32::from(d - b'0'));
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 4;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Generous: a loaded machine may be slow, but a missing event never arrives.
    const ARRIVES_WITHIN: Duration = Duration::from_secs(10);
    /// How long to wait to be sure a save was reported only once.
    const NOTHING_MORE_WITHIN: Duration = Duration::from_millis(300);

    /// A workbook in a temporary folder with two exercises, and a watcher on it.
    struct Workbook {
        dir: tempfile::TempDir,
        events: Receiver<WatchEvent>,
        watcher: Watcher,
    }

    impl Workbook {
        fn start(mode: WatchMode) -> Self {
            let dir = tempfile::tempdir().unwrap();
            let topic = dir.path().join("exercises/01_intro");
            fs::create_dir_all(&topic).unwrap();
            fs::write(topic.join("hello.rs"), "fn main() {}\n").unwrap();
            fs::write(topic.join("other.rs"), "fn other() {}\n").unwrap();
            let (sender, events) = mpsc::channel();
            let watcher = Watcher::start(dir.path(), mode, move |event| {
                let _ = sender.send(event);
            })
            .unwrap();
            Workbook {
                dir,
                events,
                watcher,
            }
        }

        /// The absolute path of a file in the topic folder.
        fn file(&self, name: &str) -> PathBuf {
            self.dir.path().join("exercises/01_intro").join(name)
        }

        fn next_change(&self) -> PathBuf {
            loop {
                match self.events.recv_timeout(ARRIVES_WITHIN) {
                    Ok(WatchEvent::Changed(path)) => return path,
                    // Only if the temporary folder is on a network file system.
                    Ok(WatchEvent::Polling(_)) => continue,
                    Ok(WatchEvent::Error(message)) => panic!("watcher error: {message}"),
                    Err(error) => panic!("no change reported within {ARRIVES_WITHIN:?}: {error}"),
                }
            }
        }

        fn assert_nothing_more(&self) {
            match self.events.recv_timeout(NOTHING_MORE_WITHIN) {
                Err(RecvTimeoutError::Timeout) => {}
                other => panic!("expected no more events, got {other:?}"),
            }
        }

        /// Runs `save` (given the attempt number, so it can write new content) until one
        /// run ends within the quiet period. A slower run may rightly be seen as two
        /// saves, so it proves nothing: its events are drained and it is tried again.
        fn save_quickly(&self, mut save: impl FnMut(usize)) {
            for attempt in 0..5 {
                let started = Instant::now();
                save(attempt);
                if started.elapsed() < QUIET {
                    return;
                }
                while self.events.recv_timeout(NOTHING_MORE_WITHIN).is_ok() {}
            }
            panic!("the machine was too busy to save a file within {QUIET:?}, five times over");
        }
    }

    /// A reported path: relative to the workbook root.
    fn reported(name: &str) -> PathBuf {
        Path::new("exercises").join("01_intro").join(name)
    }

    #[test]
    fn write_in_place_is_one_change() {
        let workbook = Workbook::start(WatchMode::Native);
        workbook.save_quickly(|attempt| {
            fs::write(
                workbook.file("hello.rs"),
                format!("fn main() {{ {attempt} }}\n"),
            )
            .unwrap();
        });
        assert_eq!(workbook.next_change(), reported("hello.rs"));
        workbook.assert_nothing_more();
    }

    #[test]
    fn truncate_then_write_in_pieces_is_one_change() {
        use std::io::Write as _;
        let workbook = Workbook::start(WatchMode::Native);
        workbook.save_quickly(|attempt| {
            let mut file = fs::File::create(workbook.file("hello.rs")).unwrap();
            file.sync_all().unwrap();
            file.write_all(b"fn main() {\n").unwrap();
            file.write_all(format!("    let _ = {attempt};\n}}\n").as_bytes())
                .unwrap();
        });
        assert_eq!(workbook.next_change(), reported("hello.rs"));
        workbook.assert_nothing_more();
    }

    #[test]
    fn rename_over_reports_the_destination_only() {
        let workbook = Workbook::start(WatchMode::Native);
        workbook.save_quickly(|attempt| {
            let temp = workbook.file("hello.rs.tmp");
            fs::write(&temp, format!("fn main() {{ {attempt} }}\n")).unwrap();
            fs::rename(&temp, workbook.file("hello.rs")).unwrap();
        });
        assert_eq!(workbook.next_change(), reported("hello.rs"));
        workbook.assert_nothing_more();
    }

    #[test]
    fn vim_save_with_backup_and_probe_is_one_change() {
        let workbook = Workbook::start(WatchMode::Native);
        workbook.save_quickly(|attempt| {
            let probe = workbook.file("4913");
            fs::write(&probe, "").unwrap();
            fs::remove_file(&probe).unwrap();
            let backup = workbook.file("hello.rs~");
            fs::rename(workbook.file("hello.rs"), &backup).unwrap();
            fs::write(
                workbook.file("hello.rs"),
                format!("fn main() {{ {attempt} }}\n"),
            )
            .unwrap();
            fs::remove_file(&backup).unwrap();
        });
        assert_eq!(workbook.next_change(), reported("hello.rs"));
        workbook.assert_nothing_more();
    }

    #[test]
    fn jetbrains_safe_write_is_one_change() {
        let workbook = Workbook::start(WatchMode::Native);
        workbook.save_quickly(|attempt| {
            let temp = workbook.file("hello.rs___jb_tmp___");
            let old = workbook.file("hello.rs___jb_old___");
            fs::write(&temp, format!("fn main() {{ {attempt} }}\n")).unwrap();
            fs::rename(workbook.file("hello.rs"), &old).unwrap();
            fs::rename(&temp, workbook.file("hello.rs")).unwrap();
            fs::remove_file(&old).unwrap();
        });
        assert_eq!(workbook.next_change(), reported("hello.rs"));
        workbook.assert_nothing_more();
    }

    #[test]
    fn delete_then_create_is_one_change() {
        let workbook = Workbook::start(WatchMode::Native);
        workbook.save_quickly(|attempt| {
            fs::remove_file(workbook.file("hello.rs")).unwrap();
            fs::write(
                workbook.file("hello.rs"),
                format!("fn main() {{ {attempt} }}\n"),
            )
            .unwrap();
        });
        assert_eq!(workbook.next_change(), reported("hello.rs"));
        workbook.assert_nothing_more();
    }

    #[test]
    fn a_burst_of_ten_saves_is_one_change() {
        let workbook = Workbook::start(WatchMode::Native);
        workbook.save_quickly(|attempt| {
            for save in 0..10 {
                fs::write(
                    workbook.file("hello.rs"),
                    format!("fn main() {{ {attempt}{save} }}\n"),
                )
                .unwrap();
                thread::sleep(Duration::from_millis(1));
            }
        });
        assert_eq!(workbook.next_change(), reported("hello.rs"));
        workbook.assert_nothing_more();
    }

    #[test]
    fn swap_backup_and_other_files_are_not_reported() {
        let workbook = Workbook::start(WatchMode::Native);
        for name in [
            ".hello.rs.swp",
            ".hello.rs.swx",
            "hello.rs~",
            "4913",
            ".#hello.rs",
            "#hello.rs#",
            "hello.tmp",
            "hello.rs.tmp",
            "hello.rs___jb_tmp___",
            "hello.rs___jb_old___",
            "notes.md",
        ] {
            fs::write(workbook.file(name), "junk").unwrap();
        }
        // Saved last: if any of the files above were reported, it would come first.
        fs::write(workbook.file("other.rs"), "fn other() { 1; }\n").unwrap();
        assert_eq!(workbook.next_change(), reported("other.rs"));
        workbook.assert_nothing_more();
    }

    #[test]
    fn a_save_without_new_content_is_not_reported() {
        let workbook = Workbook::start(WatchMode::Native);
        fs::write(workbook.file("hello.rs"), "fn main() {}\n").unwrap();
        // Saved last: if the unchanged save were reported, it would come first.
        fs::write(workbook.file("other.rs"), "fn other() { 1; }\n").unwrap();
        assert_eq!(workbook.next_change(), reported("other.rs"));
        workbook.assert_nothing_more();
    }

    #[test]
    fn two_files_saved_together_are_one_change_each() {
        let workbook = Workbook::start(WatchMode::Native);
        workbook.save_quickly(|attempt| {
            fs::write(
                workbook.file("hello.rs"),
                format!("fn main() {{ {attempt} }}\n"),
            )
            .unwrap();
            fs::write(
                workbook.file("other.rs"),
                format!("fn other() {{ {attempt} }}\n"),
            )
            .unwrap();
        });
        let changes = BTreeSet::from([workbook.next_change(), workbook.next_change()]);
        assert_eq!(
            changes,
            BTreeSet::from([reported("hello.rs"), reported("other.rs")])
        );
        workbook.assert_nothing_more();
    }

    #[test]
    fn a_file_in_a_new_folder_is_reported() {
        let workbook = Workbook::start(WatchMode::Native);
        let topic = workbook.dir.path().join("exercises/02_new");
        fs::create_dir(&topic).unwrap();
        fs::write(topic.join("fresh.rs"), "fn fresh() {}\n").unwrap();
        assert_eq!(
            workbook.next_change(),
            Path::new("exercises").join("02_new").join("fresh.rs")
        );
        workbook.assert_nothing_more();
    }

    #[test]
    fn a_local_folder_is_watched_natively() {
        let workbook = Workbook::start(WatchMode::Native);
        let expected = match polling_reason(&workbook.dir.path().join(EXERCISES)) {
            Some(_) => WatchMode::Poll,
            None => WatchMode::Native,
        };
        assert_eq!(workbook.watcher.mode(), expected);
    }

    #[test]
    fn polling_says_so_and_detects_a_change() {
        let workbook = Workbook::start(WatchMode::Poll);
        assert_eq!(workbook.watcher.mode(), WatchMode::Poll);
        match workbook.events.recv_timeout(ARRIVES_WITHIN) {
            Ok(WatchEvent::Polling(reason)) => assert!(reason.contains("--poll"), "{reason}"),
            other => panic!("expected the reason for polling first, got {other:?}"),
        }
        fs::write(workbook.file("hello.rs"), "fn main() { 1; }\n").unwrap();
        assert_eq!(workbook.next_change(), reported("hello.rs"));
        workbook.assert_nothing_more();
    }

    #[test]
    fn dropping_the_watcher_stops_the_callbacks() {
        let Workbook {
            dir,
            events,
            watcher,
        } = Workbook::start(WatchMode::Native);
        drop(watcher);
        fs::write(
            dir.path().join("exercises/01_intro/hello.rs"),
            "fn main() { 1; }\n",
        )
        .unwrap();
        // The callback, and the sender in it, are gone: nothing can arrive any more.
        assert_eq!(
            events.recv_timeout(ARRIVES_WITHIN),
            Err(RecvTimeoutError::Disconnected)
        );
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_idle_watcher_does_not_wake_up() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("exercises/01_intro/hello.rs");
        fs::create_dir_all(dir.path().join("exercises/01_intro")).unwrap();
        fs::write(&file, "fn main() {}\n").unwrap();
        let (sender, events) = mpsc::channel();
        // The callback runs on the debounce thread, so it can say which thread that is.
        let _watcher = Watcher::start(dir.path(), WatchMode::Native, move |event| {
            let thread = fs::read_link("/proc/thread-self").unwrap();
            let _ = sender.send((event, thread));
        })
        .unwrap();
        fs::write(&file, "fn main() { 1; }\n").unwrap();
        let (event, thread) = events.recv_timeout(ARRIVES_WITHIN).unwrap();
        assert!(matches!(event, WatchEvent::Changed(_)), "{event:?}");
        let status = Path::new("/proc").join(thread).join("status");
        let wake_ups = || {
            let status = fs::read_to_string(&status).unwrap();
            status
                .lines()
                .find(|line| line.starts_with("voluntary_ctxt_switches:"))
                .unwrap()
                .to_owned()
        };
        thread::sleep(NOTHING_MORE_WITHIN);
        let before = wake_ups();
        thread::sleep(NOTHING_MORE_WITHIN);
        assert_eq!(
            wake_ups(),
            before,
            "the debounce thread woke up with nothing to do"
        );
    }

    #[test]
    fn a_workbook_without_exercises_is_an_error_saying_where() {
        let dir = tempfile::tempdir().unwrap();
        let error = match Watcher::start(dir.path(), WatchMode::Native, |_| {}) {
            Ok(_) => panic!("started without an exercises/ folder"),
            Err(error) => error.to_string(),
        };
        assert!(
            error.contains("has no exercises/ folder to watch"),
            "{error}"
        );
    }

    #[test]
    fn only_exercise_files_count() {
        for (name, counts) in [
            ("in_memory_repository.rs", true),
            ("4913", false),
            (".in_memory_repository.rs.swp", false),
            (".in_memory_repository.rs.swx", false),
            ("in_memory_repository.rs~", false),
            (".#in_memory_repository.rs", false),
            ("#in_memory_repository.rs#", false),
            ("in_memory_repository.rs.tmp", false),
            ("in_memory_repository.tmp", false),
            ("in_memory_repository.rs___jb_tmp___", false),
            ("in_memory_repository.rs___jb_old___", false),
            ("README.md", false),
        ] {
            assert_eq!(is_exercise_file(Path::new(name)), counts, "{name}");
        }
    }

    const MOUNTINFO: &str = "\
22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
40 22 0:35 / /home/me/net rw,relatime shared:2 - nfs4 server:/export rw,vers=4.2
41 40 8:17 / /home/me/net/local\\040dir rw,relatime - ext4 /dev/sdb1 rw
50 22 0:40 / /mnt/c rw,noatime - 9p drvfs rw,aname=drvfs
60 22 0:50 / /srv rw - ext4 /dev/sdc1 rw
61 22 0:51 / /srv rw - cifs //nas/share rw
";

    #[test]
    fn the_deepest_latest_mount_holding_a_path_gives_its_type() {
        for (path, fs_type) in [
            ("/home/me/net/workbook/exercises", "nfs4"),
            ("/home/me/net/local dir/workbook", "ext4"),
            ("/home/me/network/workbook", "ext4"),
            ("/mnt/c/Users/me/workbook", "9p"),
            ("/srv/workbook", "cifs"),
        ] {
            assert_eq!(
                mount_fs_type(MOUNTINFO, Path::new(path)).as_deref(),
                Some(fs_type),
                "{path}"
            );
        }
    }

    #[test]
    fn network_file_systems_and_windows_drives_are_polled_with_a_reason() {
        let reason = |path: &str, wsl| polling_reason_in(Path::new(path), wsl, Some(MOUNTINFO));
        assert_eq!(
            reason("/home/me/net/workbook", false).as_deref(),
            Some("the workbook is on a network file system (nfs4); watching by polling")
        );
        assert!(
            reason("/mnt/c/Users/me/workbook", true).is_some_and(|r| r.contains("/mnt/c")),
            "{:?}",
            reason("/mnt/c/Users/me/workbook", true)
        );
        assert!(reason("/srv/workbook", false).is_some_and(|r| r.contains("(cifs)")));
        assert_eq!(reason("/home/me/workbook", false), None);
        assert_eq!(reason("/home/me/net/local dir/workbook", false), None);
        // Not WSL, and no mount table to tell: native events.
        assert_eq!(
            polling_reason_in(Path::new("/mnt/c/workbook"), false, None),
            None
        );
        assert_eq!(
            polling_reason_in(Path::new("/mnt/data/workbook"), true, None),
            None
        );
    }
}
