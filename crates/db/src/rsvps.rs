//! RSVPs and seats. Every change runs in one transaction holding the
//! event's row lock, so concurrent RSVPs cannot oversubscribe it, and
//! waitlisted parties are promoted in the transaction that frees the seats.

use chrono::{DateTime, Utc};
use cortege_domain::{PersonId, RsvpId};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::Result;
use crate::activities::{self, Activity, Happening};
use crate::events::{self, Event};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Rsvp {
    pub id: Uuid,
    pub event_id: Uuid,
    pub person_id: Uuid,
    pub status: String,
    pub guests: i16,
    pub created_at: DateTime<Utc>,
}

impl Rsvp {
    /// Seats the party takes when GOING.
    pub fn party(&self) -> i32 {
        1 + i32::from(self.guests)
    }
}

macro_rules! rsvp_columns {
    () => {
        "r.id, r.event_id, r.person_id, r.status::text AS status, r.guests, r.created_at"
    };
}

/// Why an RSVP change was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NoSuchEvent,
    Closed(&'static str),
    NoRsvp,
}

fn free_seats(event: &Event) -> Option<i32> {
    event.capacity.map(|c| c - event.seats_taken)
}

async fn set_seats(
    tx: &mut Transaction<'_, Postgres>,
    event: &mut Event,
    seats: i32,
) -> Result<()> {
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
async fn record_change(
    tx: &mut Transaction<'_, Postgres>,
    r: &Rsvp,
    previous: Option<&str>,
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

/// Promotes waitlisted parties, in waiting order, skipping a party that
/// does not fit, until no more fit.
pub async fn promote(tx: &mut Transaction<'_, Postgres>, event: &mut Event) -> Result<Vec<Rsvp>> {
    let Some(mut free) = free_seats(event) else {
        // Unlimited again: everyone waiting goes.
        let promoted: Vec<Rsvp> = sqlx::query_as(concat!(
            "UPDATE rsvps r SET status = 'GOING', waitlisted_at = NULL, updated_at = now()
             WHERE r.event_id = $1 AND r.status = 'WAITLISTED' RETURNING ",
            rsvp_columns!()
        ))
        .bind(event.id)
        .fetch_all(&mut **tx)
        .await?;
        record_promotions(tx, event, &promoted).await?;
        return Ok(promoted);
    };
    if free <= 0 {
        return Ok(Vec::new());
    }
    let waiting: Vec<Rsvp> = sqlx::query_as(concat!(
        "SELECT ",
        rsvp_columns!(),
        " FROM rsvps r WHERE r.event_id = $1 AND r.status = 'WAITLISTED'
         ORDER BY r.waitlisted_at, r.id FOR UPDATE"
    ))
    .bind(event.id)
    .fetch_all(&mut **tx)
    .await?;
    let mut promoted = Vec::new();
    for r in waiting {
        if r.party() <= free {
            free -= r.party();
            let r: Rsvp = sqlx::query_as(concat!(
                "UPDATE rsvps r SET status = 'GOING', waitlisted_at = NULL, updated_at = now()
                 WHERE r.id = $1 RETURNING ",
                rsvp_columns!()
            ))
            .bind(r.id)
            .fetch_one(&mut **tx)
            .await?;
            promoted.push(r);
            if free == 0 {
                break;
            }
        }
    }
    record_promotions(tx, event, &promoted).await?;
    Ok(promoted)
}

/// Seats and activities for promoted parties, each with the count it made.
async fn record_promotions(
    tx: &mut Transaction<'_, Postgres>,
    event: &mut Event,
    promoted: &[Rsvp],
) -> Result<()> {
    if promoted.is_empty() {
        return Ok(());
    }
    let mut running = event.seats_taken;
    let seats = running + promoted.iter().map(Rsvp::party).sum::<i32>();
    set_seats(tx, event, seats).await?;
    for r in promoted {
        running += r.party();
        record_change(tx, r, Some("WAITLISTED"), event, running).await?;
    }
    Ok(())
}

/// The person's RSVP to the event, whatever its status.
async fn person_rsvp(
    tx: &mut Transaction<'_, Postgres>,
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

fn check_open(event: &Event) -> std::result::Result<(), Refusal> {
    if event.cancelled_at.is_some() || event.removed_at.is_some() {
        return Err(Refusal::Closed("the event is cancelled"));
    }
    if event.ends_at <= Utc::now() {
        return Err(Refusal::Closed("the event has ended: RSVPs are closed"));
    }
    Ok(())
}

/// RSVPs to an event: a new party, a change of guests, or a return after
/// cancelling. `guests` None keeps the current number (0 for a new RSVP).
/// The caller has checked that the person may see the event.
pub async fn rsvp(
    pool: &PgPool,
    event_id: Uuid,
    person: PersonId,
    guests: Option<i16>,
) -> Result<std::result::Result<Rsvp, Refusal>> {
    let mut tx = pool.begin().await?;
    let Some(mut event) = events::lock(&mut tx, event_id).await? else {
        return Ok(Err(Refusal::NoSuchEvent));
    };
    if let Err(refusal) = check_open(&event) {
        return Ok(Err(refusal));
    }
    let existing = person_rsvp(&mut tx, event_id, person).await?;
    let guests = guests.or(existing.as_ref().map(|r| r.guests)).unwrap_or(0);
    let party = 1 + i32::from(guests);
    let was_going = existing
        .as_ref()
        .filter(|r| r.status == "GOING")
        .map(Rsvp::party);
    let seats_without = event.seats_taken - was_going.unwrap_or(0);
    let fits = event.capacity.is_none_or(|c| party <= c - seats_without);
    let status = if fits { "GOING" } else { "WAITLISTED" };
    if let Some(rsvp) = existing
        .as_ref()
        .filter(|r| r.status == status && r.guests == guests)
        .cloned()
    {
        tx.commit().await?;
        return Ok(Ok(rsvp));
    }
    // A party staying on the waitlist keeps its place; one joining it
    // queues at the back.
    let rsvp: Rsvp = sqlx::query_as(concat!(
        "INSERT INTO rsvps AS r (id, event_id, person_id, status, guests, waitlisted_at)
         VALUES ($1, $2, $3, $4::rsvp_status, $5, CASE WHEN $4 = 'WAITLISTED' THEN now() END)
         ON CONFLICT (event_id, person_id) DO UPDATE SET
             status = EXCLUDED.status,
             guests = EXCLUDED.guests,
             waitlisted_at = CASE
                 WHEN EXCLUDED.status <> 'WAITLISTED' THEN NULL
                 WHEN r.status = 'WAITLISTED' THEN r.waitlisted_at
                 ELSE now() END,
             updated_at = now()
         RETURNING ",
        rsvp_columns!()
    ))
    .bind(RsvpId::new().0)
    .bind(event_id)
    .bind(person.0)
    .bind(status)
    .bind(guests)
    .fetch_one(&mut *tx)
    .await?;
    let seats_before = event.seats_taken;
    let seats = seats_without + if fits { party } else { 0 };
    set_seats(&mut tx, &mut event, seats).await?;
    let previous = existing.as_ref().map(|r| r.status.as_str());
    record_change(&mut tx, &rsvp, previous, &event, seats).await?;
    // Fewer guests, or a party moved to the waitlist, frees seats.
    if seats < seats_before {
        promote(&mut tx, &mut event).await?;
    }
    tx.commit().await?;
    Ok(Ok(rsvp))
}

/// Cancels the person's RSVP and gives its seats to the waitlist.
pub async fn cancel(
    pool: &PgPool,
    event_id: Uuid,
    person: PersonId,
) -> Result<std::result::Result<Rsvp, Refusal>> {
    let mut tx = pool.begin().await?;
    let Some(mut event) = events::lock(&mut tx, event_id).await? else {
        return Ok(Err(Refusal::NoSuchEvent));
    };
    let existing = person_rsvp(&mut tx, event_id, person).await?;
    let Some(existing) = existing else {
        return Ok(Err(Refusal::NoRsvp));
    };
    if existing.status == "CANCELLED" {
        tx.commit().await?;
        return Ok(Ok(existing));
    }
    let rsvp: Rsvp = sqlx::query_as(concat!(
        "UPDATE rsvps r SET status = 'CANCELLED', waitlisted_at = NULL, updated_at = now()
         WHERE r.id = $1 RETURNING ",
        rsvp_columns!()
    ))
    .bind(existing.id)
    .fetch_one(&mut *tx)
    .await?;
    if existing.status == "GOING" {
        let seats = event.seats_taken - existing.party();
        set_seats(&mut tx, &mut event, seats).await?;
    }
    record_change(
        &mut tx,
        &rsvp,
        Some(existing.status.as_str()),
        &event,
        event.seats_taken,
    )
    .await?;
    if existing.status == "GOING" && check_open(&event).is_ok() {
        promote(&mut tx, &mut event).await?;
    }
    tx.commit().await?;
    Ok(Ok(rsvp))
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

/// An event's attendees (GOING, then WAITLISTED in waiting order), paged by
/// (position, id).
pub async fn of_event(
    pool: &PgPool,
    event: Uuid,
    after: Option<(i64, Uuid)>,
    limit: i64,
) -> Result<Vec<(i64, Rsvp)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        pos: i64,
        #[sqlx(flatten)]
        rsvp: Rsvp,
    }
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "SELECT * FROM (
             SELECT row_number() OVER (ORDER BY r.status, COALESCE(r.waitlisted_at, r.created_at), r.id) AS pos, ",
        rsvp_columns!(),
        " FROM rsvps r WHERE r.event_id = $1 AND r.status <> 'CANCELLED') t
         WHERE ($2::bigint IS NULL OR (t.pos, t.id) > ($2, $3))
         ORDER BY t.pos LIMIT $4"
    ))
    .bind(event)
    .bind(after.map(|a| a.0))
    .bind(after.map(|a| a.1))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.pos, r.rsvp)).collect())
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
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "SELECT e.starts_at, ",
        rsvp_columns!(),
        " FROM rsvps r JOIN events e ON e.id = r.event_id
         WHERE r.person_id = $1 AND r.status <> 'CANCELLED' AND e.removed_at IS NULL
           AND ($2::timestamptz IS NULL OR (e.starts_at, r.id) > ($2, $3))
         ORDER BY e.starts_at, r.id LIMIT $4"
    ))
    .bind(person)
    .bind(after.map(|a| a.0))
    .bind(after.map(|a| a.1))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.starts_at, r.rsvp)).collect())
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
