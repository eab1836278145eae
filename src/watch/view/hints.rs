//! The hints overlay's text: the newest hint first, so that it opens where the
//! learner wants to read, then the earlier ones.

use ratatui::style::Style;
use ratatui::text::Line;

use super::markdown;
use crate::watch::model::App;

/// The most of one hint shown; an author's runaway hint must not make every
/// frame slow. The rest is one command away.
const HINT_SHOWN: usize = 16 * 1024;

/// The hints revealed so far, at `width` columns, and the line to end them with.
pub(super) fn hint_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let exercise = app.exercise();
    let count = exercise.hints.len();
    let revealed = app.hints_revealed();
    let mut lines = Vec::new();
    let hint = |lines: &mut Vec<Line<'static>>, level: usize| {
        let text = &exercise.hints[level - 1];
        let mut cut = text.len().min(HINT_SHOWN);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        lines.push(Line::styled(
            format!("Hint {level} of {count}"),
            Style::new().bold(),
        ));
        lines.extend(markdown::render(&text[..cut], width));
        if cut < text.len() {
            lines.push(Line::raw(format!(
                "[… the rest of this hint: `patterns hint {} --level {level}`]",
                exercise.name
            )));
        }
    };
    if revealed == 0 {
        return lines;
    }
    hint(&mut lines, revealed);
    if revealed > 1 {
        lines.push(Line::default());
        lines.push(Line::styled("Earlier hints", Style::new().dim().bold()));
        for level in 1..revealed {
            lines.push(Line::default());
            hint(&mut lines, level);
        }
    }
    lines.push(Line::default());
    lines.push(Line::styled(
        if revealed < count {
            "h the next hint · j/k scroll · Esc back to the exercise"
        } else {
            "that was the last hint · j/k scroll · Esc back to the exercise"
        },
        Style::new().dim(),
    ));
    lines
}
