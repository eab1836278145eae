//! Drawing the watch screen: pure functions of the model.
//!
//! Nothing here changes state, reads the clock or does I/O; each view takes `&App`
//! and a frame, so every screen is tested as a snapshot with ratatui's
//! `TestBackend`. A file per part of the screen: `header`, the three screens
//! (`exercise`, `list`, `solution`), the `hints` panel, the `status` line and
//! footer, and the `overlay`s.

mod exercise;
mod header;
mod hints;
mod list;
mod overlay;
mod solution;
mod status;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Stylize};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::model::{App, Screen};

/// The smallest terminal the layout fits in.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

const GOOD: Color = Color::Green;
const BAD: Color = Color::Red;
const BUSY: Color = Color::Yellow;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "Make the terminal larger\n(at least {MIN_WIDTH}×{MIN_HEIGHT}; now {}×{})\nq quits",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return;
    }
    let hints = hints::hint_lines(app);
    let hint_height = if hints.is_empty() || app.screen != Screen::Exercise {
        0
    } else {
        let wrapped = wrapped_height(&hints, area.width);
        u16::try_from(wrapped)
            .unwrap_or(u16::MAX)
            .saturating_add(1)
            .min(area.height / 3)
    };
    let [header, body, hint_area, status, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length(hint_height),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);

    header::draw_header(frame, app, header);
    match app.screen {
        Screen::Exercise => exercise::draw_exercise(frame, app, body),
        Screen::List => list::draw_list(frame, app, body),
        Screen::Solution => solution::draw_solution(frame, app, body),
    }
    if hint_height > 0 {
        let count = app.exercise().hints.len();
        let title = format!(" Hint {} of {count} ", app.hints_revealed());
        frame.render_widget(
            Paragraph::new(hints)
                .wrap(Wrap { trim: false })
                .block(Block::new().borders(Borders::TOP).title(title).fg(BUSY)),
            hint_area,
        );
    }
    status::draw_status(frame, app, status);
    status::draw_footer(frame, app, footer);
    if let Some(overlay) = &app.overlay {
        overlay::draw_overlay(frame, app, overlay, area);
    }
}

/// How many rows `lines` take when wrapped at `width` (an estimate: wrapping at
/// words can take a little more than this).
fn wrapped_height(lines: &[Line<'_>], width: u16) -> usize {
    let width = usize::from(width.max(1));
    lines.iter().map(|l| l.width().div_ceil(width).max(1)).sum()
}

/// The scroll offset limited to the text's wrapped height.
fn clamp_scroll(lines: &[Line<'_>], area: Rect, wanted: u16) -> u16 {
    let max = wrapped_height(lines, area.width).saturating_sub(usize::from(area.height));
    u16::try_from(max).unwrap_or(u16::MAX).min(wanted)
}
