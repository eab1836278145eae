//! The Markdown the workbook's messages and topic READMEs are written in, as
//! styled lines at a width: headings bold, paragraphs and list items reflowed to
//! the width (an author's hand wrapping at 80 columns is not wrapped again into
//! ragged lines), code blocks, tables and diagrams kept exactly as written.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::wrap::wrap;

/// Characters that mark a line as part of a drawing, to be kept as it is.
const DRAWING: &[char] = &[
    '─', '│', '┌', '┐', '└', '┘', '├', '┤', '┬', '┴', '┼', '→', '←', '↑', '↓', '▶', '◀', '═', '║',
    '╔', '╗', '╚', '╝', '▼', '▲',
];

/// `text` rendered at `width` columns.
pub fn render(text: &str, width: u16) -> Vec<Line<'static>> {
    let mut out: Vec<Line<'static>> = Vec::new();
    let mut paragraph: Option<String> = None;
    let mut in_code = false;
    let flush = |paragraph: &mut Option<String>, out: &mut Vec<Line<'static>>| {
        if let Some(text) = paragraph.take() {
            out.extend(wrap(&[inline(&text)], width));
        }
    };
    for raw in text.trim_matches('\n').lines() {
        let line = raw.trim_end();
        if line.trim_start().starts_with("```") {
            flush(&mut paragraph, &mut out);
            in_code = !in_code;
            continue;
        }
        if in_code || is_drawing(line) {
            flush(&mut paragraph, &mut out);
            out.push(Line::raw(line.to_owned()));
            continue;
        }
        if line.trim().is_empty() {
            flush(&mut paragraph, &mut out);
            if out.last().is_some_and(|l| l.width() > 0) {
                out.push(Line::default());
            }
            continue;
        }
        if let Some(heading) = heading(line) {
            flush(&mut paragraph, &mut out);
            out.push(Line::from(Span::styled(
                heading.to_owned(),
                Style::new().bold(),
            )));
            continue;
        }
        if is_item(line) {
            flush(&mut paragraph, &mut out);
            paragraph = Some(line.to_owned());
            continue;
        }
        match &mut paragraph {
            Some(text) => {
                text.push(' ');
                text.push_str(line.trim_start());
            }
            None => paragraph = Some(line.to_owned()),
        }
    }
    flush(&mut paragraph, &mut out);
    while out.last().is_some_and(|l| l.width() == 0) {
        out.pop();
    }
    out
}

/// A heading's text (`# Title` to `#### Title`).
fn heading(line: &str) -> Option<&str> {
    let rest = line.trim_start_matches('#');
    let level = line.len() - rest.len();
    ((1..=4).contains(&level) && rest.starts_with(' ')).then(|| rest.trim())
}

/// A list item: `- `, `* ` or `1. ` after any indentation.
fn is_item(line: &str) -> bool {
    let rest = line.trim_start();
    if rest.starts_with("- ") || rest.starts_with("* ") {
        return true;
    }
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && rest[digits..].starts_with(". ")
}

/// A line of a table, an indented block or a drawing: kept as it is.
fn is_drawing(line: &str) -> bool {
    line.starts_with("    ")
        || line.trim_start().starts_with('|')
        || line.chars().any(|c| DRAWING.contains(&c))
}

/// A paragraph's text with `**strong**` shown bold (the markers dropped).
fn inline(text: &str) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, part) in text.split("**").enumerate() {
        if part.is_empty() {
            continue;
        }
        if i % 2 == 1 {
            spans.push(Span::styled(part.to_owned(), Style::new().bold()));
        } else {
            spans.push(Span::raw(part.to_owned()));
        }
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[Line<'_>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn reflows_paragraphs_and_keeps_code_and_drawings() {
        let text = "# Caching\n\nA cache keeps\nanswers near the caller.\n\n```\nfn get() {}\n```\n\n  handler ──▶ cache\n\n- first item that is\n  long\n- second\n";
        assert_eq!(
            texts(&render(text, 30)),
            vec![
                "Caching",
                "",
                "A cache keeps answers near the",
                "caller.",
                "",
                "fn get() {}",
                "",
                "  handler ──▶ cache",
                "",
                "- first item that is long",
                "- second",
            ]
        );
    }

    #[test]
    fn strong_text_is_bold_without_its_markers() {
        let lines = render("Do **not** cache errors.", 40);
        assert_eq!(texts(&lines), vec!["Do not cache errors."]);
        assert_eq!(lines[0].spans[1].style, Style::new().bold());
    }
}
