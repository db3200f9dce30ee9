//! The seat transaction. Every change to an event's seats runs in one
//! transaction holding the event's row lock (`cortege_db::events::lock`),
//! so concurrent RSVPs cannot oversubscribe it, and waitlisted parties are
//! promoted in the transaction that frees the seats. The arithmetic is
//! `cortege_domain::seats`; this module only locks, asks and writes.

use chrono::Utc;
use cortege_db::Tx;
use cortege_db::events::{self as db_events, Event};
use cortege_db::people::Person;
use cortege_db::rsvps::{self as db_rsvps, Rsvp};
use cortege_domain::seats::{MAX_GUESTS, Seats, closed_because, party};
use cortege_domain::{PersonId, RsvpStatus, ValidationError};
use uuid::Uuid;

use crate::{App, Error, Result, events, rights};

/// A number of guests: 0 to [`MAX_GUESTS`].
pub fn parse_guests(guests: Option<i32>, field: &str) -> Result<Option<i16>, ValidationError> {
    match guests {
        Some(g) if !(0..=MAX_GUESTS).contains(&g) => Err(ValidationError::new(
            field,
            format!("must be between 0 and {MAX_GUESTS}"),
        )),
        g => Ok(g.and_then(|g| i16::try_from(g).ok())),
    }
}

fn seats(event: &Event) -> Seats {
    Seats {
        capacity: event.capacity,
        taken: event.seats_taken,
    }
}

fn check_open(event: &Event) -> Result<()> {
    let cancelled = event.cancelled_at.is_some() || event.removed_at.is_some();
    match closed_because(cancelled, event.ends_at, Utc::now()) {
        Some(why) => Err(Error::invalid("eventId", why)),
        None => Ok(()),
    }
}

/// Whether `actor` may answer the event (before any lock is taken).
async fn check_answerable(app: &App, actor: &Person, event: Uuid) -> Result<()> {
    rights::require_member(actor)?;
    events::readable(app, Some(actor), event).await.map(drop)
}

async fn locked(tx: &mut Tx<'_>, event: Uuid) -> Result<Event> {
    db_events::lock(tx, event)
        .await?
        .ok_or_else(|| Error::not_found("event"))
}

/// What an RSVP says beyond "I come": None keeps the current answer (0
/// guests, no contact shared, for a new RSVP).
#[derive(Debug, Clone, Copy, Default)]
pub struct Answer {
    pub guests: Option<i16>,
    /// Whether the hosts may see the attendee's email and phone.
    pub share_contact: Option<bool>,
}

/// RSVPs to an event: a new party, a change of guests, or a return after
/// cancelling. GOING while the party fits, else WAITLISTED whole;
/// idempotent. A change of consent alone changes nothing else (and is no
/// RSVP change for the feed).
pub async fn rsvp(app: &App, actor: &Person, event_id: Uuid, answer: Answer) -> Result<Rsvp> {
    let me = PersonId(actor.id);
    check_answerable(app, actor, event_id).await?;
    let mut tx = cortege_db::begin(&app.pool).await?;
    let mut event = locked(&mut tx, event_id).await?;
    check_open(&event)?;
    let existing = db_rsvps::of_person_for_event(&mut tx, event_id, me).await?;
    let guests = answer
        .guests
        .or(existing.as_ref().map(|r| r.guests))
        .unwrap_or(0);
    let share_contact = answer
        .share_contact
        .or(existing.as_ref().map(|r| r.share_contact))
        .unwrap_or(false);
    let party = party(guests);
    let already = existing
        .as_ref()
        .filter(|r| r.status == RsvpStatus::Going)
        .map_or(0, Rsvp::party);
    let status = seats(&event).place(party, already);
    if let Some(same) = existing
        .as_ref()
        .filter(|r| r.status == status && r.guests == guests)
    {
        let same = if same.share_contact == share_contact {
            same.clone()
        } else {
            db_rsvps::set_share_contact(&mut tx, same.id, share_contact).await?
        };
        cortege_db::commit(tx).await?;
        return Ok(same);
    }
    let rsvp = db_rsvps::upsert(&mut tx, event_id, me, status, guests, share_contact).await?;
    let seats_before = event.seats_taken;
    let taken = seats_before - already
        + if status == RsvpStatus::Going {
            party
        } else {
            0
        };
    db_rsvps::set_seats(&mut tx, &mut event, taken).await?;
    let previous = existing.as_ref().map(|r| r.status);
    db_rsvps::record_change(&mut tx, &rsvp, previous, &event, taken).await?;
    // Joining after the reminders went out: this member gets one at once.
    if rsvp.status.holds_place() && !previous.is_some_and(RsvpStatus::holds_place) {
        cortege_db::notify::reminders::catch_up(&mut tx, event_id, me.0).await?;
    }
    // Fewer guests, or a party moved to the waitlist, frees seats.
    if taken < seats_before {
        promote(&mut tx, &mut event).await?;
    }
    cortege_db::commit(tx).await?;
    Ok(rsvp)
}

/// Cancels `actor`'s RSVP and gives its seats to the waitlist.
pub async fn cancel(app: &App, actor: &Person, event_id: Uuid) -> Result<Rsvp> {
    check_answerable(app, actor, event_id).await?;
    let mut tx = cortege_db::begin(&app.pool).await?;
    let mut event = locked(&mut tx, event_id).await?;
    let existing = db_rsvps::of_person_for_event(&mut tx, event_id, PersonId(actor.id))
        .await?
        .ok_or_else(|| Error::NotFound("you have no RSVP to this event".to_owned()))?;
    if existing.status == RsvpStatus::Cancelled {
        cortege_db::commit(tx).await?;
        return Ok(existing);
    }
    let rsvp = db_rsvps::set_status(&mut tx, &[existing.id], RsvpStatus::Cancelled)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::internal("RSVP vanished", &existing.id))?;
    let was_going = existing.status == RsvpStatus::Going;
    if was_going {
        let taken = event.seats_taken - existing.party();
        db_rsvps::set_seats(&mut tx, &mut event, taken).await?;
    }
    let taken = event.seats_taken;
    db_rsvps::record_change(&mut tx, &rsvp, Some(existing.status), &event, taken).await?;
    if was_going && check_open(&event).is_ok() {
        promote(&mut tx, &mut event).await?;
    }
    cortege_db::commit(tx).await?;
    Ok(rsvp)
}

/// Promotes waitlisted parties of the locked event, in waiting order,
/// skipping a party that does not fit, until no more fit; records each
/// with the attendee count it made.
pub async fn promote(tx: &mut Tx<'_>, event: &mut Event) -> Result<Vec<Rsvp>> {
    if seats(event).free().is_some_and(|f| f <= 0) {
        return Ok(Vec::new());
    }
    let waiting = db_rsvps::waiting(tx, event.id).await?;
    let parties: Vec<i32> = waiting.iter().map(Rsvp::party).collect();
    let ids: Vec<Uuid> = seats(event)
        .promotions(&parties)
        .into_iter()
        .map(|i| waiting[i].id)
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let promoted = db_rsvps::set_status(tx, &ids, RsvpStatus::Going).await?;
    let mut running = event.seats_taken;
    let taken = running + promoted.iter().map(Rsvp::party).sum::<i32>();
    db_rsvps::set_seats(tx, event, taken).await?;
    for r in &promoted {
        running += r.party();
        db_rsvps::record_change(tx, r, Some(RsvpStatus::Waitlisted), event, running).await?;
    }
    Ok(promoted)
}
