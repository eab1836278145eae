//! The learner's code beside the reference solution, once an exercise is done.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Text;
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::watch::ansi;
use crate::watch::model::App;

pub(super) fn draw_solution(frame: &mut Frame<'_>, app: &App, area: Rect) {
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
