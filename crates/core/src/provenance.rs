//! Trusting cargo's "fresh" only for binaries patterns saw built from the file as
//! it is now.
//!
//! Cargo remembers a source file that lies outside its package's folder (as
//! `workbook/../exercises/x.rs` does) by its absolute path. In a copy of a built
//! workbook (`cp -a A B`), cargo therefore compares A's files with B's binaries and
//! calls them fresh: B's edits are never compiled, and B is judged by A's code. So
//! every time cargo builds an exercise's binary, a small record notes which text of
//! the source it was built from (its git blob id) and which binary that was (path,
//! size, time). A binary cargo calls fresh counts only when such a record vouches
//! for it; any other (a copied or moved workbook, a target directory shared with
//! another clone, a binary built by hand) makes the caller clean that package and
//! build again. Records live in `.patterns/builds/`, one file per target.

use std::io;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// The records of one workbook.
#[derive(Debug, Clone)]
pub struct Records {
    dir: PathBuf,
}

impl Records {
    /// Records kept under `state_dir` (the workbook's `.patterns/`).
    pub fn new(state_dir: &Path) -> Records {
        Records {
            dir: state_dir.join("builds"),
        }
    }

    /// Whether `executable`, which cargo called fresh, was built for `target` from
    /// the source text named `source_id`.
    pub fn vouches(&self, target: &str, executable: &Path, source_id: &str) -> bool {
        std::fs::read_to_string(self.dir.join(target))
            .is_ok_and(|record| Some(record) == describe(executable, source_id))
    }

    /// Notes that cargo just built `executable` for `target` from the text named
    /// `source_id`. Only a cache: when it cannot be written, the next check builds
    /// again.
    pub fn remember(&self, target: &str, executable: &Path, source_id: &str) -> io::Result<()> {
        let record = describe(executable, source_id)
            .ok_or_else(|| io::Error::other("the binary is gone"))?;
        std::fs::create_dir_all(&self.dir)?;
        std::fs::write(self.dir.join(target), record)
    }
}

/// The record for a binary and a source text: the binary's path, size and time.
fn describe(executable: &Path, source_id: &str) -> Option<String> {
    let meta = std::fs::metadata(executable).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(UNIX_EPOCH)
        .ok()?
        .as_nanos();
    Some(format!(
        "{}\n{}\n{modified}\n{source_id}\n",
        executable.display(),
        meta.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_vouches_only_for_its_binary_and_source() {
        let dir = tempfile::tempdir().unwrap();
        let records = Records::new(&dir.path().join(".patterns"));
        let binary = dir.path().join("bin");
        std::fs::write(&binary, "v1").unwrap();
        assert!(!records.vouches("t", &binary, "aaa"));
        records.remember("t", &binary, "aaa").unwrap();
        assert!(records.vouches("t", &binary, "aaa"));
        // Another source text, another binary (a copy elsewhere), or the binary
        // rebuilt by someone else: no longer vouched for.
        assert!(!records.vouches("t", &binary, "bbb"));
        let copy = dir.path().join("copy");
        std::fs::copy(&binary, &copy).unwrap();
        assert!(!records.vouches("t", &copy, "aaa"));
        std::fs::write(&binary, "v2, longer").unwrap();
        assert!(!records.vouches("t", &binary, "aaa"));
    }
}
