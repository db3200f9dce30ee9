//! An event's co-hosts. The organiser and the group's managers (and
//! admins) choose them; a co-host may also step down. Co-hosts have the
//! organiser's rights over the event (`rights::is_event_host`) except this
//! one: choosing hosts.

use cortege_db::events::{self as db_events, Event};
use cortege_db::people::Person;
use cortege_domain::Visibility;
use uuid::Uuid;

use crate::{App, Error, Result, events, rights};

/// The event, if `actor` may change its hosts (`or_self`: a co-host
/// stepping down).
async fn choosable(app: &App, actor: &Person, id: Uuid, or_self: Option<Uuid>) -> Result<Event> {
    rights::require_member(actor)?;
    let event = events::readable(app, Some(actor), id).await?;
    if or_self != Some(actor.id) && !rights::may_choose_hosts(app, actor, &event).await? {
        return Err(Error::forbidden(
            "only the event's organiser and its group's managers choose its co-hosts",
        ));
    }
    Ok(event)
}

/// Makes `person` a co-host: an active member of the movement (and of
/// the group, for a members-only event). Idempotent; the new co-host
/// hears of it.
pub async fn add(app: &App, actor: &Person, event_id: Uuid, person: Uuid) -> Result<Event> {
    let event = choosable(app, actor, event_id, None).await?;
    if person == event.organiser_id {
        return Err(Error::invalid("personId", "this is the event's organiser"));
    }
    let candidate = cortege_db::people::by_ids(&app.pool, &[person])
        .await?
        .into_iter()
        .next()
        .filter(|p| p.is_active() && p.pledge_accepted_at.is_some())
        .ok_or_else(|| Error::invalid("personId", "not an active member of the movement"))?;
    if let (Visibility::Group, Some(group)) = (event.visibility, event.group_id)
        && !rights::is_group_member(app, candidate.id, group, false).await?
    {
        return Err(Error::invalid(
            "personId",
            "a co-host of a members-only event must be an active member of its group",
        ));
    }
    change(app, actor, event_id, person, true).await
}

/// Removes a co-host (the organiser cannot be removed). Idempotent; the
/// one removed hears of it.
pub async fn remove(app: &App, actor: &Person, event_id: Uuid, person: Uuid) -> Result<Event> {
    let event = choosable(app, actor, event_id, Some(person)).await?;
    if person == event.organiser_id {
        return Err(Error::invalid(
            "personId",
            "the organiser cannot be removed from the hosts",
        ));
    }
    change(app, actor, event_id, person, false).await
}

async fn change(app: &App, actor: &Person, id: Uuid, person: Uuid, add: bool) -> Result<Event> {
    let mut tx = cortege_db::begin(&app.pool).await?;
    let event = db_events::lock(&mut tx, id)
        .await?
        .ok_or_else(|| Error::not_found("event"))?;
    if add {
        db_events::hosts::add(&mut tx, &event, person, actor.id).await?;
    } else {
        db_events::hosts::remove(&mut tx, &event, person, actor.id).await?;
    }
    cortege_db::commit(tx).await?;
    events::by_id(app, id)
        .await?
        .ok_or_else(|| Error::internal("event vanished", &id))
}
