//! Cargo's progress through a build, and which exercise runs, on one line of
//! stderr while a command waits (hidden when stderr is not a terminal).
//!
//! indicatif draws it from any thread: checks run on a pool.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use patterns_core::check::Event;

/// The progress line of one command.
pub struct BuildProgress {
    bar: ProgressBar,
}

impl BuildProgress {
    pub fn new() -> BuildProgress {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{prefix:>8} {bar:20} {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("█▓░"),
        );
        BuildProgress { bar }
    }

    /// Shows what a check reports while it works.
    pub fn event(&self, event: Event<'_>) {
        match event {
            Event::Building(progress) => {
                self.bar.set_prefix("Building");
                self.bar
                    .set_length(u64::try_from(progress.total).unwrap_or(u64::MAX));
                self.bar
                    .set_position(u64::try_from(progress.done).unwrap_or(u64::MAX));
                self.bar.set_message(progress.current);
            }
            Event::Running { exercise } => {
                self.bar.set_prefix("Running");
                self.bar.set_message(exercise.to_owned());
            }
            Event::Linting => {
                self.bar.set_prefix("Clippy");
                self.bar.set_message("");
            }
            Event::Checked(_) => {}
        }
    }

    /// Removes the line, before the command prints its result.
    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
}
