//! The watcher on real folders: every way editors save, bursts, folders, polling.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use super::debounce::is_exercise_file;
use super::mounts::{mount_fs_type, polling_reason, polling_reason_in};
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
    quiet: Duration,
}

impl Workbook {
    fn start(mode: WatchMode) -> Self {
        Workbook::start_with_quiet(mode, QUIET)
    }

    fn start_with_quiet(mode: WatchMode, quiet: Duration) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let topic = dir.path().join("exercises/01_intro");
        fs::create_dir_all(&topic).unwrap();
        fs::write(topic.join("hello.rs"), "fn main() {}\n").unwrap();
        fs::write(topic.join("other.rs"), "fn other() {}\n").unwrap();
        let (sender, events) = mpsc::channel();
        let watcher = Watcher::start_with_quiet(dir.path(), mode, quiet, move |event| {
            let _ = sender.send(event);
        })
        .unwrap();
        Workbook {
            dir,
            events,
            watcher,
            quiet,
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
            if started.elapsed() < self.quiet {
                return;
            }
            while self.events.recv_timeout(NOTHING_MORE_WITHIN).is_ok() {}
        }
        panic!(
            "the machine was too busy to save a file within {:?}, five times over",
            self.quiet
        );
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
    // The coalescing, with a quiet period a loaded machine's scheduler cannot
    // break up (at 20 ms, the notifications of one burst can arrive in two parts
    // when other processes hold both cores; that costs one cancelled check).
    let workbook = Workbook::start_with_quiet(WatchMode::Native, Duration::from_millis(250));
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
        ..
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
