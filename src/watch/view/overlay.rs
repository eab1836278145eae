//! Overlays over the screen: help, the hints, the welcome and final messages, a
//! topic's introduction, and the reset question, each in a box that fits its
//! text, scrollable when the text is longer than the screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use patterns_core::catalog::topic_title;
use patterns_core::workbook::ResetScope;

use super::wrap::wrap;
use super::{BUSY, hints, markdown};
use crate::watch::keys;
use crate::watch::model::{App, Overlay, Viewport};

fn popup(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width.saturating_sub(2));
    let height = height.min(area.height.saturating_sub(2));
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Draws `overlay` over `area`; returns what it shows of its text, for scrolling.
pub(super) fn draw_overlay(
    frame: &mut Frame<'_>,
    app: &App,
    overlay: &Overlay,
    area: Rect,
) -> Viewport {
    // Messages are Markdown, reflowed to the box: as wide as the screen allows up
    // to a comfortable reading width.
    let message_width = area.width.saturating_sub(4).min(84);
    let reading = message_width.saturating_sub(2);
    let (title, lines, width): (String, Vec<Line<'static>>, u16) = match overlay {
        Overlay::Help => (" Keys ".to_owned(), help_lines(), 66),
        Overlay::Hints => (
            format!(" Hints · {} ", app.exercise().name),
            hints::hint_lines(app, reading),
            message_width,
        ),
        Overlay::Welcome => (
            " Welcome ".to_owned(),
            message_lines(
                app.session
                    .catalog
                    .welcome_message
                    .as_deref()
                    .unwrap_or_default(),
                "Enter to start · j/k scroll",
                reading,
            ),
            message_width,
        ),
        Overlay::Final => (
            " All done ".to_owned(),
            message_lines(
                app.session
                    .catalog
                    .final_message
                    .as_deref()
                    .unwrap_or("Every exercise is done."),
                "Esc to close · j/k scroll",
                reading,
            ),
            message_width,
        ),
        Overlay::TopicIntro { topic, text } => (
            format!(" {} ", topic_title(topic)),
            message_lines(
                text,
                "Enter to start the topic · j/k scroll · i shows it again",
                reading,
            ),
            message_width,
        ),
        Overlay::ConfirmReset { name, scope } => {
            (" Reset? ".to_owned(), confirm_lines(name, *scope), 60)
        }
    };
    let inner_width = width.min(area.width.saturating_sub(2)).saturating_sub(2);
    let lines = wrap(&lines, inner_width);
    let rect = popup(
        area,
        width,
        u16::try_from(lines.len())
            .unwrap_or(u16::MAX)
            .saturating_add(2),
    );
    let block = Block::new()
        .borders(Borders::ALL)
        .title(title)
        .border_style(Style::new().fg(BUSY));
    let inner = block.inner(rect);
    let max_scroll =
        u16::try_from(lines.len().saturating_sub(usize::from(inner.height))).unwrap_or(u16::MAX);
    let scroll = if matches!(overlay, Overlay::ConfirmReset { .. }) {
        0
    } else {
        app.overlay_scroll.min(max_scroll)
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(Text::from(lines))
            .scroll((scroll, 0))
            .block(block),
        rect,
    );
    Viewport {
        rows: inner.height,
        max_scroll,
    }
}

fn help_lines() -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    for (group, rows) in keys::help() {
        lines.push(Line::styled(group, Style::new().bold()));
        for (key, what) in rows {
            lines.push(Line::from(vec![
                Span::styled(format!("  {key:<7}"), Style::new().fg(BUSY)),
                Span::raw(what),
            ]));
        }
        lines.push(Line::default());
    }
    lines.push(Line::styled(
        "Mouse wheel scrolls. Esc closes this help.",
        Style::new().dim(),
    ));
    lines
}

fn confirm_lines(name: &str, scope: ResetScope) -> Vec<Line<'static>> {
    vec![
        Line::raw(match scope {
            ResetScope::Exercise => format!("Put {name} back to its original text?"),
            ResetScope::Tests => {
                format!("Put the original tests back into {name}? The rest of your code stays.")
            }
        }),
        Line::raw("Your version is saved under .patterns/backups/ first."),
        Line::default(),
        Line::from(vec![
            Span::styled(" y ", Style::new().reversed()),
            Span::raw(" reset   "),
            Span::styled(" n ", Style::new().reversed()),
            Span::raw(" keep my code"),
        ]),
    ]
}

fn message_lines(text: &str, action: &str, width: u16) -> Vec<Line<'static>> {
    let mut lines = markdown::render(text, width);
    lines.push(Line::default());
    lines.push(Line::styled(action.to_owned(), Style::new().dim()));
    lines
}
