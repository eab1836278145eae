//! The cohort as one self-contained web page: inline style, an inline SVG chart
//! of the cohort along the path, no script and nothing fetched from a network,
//! so it opens from a shared folder or a CI artifact as it is.

use std::fmt::Write;

use patterns_core::cohort::{Cohort, ExerciseStats};

use super::{duration, figure, tracks_text};

const STYLE: &str = "
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #1d1d1f; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { margin-top: 2rem; font-size: 1.2rem; }
.summary { color: #555; }
table { border-collapse: collapse; width: 100%; } th, td { padding: .25rem .5rem; text-align: left; border-bottom: 1px solid #e4e4e7; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.topic td { background: #f4f4f5; font-weight: 600; }
tr.stuck td:first-child::before { content: '! '; color: #b45309; font-weight: 700; }
.bar { display: inline-block; width: 8rem; height: .7rem; background: #e4e4e7; vertical-align: middle; }
.bar span { display: block; height: 100%; background: #2563eb; }
.chart { overflow-x: auto; } .legend span { margin-right: 1.2rem; }
.swatch { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: -1px; }
li { margin: .2rem 0; }
";

const DONE: &str = "#2563eb";
const STARTED: &str = "#bfdbfe";
const STUCK: &str = "#b45309";

pub fn page(cohort: &Cohort) -> String {
    let mut html = String::new();
    let title = "Cohort progress";
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n<p class=\"summary\">{} learners, {} exercises, following {}. Latest export: {}.</p>\n",
        cohort.learners.len(),
        cohort.exercises.len(),
        esc(&tracks_text(cohort)),
        esc(cohort
            .learners
            .iter()
            .map(|l| l.generated_at.as_str())
            .max()
            .unwrap_or("-")),
    );

    html.push_str("<h2>Along the path</h2>\n");
    let _ = write!(
        html,
        "<p class=\"legend\"><span><i class=\"swatch\" style=\"background:{DONE}\"></i>done</span><span><i class=\"swatch\" style=\"background:{STARTED}\"></i>started, not done</span><span><i class=\"swatch\" style=\"background:{STUCK}\"></i>where learners get stuck</span></p>\n<div class=\"chart\">{}</div>\n",
        chart(&cohort.exercises)
    );

    html.push_str("<h2>Where learners get stuck</h2>\n");
    let stuck = cohort.stuck();
    if stuck.is_empty() {
        html.push_str("<p>No exercise stands out from the rest of the path.</p>\n");
    } else {
        html.push_str("<ul>\n");
        for e in stuck {
            let why: Vec<&str> = e.signals.iter().map(|s| s.text()).collect();
            let _ = writeln!(
                html,
                "<li><b>{}</b> ({}): {}; {} of {} who started it not done.</li>",
                esc(&e.name),
                esc(&e.topic_title),
                esc(&why.join(", ")),
                e.started - e.done,
                e.started
            );
        }
        html.push_str("</ul>\n");
    }

    html.push_str("<h2>Learners</h2>\n<table>\n<tr><th>Learner</th><th class=\"n\">Done</th><th>Progress</th><th class=\"n\">Active</th><th>Working on</th><th>Track</th></tr>\n");
    for l in &cohort.learners {
        let _ = writeln!(
            html,
            "<tr><td title=\"{}\">{}</td><td class=\"n\">{}/{}</td><td><span class=\"bar\"><span style=\"width:{:.0}%\"></span></span> {:.0}%</td><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(&l.path),
            esc(&l.name),
            l.done,
            l.total,
            l.completion(),
            l.completion(),
            duration(l.active_secs as f64),
            esc(&l.current),
            esc(l.track.as_deref().unwrap_or("all"))
        );
    }
    html.push_str("</table>\n");

    html.push_str("<h2>Exercises</h2>\n<p class=\"summary\">Done: of the learners whose path has it. Attempts, hints and time active: medians of the learners who worked on it.</p>\n<table>\n<tr><th>Exercise</th><th class=\"n\">Done</th><th class=\"n\">Completion</th><th class=\"n\">Attempts</th><th class=\"n\">Hints</th><th class=\"n\">Active</th><th>Stands out</th></tr>\n");
    let mut topic = None;
    for e in &cohort.exercises {
        if topic != Some(&e.topic) {
            topic = Some(&e.topic);
            let _ = writeln!(
                html,
                "<tr class=\"topic\"><td colspan=\"7\">{}</td></tr>",
                esc(&e.topic_title)
            );
        }
        let why: Vec<&str> = e.signals.iter().map(|s| s.text()).collect();
        let _ = writeln!(
            html,
            "<tr{}><td>{}</td><td class=\"n\">{}/{}</td><td class=\"n\">{:.0}%</td><td class=\"n\">{}</td><td class=\"n\">{} of {}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            if e.signals.is_empty() {
                ""
            } else {
                " class=\"stuck\""
            },
            esc(&e.name),
            e.done,
            e.learners,
            e.completion(),
            figure(e.median_attempts),
            figure(e.median_hints),
            e.hints,
            e.median_active_secs.map_or("-".to_owned(), duration),
            esc(&why.join(", "))
        );
    }
    html.push_str("</table>\n</body>\n</html>\n");
    html
}

/// The cohort along the path: per exercise a bar of the learners who started it
/// and, inside it, of those done; a mark above where learners get stuck; topic
/// names over their exercises. Hovering a bar names it (SVG `<title>`).
fn chart(exercises: &[ExerciseStats]) -> String {
    const STEP: usize = 14;
    const BAR: usize = 10;
    const TOP: usize = 44;
    const HEIGHT: usize = 160;
    const LEFT: usize = 40;
    let width = LEFT + exercises.len() * STEP + 10;
    let total_height = TOP + HEIGHT + 10;
    let y = |percent: f64| TOP as f64 + HEIGHT as f64 * (1.0 - percent / 100.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{total_height}\" viewBox=\"0 0 {width} {total_height}\" role=\"img\" aria-label=\"Completion of each exercise along the path\" font-family=\"system-ui, sans-serif\" font-size=\"11\">"
    );
    for percent in [0.0, 50.0, 100.0] {
        let right = width - 10;
        let line = y(percent);
        let label_x = LEFT - 4;
        let label_y = line + 4.0;
        let _ = write!(
            svg,
            "<line x1=\"{LEFT}\" x2=\"{right}\" y1=\"{line:.1}\" y2=\"{line:.1}\" stroke=\"#e4e4e7\"/><text x=\"{label_x}\" y=\"{label_y:.1}\" text-anchor=\"end\" fill=\"#555\">{percent:.0}%</text>"
        );
    }
    let mut topic = None;
    let mut row = 0;
    for (i, e) in exercises.iter().enumerate() {
        let x = LEFT + i * STEP;
        if topic != Some(&e.topic) {
            topic = Some(&e.topic);
            // Names alternate between two rows so that short topics do not overlap.
            row = 1 - row;
            let _ = write!(
                svg,
                "<line x1=\"{0}\" x2=\"{0}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#a1a1aa\"/><text x=\"{3}\" y=\"{4}\" fill=\"#333\">{5}</text>",
                x - 2,
                12 + row * 13,
                TOP + HEIGHT,
                x,
                12 + row * 13,
                esc(&e.topic_title)
            );
        }
        let started = if e.learners == 0 {
            0.0
        } else {
            e.started as f64 * 100.0 / e.learners as f64
        };
        let _ = write!(
            svg,
            "<g class=\"exercise\"><title>{}: {} of {} done, {} started</title><rect x=\"{x}\" y=\"{:.1}\" width=\"{BAR}\" height=\"{:.1}\" fill=\"{STARTED}\"/><rect x=\"{x}\" y=\"{:.1}\" width=\"{BAR}\" height=\"{:.1}\" fill=\"{DONE}\"/>",
            esc(&e.name),
            e.done,
            e.learners,
            e.started,
            y(started),
            (TOP + HEIGHT) as f64 - y(started),
            y(e.completion()),
            (TOP + HEIGHT) as f64 - y(e.completion()),
        );
        if !e.signals.is_empty() {
            let _ = write!(
                svg,
                "<path class=\"stuck\" d=\"M{} {} l{} 7 l-{BAR} 0 z\" fill=\"{STUCK}\"/>",
                x + BAR / 2,
                TOP - 9,
                BAR / 2
            );
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

/// Text made safe inside HTML elements and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }
}
