//! The first small language an instructor writes inside a check: *patterns*
//! (what a rule looks for: `Connection::execute`, `*.query`, `std::fs::*`,
//! `println!`, `HashMap`); `target` holds the second, where it looks.
//!
//! Both are parsed once, when info.toml is loaded, so that a typo is a catalog
//! error with a fix and never a check that silently matches nothing. Matching
//! works on paths that `index` has already resolved through `use` aliases;
//! this module never looks at a syntax tree.

use std::fmt;

/// Leading segments that only say where a path starts (`crate::`, `self::`,
/// `super::`). They are dropped from patterns and from resolved paths alike,
/// so `crate::infra::*` and `infra::*` mean the same thing.
pub(crate) const ANCHORS: [&str; 3] = ["crate", "self", "super"];

/// Which field a pattern came from; it decides which forms are allowed and how
/// an error explains the fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PatternField {
    Calls,
    /// The path of a `calls` entry that ends in `!`.
    Macro,
    Types,
    Type,
    Trait,
}

impl PatternField {
    pub(crate) fn name(self) -> &'static str {
        match self {
            PatternField::Calls | PatternField::Macro => "calls",
            PatternField::Types => "types",
            PatternField::Type => "type",
            PatternField::Trait => "trait",
        }
    }

    fn example(self) -> &'static str {
        match self {
            PatternField::Calls => {
                "\"Connection::execute\", \"*.query\", \"std::fs::*\" or \"println!\""
            }
            PatternField::Macro => "\"println!\" or \"tracing::info!\"",
            PatternField::Types => "\"HashMap\" or \"axum::*\"",
            PatternField::Type => "\"InMemoryUsers\"",
            PatternField::Trait => "\"UserRepository\"",
        }
    }

    fn allows_glob(self) -> bool {
        matches!(self, PatternField::Calls | PatternField::Types)
    }
}

/// A path such as `rusqlite::Connection` or `std::fs::*`.
///
/// Without a glob it matches any path that *ends* with its segments, so
/// `Connection::open` matches `rusqlite::Connection::open`. With a trailing
/// `*` it matches anything *under* its segments, wherever they occur:
/// `std::fs::*` matches `std::fs::write` and `std::fs::File::open`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PathPattern {
    text: String,
    segments: Vec<String>,
    glob: bool,
}

impl PathPattern {
    /// Parses `text` as written in `field`; the error is the reason only, the
    /// caller adds which pattern and field it was.
    pub(crate) fn parse(text: &str, field: PatternField) -> Result<PathPattern, String> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(format!(
                "the pattern is empty; write a path such as {}",
                field.example()
            ));
        }
        if trimmed.contains('<') || trimmed.contains('>') {
            let base = trimmed.split('<').next().unwrap_or_default();
            return Err(format!(
                "generic arguments are not matched; drop them and write \"{base}\""
            ));
        }
        if trimmed.contains('(') || trimmed.contains(')') {
            let base: String = trimmed.chars().filter(|c| !"()".contains(*c)).collect();
            return Err(format!("drop the parentheses and write \"{base}\""));
        }
        if let Some(reason) = dot_or_bang_reason(trimmed, field) {
            return Err(reason);
        }
        let body = trimmed.strip_prefix("::").unwrap_or(trimmed);
        let raw: Vec<&str> = body.split("::").collect();
        let count = raw.len();
        let mut segments = Vec::with_capacity(count);
        let mut glob = false;
        for (i, segment) in raw.iter().enumerate() {
            let last = i + 1 == count;
            if segment.is_empty() {
                return Err(if last {
                    let base = body.trim_end_matches(':');
                    if field.allows_glob() {
                        format!(
                            "a path cannot end with \"::\"; write \"{base}::*\" to match everything under {base}, or \"{base}\" for {base} itself"
                        )
                    } else {
                        format!("a path cannot end with \"::\"; write \"{base}\"")
                    }
                } else {
                    "a path cannot have an empty segment between \"::\"".to_string()
                });
            }
            if *segment == "*" && last && field.allows_glob() {
                glob = true;
                continue;
            }
            if segment.contains('*') {
                return Err(if field.allows_glob() {
                    "\"*\" may only stand alone as the last segment, as in \"std::fs::*\"; \
                     for any method of one name write \"*.name\""
                        .to_string()
                } else {
                    format!(
                        "\"*\" is not allowed in {}; name one item, such as {}",
                        field.name(),
                        field.example()
                    )
                });
            }
            if !is_identifier(segment) {
                return Err(format!("\"{segment}\" is not a Rust identifier"));
            }
            segments.push((*segment).to_string());
        }
        let anchors = segments
            .iter()
            .take_while(|s| ANCHORS.contains(&s.as_str()))
            .count();
        segments.drain(..anchors);
        if segments.is_empty() {
            return Err(if glob {
                format!(
                    "\"{trimmed}\" would match every path; name a module or type before \"*\", as in \"std::fs::*\""
                )
            } else {
                format!("name an item after \"{trimmed}\"")
            });
        }
        Ok(PathPattern {
            text: trimmed.to_string(),
            segments,
            glob,
        })
    }

    /// The pattern as the instructor wrote it.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    pub(crate) fn is_glob(&self) -> bool {
        self.glob
    }

    /// The last named segment (`execute` in `Connection::execute`).
    pub(crate) fn last(&self) -> &str {
        self.segments.last().map_or("", String::as_str)
    }

    pub(crate) fn segment_count(&self) -> usize {
        self.segments.len()
    }

    /// Whether a resolved path is matched by this pattern (see the type docs).
    pub(crate) fn matches(&self, path: &[String]) -> bool {
        let path = strip_anchors(path);
        let n = self.segments.len();
        if self.glob {
            path.len() > n && (0..path.len() - n).any(|i| path[i..i + n] == self.segments[..])
        } else {
            path.ends_with(&self.segments)
        }
    }
}

impl fmt::Display for PathPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Explains a `.` or `!` that does not belong in the field, if there is one.
fn dot_or_bang_reason(text: &str, field: PatternField) -> Option<String> {
    let has_dot = text.contains('.');
    let has_bang = text.contains('!');
    if !has_dot && !has_bang {
        return None;
    }
    if field == PatternField::Macro {
        return Some(format!(
            "a macro pattern is a path followed by one \"!\", such as {}",
            field.example()
        ));
    }
    if field != PatternField::Calls {
        let what = if has_bang { "macros" } else { "method calls" };
        return Some(format!(
            "{} names paths, not {what}; write a path such as {}",
            field.name(),
            field.example()
        ));
    }
    if has_dot {
        let method = text.rsplit('.').next().unwrap_or_default();
        let owner = text.split('.').next().unwrap_or_default();
        return Some(format!(
            "\".\" is only allowed right after \"*\"; write \"{owner}::{method}\" for the method of a type or \"*.{method}\" for any method named {method}"
        ));
    }
    Some(format!(
        "\"!\" may only end a macro pattern, as in \"println!\"; found it inside \"{text}\""
    ))
}

/// What a `calls` entry looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallPattern {
    /// A function or associated function by path, also a method call whose
    /// receiver type is known (`conn.execute()` with `conn: Connection`).
    Path(PathPattern),
    /// `*.name`: any method call named `name`, whatever the receiver.
    Method { text: String, name: String },
    /// `name!` or `path::name!`: a macro invocation.
    Macro(PathPattern),
}

impl CallPattern {
    pub(crate) fn parse(text: &str) -> Result<CallPattern, String> {
        let trimmed = text.trim();
        if let Some(name) = trimmed.strip_prefix("*.") {
            return if is_identifier(name) {
                Ok(CallPattern::Method {
                    text: trimmed.to_string(),
                    name: name.to_string(),
                })
            } else if let Some(bare) = name.strip_suffix("()") {
                Err(format!("drop the parentheses and write \"*.{bare}\""))
            } else {
                Err(format!(
                    "after \"*.\" write one method name, as in \"*.query\"; \"{name}\" is not a Rust identifier"
                ))
            };
        }
        if let Some(body) = trimmed.strip_suffix('!') {
            if body.contains('*') {
                return Err(
                    "a macro pattern names one macro, as in \"println!\"; \"*\" is not allowed"
                        .to_string(),
                );
            }
            let path = PathPattern::parse(body, PatternField::Macro)?;
            return Ok(CallPattern::Macro(PathPattern {
                text: trimmed.to_string(),
                ..path
            }));
        }
        PathPattern::parse(trimmed, PatternField::Calls).map(CallPattern::Path)
    }

    pub(crate) fn text(&self) -> &str {
        match self {
            CallPattern::Path(p) | CallPattern::Macro(p) => p.text(),
            CallPattern::Method { text, .. } => text,
        }
    }
}

/// `[A-Za-z_][A-Za-z0-9_]*` (any alphabetic character), not `_` alone;
/// a raw identifier prefix `r#` is accepted.
pub(crate) fn is_identifier(text: &str) -> bool {
    let text = text.strip_prefix("r#").unwrap_or(text);
    let mut chars = text.chars();
    match chars.next() {
        Some(c) if c.is_alphabetic() || c == '_' => {}
        _ => return false,
    }
    text != "_" && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// Drops `crate::`, `self::` and `super::` from the front of a path.
pub(crate) fn strip_anchors(path: &[String]) -> &[String] {
    let n = path
        .iter()
        .take_while(|s| ANCHORS.contains(&s.as_str()))
        .count();
    &path[n..]
}
