//! The hint panel under the verdict: the hints revealed so far.

use ratatui::text::Line;

use crate::watch::model::App;

/// The most of one hint the panel shows; an author's runaway hint must not make
/// every frame slow.
const HINT_SHOWN: usize = 16 * 1024;

pub(super) fn hint_lines(app: &App) -> Vec<Line<'static>> {
    let revealed = app.hints_revealed();
    let hints = &app.exercise().hints;
    let mut lines = Vec::new();
    for (i, hint) in hints.iter().take(revealed).enumerate() {
        let mut cut = hint.len().min(HINT_SHOWN);
        while !hint.is_char_boundary(cut) {
            cut -= 1;
        }
        for (k, text) in hint[..cut].lines().enumerate() {
            let prefix = if k == 0 {
                format!("{}. ", i + 1)
            } else {
                "   ".to_owned()
            };
            lines.push(Line::raw(format!("{prefix}{text}")));
        }
        if cut < hint.len() {
            lines.push(Line::raw(format!(
                "   [… the rest of this hint: `patterns hint {} --level {}`]",
                app.exercise().name,
                i + 1
            )));
        }
    }
    lines
}
