//! The workbook's own curriculum passes `patterns dev check`: the catalog is valid,
//! every solution passes with clippy warnings denied, every exercise fails unsolved.
//!
//! This is what makes `cargo test` the one command that tests both the runner and
//! the exercises.

// Test helpers may unwrap: a failure there is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

#[test]
fn the_curriculum_passes_dev_check() {
    let root = env!("CARGO_MANIFEST_DIR");
    let output = Command::new(env!("CARGO_BIN_EXE_patterns"))
        .current_dir(root)
        .args(["dev", "check"])
        .env("NO_COLOR", "1")
        .env_remove("PATTERNS_WORKBOOK")
        .output()
        .expect("the patterns binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "patterns dev check failed:\n{stdout}{stderr}"
    );
    assert!(stdout.contains("dev check passed"), "{stdout}");
}
