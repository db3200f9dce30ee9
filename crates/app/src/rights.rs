//! Who may do what: the rules of the contract's header, asked by the
//! use-cases with the actor's row in hand. (The GraphQL layer answers the
//! same questions for fields through its DataLoaders, with the same domain
//! rules: `Visibility::is_readable_by`, `Role::STAFF`.)

use cortege_db::events::Event;
use cortege_db::people::Person;
use cortege_domain::{Reader, Role};
use uuid::Uuid;

use crate::{App, Error, Result};

/// The person, who must also have accepted the pledge to act (members
/// imported from the old file can read until they do).
pub fn require_member(person: &Person) -> Result<()> {
    if person.pledge_accepted_at.is_none() {
        return Err(Error::forbidden(
            "accept the movement's pledge first (acceptPledge)",
        ));
    }
    Ok(())
}

/// Whether the person is an active member (or manager, with `manager`) of
/// the group.
pub async fn is_group_member(app: &App, person: Uuid, group: Uuid, manager: bool) -> Result<bool> {
    let m = cortege_db::memberships::memberships_of(&app.pool, person, &[group]).await?;
    Ok(m.first().is_some_and(|m| m.status.counts(m.role, manager)))
}

/// Whether the person may run the group: its active managers and admins.
pub async fn may_manage_group(app: &App, person: &Person, group: Uuid) -> Result<bool> {
    Ok(person.has_role(Role::Admin) || is_group_member(app, person.id, group, true).await?)
}

/// Whether the person organises the event or manages its group: who may
/// choose its co-hosts.
pub async fn is_event_organiser(app: &App, person: &Person, event: &Event) -> Result<bool> {
    if event.organiser_id == person.id {
        return Ok(true);
    }
    match event.group_id {
        Some(g) => is_group_member(app, person.id, g, true).await,
        None => Ok(false),
    }
}

/// An event's hosts: its organiser, its group's managers and its
/// co-hosts, who all run it.
pub async fn is_event_host(app: &App, person: &Person, event: &Event) -> Result<bool> {
    Ok(is_event_organiser(app, person, event).await?
        || !cortege_db::events::hosts::co_hosted_by(&app.pool, person.id, &[event.id])
            .await?
            .is_empty())
}

/// Hosts and admins: who may change or cancel an event, mark attendance
/// and report its outcome.
pub async fn may_edit_event(app: &App, person: &Person, event: &Event) -> Result<bool> {
    Ok(person.has_role(Role::Admin) || is_event_host(app, person, event).await?)
}

/// Organisers, group managers and admins: who may add and remove co-hosts.
pub async fn may_choose_hosts(app: &App, person: &Person, event: &Event) -> Result<bool> {
    Ok(person.has_role(Role::Admin) || is_event_organiser(app, person, event).await?)
}

/// What the person is to the event, as its visibility cares.
pub async fn reader_of(app: &App, person: Option<&Person>, event: &Event) -> Result<Reader> {
    let Some(person) = person else {
        return Ok(Reader::default());
    };
    let group_member = match event.group_id {
        Some(g) if !event.visibility.is_readable_by(Reader::default()) => {
            is_group_member(app, person.id, g, false).await?
        }
        _ => false,
    };
    Ok(Reader {
        group_member,
        organiser: event.organiser_id == person.id,
        staff: person.has_any_role(Role::STAFF),
    })
}
