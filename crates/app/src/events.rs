//! Events: create, change, cancel, and who may read one.

use cortege_db::events::{self as db_events, Event, EventUpdate, NewEvent};
use cortege_db::people::Person;
use cortege_domain::events::{EventChanges, EventDraft, capacity_grew, check_new_capacity, micros};
use cortege_domain::{PersonId, check_schedule};
use uuid::Uuid;

use crate::rate_limits::Action;
use crate::{App, Error, Result, places, rights, rsvps};

/// The event by id if `viewer` may read it; NOT_FOUND otherwise (a GROUP
/// event is not revealed to strangers).
pub async fn readable(app: &App, viewer: Option<&Person>, id: Uuid) -> Result<Event> {
    let event = by_id(app, id)
        .await?
        .ok_or_else(|| Error::not_found("event"))?;
    if event
        .visibility
        .is_readable_by(rights::reader_of(app, viewer, &event).await?)
    {
        Ok(event)
    } else {
        Err(Error::not_found("event"))
    }
}

/// The event as stored now, whatever its state.
pub async fn by_id(app: &App, id: Uuid) -> Result<Option<Event>> {
    Ok(db_events::by_ids(&app.pool, &[id])
        .await?
        .into_iter()
        .next())
}

async fn stored(app: &App, id: Uuid) -> Result<Event> {
    by_id(app, id)
        .await?
        .ok_or_else(|| Error::internal("event vanished", &id))
}

/// Creates an event organised by `actor`.
pub async fn create(app: &App, actor: &Person, draft: EventDraft) -> Result<Event> {
    rights::require_member(actor)?;
    app.limits.check(Action::CreateEvent, actor.id).await?;
    if let Some(g) = draft.group {
        let exists = cortege_db::groups::by_ids(&app.pool, &[g])
            .await?
            .first()
            .is_some_and(|g| g.removed_at.is_none());
        if !exists || !rights::is_group_member(app, actor.id, g, false).await? {
            return Err(Error::invalid(
                "input.groupId",
                "you are not an active member of this group",
            ));
        }
    }
    let address = match &draft.address {
        Some(a) => places::resolve(app, a, "input.address").await?,
        None => places::online_home(app, actor, draft.group).await?,
    };
    let location = match draft.location {
        Some(l) => l,
        None => places::commune_centre(app, &address).await?,
    };
    let id = db_events::create(
        &app.pool,
        &NewEvent {
            organiser: PersonId(actor.id),
            group: draft.group,
            kind: draft.kind,
            visibility: draft.visibility,
            title: draft.title,
            description: draft.description,
            starts_at: draft.starts_at,
            ends_at: draft.ends_at,
            location,
            address,
            capacity: draft.capacity,
            address_visibility: draft.address_visibility,
            instructions: draft.instructions,
            online: draft.online,
            online_url: draft.online_url,
        },
    )
    .await?;
    stored(app, id.0).await
}

/// The event, if `actor` may change it: its hosts and admins.
pub(crate) async fn editable(app: &App, actor: &Person, id: Uuid, verb: &str) -> Result<Event> {
    rights::require_member(actor)?;
    let event = readable(app, Some(actor), id).await?;
    if !rights::may_edit_event(app, actor, &event).await? {
        return Err(Error::forbidden(format!(
            "only the event's hosts may {verb} it"
        )));
    }
    Ok(event)
}

/// Changes an event. A larger capacity promotes waitlisted parties in the
/// same transaction.
pub async fn update(app: &App, actor: &Person, id: Uuid, changes: EventChanges) -> Result<Event> {
    editable(app, actor, id, "change").await?;
    let address = match &changes.address {
        Some(a) => Some(places::resolve(app, a, "input.address").await?),
        None => None,
    };
    let mut update = EventUpdate {
        title: changes.title,
        description: changes.description,
        kind: changes.kind,
        starts_at: changes.starts_at.map(micros),
        ends_at: changes.ends_at.map(micros),
        location: changes.location,
        address,
        capacity: changes.capacity,
        address_visibility: changes.address_visibility,
        instructions: changes.instructions,
        online_url: changes.online_url,
        search_point: None,
    };
    let mut tx = cortege_db::begin(&app.pool).await?;
    let mut event = db_events::lock(&mut tx, id)
        .await?
        .ok_or_else(|| Error::not_found("event"))?;
    if event.cancelled_at.is_some() {
        return Err(Error::invalid("id", "the event is cancelled"));
    }
    let starts = update.starts_at.unwrap_or(event.starts_at);
    let ends = update.ends_at.unwrap_or(event.ends_at);
    let ends_field = if update.ends_at.is_some() {
        "input.endsAt"
    } else {
        "input.startsAt"
    };
    check_schedule(starts, ends, ends_field)?;
    check_new_capacity(update.capacity, event.seats_taken, "input.capacity")?;
    if update.online_url.as_ref().is_some_and(Option::is_some) && !event.online {
        return Err(Error::invalid(
            "input.onlineUrl",
            "is for online actions (online: true)",
        ));
    }
    if update.location.is_some() || update.address_visibility.is_some() {
        let location = match update.location {
            Some(l) => l,
            None => cortege_domain::GeoPoint::parse(event.lat, event.lon)?,
        };
        let visibility = update
            .address_visibility
            .unwrap_or(event.address_visibility);
        update.search_point = Some(Event::search_point(location, visibility));
    }
    let grew = capacity_grew(update.capacity, event.capacity);
    db_events::update(&mut tx, id, PersonId(actor.id), &update).await?;
    if grew {
        event.capacity = update.capacity;
        rsvps::promote(&mut tx, &mut event).await?;
    }
    cortege_db::commit(tx).await?;
    stored(app, id).await
}

/// Cancels an event: it leaves every listing but stays readable by id.
pub async fn cancel(app: &App, actor: &Person, id: Uuid) -> Result<Event> {
    editable(app, actor, id, "cancel").await?;
    db_events::cancel(&app.pool, id, PersonId(actor.id)).await?;
    stored(app, id).await
}

/// The same action again at `starts_at`, organised by `actor`: one of
/// those who may change the original (a cancelled one too, to set a new
/// date). The copy has no RSVPs, and counts against the actor's limit of
/// new events as any other.
pub async fn duplicate(
    app: &App,
    actor: &Person,
    id: Uuid,
    starts_at: chrono::DateTime<chrono::Utc>,
) -> Result<Event> {
    let original = editable(app, actor, id, "duplicate").await?;
    let draft = original.copy_at(starts_at, chrono::Utc::now(), "startsAt")?;
    create(app, actor, draft).await
}

/// Records what the action achieved: by its organisers (and admins), from
/// its start to two weeks after, never for a cancelled one. A new report
/// replaces the last.
pub async fn report_outcome(
    app: &App,
    actor: &Person,
    id: Uuid,
    outcome: cortege_domain::outcomes::Outcome,
) -> Result<Event> {
    editable(app, actor, id, "report the outcome of").await?;
    let mut tx = cortege_db::begin(&app.pool).await?;
    let event = db_events::lock(&mut tx, id)
        .await?
        .ok_or_else(|| Error::not_found("event"))?;
    if event.cancelled_at.is_some() {
        return Err(Error::Conflict("the event is cancelled".to_owned()));
    }
    cortege_domain::outcomes::reporting_window(event.starts_at, chrono::Utc::now())
        .map_err(|why| Error::Conflict(why.message()))?;
    db_events::outcomes::report(&mut tx, id, PersonId(actor.id), &outcome).await?;
    cortege_db::commit(tx).await?;
    stored(app, id).await
}
