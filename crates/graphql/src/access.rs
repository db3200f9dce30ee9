//! Who may see and do what. One place for the rules of the contract's
//! header, so resolvers ask rather than re-derive them.

use std::sync::Arc;

use async_graphql::Context;
use cortege_db::events::Event;
use cortege_db::people::Person;
use cortege_domain::{Reader, Role};

use crate::auth::{auth, require_person};
use crate::error::{ApiError, ApiResult};
use crate::loaders::Loaders;

fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    crate::loaders::of(ctx)
}

/// The signed-in person's row (cached for the request), or None.
pub async fn viewer(ctx: &Context<'_>) -> ApiResult<Option<Arc<Person>>> {
    match (auth(ctx).person(), &loaders(ctx).viewer) {
        (Some(id), Some(viewer)) => viewer.account(id).await,
        _ => Ok(None),
    }
}

/// The signed-in person, who must also have accepted the pledge to act
/// (members imported from the old file can read until they do).
pub async fn require_member(ctx: &Context<'_>) -> ApiResult<Arc<Person>> {
    require_person(ctx)?;
    let person = viewer(ctx).await?.ok_or(ApiError::Unauthenticated)?;
    if person.pledge_accepted_at.is_none() {
        return Err(ApiError::Forbidden(
            "accept the movement's pledge first (acceptPledge)".to_owned(),
        ));
    }
    Ok(person)
}

/// Whether the viewer holds any of these roles.
pub async fn has_any_role(ctx: &Context<'_>, roles: &[Role]) -> ApiResult<bool> {
    Ok(viewer(ctx).await?.is_some_and(|p| p.has_any_role(roles)))
}

/// Whether the viewer is an active member (or manager, with `manager`) of
/// the group.
pub async fn is_group_member(
    ctx: &Context<'_>,
    group: uuid::Uuid,
    manager: bool,
) -> ApiResult<bool> {
    let Some(v) = &loaders(ctx).viewer else {
        return Ok(false);
    };
    Ok(v.membership
        .load_one(group)
        .await?
        .flatten()
        .is_some_and(|m| m.status.counts(m.role, manager)))
}

/// An event's organisers: its organiser and its group's managers.
pub async fn is_event_organiser(ctx: &Context<'_>, event: &Event) -> ApiResult<bool> {
    let Some(me) = auth(ctx).person() else {
        return Ok(false);
    };
    if event.organiser_id == me.0 {
        return Ok(true);
    }
    match event.group_id {
        Some(g) => is_group_member(ctx, g, true).await,
        None => Ok(false),
    }
}

/// An event's hosts: its organiser, its group's managers and its co-hosts.
pub async fn is_event_host(ctx: &Context<'_>, event: &Event) -> ApiResult<bool> {
    if is_event_organiser(ctx, event).await? {
        return Ok(true);
    }
    match &loaders(ctx).viewer {
        Some(v) => Ok(v.hosting.load_one(event.id).await?.unwrap_or(false)),
        None => Ok(false),
    }
}

/// Hosts, moderators and admins: who may see an event's attendees.
pub async fn may_see_attendees(ctx: &Context<'_>, event: &Event) -> ApiResult<bool> {
    Ok(is_event_host(ctx, event).await? || has_any_role(ctx, Role::STAFF).await?)
}

/// Who may see a group's roster of `status`: its managers and admins, and
/// moderators too for its active members.
pub async fn may_see_roster(
    ctx: &Context<'_>,
    group: uuid::Uuid,
    status: cortege_domain::MembershipStatus,
) -> ApiResult<bool> {
    let staff: &[Role] = match status {
        cortege_domain::MembershipStatus::Active => &[Role::Moderator, Role::Admin],
        _ => &[Role::Admin],
    };
    Ok(is_group_member(ctx, group, true).await? || has_any_role(ctx, staff).await?)
}

/// Hosts and admins: who may change or cancel an event.
pub async fn may_edit_event(ctx: &Context<'_>, event: &Event) -> ApiResult<bool> {
    Ok(is_event_host(ctx, event).await? || has_any_role(ctx, &[Role::Admin]).await?)
}

/// Whether the viewer may see the event by id: the domain's rule
/// (`Visibility::is_readable_by`) over what the viewer is to the event.
/// Cancelled and removed events stay readable by id, as the contract says.
///
/// Each thing the viewer is can only let them in, never keep them out, so
/// the rule is asked again as each is learnt, the free one first: the
/// organiser opening their own group event costs no look-up of their
/// memberships or roles.
pub async fn may_see_event(ctx: &Context<'_>, event: &Event) -> ApiResult<bool> {
    let mut reader = Reader {
        organiser: auth(ctx)
            .person()
            .is_some_and(|p| p.0 == event.organiser_id),
        ..Reader::default()
    };
    if event.visibility.is_readable_by(reader) {
        return Ok(true);
    }
    if let Some(group) = event.group_id {
        reader.group_member = is_group_member(ctx, group, false).await?;
        if event.visibility.is_readable_by(reader) {
            return Ok(true);
        }
    }
    reader.staff = has_any_role(ctx, Role::STAFF).await?;
    Ok(event.visibility.is_readable_by(reader))
}

/// Whether the viewer runs the event or is GOING to it: who gets its
/// private details (exact place, instructions).
pub async fn is_host_or_going(ctx: &Context<'_>, event: &Event) -> ApiResult<bool> {
    let going = match &loaders(ctx).viewer {
        Some(v) => v
            .rsvp
            .load_one(event.id)
            .await?
            .flatten()
            .is_some_and(|r| r.status == cortege_domain::RsvpStatus::Going),
        None => false,
    };
    Ok(going || is_event_host(ctx, event).await?)
}

/// Whether the viewer sees the event's exact place (street, location):
/// everyone for a PUBLIC address; for a private one its hosts and GOING
/// attendees only.
pub async fn sees_exact_place(ctx: &Context<'_>, event: &Event) -> ApiResult<bool> {
    Ok(event.shows_exact_place(false) || is_host_or_going(ctx, event).await?)
}
