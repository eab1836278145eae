//! Drawing the watch screen: pure functions of the model.
//!
//! Nothing here changes state or does I/O; each view takes `&App` and a frame, so
//! every screen is tested as a snapshot with ratatui's `TestBackend`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style, Stylize};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Gauge, Paragraph, Wrap};

use patterns_core::catalog::topic_title;
use patterns_core::describe::{self, Action, Tone};

use super::ansi;
use super::keys;
use super::model::{App, Overlay, Screen};
use patterns_core::workbook::ResetScope;

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
    let hints = hint_lines(app);
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

    draw_header(frame, app, header);
    match app.screen {
        Screen::Exercise => draw_exercise(frame, app, body),
        Screen::List => draw_list(frame, app, body),
        Screen::Solution => draw_solution(frame, app, body),
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
    draw_status(frame, app, status);
    draw_footer(frame, app, footer);
    if let Some(overlay) = &app.overlay {
        draw_overlay(frame, app, overlay, area);
    }
}

fn draw_header(frame: &mut Frame<'_>, app: &App, area: Rect) {
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
        gauge(done, total, format!("all {done}/{total}")),
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

fn draw_exercise(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let [banner, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    draw_banner(frame, app, banner);

    let mut lines = verdict_lines(app);
    if app.is_refreshing() && app.verdict.is_some() {
        for line in &mut lines {
            line.style = line.style.add_modifier(Modifier::DIM);
        }
    }
    let body = rest.inner(ratatui::layout::Margin::new(1, 0));
    let scroll = clamp_scroll(&lines, body, app.scroll);
    frame.render_widget(
        Paragraph::new(Text::from(lines))
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        body,
    );
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

fn draw_banner(frame: &mut Frame<'_>, app: &App, area: Rect) {
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
        failing(verdict.headline())
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn failing(text: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(" ✗ ", Style::new().bold().fg(Color::Black).bg(BAD)),
        Span::styled(format!(" {text}"), Style::new().fg(BAD).bold()),
    ])
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

/// The most of one hint the panel shows; an author's runaway hint must not make
/// every frame slow.
const HINT_SHOWN: usize = 16 * 1024;

fn hint_lines(app: &App) -> Vec<Line<'static>> {
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

fn draw_list(frame: &mut Frame<'_>, app: &App, area: Rect) {
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

fn draw_solution(frame: &mut Frame<'_>, app: &App, area: Rect) {
    let Some((_, mine, solution)) = &app.solution else {
        return;
    };
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    for (text, title, rect) in [
        (mine, " your code ", left),
        (solution, " reference solution ", right),
    ] {
        let lines = ansi::lines(text);
        let block = Block::new()
            .borders(Borders::TOP | Borders::LEFT)
            .title(title);
        let inner = block.inner(rect);
        // Code is not wrapped: long lines are cut at the edge, as in an editor.
        let max = lines.len().saturating_sub(usize::from(inner.height));
        let scroll = u16::try_from(max).unwrap_or(u16::MAX).min(app.scroll);
        frame.render_widget(block, rect);
        frame.render_widget(Paragraph::new(Text::from(lines)).scroll((scroll, 0)), inner);
    }
}

fn draw_status(frame: &mut Frame<'_>, app: &App, area: Rect) {
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

fn draw_footer(frame: &mut Frame<'_>, app: &App, area: Rect) {
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

fn draw_overlay(frame: &mut Frame<'_>, app: &App, overlay: &Overlay, area: Rect) {
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
