//! Problems in `info.toml`, each with its place in the file, all reported at once
//! as `info.toml:LINE:COL: what is wrong; how to fix it`.

use std::fmt;
use std::ops::Range;

use super::INFO_FILE;

/// Everything wrong with an `info.toml`, each problem with its place in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CatalogError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}

/// One problem in `info.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{INFO_FILE}:{}:{}: {}",
            self.line, self.column, self.message
        )
    }
}

/// Collects problems (and warnings) with their positions in the source text.
pub(super) struct Problems<'a> {
    pub(super) text: &'a str,
    list: Vec<Problem>,
    warnings: Vec<Problem>,
}

impl<'a> Problems<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Problems {
            text,
            list: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn place(&self, span: &Range<usize>, message: impl Into<String>) -> Problem {
        let (line, column) = line_column(self.text, span.start);
        Problem {
            line,
            column,
            message: message.into(),
        }
    }

    /// A problem that keeps the catalog from loading.
    pub(super) fn at(&mut self, span: Range<usize>, message: impl Into<String>) {
        let problem = self.place(&span, message);
        self.list.push(problem);
    }

    /// Something the catalog loads despite (rustlings accepts it), to be said.
    pub(super) fn warn(&mut self, span: Range<usize>, message: impl Into<String>) {
        let problem = self.place(&span, message);
        self.warnings.push(problem);
    }

    /// A problem in a strict catalog, a warning in another.
    pub(super) fn by(&mut self, strict: bool, span: Range<usize>, message: impl Into<String>) {
        if strict {
            self.at(span, message);
        } else {
            self.warn(span, message);
        }
    }

    /// The warnings, in the order of the file.
    pub(super) fn take_warnings(&mut self) -> Vec<Problem> {
        let mut warnings = std::mem::take(&mut self.warnings);
        warnings.sort_by_key(|p| (p.line, p.column));
        warnings
    }

    pub(super) fn finish(self) -> Result<(), CatalogError> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(self.into_error())
        }
    }

    pub(super) fn into_error(mut self) -> CatalogError {
        self.list.sort_by_key(|p| (p.line, p.column));
        CatalogError {
            problems: self.list,
        }
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

pub(super) fn first_line(message: &str) -> &str {
    message
        .lines()
        .next()
        .unwrap_or(message)
        .trim_end_matches('.')
}
