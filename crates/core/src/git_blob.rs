//! Git's name for a text, and reading a text back from git.
//!
//! Shared by the library and `build.rs` (which includes this file), so that the
//! build and the runner name and find an original exercise text the same way.

use std::path::Path;
use std::process::Command;

/// The git blob id (SHA-1 of `blob <len>\0<bytes>`) of `text` with its line ends
/// written `\n`, as git stores a text file whatever the checkout's line ends.
pub fn blob_id(text: &str) -> String {
    let normalized = text.replace("\r\n", "\n");
    let mut hasher = sha1_smol::Sha1::new();
    hasher.update(format!("blob {}\0", normalized.len()).as_bytes());
    hasher.update(normalized.as_bytes());
    hasher.digest().to_string()
}

/// What `git ARGS` prints in `root`, when git is there and succeeds.
pub fn git(root: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .current_dir(root)
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}
