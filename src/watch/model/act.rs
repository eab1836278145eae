//! What each key's action does to the model (the key table is `watch::keys`).

use std::time::SystemTime;

use patterns_core::workbook::ResetScope;

use super::{App, Effect, Overlay, Screen};
use crate::watch::keys::Action;

impl App {
    pub(super) fn scroll_by(&mut self, lines: i32) {
        let next = (i32::from(self.scroll) + lines).clamp(0, i32::from(u16::MAX));
        self.scroll = u16::try_from(next).unwrap_or(0);
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
                self.overlay = Some(Overlay::Help);
                Vec::new()
            }
            Action::Close => {
                match self.overlay.take() {
                    Some(Overlay::Welcome) => {
                        self.session.progress.welcomed = true;
                        self.scroll = 0;
                        self.maybe_introduce(intro);
                        return vec![Effect::SaveProgress];
                    }
                    Some(Overlay::TopicIntro { topic, .. }) => {
                        self.session.progress.topics_introduced.push(topic);
                        self.scroll = 0;
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
                if self.hints_revealed() < self.exercise().hints.len() {
                    // The next level always exists here.
                    let _ = self.session.reveal_hint(&name, None, now);
                    vec![Effect::SaveProgress]
                } else {
                    self.notice = Some("that was the last hint".to_owned());
                    Vec::new()
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
                self.scroll_by(10);
                Vec::new()
            }
            Action::PageUp => {
                self.scroll_by(-10);
                Vec::new()
            }
            Action::Top => {
                self.scroll = 0;
                Vec::new()
            }
            Action::Bottom => {
                self.scroll = u16::MAX;
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
                self.keep_selection_visible();
                Vec::new()
            }
            Action::SearchBackspace => {
                self.list.search.pop();
                self.keep_selection_visible();
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

    fn keep_selection_visible(&mut self) {
        let visible = self.visible();
        if !visible.contains(&self.list.selected)
            && let Some(&first) = visible.first()
        {
            self.list.selected = first;
        }
    }
}
