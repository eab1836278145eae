//! The status line (a check under way, a notice, how long the last check took)
//! and the footer of keys.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::BUSY;
use crate::watch::keys;
use crate::watch::model::App;

pub(super) fn draw_status(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let text = if let Some(all) = &app.checking_all {
        Span::styled(format!("check all: {all}"), Style::new().fg(BUSY))
    } else if let Some((running, seconds)) = app
        .running
        .as_ref()
        .map(|r| {
            (
                r,
                app.now.duration_since(r.started).map_or(0, |d| d.as_secs()),
            )
        })
        .filter(|(_, seconds)| *seconds >= 1)
    {
        // Shown from the first second on: quick checks should not flicker. The
        // time is the model's (the last tick's), so views stay pure.
        Span::styled(
            format!("checking {}… {seconds} s", running.exercise),
            Style::new().fg(BUSY),
        )
    } else if let Some(notice) = &app.notice {
        Span::styled(notice.clone(), Style::new().fg(BUSY))
    } else if let Some(reason) = &app.polling {
        Span::styled(reason.clone(), Style::new().dim())
    } else if let Some(verdict) = app.verdict.as_ref().filter(|_| app.running.is_none()) {
        Span::styled(
            format!("checked in {:.1} s", verdict.elapsed.as_secs_f64()),
            Style::new().dim(),
        )
    } else {
        Span::raw("")
    };
    frame.render_widget(Paragraph::new(Line::from(text)), area);
}

pub(super) fn draw_footer(frame: &mut Frame<'_>, app: &App, area: Rect) {
    // Only the keys that work now: next and solution wait for a done exercise.
    let done = app.is_done();
    let mut items: Vec<(&str, &str)> = keys::footer(app.mode())
        .into_iter()
        .filter(|(key, _)| {
            app.mode() != keys::Mode::Exercise || done || (*key != "n" && *key != "s")
        })
        .collect();
    // On a narrow terminal, drop items from the middle; help and quit stay last.
    let width = |items: &[(&str, &str)]| -> usize {
        items
            .iter()
            .map(|(k, w)| k.chars().count() + w.len() + 4)
            .sum()
    };
    while width(&items) > usize::from(area.width) && items.len() > 2 {
        items.remove(items.len() - 3);
    }
    let mut spans = Vec::new();
    for (key, what) in items {
        spans.push(Span::styled(format!(" {key} "), Style::new().reversed()));
        spans.push(Span::raw(format!(" {what} ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}
