//! The learner's code against the reference solution, once an exercise is done:
//! one column the width of the screen, the two files aligned as a diff, so that
//! what differs is what stands out.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use similar::{ChangeTag, TextDiff};

use super::{BAD, GOOD, scrolled};
use crate::watch::model::{App, Viewport};

pub(super) fn draw_solution(frame: &mut Frame<'_>, app: &App, area: Rect) -> Viewport {
    let Some((_, mine, solution)) = &app.solution else {
        return Viewport::default();
    };
    let [legend, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    frame.render_widget(
        Line::from(if mine == solution {
            vec![Span::styled(
                " Your code is the reference solution, letter for letter.",
                Style::new().fg(GOOD).bold(),
            )]
        } else {
            vec![
                Span::styled(
                    " Your code and the reference solution: ",
                    Style::new().bold(),
                ),
                Span::styled("- only yours", Style::new().fg(BAD)),
                Span::raw("  "),
                Span::styled("+ only the solution's", Style::new().fg(GOOD)),
            ]
        }),
        legend,
    );
    // Code is not wrapped: long lines are cut at the edge, as in an editor.
    scrolled(frame, diff_lines(mine, solution), body, app.scroll)
}

/// The two texts as one, line by line: common lines as they are, the learner's
/// own marked `-`, the solution's own marked `+`.
fn diff_lines(mine: &str, solution: &str) -> Vec<Line<'static>> {
    TextDiff::from_lines(mine, solution)
        .iter_all_changes()
        .map(|change| {
            let text = change.value().trim_end_matches('\n').replace('\t', "    ");
            match change.tag() {
                ChangeTag::Equal => {
                    Line::from(Span::styled(format!("  {text}"), Style::new().dim()))
                }
                ChangeTag::Delete => {
                    Line::from(Span::styled(format!("- {text}"), Style::new().fg(BAD)))
                }
                ChangeTag::Insert => {
                    Line::from(Span::styled(format!("+ {text}"), Style::new().fg(GOOD)))
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::diff_lines;

    #[test]
    fn the_two_files_line_up_as_a_diff() {
        let lines: Vec<String> = diff_lines("a\nb\nc\n", "a\nB\nc\n")
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        assert_eq!(lines, vec!["  a", "- b", "+ B", "  c"]);
    }
}
