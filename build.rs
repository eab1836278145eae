//! Embeds the original exercise files, so that `patterns reset` works in a workbook
//! that is not a git repository.
//!
//! It reruns only when `info.toml` changes, never when an exercise file does: a
//! learner's edits must not become the "originals" of a later build, and saving an
//! exercise must not rebuild `patterns`. Authors who change an exercise's starting
//! code touch `info.toml` (or run `patterns dev check`, which says so).

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=info.toml");
    println!("cargo:rerun-if-changed=build.rs");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let info = std::fs::read_to_string(root.join("info.toml")).unwrap_or_default();
    let mut files = Vec::new();
    collect(root, &root.join("exercises"), &mut files);
    files.sort();

    let mut code = String::new();
    let _ = writeln!(code, "pub static INFO_TOML: &str = {info:?};");
    let _ = writeln!(code, "pub static FILES: &[(&str, &str)] = &[");
    for (path, text) in &files {
        let _ = writeln!(code, "    ({path:?}, {text:?}),");
    }
    let _ = writeln!(code, "];");
    let out = std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into());
    if let Err(error) = std::fs::write(Path::new(&out).join("originals.rs"), code) {
        println!("cargo:warning=cannot embed the original exercises: {error}");
    }
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(root, &path, files);
        } else if path.extension().is_some_and(|e| e == "rs")
            && let (Ok(relative), Ok(text)) =
                (path.strip_prefix(root), std::fs::read_to_string(&path))
        {
            files.push((relative.to_string_lossy().replace('\\', "/"), text));
        }
    }
}
