//! Overlays over the screen: help, the welcome and final messages, a topic's
//! introduction, and the reset question, each in a box that fits its text.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use patterns_core::catalog::topic_title;
use patterns_core::workbook::ResetScope;

use super::{BUSY, clamp_scroll, wrapped_height};
use crate::watch::keys;
use crate::watch::model::{App, Overlay};

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

pub(super) fn draw_overlay(frame: &mut Frame<'_>, app: &App, overlay: &Overlay, area: Rect) {
    let (title, lines, width, height): (String, Vec<Line<'static>>, u16, u16) = match overlay {
        Overlay::Help => {
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
            (" Keys ".to_owned(), lines, 64, 48)
        }
        Overlay::Welcome => (
            " Welcome ".to_owned(),
            message_lines(
                app.session
                    .catalog
                    .welcome_message
                    .as_deref()
                    .unwrap_or_default(),
                "Enter to start · j/k scroll",
            ),
            0,
            area.height,
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
            ),
            0,
            area.height,
        ),
        Overlay::TopicIntro { topic, text } => (
            format!(" {} ", topic_title(topic)),
            message_lines(text, "Enter to start the topic · j/k scroll"),
            0,
            area.height,
        ),
        Overlay::ConfirmReset { name, scope } => (
            " Reset? ".to_owned(),
            vec![
                Line::raw(match scope {
                    ResetScope::Exercise => format!("Put {name} back to its original text?"),
                    ResetScope::Tests => format!(
                        "Put the original tests back into {name}? The rest of your code stays."
                    ),
                }),
                Line::raw("Your version is saved under .patterns/backups/ first."),
                Line::default(),
                Line::from(vec![
                    Span::styled(" y ", Style::new().reversed()),
                    Span::raw(" reset   "),
                    Span::styled(" n ", Style::new().reversed()),
                    Span::raw(" keep my code"),
                ]),
            ],
            60,
            6,
        ),
    };
    // Messages (width 0) get the width of their longest line, so text that an
    // author wrapped by hand is not wrapped a second time, and a height that fits.
    let width = if width == 0 {
        let longest = lines.iter().map(Line::width).max().unwrap_or(0);
        u16::try_from(longest).unwrap_or(u16::MAX).saturating_add(2)
    } else {
        width
    };
    let inner_width = width.min(area.width.saturating_sub(2)).saturating_sub(2);
    let wanted = u16::try_from(wrapped_height(&lines, inner_width))
        .unwrap_or(u16::MAX)
        .saturating_add(2);
    let rect = popup(area, width, height.min(wanted));
    let block = Block::new()
        .borders(Borders::ALL)
        .title(title)
        .border_style(Style::new().fg(BUSY));
    let inner = block.inner(rect);
    let scroll = if matches!(overlay, Overlay::ConfirmReset { .. }) {
        0
    } else {
        clamp_scroll(&lines, inner, app.scroll)
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(Text::from(lines))
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(block),
        rect,
    );
}

fn message_lines(text: &str, action: &str) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = text
        .trim_matches('\n')
        .lines()
        .map(|l| Line::raw(l.to_owned()))
        .collect();
    lines.push(Line::default());
    lines.push(Line::styled(action.to_owned(), Style::new().dim()));
    lines
}
