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

/// The topic introductions are read in watch's panel, 74 columns wide on an
/// 80x24 terminal: prose re-wraps, but a diagram line that wraps falls apart.
#[test]
fn every_diagram_in_a_topic_readme_fits_the_intro_panel() {
    const PANEL: usize = 74;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("exercises");
    let mut too_wide = Vec::new();
    for topic in std::fs::read_dir(&root).unwrap() {
        let readme = topic.unwrap().path().join("README.md");
        let Ok(text) = std::fs::read_to_string(&readme) else {
            continue;
        };
        let mut in_block = false;
        for (number, line) in text.lines().enumerate() {
            if line.starts_with("```") {
                in_block = !in_block;
            } else if in_block && line.chars().count() > PANEL {
                too_wide.push(format!(
                    "{}:{}: {} columns",
                    readme.strip_prefix(&root).unwrap().display(),
                    number + 1,
                    line.chars().count()
                ));
            }
        }
    }
    assert!(
        too_wide.is_empty(),
        "diagram lines wider than {PANEL} columns wrap in watch's intro panel:\n{}",
        too_wide.join("\n")
    );
}
