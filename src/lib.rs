//! The core of patterns: the catalog of exercises, checking an exercise into a
//! verdict, the learner's progress, and the workbook on disk.
//!
//! Nothing here knows about terminals: no ratatui, crossterm or colour crate may be
//! imported below this module. The binary (`src/main.rs` and its modules) adds the
//! command line, the watch screen and the file watcher on top.

pub mod cargo;
pub mod catalog;
pub mod check;
pub mod checks;
pub mod contract;
mod git_blob;
pub mod libtest;
pub mod originals;
pub mod process;
pub mod progress;
pub mod provenance;
pub mod targets;
pub mod unfinished;
pub mod workbook;
