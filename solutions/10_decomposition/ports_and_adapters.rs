//! # Ports and adapters: the domain owns the traits (solution)
//!
//! The dependency arrows all point into `domain`: it declares the two ports
//! in its own words (`Booking`, `RoomId`, `CalendarError`), and `adapters`
//! implements them on top of the driver crates. Nothing in `domain` names
//! `postgres` or `smtp`, so its rules are tested with in-memory fakes, and
//! moving confirmations from email to chat is a new adapter, not a change
//! to the rules.

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

// ---- The domain: rules and the ports it needs --------------------------------

mod domain {
    use std::fmt;

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

    // The ports are declared here, next to the code that needs them, in the
    // domain's words. An adapter conforms to them; the domain never learns
    // which adapter it got. A port shaped after one database ("rows",
    // "PgError") would drag that database into every test and every rule.

    /// Where bookings are kept (a driven, or secondary, port).
    pub trait RoomCalendar {
        fn bookings_on(&self, room: RoomId, day: u32) -> Result<Vec<Booking>, CalendarError>;
        fn add(&self, booking: &Booking) -> Result<(), CalendarError>;
    }

    /// Who hears about a confirmed booking. Infallible from the domain's side:
    /// delivery and its retries are the adapter's problem, and a lost email
    /// must not undo a booking.
    pub trait Notifier {
        fn booking_confirmed(&self, booking: &Booking);
    }

    /// The use case. Generic over the ports, so the same rules run on fakes
    /// in tests and on Postgres and SMTP in production.
    pub struct BookingService<C, N> {
        calendar: C,
        notifier: N,
    }

    impl<C: RoomCalendar, N: Notifier> BookingService<C, N> {
        pub fn new(calendar: C, notifier: N) -> Self {
            Self { calendar, notifier }
        }

        pub fn book(&self, request: Booking) -> Result<Booking, BookingError> {
            // The cheap checks first: a request that breaks the house rules
            // never costs a round trip to the calendar.
            if request.start_hour < OPENS_AT
                || request.end_hour > CLOSES_AT
                || request.start_hour >= request.end_hour
            {
                return Err(BookingError::OutsideOpeningHours);
            }
            if request.end_hour - request.start_hour > MAX_HOURS {
                return Err(BookingError::TooLong);
            }
            let existing = self.calendar.bookings_on(request.room, request.day)?;
            if existing.iter().any(|booking| booking.overlaps(&request)) {
                return Err(BookingError::Taken(request.room));
            }
            self.calendar.add(&request)?;
            self.notifier.booking_confirmed(&request);
            Ok(request)
        }
    }
}

// ---- The adapters: the outside world, translated -----------------------------

mod adapters {
    use crate::domain::{Booking, CalendarError, Notifier, RoomCalendar, RoomId};
    use crate::postgres::{self, Value};
    use crate::smtp;

    const TABLE: &str = "bookings";

    /// The `RoomCalendar` port over the bookings table.
    pub struct PgCalendar {
        client: postgres::Client,
    }

    impl PgCalendar {
        pub fn new(client: postgres::Client) -> Self {
            Self { client }
        }
    }

    impl RoomCalendar for PgCalendar {
        fn bookings_on(&self, room: RoomId, day: u32) -> Result<Vec<Booking>, CalendarError> {
            let filter = [
                ("room", Value::Int(room.0.into())),
                ("day", Value::Int(day.into())),
            ];
            // The driver's error stops here: the domain hears its own word
            // for it. Nothing outside this module knows `PgError` exists.
            let rows = self
                .client
                .select(TABLE, &filter)
                .map_err(|_| CalendarError::Unavailable)?;
            rows.iter().map(booking_from_row).collect()
        }

        fn add(&self, booking: &Booking) -> Result<(), CalendarError> {
            self.client
                .insert(TABLE, row_from_booking(booking))
                .map_err(|_| CalendarError::Unavailable)
        }
    }

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

    /// The `Notifier` port over email. A chat notifier would be a second
    /// adapter beside this one; the domain would not change.
    pub struct EmailNotifier {
        transport: smtp::Transport,
    }

    impl EmailNotifier {
        pub fn new(transport: smtp::Transport) -> Self {
            Self { transport }
        }
    }

    impl Notifier for EmailNotifier {
        fn booking_confirmed(&self, booking: &Booking) {
            // The wording of the email is the adapter's: the domain only says
            // that a booking was confirmed.
            let subject = format!(
                "{} is yours on day {}, {}:00-{}:00",
                booking.room, booking.day, booking.start_hour, booking.end_hour
            );
            self.transport.send(smtp::Email {
                to: booking.booked_by.clone(),
                subject,
            });
        }
    }
}

fn main() {
    // The composition root: the only place that knows both sides.
    let service = domain::BookingService::new(
        adapters::PgCalendar::new(postgres::Client::default()),
        adapters::EmailNotifier::new(smtp::Transport::default()),
    );
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
