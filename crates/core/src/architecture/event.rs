//! What the scanner records about one function (or item, or the whole file):
//! the *events* (calls, method calls, macros, mentions, field accesses),
//! each with where it is and which local functions it may run, and the
//! *flow*, the same events arranged as the paths through the code.
//!
//! Rules that ask "does it happen?" read the events; rules that ask "does
//! it happen after that, on every path?" walk the flow.

/// Something the code does, at a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Event {
    pub(crate) kind: EventKind,
    pub(crate) line: usize,
    pub(crate) column: usize,
    /// Local `macro_rules!` expanded to get here, outermost first (`rows!`).
    pub(crate) via: Vec<String>,
    /// The function the event is in, as an index into [`Scan::owners`].
    pub(crate) owner: usize,
    /// Entries of the local functions and methods this call may run.
    pub(crate) callees: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EventKind {
    /// A call of a path, `Db::open(..)`, or with `reference` a path used as a
    /// value, `.map(Connection::open)`. A call of an associated function
    /// (`UserRepository::find(&repo, ..)`, `R::find(..)`, `Result::map_err(..)`)
    /// also has a `method` view, so it matches method patterns too.
    Call {
        path: Vec<String>,
        written: Vec<String>,
        reference: bool,
        method: Option<MethodView>,
        args: Vec<Arg>,
        /// The first argument looks like a method's receiver (`&conn`,
        /// `self`): the call is a method called by its path.
        receiver_first: bool,
    },
    /// `receiver.name(..)`.
    Method { view: MethodView, args: Vec<Arg> },
    Macro {
        path: Vec<String>,
        written: Vec<String>,
    },
    /// A path in any position: a type, a trait bound, a constructor, a `use`,
    /// an attribute or a derive.
    Mention {
        path: Vec<String>,
        written: Vec<String>,
    },
    /// `base.member` where `base` is a struct of this file: `owner` is the
    /// struct's path, `reached` the type paths the field's value is made of
    /// (its type, and inside `Arc`, `Mutex`, `Vec`, `Option`, ...).
    Field {
        owner: Vec<String>,
        member: String,
        reached: Vec<Vec<String>>,
        /// `self.member`: a type reading its own field, which `Type::member`
        /// patterns leave alone.
        on_self: bool,
    },
}

/// A call seen as a method: its name and the type paths its receiver
/// dereferences through (trait paths for generic and `dyn` receivers);
/// `unknown` is set when some of it could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MethodView {
    pub(crate) name: String,
    pub(crate) receivers: Vec<Vec<String>>,
    pub(crate) unknown: bool,
}

/// One argument of a call (the receiver of a method call is not one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Arg {
    pub(crate) value: ArgValue,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// Whether an argument's value is fixed in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ArgValue {
    /// A literal, a `const` or `static`, `concat!` of literals, or a local
    /// bound once to one of those.
    Constant,
    /// The enclosing function's parameter at this position (`self` not
    /// counted): whether it is constant depends on the callers.
    Param(usize),
    /// Built when the code runs; the text says how, such as `format!(..)`.
    Runtime(String),
}

/// One step of the flow through a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// The event at this index of [`Scan::events`] happens.
    Event(usize),
    /// Exactly one of the paths is taken (`if`, `match`, a loop's body or
    /// not, the right side of `&&`).
    Branch(Vec<Vec<Step>>),
    /// A closure or `async` block: treated as run where it is written; a
    /// `return` or `?` inside it leaves only the closure.
    Closure(Vec<Step>),
    /// The path leaves the function here.
    Exit(Exit),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// `?`, `return Err(..)`, `panic!` and its kin: the operation failed.
    Error,
    /// Any other `return`.
    Return,
}

/// Everything the scanner recorded about one entry or the whole file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Scan {
    pub(crate) events: Vec<Event>,
    pub(crate) flow: Vec<Step>,
    /// Labels of the functions events are in (`UserService::rename`).
    pub(crate) owners: Vec<String>,
}
