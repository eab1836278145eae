//! Wrapping styled lines to a width ourselves, rather than leaving it to the
//! paragraph widget: a wrapped line goes on under its own indentation (and after
//! a list or test marker), so a long test message or hint stays readable, and
//! the view knows exactly how many rows the text takes (for scrolling to its end).

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Markers after which wrapped text is indented: list bullets, test and check
/// marks, numbered hints.
const MARKERS: &[&str] = &["- ", "* ", "• ", "✓ ", "✗ ", "… ", "⟳ "];

/// `lines` wrapped at `width` columns, at spaces where a line has them.
pub fn wrap(lines: &[Line<'static>], width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width.max(1));
    let mut out = Vec::new();
    for line in lines {
        wrap_line(line, width, &mut out);
    }
    out
}

fn wrap_line(line: &Line<'static>, width: usize, out: &mut Vec<Line<'static>>) {
    if line.width() <= width {
        out.push(line.clone());
        return;
    }
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let indent = hanging_indent(&text).min(width / 2);
    // Each character with its style (spans merged back when a row is built).
    let chars: Vec<(char, Style)> = line
        .spans
        .iter()
        .flat_map(|span| {
            let style = line.style.patch(span.style);
            span.content.chars().map(move |c| (c, style))
        })
        .collect();
    let mut start = 0;
    let mut first = true;
    while start < chars.len() {
        let room = if first { width } else { width - indent };
        // Skip the spaces a wrap lands on.
        if !first {
            while start < chars.len() && chars[start].0 == ' ' {
                start += 1;
            }
            if start == chars.len() {
                break;
            }
        }
        let mut used = 0;
        let mut end = start;
        let mut last_space = None;
        while end < chars.len() {
            let w = chars[end].0.width().unwrap_or(0);
            if used + w > room {
                break;
            }
            if chars[end].0 == ' ' {
                last_space = Some(end);
            }
            used += w;
            end += 1;
        }
        // Break at the last space that fits, unless the row is full right before
        // a space; never inside the hanging indent (a marker stays with its text).
        let floor = if first { start + indent } else { start };
        if end < chars.len()
            && chars[end].0 != ' '
            && let Some(space) = last_space.filter(|&s| s > floor)
        {
            end = space;
        }
        if end == start {
            end = start + 1; // a character wider than the room: show it anyway
        }
        let mut spans = Vec::new();
        if !first {
            spans.push(Span::raw(" ".repeat(indent)));
        }
        spans.extend(runs(&chars[start..end]));
        out.push(Line::from(spans));
        start = end;
        first = false;
    }
}

/// The columns a wrapped continuation starts at: the line's leading spaces, then
/// a marker's width if one follows.
fn hanging_indent(text: &str) -> usize {
    let rest = text.trim_start_matches(' ');
    let spaces = text.len() - rest.len();
    let marker = MARKERS
        .iter()
        .find(|m| rest.starts_with(*m))
        .map(|m| m.width())
        .or_else(|| {
            // A numbered item: "1. ", "12. "
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            (digits > 0 && rest[digits..].starts_with(". ")).then_some(digits + 2)
        })
        .unwrap_or(0);
    spaces + marker
}

/// Consecutive characters of one style as spans.
fn runs(chars: &[(char, Style)]) -> Vec<Span<'static>> {
    let mut spans: Vec<Span<'static>> = Vec::new();
    for &(c, style) in chars {
        match spans.last_mut() {
            Some(span) if span.style == style => span.content.to_mut().push(c),
            _ => spans.push(Span::styled(c.to_string(), style)),
        }
    }
    spans
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
    fn wraps_at_spaces_under_the_lines_own_indentation() {
        let lines = vec![Line::raw(
            "      assertion failed: the cache must serve the stored value",
        )];
        assert_eq!(
            texts(&wrap(&lines, 30)),
            vec![
                "      assertion failed: the",
                "      cache must serve the",
                "      stored value"
            ]
        );
    }

    #[test]
    fn continues_after_a_marker_and_splits_a_word_too_long() {
        let lines = vec![
            Line::raw("  ✗ a_very_long_test_name_that_does_not_fit"),
            Line::raw("2. Take the request apart first"),
        ];
        assert_eq!(
            texts(&wrap(&lines, 20)),
            vec![
                "  ✗ a_very_long_test",
                "    _name_that_does_",
                "    not_fit",
                "2. Take the request",
                "   apart first"
            ]
        );
    }

    #[test]
    fn keeps_styles_and_short_lines_as_they_are() {
        let styled = Line::from(vec![
            Span::styled("error", Style::new().bold()),
            Span::raw(": one two three"),
        ]);
        let wrapped = wrap(std::slice::from_ref(&styled), 11);
        assert_eq!(texts(&wrapped), vec!["error: one", "two three"]);
        assert_eq!(wrapped[0].spans[0].style, Style::new().bold());
        assert_eq!(wrap(std::slice::from_ref(&styled), 40), vec![styled]);
    }
}
