//! The two lines at the top: the exercise, and progress overall and in its topic.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph};

use patterns_core::catalog::topic_title;

use super::GOOD;
use crate::watch::model::App;

pub(super) fn draw_header(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let exercise = app.exercise();
    let total = app.session.catalog.exercises.len();
    let [title, bars] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1)]).areas(area);
    let line = Line::from(vec![
        Span::styled(" patterns ", Style::new().bold().reversed()),
        Span::raw(" "),
        Span::styled(exercise.name.clone(), Style::new().bold()),
        Span::raw(format!(
            " · {} · {}/{total}",
            topic_title(exercise.topic()),
            app.current + 1
        )),
    ]);
    frame.render_widget(Paragraph::new(line), title);

    let done = app.done_count();
    let topic = exercise.topic();
    let in_topic: Vec<_> = app
        .session
        .catalog
        .exercises
        .iter()
        .filter(|e| e.topic() == topic)
        .collect();
    let topic_done = in_topic
        .iter()
        .filter(|e| app.session.progress.is_done(&e.name))
        .count();
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(bars);
    frame.render_widget(
        gauge(
            done,
            total,
            // On a track, the bar is the track's: its name says so.
            match &app.session.catalog.track {
                Some(track) => format!("{} {done}/{total}", track.name),
                None => format!("all {done}/{total}"),
            },
        ),
        left.inner(ratatui::layout::Margin::new(1, 0)),
    );
    frame.render_widget(
        gauge(
            topic_done,
            in_topic.len(),
            format!("{} {topic_done}/{}", topic_title(topic), in_topic.len()),
        ),
        right.inner(ratatui::layout::Margin::new(1, 0)),
    );
}

fn gauge(done: usize, total: usize, label: String) -> Gauge<'static> {
    let ratio = if total == 0 {
        0.0
    } else {
        done as f64 / total as f64
    };
    Gauge::default()
        .ratio(ratio.clamp(0.0, 1.0))
        .label(label)
        .gauge_style(Style::new().fg(GOOD).bg(Color::DarkGray))
}
