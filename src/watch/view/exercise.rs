//! The exercise screen: the verdict banner, then the verdict itself (the core's
//! description of it), scrollable.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Gauge, Paragraph};

use patterns_core::describe::{self, Action, Tone};

use super::wrap::wrap;
use super::{BAD, BUSY, GOOD, scrolled};
use crate::watch::ansi;
use crate::watch::model::{App, Viewport};

pub(super) fn draw_exercise(frame: &mut Frame<'_>, app: &App, area: Rect) -> Viewport {
    let [banner, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    draw_banner(frame, app, banner);

    let mut lines = verdict_lines(app);
    if app.is_refreshing() && app.verdict.is_some() {
        for line in &mut lines {
            line.style = line.style.add_modifier(Modifier::DIM);
        }
    }
    let body = rest.inner(ratatui::layout::Margin::new(1, 0));
    scrolled(frame, wrap(&lines, body.width), body, app.scroll)
}

pub(super) fn draw_banner(frame: &mut Frame<'_>, app: &App, area: Rect) {
    if let Some(running) = &app.running {
        if let Some(build) = running.build.as_ref().filter(|b| b.total > 0) {
            let label = format!(
                "Building {}/{}{}",
                build.done,
                build.total,
                if build.current.is_empty() {
                    String::new()
                } else {
                    format!(": {}", build.current)
                }
            );
            frame.render_widget(
                Gauge::default()
                    .ratio((build.done as f64 / build.total as f64).clamp(0.0, 1.0))
                    .label(label)
                    .gauge_style(Style::new().fg(BUSY).bg(Color::DarkGray)),
                area,
            );
            return;
        }
        let text = if app.verdict.is_some() {
            "⟳ checking your latest save… (the result below is from the previous one)"
        } else {
            "⟳ checking…"
        };
        frame.render_widget(Paragraph::new(text).fg(BUSY).bold(), area);
        return;
    }
    let Some(verdict) = &app.verdict else {
        let text = if app.manual {
            "press r to check"
        } else {
            "waiting for the first check"
        };
        frame.render_widget(Paragraph::new(text).dim(), area);
        return;
    };
    let line = if verdict.is_done() {
        Line::from(vec![
            Span::styled(" ✓ DONE ", Style::new().bold().fg(Color::Black).bg(GOOD)),
            Span::styled(
                "  n: next exercise   s: compare with the solution",
                Style::new().fg(GOOD).bold(),
            ),
        ])
    } else {
        // The banner's row: " ✗  " takes 4 columns.
        failing(shorten_paths(
            &verdict.headline(),
            usize::from(area.width).saturating_sub(4),
        ))
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn failing(text: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(" ✗ ", Style::new().bold().fg(Color::Black).bg(BAD)),
        Span::styled(format!(" {text}"), Style::new().fg(BAD).bold()),
    ])
}

/// `text` made to fit `width` columns by shortening the folders of the paths in
/// it (`exercises/03_services/x.rs:297:48` becomes `…/x.rs:297:48`), never the
/// file's name or the line and column.
fn shorten_paths(text: &str, width: usize) -> String {
    let mut words: Vec<String> = text.split(' ').map(str::to_owned).collect();
    let fits = |words: &[String]| words.join(" ").chars().count() <= width;
    for i in (0..words.len()).rev() {
        if fits(&words) {
            break;
        }
        if let Some(slash) = words[i].rfind('/') {
            words[i] = format!("…{}", &words[i][slash..]);
        }
    }
    let shortened = words.join(" ");
    if shortened.chars().count() <= width {
        return shortened;
    }
    let mut cut: String = shortened.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The verdict as lines: the exercise's file, then the core's description of the
/// verdict (see `patterns_core::describe`).
pub fn verdict_lines(app: &App) -> Vec<Line<'static>> {
    let mut lines: Vec<Line<'static>> = Vec::new();
    let exercise = app.exercise();
    lines.push(Line::from(Span::styled(
        exercise.path().display().to_string(),
        Style::new().dim(),
    )));
    let Some(verdict) = app.verdict.as_ref().filter(|v| v.exercise == exercise.name) else {
        return lines;
    };
    for line in describe::verdict(verdict) {
        match line {
            describe::Line::Text(pieces) => lines.push(Line::from(
                pieces
                    .into_iter()
                    .map(|p| Span::styled(p.text, style(p.tone)))
                    .collect::<Vec<_>>(),
            )),
            describe::Line::Compiler(text) | describe::Line::Program(text) => {
                lines.extend(ansi::lines(&text));
            }
            describe::Line::Action(action) => lines.push(Line::from(vec![
                Span::styled(
                    match action {
                        Action::RestoreTests => " t ",
                    },
                    Style::new().reversed(),
                ),
                Span::raw(format!(" {}", action.text())),
            ])),
            describe::Line::Blank => lines.push(Line::default()),
        }
    }
    lines
}

/// The screen's colours for the core's tones.
fn style(tone: Tone) -> Style {
    match tone {
        Tone::Plain => Style::new(),
        Tone::Good => Style::new().fg(GOOD).bold(),
        Tone::Bad => Style::new().fg(BAD).bold(),
        Tone::Warn => Style::new().fg(BUSY).bold(),
        Tone::Dim => Style::new().dim(),
        Tone::Strong => Style::new().bold(),
    }
}

#[cfg(test)]
mod tests {
    use super::shorten_paths;

    #[test]
    fn a_location_keeps_its_file_line_and_column() {
        let headline =
            "does not compile: first error at exercises/03_services/generics_vs_dyn.rs:297:48";
        assert_eq!(shorten_paths(headline, 200), headline);
        assert_eq!(
            shorten_paths(headline, 60),
            "does not compile: first error at …/generics_vs_dyn.rs:297:48"
        );
        assert_eq!(shorten_paths(headline, 20), "does not compile: f…");
    }
}
