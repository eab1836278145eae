//! The cohort as CSV (RFC 4180), for a spreadsheet: one row per exercise, or one
//! per learner. Numbers are plain (seconds, percentages without a sign).

use std::io::{self, Write};

use patterns_core::cohort::Cohort;

pub fn exercises(out: &mut dyn Write, cohort: &Cohort) -> io::Result<()> {
    row(
        out,
        &[
            "topic",
            "exercise",
            "learners",
            "started",
            "done",
            "completion_percent",
            "median_attempts",
            "median_hints_revealed",
            "hints",
            "median_active_secs",
            "stuck",
        ],
    )?;
    for e in &cohort.exercises {
        let signals: Vec<&str> = e.signals.iter().map(|s| s.text()).collect();
        row(
            out,
            &[
                &e.topic,
                &e.name,
                &e.learners.to_string(),
                &e.started.to_string(),
                &e.done.to_string(),
                &number(Some(e.completion())),
                &number(e.median_attempts),
                &number(e.median_hints),
                &e.hints.to_string(),
                &number(e.median_active_secs),
                &signals.join("; "),
            ],
        )?;
    }
    Ok(())
}

pub fn learners(out: &mut dyn Write, cohort: &Cohort) -> io::Result<()> {
    row(
        out,
        &[
            "learner",
            "file",
            "track",
            "done",
            "total",
            "completion_percent",
            "active_secs",
            "current",
            "generated_at",
        ],
    )?;
    for l in &cohort.learners {
        row(
            out,
            &[
                &l.name,
                &l.path,
                l.track.as_deref().unwrap_or(""),
                &l.done.to_string(),
                &l.total.to_string(),
                &number(Some(l.completion())),
                &l.active_secs.to_string(),
                &l.current,
                &l.generated_at,
            ],
        )?;
    }
    Ok(())
}

/// A figure for a spreadsheet: empty for none.
fn number(value: Option<f64>) -> String {
    value.map_or_else(String::new, super::decimal)
}

fn row(out: &mut dyn Write, fields: &[&str]) -> io::Result<()> {
    let fields: Vec<String> = fields.iter().map(|f| quote(f)).collect();
    write!(out, "{}\r\n", fields.join(","))
}

/// A field quoted when it must be: a comma, a quote or a line break in it.
/// A leading `=`, `+`, `-` or `@` is prefixed with `'` so that a spreadsheet
/// does not run a learner's name as a formula.
fn quote(field: &str) -> String {
    let field = if field.starts_with(['=', '+', '-', '@']) {
        format!("'{field}")
    } else {
        field.to_owned()
    };
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("a, b"), "\"a, b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(number(Some(2.5)), "2.5");
        assert_eq!(number(Some(75.0)), "75");
        assert_eq!(number(None), "");
    }
}
