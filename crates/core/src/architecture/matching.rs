//! What a pattern makes of one event: the detail a violation shows when it
//! matches (`calls rusqlite::Connection::execute`, `mentions Db
//! (rusqlite::Connection)`, `reaches Database through .db`), or nothing.

use super::event::{EventKind, MethodView};
use super::pattern::{CallPattern, PathPattern, strip_anchors};
use super::types::join;

/// `written (resolved)` when an alias or `Self` was followed, else `written`.
fn shown(written: &[String], resolved: &[String]) -> String {
    if strip_anchors(written) == resolved {
        join(written)
    } else {
        format!("{} ({})", join(written), join(resolved))
    }
}

/// The detail of a call that `pattern` matches, if it does. Field accesses
/// match `Type::field` and `Type::*`; `require_calls` leaves them out.
pub(crate) fn call_match(pattern: &CallPattern, event: &EventKind) -> Option<String> {
    match (pattern, event) {
        (
            CallPattern::Path(p),
            EventKind::Call {
                path,
                written,
                reference,
                method,
                ..
            },
        ) => {
            let verb = if *reference { "refers to" } else { "calls" };
            if p.matches(path) {
                return Some(format!("{verb} {}", shown(written, path)));
            }
            let view = method.as_ref()?;
            view_match(p, view).map(|full| format!("{verb} {} ({full})", join(written)))
        }
        (CallPattern::Path(p), EventKind::Method { view, .. }) => {
            if let Some(full) = view_match(p, view) {
                return Some(format!("calls {full}"));
            }
            // The receiver's type is unknown: fall back to the method name.
            let name = &view.name;
            (view.unknown && !p.is_glob() && p.segment_count() >= 2 && p.last() == name).then(
                || format!("calls .{name}(..) (receiver type unknown, matched by method name)"),
            )
        }
        (
            CallPattern::Method { name: wanted, .. },
            EventKind::Call {
                written,
                reference,
                method: Some(view),
                ..
            },
        ) if *wanted == view.name => {
            let verb = if *reference { "refers to" } else { "calls" };
            Some(format!("{verb} {}", join(written)))
        }
        (CallPattern::Method { name: wanted, .. }, EventKind::Method { view, .. })
            if *wanted == view.name =>
        {
            Some(format!("calls .{}(..)", view.name))
        }
        (CallPattern::Macro(p), EventKind::Macro { path, written }) if p.matches(path) => {
            Some(if written == path {
                format!("uses {}!", join(written))
            } else {
                format!("uses {}! ({}!)", join(written), join(path))
            })
        }
        (
            CallPattern::Path(p),
            EventKind::Field {
                owner,
                member,
                on_self: false,
                ..
            },
        ) => {
            let mut full = owner.clone();
            full.push(member.clone());
            p.matches(&full)
                .then(|| format!("uses field {}", join(&full)))
        }
        _ => None,
    }
}

/// Like [`call_match`], but never by method name alone: a method call
/// matches a `Type::method` pattern only when its receiver is known to be
/// of that type (or bounded by that trait).
pub(crate) fn typed_call_match(pattern: &CallPattern, event: &EventKind) -> Option<String> {
    let detail = call_match(pattern, event)?;
    (!detail.ends_with("(receiver type unknown, matched by method name)")).then_some(detail)
}

/// The receiver and method a path pattern matches in a method view.
fn view_match(pattern: &PathPattern, view: &MethodView) -> Option<String> {
    view.receivers.iter().find_map(|receiver| {
        let mut full = receiver.clone();
        full.push(view.name.clone());
        pattern.matches(&full).then(|| join(&full))
    })
}

/// The detail of an event that mentions or reaches a type `pattern`
/// matches, if it does: a path naming it, a field of that type or of a
/// struct of that type, a method called on a value of that type.
pub(crate) fn type_match(pattern: &PathPattern, event: &EventKind) -> Option<String> {
    match event {
        EventKind::Mention { path, written } => mention_match(pattern, path, written),
        // A call by path (`Database::select(&db)`) already mentions the type.
        EventKind::Method { view, .. } => view.receivers.iter().find_map(|receiver| {
            let name = receiver.last()?;
            pattern
                .matches(receiver)
                .then(|| format!("calls .{}(..) on a {name}", view.name))
        }),
        EventKind::Field {
            owner,
            member,
            reached,
            ..
        } => {
            let through = reached.iter().find_map(|path| {
                let k = (1..=path.len()).find(|&k| pattern.matches(&path[..k]))?;
                let name = path[..k].last()?;
                Some(format!("reaches {name} through .{member}"))
            });
            through.or_else(|| {
                let name = owner.last()?;
                pattern
                    .matches(owner)
                    .then(|| format!("reads .{member} of a {name}"))
            })
        }
        _ => None,
    }
}

fn mention_match(pattern: &PathPattern, path: &[String], written: &[String]) -> Option<String> {
    let k = (1..=path.len()).find(|&k| pattern.matches(&path[..k]))?;
    let matched = &path[..k];
    // `super::QuoteRequest` is shown as written, anchors and all.
    let anchors = written.len() - strip_anchors(written).len();
    let core = &written[anchors..];
    // An alias replaced the first written segment by `extra + 1` segments.
    let extra = path.len().saturating_sub(core.len());
    let shown_len = k.saturating_sub(extra).clamp(1, core.len().max(1));
    let written = &written[..(anchors + shown_len).min(written.len())];
    Some(format!("mentions {}", shown(written, matched)))
}
