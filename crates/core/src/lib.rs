//! The core of patterns: the catalog of exercises, checking an exercise into a
//! verdict, the learner's progress, the architecture rules, and the workbook on
//! disk.
//!
//! Nothing here knows about terminals, and the compiler holds that line: this crate
//! depends on no ratatui, crossterm or colour crate. The `patterns` binary adds the
//! command line, the watch screen and the file watcher on top.

pub mod architecture;
pub mod cargo;
pub mod catalog;
pub mod check;
pub mod cohort;
pub mod contract;
pub mod describe;
pub mod export;
mod git_blob;
pub mod libtest;
pub mod originals;
pub mod placeholders;
pub mod process;
pub mod progress;
pub mod provenance;
pub mod session;
pub mod suggest;
pub mod targets;
pub mod verdict;
pub mod workbook;
