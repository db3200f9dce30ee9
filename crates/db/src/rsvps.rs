//! RSVPs and seats, as stored. The writes take a transaction in which the
//! caller (the service layer's RSVP use-case) holds the event's row lock
//! from [`crate::events::lock`], so concurrent RSVPs cannot oversubscribe it.

use chrono::{DateTime, Utc};
use cortege_domain::{PersonId, RsvpId, RsvpStatus};
use sqlx::PgPool;
use uuid::Uuid;

use crate::activities::{self, Activity, Happening};
use crate::events::Event;
use crate::people::{self, Profile};
use crate::statement::Statement;
use crate::{Result, Tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Rsvp {
    pub id: Uuid,
    pub event_id: Uuid,
    pub person_id: Uuid,
    pub status: RsvpStatus,
    pub guests: i16,
    pub created_at: DateTime<Utc>,
    /// Marked by the hosts or by the attendee's check-in; null until then.
    pub attended: Option<bool>,
    /// The attendee agreed to show their email and phone to the hosts.
    pub share_contact: bool,
}

impl Rsvp {
    /// Seats the party takes when GOING.
    pub fn party(&self) -> i32 {
        cortege_domain::seats::party(self.guests)
    }
}

macro_rules! rsvp_columns {
    () => {
        "r.id, r.event_id, r.person_id, r.status, r.guests, r.created_at, r.attended,
         r.share_contact"
    };
}

joined!(Rsvp as "r": JOINED_COLUMNS, joined {
    id,
    event_id,
    person_id,
    status,
    guests,
    created_at,
    attended,
    share_contact,
});

/// Writes the event's seat count (the caller holds its lock).
pub async fn set_seats(tx: &mut Tx<'_>, event: &mut Event, seats: i32) -> Result<()> {
    sqlx::query("UPDATE events SET seats_taken = $2 WHERE id = $1")
        .bind(event.id)
        .bind(seats)
        .execute(&mut **tx)
        .await?;
    event.seats_taken = seats;
    Ok(())
}

/// Records the change for the feed and the organisers' live view: the
/// status it had before (so "becomes GOING" is decidable) and the
/// attendee count right after it.
pub async fn record_change(
    tx: &mut Tx<'_>,
    r: &Rsvp,
    previous: Option<RsvpStatus>,
    event: &Event,
    attendees: i32,
) -> Result<()> {
    activities::record(
        tx,
        Happening::RsvpChanged,
        Activity {
            actor: Some(r.person_id),
            event: Some(r.event_id),
            group: event.group_id,
            recipient: Some(event.organiser_id),
            payload: serde_json::json!({
                "rsvp": r.id,
                "status": r.status,
                "previous": previous,
                "guests": r.guests,
                "attendees": attendees,
            }),
        },
    )
    .await
}

/// The waitlist of a locked event, in waiting order, rows locked.
pub async fn waiting(tx: &mut Tx<'_>, event: Uuid) -> Result<Vec<Rsvp>> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        rsvp_columns!(),
        " FROM rsvps r WHERE r.event_id = $1 AND r.status = 'WAITLISTED'
         ORDER BY r.waitlisted_at, r.id FOR UPDATE"
    ))
    .bind(event)
    .fetch_all(&mut **tx)
    .await?)
}

/// Sets these RSVPs to `status`, off the waitlist; returned in the order
/// of `ids`.
pub async fn set_status(tx: &mut Tx<'_>, ids: &[Uuid], status: RsvpStatus) -> Result<Vec<Rsvp>> {
    let mut rows: Vec<Rsvp> = sqlx::query_as(concat!(
        "UPDATE rsvps r SET status = $2, waitlisted_at = NULL, updated_at = now()
         WHERE r.id = ANY($1) RETURNING ",
        rsvp_columns!()
    ))
    .bind(ids)
    .bind(status)
    .fetch_all(&mut **tx)
    .await?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    Ok(rows)
}

/// The person's RSVP to the event, whatever its status.
pub async fn of_person_for_event(
    tx: &mut Tx<'_>,
    event: Uuid,
    person: PersonId,
) -> Result<Option<Rsvp>> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        rsvp_columns!(),
        " FROM rsvps r WHERE r.event_id = $1 AND r.person_id = $2"
    ))
    .bind(event)
    .bind(person.0)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Writes the person's RSVP with this status and party. A party staying on
/// the waitlist keeps its place; one joining it queues at the back.
pub async fn upsert(
    tx: &mut Tx<'_>,
    event: Uuid,
    person: PersonId,
    status: RsvpStatus,
    guests: i16,
    share_contact: bool,
) -> Result<Rsvp> {
    Ok(sqlx::query_as(concat!(
        "INSERT INTO rsvps AS r (id, event_id, person_id, status, guests, waitlisted_at, share_contact)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $4 = 'WAITLISTED'::rsvp_status THEN now() END, $6)
         ON CONFLICT (event_id, person_id) DO UPDATE SET
             status = EXCLUDED.status,
             guests = EXCLUDED.guests,
             share_contact = EXCLUDED.share_contact,
             waitlisted_at = CASE
                 WHEN EXCLUDED.status <> 'WAITLISTED' THEN NULL
                 WHEN r.status = 'WAITLISTED' THEN r.waitlisted_at
                 ELSE now() END,
             updated_at = now()
         RETURNING ",
        rsvp_columns!()
    ))
    .bind(RsvpId::new().0)
    .bind(event)
    .bind(person.0)
    .bind(status)
    .bind(guests)
    .bind(share_contact)
    .fetch_one(&mut **tx)
    .await?)
}

/// Changes only the attendee's consent to show their contact to the hosts.
pub async fn set_share_contact(tx: &mut Tx<'_>, rsvp: Uuid, share: bool) -> Result<Rsvp> {
    Ok(sqlx::query_as(concat!(
        "UPDATE rsvps r SET share_contact = $2, updated_at = now() WHERE r.id = $1 RETURNING ",
        rsvp_columns!()
    ))
    .bind(rsvp)
    .bind(share)
    .fetch_one(&mut **tx)
    .await?)
}

/// Marks whether the party came (`attended_at` is when it was marked).
pub async fn set_attended(pool: &PgPool, rsvp: Uuid, attended: bool) -> Result<Rsvp> {
    Ok(sqlx::query_as(concat!(
        "UPDATE rsvps r SET attended = $2, attended_at = now(), updated_at = now()
         WHERE r.id = $1 RETURNING ",
        rsvp_columns!()
    ))
    .bind(rsvp)
    .bind(attended)
    .fetch_one(pool)
    .await?)
}

/// Seats (1 + guests) of the parties that came, per event, for a
/// DataLoader; events nobody was marked at are left out.
pub async fn attended_seats(pool: &PgPool, events: &[Uuid]) -> Result<Vec<(Uuid, i64)>> {
    Ok(sqlx::query_as(
        "SELECT event_id, sum(1 + guests)::int8 FROM rsvps
         WHERE event_id = ANY($1) AND attended GROUP BY event_id",
    )
    .bind(events)
    .fetch_all(pool)
    .await?)
}

/// How to reach a person who agreed to share it with an event's hosts.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Contact {
    pub person_id: Uuid,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// The contacts of these people, for a DataLoader (the caller decides
/// who may see them: hosts, for attendees who consented).
pub async fn contacts(pool: &PgPool, people: &[Uuid]) -> Result<Vec<Contact>> {
    Ok(sqlx::query_as(
        "SELECT id AS person_id, email, phone FROM people WHERE id = ANY($1) AND deleted_at IS NULL",
    )
    .bind(people)
    .fetch_all(pool)
    .await?)
}

/// One line of an event's attendee list as its hosts download it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttendeeLine {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub status: RsvpStatus,
    pub guests: i16,
    pub attended: Option<bool>,
    /// Null unless the attendee consented.
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// Every attendee of the event (GOING, then the waitlist in order), with
/// the contacts of those who consented.
pub async fn attendee_lines(pool: &PgPool, event: Uuid) -> Result<Vec<AttendeeLine>> {
    Ok(sqlx::query_as(
        "SELECT p.first_name, p.last_name, r.status, r.guests, r.attended,
                CASE WHEN r.share_contact THEN p.email END AS email,
                CASE WHEN r.share_contact THEN p.phone END AS phone
         FROM rsvps r JOIN people p ON p.id = r.person_id
         WHERE r.event_id = $1 AND r.status <> 'CANCELLED' AND p.deleted_at IS NULL
         ORDER BY r.status, COALESCE(r.waitlisted_at, r.created_at), r.id",
    )
    .bind(event)
    .fetch_all(pool)
    .await?)
}

/// The viewer's RSVPs to these events, for a DataLoader.
pub async fn of_person_for_events(
    pool: &PgPool,
    person: Uuid,
    events: &[Uuid],
) -> Result<Vec<Rsvp>> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        rsvp_columns!(),
        " FROM rsvps r WHERE r.person_id = $1 AND r.event_id = ANY($2)"
    ))
    .bind(person)
    .bind(events)
    .fetch_all(pool)
    .await?)
}

/// Where an attendee stands in an event's list: GOING before WAITLISTED,
/// then by when they took their place (joined the waitlist, or answered),
/// then by id. The attendees page is keyed by it, read off the index.
pub type AttendeeKey = (RsvpStatus, DateTime<Utc>, Uuid);

/// An event's attendees (GOING, then WAITLISTED in waiting order), paged by
/// [`AttendeeKey`], each with their person when `with_people`.
pub async fn of_event(
    pool: &PgPool,
    event: Uuid,
    after: Option<AttendeeKey>,
    limit: i64,
    with_people: bool,
) -> Result<Vec<Attendee>> {
    attendees(event, after, limit, with_people)
        .read_all(pool)
        .await
}

/// One of an event's attendees, with their person when asked.
#[derive(Debug)]
pub struct Attendee {
    pub key: AttendeeKey,
    pub rsvp: Rsvp,
    pub person: Option<Profile>,
}

impl crate::ReadRow for Attendee {
    fn read_row(row: &sqlx::postgres::PgRow, types: crate::Types) -> sqlx::Result<Self> {
        use sqlx::Row;
        let rsvp = <Rsvp as sqlx::FromRow<_>>::from_row(row)?;
        let person = match row.try_column("o_id") {
            Ok(_) => people::joined(row, types)?,
            Err(_) => None,
        };
        Ok(Attendee {
            key: (rsvp.status, row.try_get("queued_at")?, rsvp.id),
            rsvp,
            person,
        })
    }
}

/// The attendees page of the event `$event` (an SQL expression).
macro_rules! attendees_page {
    ($event:literal) => {
        concat!(
            "SELECT COALESCE(r.waitlisted_at, r.created_at) AS queued_at, ",
            rsvp_columns!(),
            " FROM rsvps r WHERE r.event_id = ",
            $event,
            " AND r.status <> 'CANCELLED'
               AND ($2::rsvp_status IS NULL
                    OR (r.status, COALESCE(r.waitlisted_at, r.created_at), r.id) > ($2, $3, $4))
             ORDER BY r.status, COALESCE(r.waitlisted_at, r.created_at), r.id LIMIT $5"
        )
    };
}

/// Every event's page of `$1` (an array), each cut at the page size.
macro_rules! attendees_pages {
    () => {
        concat!(
            "SELECT a.* FROM unnest($1::uuid[]) AS p(event_id) CROSS JOIN LATERAL (",
            attendees_page!("p.event_id"),
            ") a ORDER BY a.event_id, a.status, a.queued_at, a.id"
        )
    };
}

/// The attendees page joined with their people: one statement for both.
static ATTENDEES_WITH_PEOPLE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT a.*, {} FROM ({}) a JOIN people o ON o.id = a.person_id
         ORDER BY a.status, a.queued_at, a.id",
        people::JOINED_COLUMNS,
        attendees_page!("$1")
    )
});

/// Every event's page joined with their people.
static ATTENDEES_PAGES_WITH_PEOPLE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT a.*, {} FROM ({}) a JOIN people o ON o.id = a.person_id
             ORDER BY a.event_id, a.status, a.queued_at, a.id",
        people::JOINED_COLUMNS,
        attendees_pages!()
    )
});

/// The statement of [`of_event`] (rsvps_attendees_idx walked in order).
pub fn attendees(
    event: Uuid,
    after: Option<AttendeeKey>,
    limit: i64,
    with_people: bool,
) -> Statement {
    let sql: &'static str = match with_people {
        true => ATTENDEES_WITH_PEOPLE.as_str(),
        false => attendees_page!("$1"),
    };
    page_args(Statement::new(sql).bind(event), after, limit)
}

/// Binds an attendees page's `$2` to `$5`, after its parent's `$1`.
fn page_args(statement: Statement, after: Option<AttendeeKey>, limit: i64) -> Statement {
    statement
        .bind(after.map(|a| a.0))
        .bind(after.map(|a| a.1))
        .bind(after.map(|a| a.2))
        .bind(limit)
}

/// The same page of each of `events`' attendees ([`of_event`] for each),
/// in one statement: the attendees asked of every event of a list.
pub async fn of_events(
    pool: &PgPool,
    events: &[Uuid],
    after: Option<AttendeeKey>,
    limit: i64,
    with_people: bool,
) -> Result<Vec<Attendee>> {
    attendees_of_events(events, after, limit, with_people)
        .read_all(pool)
        .await
}

/// The statement of [`of_events`]: rsvps_attendees_idx walked in order
/// once per event, each walk cut at the page size.
pub fn attendees_of_events(
    events: &[Uuid],
    after: Option<AttendeeKey>,
    limit: i64,
    with_people: bool,
) -> Statement {
    let sql: &'static str = match with_people {
        true => ATTENDEES_PAGES_WITH_PEOPLE.as_str(),
        false => attendees_pages!(),
    };
    page_args(Statement::new(sql).bind(events), after, limit)
}

/// A person's RSVPs (not cancelled), by event start.
pub async fn of_person(
    pool: &PgPool,
    person: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<(DateTime<Utc>, Rsvp)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        starts_at: DateTime<Utc>,
        #[sqlx(flatten)]
        rsvp: Rsvp,
    }
    let rows: Vec<Row> = of_person_page(person, after, limit).fetch_all(pool).await?;
    Ok(rows.into_iter().map(|r| (r.starts_at, r.rsvp)).collect())
}

/// The statement of [`of_person`] (rsvps_agenda_idx walked in order).
pub fn of_person_page(person: Uuid, after: Option<(DateTime<Utc>, Uuid)>, limit: i64) -> Statement {
    Statement::new(concat!(
        "SELECT r.event_starts_at AS starts_at, ",
        rsvp_columns!(),
        " FROM rsvps r JOIN events e ON e.id = r.event_id
         WHERE r.person_id = $1 AND r.status <> 'CANCELLED' AND e.removed_at IS NULL
           AND ($2::timestamptz IS NULL OR (r.event_starts_at, r.id) > ($2, $3))
         ORDER BY r.event_starts_at, r.id LIMIT $4"
    ))
    .bind(person)
    .bind(after.map(|a| a.0))
    .bind(after.map(|a| a.1))
    .bind(limit)
}

/// RSVPs by id, for a DataLoader.
pub async fn by_ids(pool: &PgPool, ids: &[Uuid]) -> Result<Vec<Rsvp>> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        rsvp_columns!(),
        " FROM rsvps r WHERE r.id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(pool)
    .await?)
}

/// Logs a host's download of an event's attendee list, where moderators
/// see it: personal data left the server.
pub async fn log_download(pool: &PgPool, host: PersonId, event: Uuid, rows: usize) -> Result<()> {
    crate::moderation_log::record(
        pool,
        &crate::moderation_log::NewLine {
            actor: host.0,
            action: cortege_domain::ModerationAction::ExportAttendees,
            target_person: None,
            target: (cortege_domain::SubjectKind::Event, event),
            details: serde_json::json!({ "rows": rows }),
        },
    )
    .await
}
