//! The terminal, borrowed for the watch screen and given back on every way out
//! (return, error, panic; signals end the loop, which returns), and the thread
//! that turns keys, the mouse wheel and resizes into messages.

use std::io;
use std::sync::mpsc::Sender;

use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event, MouseEventKind};
use crossterm::execute;
use ratatui::DefaultTerminal;

use super::model::Msg;

/// Raw mode, the alternate screen and mouse reporting (for the wheel), undone on
/// drop and on panic. ratatui's `try_init` and `restore` do the screen; the mouse
/// is ours to give back.
pub struct TerminalGuard {
    pub terminal: DefaultTerminal,
}

impl TerminalGuard {
    pub fn enter() -> io::Result<TerminalGuard> {
        let terminal = ratatui::try_init()?;
        if let Err(error) = execute!(io::stdout(), EnableMouseCapture) {
            ratatui::restore();
            return Err(error);
        }
        // ratatui's panic hook restores the screen; stop the mouse reports first.
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = execute!(io::stdout(), DisableMouseCapture);
            hook(info);
        }));
        Ok(TerminalGuard { terminal })
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = execute!(io::stdout(), DisableMouseCapture);
        ratatui::restore();
    }
}

/// Reads keys, the mouse wheel and resizes on a thread of its own.
pub fn spawn_input(tx: Sender<Msg>) {
    std::thread::spawn(move || {
        loop {
            let msg = match event::read() {
                Ok(Event::Key(key)) => Msg::Key(key),
                Ok(Event::Mouse(mouse)) => match mouse.kind {
                    MouseEventKind::ScrollDown => Msg::Scroll(3),
                    MouseEventKind::ScrollUp => Msg::Scroll(-3),
                    _ => continue,
                },
                Ok(Event::Resize(..)) => Msg::Resize,
                Ok(_) => continue,
                // The terminal is gone (closed, or its input broke): quit, which
                // stops every check.
                Err(_) => {
                    let _ = tx.send(Msg::Signal);
                    break;
                }
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
}
