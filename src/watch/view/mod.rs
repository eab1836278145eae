//! Drawing the watch screen: pure functions of the model.
//!
//! Nothing here changes state, reads the clock or does I/O; each view takes `&App`
//! and a frame, so every screen is tested as a snapshot with ratatui's
//! `TestBackend`. A file per part of the screen: `header`, the three screens
//! (`exercise`, `list`, `solution`), the `status` line and footer, the
//! `overlay`s and the `hints` they show; `wrap` and `markdown` lay text out.

mod exercise;
mod header;
mod hints;
mod list;
mod markdown;
mod overlay;
mod solution;
mod status;
mod wrap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Color;
use ratatui::text::{Line, Text};
use ratatui::widgets::{Paragraph, Wrap};

use super::model::{App, Screen, Viewport};

/// The smallest terminal the layout fits in.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

const GOOD: Color = Color::Green;
const BAD: Color = Color::Red;
const BUSY: Color = Color::Yellow;

/// Draws the whole screen; returns what the part that scrolls now (an overlay,
/// else the body) shows, for the model's scrolling keys.
pub fn draw(frame: &mut Frame<'_>, app: &App) -> Viewport {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "Make the terminal larger\n(at least {MIN_WIDTH}×{MIN_HEIGHT}; now {}×{})\nq quits",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), area);
        return Viewport::default();
    }
    let [header, body, status, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);

    header::draw_header(frame, app, header);
    let body = match app.screen {
        Screen::Exercise => exercise::draw_exercise(frame, app, body),
        Screen::List => {
            list::draw_list(frame, app, body);
            Viewport::default()
        }
        Screen::Solution => solution::draw_solution(frame, app, body),
    };
    status::draw_status(frame, app, status);
    status::draw_footer(frame, app, footer);
    match &app.overlay {
        Some(overlay) => overlay::draw_overlay(frame, app, overlay, area),
        None => body,
    }
}

/// `lines` shown in `area` from line `wanted` on (at most to the last page), and
/// what that leaves to scroll.
fn scrolled(frame: &mut Frame<'_>, lines: Vec<Line<'static>>, area: Rect, wanted: u16) -> Viewport {
    let max_scroll =
        u16::try_from(lines.len().saturating_sub(usize::from(area.height))).unwrap_or(u16::MAX);
    frame.render_widget(
        Paragraph::new(Text::from(lines)).scroll((wanted.min(max_scroll), 0)),
        area,
    );
    Viewport {
        rows: area.height,
        max_scroll,
    }
}
