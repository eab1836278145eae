//! What each key's action does to the model (the key table is `watch::keys`).

use std::time::SystemTime;

use patterns_core::workbook::ResetScope;

use super::{App, Effect, Overlay, Screen};
use crate::watch::keys::Action;

impl App {
    /// The scroll offset the scrolling keys move: the overlay's when one is open.
    pub(super) fn scroll_target(&mut self) -> &mut u16 {
        if self.overlay.is_some() {
            &mut self.overlay_scroll
        } else {
            &mut self.scroll
        }
    }

    /// Scrolls by `lines`, within what the last frame could show.
    pub(super) fn scroll_by(&mut self, lines: i32) {
        let max = i32::from(self.viewport.max_scroll);
        let scroll = self.scroll_target();
        let next = (i32::from(*scroll) + lines).clamp(0, max);
        *scroll = u16::try_from(next).unwrap_or(0);
    }

    /// A page: the rows shown, less two for context.
    fn page(&self) -> i32 {
        i32::from(self.viewport.rows.saturating_sub(2).max(1))
    }

    pub(super) fn act(
        &mut self,
        action: Action,
        now: SystemTime,
        intro: &dyn Fn(&str) -> Option<String>,
    ) -> Vec<Effect> {
        match action {
            Action::Quit => self.quit(),
            Action::Help => {
                self.overlay_scroll = 0;
                self.overlay = Some(Overlay::Help);
                Vec::new()
            }
            Action::TopicIntro => {
                let topic = self.exercise().topic().to_owned();
                self.introduce(topic, intro);
                Vec::new()
            }
            Action::Close => {
                match self.overlay.take() {
                    Some(Overlay::Welcome) => {
                        self.session.progress.welcomed = true;
                        self.maybe_introduce(intro);
                        return vec![Effect::SaveProgress];
                    }
                    Some(Overlay::TopicIntro { topic, .. }) => {
                        if self.session.progress.topics_introduced.contains(&topic) {
                            return Vec::new();
                        }
                        self.session.progress.topics_introduced.push(topic);
                        return vec![Effect::SaveProgress];
                    }
                    Some(_) => {}
                    None => {
                        self.screen = Screen::Exercise;
                        self.list.searching = false;
                    }
                }
                Vec::new()
            }
            Action::Next => {
                if !self.is_done() {
                    self.notice = Some("finish this exercise first (h for a hint)".to_owned());
                    return Vec::new();
                }
                let next = self
                    .session
                    .next_pending(&self.exercise().name)
                    .and_then(|e| self.session.catalog.position(&e.name));
                match next {
                    Some(index) => self.go_to(index, intro),
                    None => {
                        self.checking_all = Some("checking every exercise...".to_owned());
                        vec![Effect::CheckAll]
                    }
                }
            }
            Action::Hint => {
                let name = self.exercise().name.clone();
                let shown = self.hints_revealed();
                let opening = self.overlay != Some(Overlay::Hints);
                self.overlay = Some(Overlay::Hints);
                self.overlay_scroll = 0;
                if shown == self.exercise().hints.len() {
                    // Opening them again shows them; asking for one more says so.
                    if !opening || shown == 0 {
                        self.notice = Some("that was the last hint".to_owned());
                    }
                    return Vec::new();
                }
                if opening && shown > 0 {
                    return Vec::new(); // read again what was revealed
                }
                if self.session.is_done(&name) {
                    // After the exercise is done, a hint is reading, not help.
                    self.hints_after_done = shown + 1;
                    Vec::new()
                } else {
                    // The next level always exists here.
                    let _ = self.session.reveal_hint(&name, None, now);
                    vec![Effect::SaveProgress]
                }
            }
            Action::Solution => {
                if self.is_done() {
                    vec![Effect::LoadSolution(self.exercise().name.clone())]
                } else {
                    self.notice = Some("the solution opens once the exercise is done".to_owned());
                    Vec::new()
                }
            }
            Action::List => {
                self.screen = Screen::List;
                self.list.selected = self.current;
                Vec::new()
            }
            Action::CheckAll => {
                if self.checking_all.is_some() {
                    return Vec::new();
                }
                self.all_results.clear();
                self.checking_all = Some("checking every exercise...".to_owned());
                vec![Effect::CheckAll]
            }
            Action::Rerun => self.check_current(),
            Action::Reset | Action::RestoreTests => {
                self.overlay = Some(Overlay::ConfirmReset {
                    name: self.exercise().name.clone(),
                    scope: if action == Action::Reset {
                        ResetScope::Exercise
                    } else {
                        ResetScope::Tests
                    },
                });
                Vec::new()
            }
            Action::Confirm => match self.overlay.take() {
                Some(Overlay::ConfirmReset { name, scope }) => vec![Effect::Reset { name, scope }],
                other => {
                    self.overlay = other;
                    Vec::new()
                }
            },
            Action::ScrollDown => {
                self.scroll_by(1);
                Vec::new()
            }
            Action::ScrollUp => {
                self.scroll_by(-1);
                Vec::new()
            }
            Action::PageDown => {
                self.scroll_by(self.page());
                Vec::new()
            }
            Action::PageUp => {
                self.scroll_by(-self.page());
                Vec::new()
            }
            Action::Top => {
                *self.scroll_target() = 0;
                Vec::new()
            }
            Action::Bottom => {
                let max = self.viewport.max_scroll;
                *self.scroll_target() = max;
                Vec::new()
            }
            Action::ListDown | Action::ListUp => {
                let visible = self.visible();
                if let Some(at) = visible.iter().position(|&i| i == self.list.selected) {
                    let next = if action == Action::ListDown {
                        (at + 1).min(visible.len() - 1)
                    } else {
                        at.saturating_sub(1)
                    };
                    self.list.selected = visible[next];
                } else if let Some(&first) = visible.first() {
                    self.list.selected = first;
                }
                Vec::new()
            }
            Action::ListOpen => {
                if self.visible().contains(&self.list.selected) {
                    self.list.searching = false;
                    self.go_to(self.list.selected, intro)
                } else {
                    Vec::new()
                }
            }
            Action::ListReset => {
                if self.visible().contains(&self.list.selected) {
                    let name = self.session.catalog.exercises[self.list.selected]
                        .name
                        .clone();
                    self.overlay = Some(Overlay::ConfirmReset {
                        name,
                        scope: ResetScope::Exercise,
                    });
                }
                Vec::new()
            }
            Action::ListFilter => {
                self.list.filter = self.list.filter.next();
                self.keep_selection_visible();
                Vec::new()
            }
            Action::SearchStart => {
                // `/` starts a new search, as in less and vim.
                self.list.searching = true;
                self.list.search.clear();
                Vec::new()
            }
            Action::SearchChar(c) => {
                self.list.search.push(c);
                self.select_best_match();
                Vec::new()
            }
            Action::SearchBackspace => {
                self.list.search.pop();
                self.select_best_match();
                Vec::new()
            }
            Action::SearchDone => {
                self.list.searching = false;
                Vec::new()
            }
            Action::SearchClear => {
                self.list.search.clear();
                self.list.searching = false;
                self.keep_selection_visible();
                Vec::new()
            }
        }
    }

    /// While searching, the best match is the one Enter opens.
    fn select_best_match(&mut self) {
        match self.visible().first() {
            Some(&best) if !self.list.search.is_empty() => self.list.selected = best,
            _ => self.keep_selection_visible(),
        }
    }

    fn keep_selection_visible(&mut self) {
        let visible = self.visible();
        if !visible.contains(&self.list.selected)
            && let Some(&first) = visible.first()
        {
            self.list.selected = first;
        }
    }
}
