//! rustc's coloured output as ratatui text: SGR colour codes become styles, every
//! other escape or control character is dropped, tabs become spaces, and very long
//! lines are cut, so nothing a program prints can garble the screen.

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

/// Longest line kept, in characters; the rest is replaced by a marker.
pub const MAX_LINE: usize = 1000;

/// Converts text with ANSI colour codes to styled lines.
pub fn lines(text: &str) -> Vec<Line<'static>> {
    text.lines().map(line).collect()
}

fn line(raw: &str) -> Line<'static> {
    let mut spans = Vec::new();
    let mut style = Style::default();
    let mut current = String::new();
    let mut count = 0usize;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            match chars.peek() {
                Some('[') => {
                    chars.next();
                    let mut params = String::new();
                    let mut end = None;
                    for c in chars.by_ref() {
                        if c.is_ascii_alphabetic() || c == '~' {
                            end = Some(c);
                            break;
                        }
                        params.push(c);
                    }
                    if end == Some('m') {
                        if !current.is_empty() {
                            spans.push(Span::styled(std::mem::take(&mut current), style));
                        }
                        style = apply_sgr(style, &params);
                    }
                }
                Some(']') => {
                    // OSC (e.g. hyperlinks): skip to BEL or ST.
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' || (c == '\u{1b}' && chars.next_if_eq(&'\\').is_some()) {
                            break;
                        }
                    }
                }
                _ => {
                    chars.next();
                }
            }
            continue;
        }
        if count >= MAX_LINE {
            current.push_str(" …(line cut)");
            break;
        }
        match c {
            '\t' => {
                current.push_str("    ");
                count += 4;
            }
            c if c.is_control() => {}
            c => {
                current.push(c);
                count += 1;
            }
        }
    }
    if !current.is_empty() {
        spans.push(Span::styled(current, style));
    }
    Line::from(spans)
}

fn apply_sgr(mut style: Style, params: &str) -> Style {
    let codes: Vec<u16> = params.split(';').map(|p| p.parse().unwrap_or(0)).collect();
    let mut i = 0;
    while i < codes.len() {
        match codes[i] {
            0 => style = Style::default(),
            1 => style = style.add_modifier(Modifier::BOLD),
            2 => style = style.add_modifier(Modifier::DIM),
            3 => style = style.add_modifier(Modifier::ITALIC),
            4 => style = style.add_modifier(Modifier::UNDERLINED),
            22 => style = style.remove_modifier(Modifier::BOLD | Modifier::DIM),
            23 => style = style.remove_modifier(Modifier::ITALIC),
            24 => style = style.remove_modifier(Modifier::UNDERLINED),
            code @ 30..=37 => style = style.fg(basic(code - 30, false)),
            code @ 90..=97 => style = style.fg(basic(code - 90, true)),
            39 => style.fg = None,
            code @ 40..=47 => style = style.bg(basic(code - 40, false)),
            code @ 100..=107 => style = style.bg(basic(code - 100, true)),
            49 => style.bg = None,
            code @ (38 | 48) => {
                let color = match codes.get(i + 1) {
                    Some(5) => {
                        let c = codes.get(i + 2).copied().unwrap_or(0);
                        i += 2;
                        Some(Color::Indexed(u8::try_from(c).unwrap_or(0)))
                    }
                    Some(2) => {
                        let part = |k: usize| {
                            u8::try_from(codes.get(i + k).copied().unwrap_or(0)).unwrap_or(0)
                        };
                        let color = Color::Rgb(part(2), part(3), part(4));
                        i += 4;
                        Some(color)
                    }
                    _ => None,
                };
                if let Some(color) = color {
                    style = if code == 38 {
                        style.fg(color)
                    } else {
                        style.bg(color)
                    };
                }
            }
            _ => {}
        }
        i += 1;
    }
    style
}

fn basic(index: u16, bright: bool) -> Color {
    match (index, bright) {
        (0, false) => Color::Black,
        (1, false) => Color::Red,
        (2, false) => Color::Green,
        (3, false) => Color::Yellow,
        (4, false) => Color::Blue,
        (5, false) => Color::Magenta,
        (6, false) => Color::Cyan,
        (7, false) => Color::Gray,
        (0, true) => Color::DarkGray,
        (1, true) => Color::LightRed,
        (2, true) => Color::LightGreen,
        (3, true) => Color::LightYellow,
        (4, true) => Color::LightBlue,
        (5, true) => Color::LightMagenta,
        (6, true) => Color::LightCyan,
        _ => Color::White,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_become_styles() {
        let lines = lines("\u{1b}[1m\u{1b}[91merror[E0308]\u{1b}[0m\u{1b}[1m: mismatched\u{1b}[0m");
        let spans = &lines[0].spans;
        assert_eq!(spans[0].content, "error[E0308]");
        assert_eq!(spans[0].style.fg, Some(Color::LightRed));
        assert!(spans[0].style.add_modifier.contains(Modifier::BOLD));
        assert_eq!(spans[1].content, ": mismatched");
        assert_eq!(spans[1].style.fg, None);
    }

    #[test]
    fn control_characters_and_other_escapes_are_dropped() {
        let lines = lines("a\u{7}b\u{1b}[2Kc\u{1b}]8;;http://x\u{7}d\te\r");
        assert_eq!(lines[0].to_string(), "abcd    e");
    }

    #[test]
    fn very_long_lines_are_cut() {
        let long = "x".repeat(5000);
        let line = &lines(&long)[0];
        assert!(line.to_string().ends_with(" …(line cut)"));
        assert!(line.width() < MAX_LINE + 20);
    }

    #[test]
    fn extended_colours_are_read() {
        let lines = lines("\u{1b}[38;5;208mo\u{1b}[38;2;1;2;3mr");
        assert_eq!(lines[0].spans[0].style.fg, Some(Color::Indexed(208)));
        assert_eq!(lines[0].spans[1].style.fg, Some(Color::Rgb(1, 2, 3)));
    }
}
