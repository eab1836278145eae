//! The list of every exercise, grouped by topic, with its filter and search.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Paragraph};

use patterns_core::catalog::topic_title;

use super::{BAD, BUSY, GOOD};
use crate::watch::model::App;

pub(super) fn draw_list(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let visible = app.visible();
    let mut title = format!(" Exercises · {}", app.list.filter.label());
    if !app.list.search.is_empty() || app.list.searching {
        title.push_str(&format!(" · search: {}", app.list.search));
        if app.list.searching {
            title.push('▏');
        }
    }
    title.push(' ');
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut selected_line = 0;
    for (topic, exercises) in app.session.catalog.topics() {
        let shown: Vec<_> = exercises
            .iter()
            .filter(|e| {
                app.session
                    .catalog
                    .position(&e.name)
                    .is_some_and(|i| visible.contains(&i))
            })
            .collect();
        if shown.is_empty() {
            continue;
        }
        let done = exercises
            .iter()
            .filter(|e| app.session.progress.is_done(&e.name))
            .count();
        lines.push(Line::from(vec![
            Span::styled(topic_title(topic).to_owned(), Style::new().bold()),
            Span::styled(format!("  {done}/{}", exercises.len()), Style::new().dim()),
        ]));
        for exercise in shown {
            let index = app.session.catalog.position(&exercise.name).unwrap_or(0);
            let is_current = index == app.current;
            let (mark, color) = if app.session.progress.is_done(&exercise.name) {
                ("✓", GOOD)
            } else if is_current {
                ("▶", BUSY)
            } else {
                ("·", Color::DarkGray)
            };
            let mut spans = vec![
                Span::styled(format!("  {mark} "), Style::new().fg(color).bold()),
                Span::raw(exercise.name.clone()),
            ];
            if is_current {
                spans.push(Span::styled("  (current)", Style::new().dim()));
            }
            if let Some((_, status)) = app.all_results.iter().find(|(n, _)| *n == exercise.name) {
                let color = if status.is_done() { GOOD } else { BAD };
                spans.push(Span::styled(
                    format!("  {}", status.describe()),
                    Style::new().fg(color),
                ));
            }
            let mut line = Line::from(spans);
            if index == app.list.selected {
                line = line.style(Style::new().add_modifier(Modifier::REVERSED));
                selected_line = lines.len();
            }
            lines.push(line);
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled(
            "no exercise matches (Esc clears the search, f changes the filter)",
            Style::new().dim(),
        ));
    }
    let block = Block::new().borders(Borders::TOP).title(title);
    let inner = block.inner(area);
    let height = usize::from(inner.height.max(1));
    let offset = selected_line.saturating_sub(height.saturating_sub(2));
    frame.render_widget(block, area);
    frame.render_widget(
        Paragraph::new(Text::from(lines)).scroll((u16::try_from(offset).unwrap_or(0), 0)),
        inner,
    );
}
