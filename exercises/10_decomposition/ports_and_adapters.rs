//! # Ports and adapters: the domain owns the traits
//!
//! *Ports and adapters* (also called hexagonal architecture) puts the
//! business rules in the middle and everything they talk to at the edge.
//! Where the rules need the outside world, the domain declares a *port*: a
//! trait, in its own words. An *adapter* implements the port on top of a
//! real technology (a database driver, a mail relay, an HTTP client). The
//! dependencies point inwards: adapters know the domain, the domain knows
//! no adapter.
//!
//! ## The problem
//!
//! The workplace team's room booking service was written straight against
//! its Postgres driver and its SMTP crate: `BookingService::book` builds
//! rows and email subjects next to the rule "no two bookings of a room may
//! overlap". Every test of that rule needs a database. Last month, product
//! asked for chat confirmations instead of email, and the pull request that
//! did it touched the booking rules too (and broke back-to-back bookings).
//!
//! ## Your task
//!
//! Untangle `mod domain` so that it names neither `postgres` nor `smtp`:
//!
//! 1. In `mod domain`, declare the two ports (the tests use these exact
//!    signatures):
//!
//!    ```text
//!    pub trait RoomCalendar {
//!        fn bookings_on(&self, room: RoomId, day: u32) -> Result<Vec<Booking>, CalendarError>;
//!        fn add(&self, booking: &Booking) -> Result<(), CalendarError>;
//!    }
//!    pub trait Notifier {
//!        fn booking_confirmed(&self, booking: &Booking);
//!    }
//!    ```
//!
//! 2. Make `BookingService` depend on the ports: `BookingService<C, N>`
//!    with `new(calendar: C, notifier: N)` (or boxed trait objects), and let
//!    `book` keep its rules but reach the calendar and the notifier only
//!    through them.
//! 3. Move the row and email code into `mod adapters`:
//!    `impl RoomCalendar for PgCalendar` (rows to bookings and back; every
//!    driver error becomes `CalendarError::Unavailable`, a row that does not
//!    fit a `Booking` is `CalendarError::CorruptRow`) and
//!    `impl Notifier for EmailNotifier` (the same email as today).
//! 4. Wire the adapters in `main`, the only place that knows both sides.
//!
//! The tests run the rules on in-memory fakes and the adapters on the
//! stand-in drivers; they do not compile until the ports exist. Checks make
//! sure `mod domain` names no driver and no adapter, that the service holds
//! its dependencies as traits, and that each adapter implements its port.
//!
//! ## When not to use it
//!
//! A port per dependency pays off when the rules are worth testing alone
//! or the technology may change. A CRUD endpoint with no rules between the
//! request and the table gains only indirection from it: a repository
//! behind the handler is enough. And a port with one method per SQL query
//! of one database is not a port, only the driver renamed.

/// Stand-in for a database driver crate such as `tokio-postgres` or `sqlx`:
/// loosely typed rows and its own error type. (Given; do not change.)
mod postgres {
    use std::cell::{Cell, RefCell};
    use std::collections::BTreeMap;
    use std::rc::Rc;

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Value {
        Int(i64),
        Text(String),
    }

    /// One row: column name to value.
    pub type Row = BTreeMap<String, Value>;

    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    #[error("connection refused")]
    pub struct PgError;

    /// A handle to the database. Clones share the same tables, like the
    /// clones of a connection pool.
    #[derive(Debug, Clone, Default)]
    pub struct Client {
        tables: Rc<RefCell<BTreeMap<String, Vec<Row>>>>,
        down: Rc<Cell<bool>>,
    }

    impl Client {
        /// `SELECT * FROM {table} WHERE {column} = {value} AND ...`
        pub fn select(&self, table: &str, filter: &[(&str, Value)]) -> Result<Vec<Row>, PgError> {
            if self.down.get() {
                return Err(PgError);
            }
            let tables = self.tables.borrow();
            let rows = tables.get(table).map(Vec::as_slice).unwrap_or_default();
            let matches = |row: &Row| {
                filter
                    .iter()
                    .all(|(column, value)| row.get(*column) == Some(value))
            };
            Ok(rows.iter().filter(|row| matches(row)).cloned().collect())
        }

        /// `INSERT INTO {table} ...`
        pub fn insert(&self, table: &str, row: Row) -> Result<(), PgError> {
            if self.down.get() {
                return Err(PgError);
            }
            let mut tables = self.tables.borrow_mut();
            tables.entry(table.to_string()).or_default().push(row);
            Ok(())
        }

        /// Every later call fails, as when the database goes away.
        pub fn go_down(&self) {
            self.down.set(true);
        }
    }
}

/// Stand-in for a mail crate such as `lettre`. (Given; do not change.)
mod smtp {
    use std::cell::RefCell;
    use std::rc::Rc;

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Email {
        pub to: String,
        pub subject: String,
    }

    /// A handle to the mail relay; clones share the outgoing queue.
    #[derive(Debug, Clone, Default)]
    pub struct Transport {
        sent: Rc<RefCell<Vec<Email>>>,
    }

    impl Transport {
        pub fn send(&self, email: Email) {
            self.sent.borrow_mut().push(email);
        }

        /// What the relay has accepted so far.
        pub fn sent(&self) -> Vec<Email> {
            self.sent.borrow().clone()
        }
    }
}

// ---- The domain: the booking rules, tangled with the drivers -----------------

mod domain {
    use std::fmt;

    // TODO: the domain must not name `postgres` or `smtp`: these two lines
    // go, and so does everything below that needs them.
    use crate::postgres::{self, Value};
    use crate::smtp;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub struct RoomId(pub u32);

    impl fmt::Display for RoomId {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "room {}", self.0)
        }
    }

    /// A room held for whole hours of one day: `start_hour..end_hour`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Booking {
        pub room: RoomId,
        pub day: u32,
        pub start_hour: u8,
        pub end_hour: u8,
        pub booked_by: String,
    }

    impl Booking {
        /// Half-open hours: a booking that ends at 10 leaves 10:00 free.
        fn overlaps(&self, other: &Booking) -> bool {
            self.room == other.room
                && self.day == other.day
                && self.start_hour < other.end_hour
                && other.start_hour < self.end_hour
        }
    }

    pub const OPENS_AT: u8 = 8;
    pub const CLOSES_AT: u8 = 18;
    pub const MAX_HOURS: u8 = 4;

    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum CalendarError {
        #[error("the calendar cannot be reached")]
        Unavailable,
        #[error("the calendar holds a booking it cannot read: {0}")]
        CorruptRow(String),
    }

    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum BookingError {
        #[error("rooms can be booked between {OPENS_AT}:00 and {CLOSES_AT}:00")]
        OutsideOpeningHours,
        #[error("a booking lasts at most {MAX_HOURS} hours")]
        TooLong,
        #[error("{0} is already booked then")]
        Taken(RoomId),
        #[error(transparent)]
        Calendar(#[from] CalendarError),
    }

    // TODO: declare the ports RoomCalendar and Notifier here (see the task).

    /// The use case.
    // TODO: hold the ports, not the drivers.
    pub struct BookingService {
        db: postgres::Client,
        mail: smtp::Transport,
    }

    impl BookingService {
        pub fn new(db: postgres::Client, mail: smtp::Transport) -> Self {
            Self { db, mail }
        }

        pub fn book(&self, request: Booking) -> Result<Booking, BookingError> {
            if request.start_hour < OPENS_AT
                || request.end_hour > CLOSES_AT
                || request.start_hour >= request.end_hour
            {
                return Err(BookingError::OutsideOpeningHours);
            }
            if request.end_hour - request.start_hour > MAX_HOURS {
                return Err(BookingError::TooLong);
            }

            // TODO: from here on, go through the ports.
            let filter = [
                ("room", Value::Int(request.room.0.into())),
                ("day", Value::Int(request.day.into())),
            ];
            let rows = self
                .db
                .select("bookings", &filter)
                .map_err(|_| CalendarError::Unavailable)?;
            for row in &rows {
                if booking_from_row(row)?.overlaps(&request) {
                    return Err(BookingError::Taken(request.room));
                }
            }
            self.db
                .insert("bookings", row_from_booking(&request))
                .map_err(|_| CalendarError::Unavailable)?;

            let subject = format!(
                "{} is yours on day {}, {}:00-{}:00",
                request.room, request.day, request.start_hour, request.end_hour
            );
            self.mail.send(smtp::Email {
                to: request.booked_by.clone(),
                subject,
            });
            Ok(request)
        }
    }

    // TODO: rows belong to the Postgres adapter.

    fn row_from_booking(booking: &Booking) -> postgres::Row {
        postgres::Row::from([
            ("room".to_string(), Value::Int(booking.room.0.into())),
            ("day".to_string(), Value::Int(booking.day.into())),
            (
                "start_hour".to_string(),
                Value::Int(booking.start_hour.into()),
            ),
            ("end_hour".to_string(), Value::Int(booking.end_hour.into())),
            (
                "booked_by".to_string(),
                Value::Text(booking.booked_by.clone()),
            ),
        ])
    }

    /// Rows are loosely typed; a booking is not. A row that does not fit is
    /// an error, never skipped: skipping it would let the room be booked
    /// twice.
    fn booking_from_row(row: &postgres::Row) -> Result<Booking, CalendarError> {
        Ok(Booking {
            room: RoomId(int(row, "room")?),
            day: int(row, "day")?,
            start_hour: int(row, "start_hour")?,
            end_hour: int(row, "end_hour")?,
            booked_by: match row.get("booked_by") {
                Some(Value::Text(text)) => text.clone(),
                _ => return Err(corrupt("booked_by")),
            },
        })
    }

    /// An integer column, converted to the width the domain uses.
    fn int<T: TryFrom<i64>>(row: &postgres::Row, column: &str) -> Result<T, CalendarError> {
        match row.get(column) {
            Some(Value::Int(value)) => T::try_from(*value).map_err(|_| corrupt(column)),
            _ => Err(corrupt(column)),
        }
    }

    fn corrupt(column: &str) -> CalendarError {
        CalendarError::CorruptRow(format!("column {column}"))
    }
}

// ---- The adapters: the outside world, translated -----------------------------

mod adapters {
    use crate::postgres;
    use crate::smtp;

    /// The `RoomCalendar` port over the `bookings` table.
    pub struct PgCalendar {
        client: postgres::Client,
    }

    impl PgCalendar {
        pub fn new(client: postgres::Client) -> Self {
            Self { client }
        }
    }

    // TODO: impl RoomCalendar for PgCalendar, with the row code of the domain.

    /// The `Notifier` port over email.
    pub struct EmailNotifier {
        transport: smtp::Transport,
    }

    impl EmailNotifier {
        pub fn new(transport: smtp::Transport) -> Self {
            Self { transport }
        }
    }

    // TODO: impl Notifier for EmailNotifier, with the email code of the domain.
}

fn main() {
    // The composition root: the only place that knows both sides.
    // TODO: give the service the adapters.
    let service =
        domain::BookingService::new(postgres::Client::default(), smtp::Transport::default());
    let _ = service;
}

#[cfg(test)]
mod tests {
    use super::adapters::{EmailNotifier, PgCalendar};
    use super::domain::{
        Booking, BookingError, BookingService, CalendarError, Notifier, RoomCalendar, RoomId,
    };
    use super::postgres::{self, Value};
    use super::smtp;
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    /// The domain's tests run on this: no database, no mail relay.
    #[derive(Clone, Default)]
    struct FakeCalendar {
        bookings: Rc<RefCell<Vec<Booking>>>,
        reads: Rc<Cell<usize>>,
        down: bool,
        writes_fail: bool,
    }

    impl RoomCalendar for FakeCalendar {
        fn bookings_on(&self, room: RoomId, day: u32) -> Result<Vec<Booking>, CalendarError> {
            self.reads.set(self.reads.get() + 1);
            if self.down {
                return Err(CalendarError::Unavailable);
            }
            let bookings = self.bookings.borrow();
            let same = |b: &&Booking| b.room == room && b.day == day;
            Ok(bookings.iter().filter(same).cloned().collect())
        }

        fn add(&self, booking: &Booking) -> Result<(), CalendarError> {
            if self.down || self.writes_fail {
                return Err(CalendarError::Unavailable);
            }
            self.bookings.borrow_mut().push(booking.clone());
            Ok(())
        }
    }

    #[derive(Clone, Default)]
    struct FakeNotifier {
        confirmed: Rc<RefCell<Vec<Booking>>>,
    }

    impl Notifier for FakeNotifier {
        fn booking_confirmed(&self, booking: &Booking) {
            self.confirmed.borrow_mut().push(booking.clone());
        }
    }

    fn booking(room: u32, day: u32, start_hour: u8, end_hour: u8) -> Booking {
        Booking {
            room: RoomId(room),
            day,
            start_hour,
            end_hour,
            booked_by: "ada@example.com".to_string(),
        }
    }

    // ---- The domain, on fakes ------------------------------------------------

    #[test]
    fn a_free_room_is_booked_and_the_booking_confirmed() {
        let (calendar, notifier) = (FakeCalendar::default(), FakeNotifier::default());
        let service = BookingService::new(calendar.clone(), notifier.clone());

        let booked = service.book(booking(7, 3, 9, 11));

        assert_eq!(booked, Ok(booking(7, 3, 9, 11)));
        assert_eq!(*calendar.bookings.borrow(), vec![booking(7, 3, 9, 11)]);
        assert_eq!(*notifier.confirmed.borrow(), vec![booking(7, 3, 9, 11)]);
    }

    #[test]
    fn an_overlapping_booking_is_refused_and_nobody_is_told() {
        let (calendar, notifier) = (FakeCalendar::default(), FakeNotifier::default());
        let service = BookingService::new(calendar.clone(), notifier.clone());
        service.book(booking(7, 3, 9, 11)).unwrap();

        for (start, end) in [(10, 12), (8, 10), (9, 11), (10, 11), (8, 12)] {
            assert_eq!(
                service.book(booking(7, 3, start, end)),
                Err(BookingError::Taken(RoomId(7))),
                "{start}:00-{end}:00 overlaps 9:00-11:00"
            );
        }
        assert_eq!(calendar.bookings.borrow().len(), 1);
        assert_eq!(notifier.confirmed.borrow().len(), 1, "only the first");
    }

    #[test]
    fn back_to_back_bookings_other_rooms_and_other_days_do_not_clash() {
        let calendar = FakeCalendar::default();
        let service = BookingService::new(calendar.clone(), FakeNotifier::default());
        service.book(booking(7, 3, 10, 12)).unwrap();

        assert!(
            service.book(booking(7, 3, 8, 10)).is_ok(),
            "ends as it starts"
        );
        assert!(
            service.book(booking(7, 3, 12, 14)).is_ok(),
            "starts as it ends"
        );
        assert!(service.book(booking(8, 3, 10, 12)).is_ok(), "another room");
        assert!(service.book(booking(7, 4, 10, 12)).is_ok(), "another day");
        assert_eq!(calendar.bookings.borrow().len(), 5);
    }

    #[test]
    fn house_rules_are_checked_before_the_calendar_is_asked() {
        let calendar = FakeCalendar::default();
        let service = BookingService::new(calendar.clone(), FakeNotifier::default());

        let refused = [
            (booking(7, 3, 7, 9), BookingError::OutsideOpeningHours),
            (booking(7, 3, 16, 19), BookingError::OutsideOpeningHours),
            (booking(7, 3, 10, 10), BookingError::OutsideOpeningHours),
            (booking(7, 3, 11, 10), BookingError::OutsideOpeningHours),
            (booking(7, 3, 9, 14), BookingError::TooLong),
        ];
        for (request, error) in refused {
            let hours = (request.start_hour, request.end_hour);
            assert_eq!(service.book(request), Err(error), "{hours:?}");
        }
        assert_eq!(calendar.reads.get(), 0, "refused without a round trip");

        assert!(service.book(booking(7, 3, 8, 12)).is_ok(), "opening, 4 h");
        assert!(service.book(booking(7, 3, 14, 18)).is_ok(), "until closing");
    }

    #[test]
    fn a_calendar_that_is_down_refuses_the_booking_and_nobody_is_told() {
        let calendar = FakeCalendar {
            down: true,
            ..FakeCalendar::default()
        };
        let notifier = FakeNotifier::default();
        let service = BookingService::new(calendar, notifier.clone());

        assert_eq!(
            service.book(booking(7, 3, 9, 11)),
            Err(BookingError::Calendar(CalendarError::Unavailable))
        );
        assert!(notifier.confirmed.borrow().is_empty());
    }

    #[test]
    fn a_booking_the_calendar_fails_to_store_is_not_confirmed() {
        let calendar = FakeCalendar {
            writes_fail: true,
            ..FakeCalendar::default()
        };
        let notifier = FakeNotifier::default();
        let service = BookingService::new(calendar, notifier.clone());

        assert_eq!(
            service.book(booking(7, 3, 9, 11)),
            Err(BookingError::Calendar(CalendarError::Unavailable))
        );
        assert!(
            notifier.confirmed.borrow().is_empty(),
            "confirm only what the calendar has stored"
        );
    }

    // ---- The adapters, on the stand-in drivers -----------------------------

    #[test]
    fn the_postgres_calendar_gives_back_what_it_stored_for_that_room_and_day() {
        let calendar = PgCalendar::new(postgres::Client::default());

        calendar.add(&booking(7, 3, 9, 11)).unwrap();
        calendar.add(&booking(8, 3, 9, 11)).unwrap();
        calendar.add(&booking(7, 4, 9, 11)).unwrap();

        assert_eq!(
            calendar.bookings_on(RoomId(7), 3),
            Ok(vec![booking(7, 3, 9, 11)])
        );
        assert_eq!(calendar.bookings_on(RoomId(9), 3), Ok(vec![]));
    }

    #[test]
    fn the_postgres_calendar_writes_the_rows_other_services_read() {
        let client = postgres::Client::default();
        let calendar = PgCalendar::new(client.clone());

        calendar.add(&booking(7, 3, 9, 11)).unwrap();

        let rows = client.select("bookings", &[]).unwrap();
        let expected = postgres::Row::from([
            ("room".to_string(), Value::Int(7)),
            ("day".to_string(), Value::Int(3)),
            ("start_hour".to_string(), Value::Int(9)),
            ("end_hour".to_string(), Value::Int(11)),
            (
                "booked_by".to_string(),
                Value::Text("ada@example.com".into()),
            ),
        ]);
        assert_eq!(rows, vec![expected]);
    }

    #[test]
    fn the_postgres_calendar_reports_an_outage_in_the_domains_words() {
        let client = postgres::Client::default();
        let calendar = PgCalendar::new(client.clone());
        client.go_down();

        assert_eq!(
            calendar.bookings_on(RoomId(7), 3),
            Err(CalendarError::Unavailable)
        );
        assert_eq!(
            calendar.add(&booking(7, 3, 9, 11)),
            Err(CalendarError::Unavailable)
        );
    }

    #[test]
    fn the_postgres_calendar_refuses_a_row_it_cannot_read() {
        let client = postgres::Client::default();
        let calendar = PgCalendar::new(client.clone());
        let row = |start: Value, booked_by: Value| {
            postgres::Row::from([
                ("room".to_string(), Value::Int(7)),
                ("day".to_string(), Value::Int(3)),
                ("start_hour".to_string(), start),
                ("end_hour".to_string(), Value::Int(11)),
                ("booked_by".to_string(), booked_by),
            ])
        };
        let text = |s: &str| Value::Text(s.to_string());

        for (start, booked_by) in [
            (text("9"), text("ada@example.com")),
            (Value::Int(900), text("ada@example.com")),
            (Value::Int(9), Value::Int(1)),
        ] {
            let client = postgres::Client::default();
            client.insert("bookings", row(start, booked_by)).unwrap();
            let calendar = PgCalendar::new(client);
            assert!(
                matches!(
                    calendar.bookings_on(RoomId(7), 3),
                    Err(CalendarError::CorruptRow(_))
                ),
                "a row that does not fit a Booking is an error, never skipped"
            );
        }
        assert_eq!(calendar.bookings_on(RoomId(7), 3), Ok(vec![]));
    }

    #[test]
    fn the_email_notifier_writes_to_the_person_who_booked() {
        let transport = smtp::Transport::default();
        let notifier = EmailNotifier::new(transport.clone());

        notifier.booking_confirmed(&booking(7, 3, 9, 11));

        assert_eq!(
            transport.sent(),
            vec![smtp::Email {
                to: "ada@example.com".to_string(),
                subject: "room 7 is yours on day 3, 9:00-11:00".to_string(),
            }]
        );
    }

    #[test]
    fn the_service_runs_the_same_rules_on_the_real_adapters() {
        let client = postgres::Client::default();
        let transport = smtp::Transport::default();
        let service = BookingService::new(
            PgCalendar::new(client.clone()),
            EmailNotifier::new(transport.clone()),
        );

        assert!(service.book(booking(7, 3, 9, 11)).is_ok());
        assert_eq!(
            service.book(booking(7, 3, 10, 12)),
            Err(BookingError::Taken(RoomId(7)))
        );
        assert_eq!(client.select("bookings", &[]).unwrap().len(), 1);
        assert_eq!(transport.sent().len(), 1);
    }
}
