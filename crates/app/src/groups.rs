//! Local groups: create, join, leave, and the managers' answers.

use cortege_db::groups::{self as db_groups, Group, NewGroup};
use cortege_db::memberships::{LeaveOutcome, Membership};
use cortege_db::people::Person;
use cortege_domain::PersonId;
use cortege_domain::groups::GroupDraft;
use uuid::Uuid;

use crate::rate_limits::Action;
use crate::{App, Error, Result, places, rights};

/// Creates a group; `actor` becomes its first manager. A group given only
/// an address sits at its commune's centre.
pub async fn create(app: &App, actor: &Person, draft: GroupDraft) -> Result<Group> {
    rights::require_member(actor)?;
    app.limits.check(Action::CreateGroup, actor.id).await?;
    let address = match &draft.address {
        Some(a) => Some(places::resolve(app, a, "input.address").await?),
        None => None,
    };
    let mut location = draft.location.map(|p| (p.lat(), p.lon()));
    if location.is_none()
        && let Some(a) = &address
    {
        let communes = cortege_db::reference::communes_by_code(
            &app.pool,
            std::slice::from_ref(&a.commune_code),
        )
        .await?;
        location = communes.first().map(|c| (c.lat, c.lon));
    }
    let id = db_groups::create(
        &app.pool,
        PersonId(actor.id),
        &NewGroup {
            name: draft.name,
            description: draft.description,
            join_policy: draft.join_policy,
            location,
            address,
        },
    )
    .await?;
    db_groups::by_ids(&app.pool, &[id.0])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::internal("group vanished", &id.0))
}

/// ACTIVE at once under OPEN, PENDING under APPROVAL. Someone the
/// managers removed waits 30 days to join an OPEN group again: FORBIDDEN.
pub async fn join(app: &App, actor: &Person, group: Uuid) -> Result<Membership> {
    rights::require_member(actor)?;
    if let Some(g) = db_groups::by_ids(&app.pool, &[group]).await?.first() {
        let removed = cortege_db::memberships::removed_at(&app.pool, group, actor.id).await?;
        if let Some(from) =
            cortege_domain::groups::rejoin_from(g.join_policy, removed, chrono::Utc::now())
        {
            return Err(Error::forbidden(format!(
                "the group's managers removed you: you may join again from {}",
                from.format("%Y-%m-%d")
            )));
        }
    }
    cortege_db::memberships::join(&app.pool, group, PersonId(actor.id))
        .await?
        .ok_or_else(|| Error::not_found("group"))
}

/// Leaves a group (or withdraws a request); false when not a member. The
/// last manager cannot leave: CONFLICT.
pub async fn leave(app: &App, person: PersonId, group: Uuid) -> Result<bool> {
    match cortege_db::memberships::leave(&app.pool, group, person).await? {
        LeaveOutcome::Left => Ok(true),
        LeaveOutcome::NotAMember => Ok(false),
        LeaveOutcome::LastManager => Err(Error::Conflict(
            "you are the group's last manager: name another manager first".to_owned(),
        )),
    }
}

/// A manager (or an admin) removes an active member, who hears of it;
/// logged where moderators see it. False when the person is not an active
/// member. The last manager cannot be removed (CONFLICT), and leaving is
/// `leave`, not this.
pub async fn remove_member(app: &App, actor: &Person, group: Uuid, person: Uuid) -> Result<bool> {
    rights::require_member(actor)?;
    if person == actor.id {
        return Err(Error::invalid(
            "personId",
            "to leave the group yourself, use leaveGroup",
        ));
    }
    if !rights::may_manage_group(app, actor, group).await? {
        return Err(Error::forbidden("only the group's managers remove members"));
    }
    match cortege_db::memberships::remove(&app.pool, group, person, PersonId(actor.id)).await? {
        LeaveOutcome::Left => Ok(true),
        LeaveOutcome::NotAMember => Ok(false),
        LeaveOutcome::LastManager => Err(Error::Conflict(
            "this is the group's last manager: name another manager first".to_owned(),
        )),
    }
}

/// A manager (or an admin) accepts or refuses a request to join; a refused
/// request is deleted and returned as it was (PENDING).
pub async fn respond(
    app: &App,
    actor: &Person,
    group: Uuid,
    person: Uuid,
    accept: bool,
) -> Result<Membership> {
    rights::require_member(actor)?;
    if !rights::may_manage_group(app, actor, group).await? {
        return Err(Error::forbidden(
            "only the group's managers answer join requests",
        ));
    }
    cortege_db::memberships::respond(&app.pool, group, person, PersonId(actor.id), accept)
        .await?
        .ok_or_else(|| Error::NotFound("no pending request from this person".to_owned()))
}

/// A manager (or an admin) makes an active member a manager, or a manager
/// a plain member again; logged where moderators see it. The last manager
/// cannot step down: CONFLICT.
pub async fn set_role(
    app: &App,
    actor: &Person,
    group: Uuid,
    person: Uuid,
    role: cortege_domain::GroupRole,
) -> Result<Membership> {
    rights::require_member(actor)?;
    if !rights::may_manage_group(app, actor, group).await? {
        return Err(Error::forbidden("only the group's managers change roles"));
    }
    match cortege_db::memberships::set_role(&app.pool, group, person, role, PersonId(actor.id))
        .await?
    {
        cortege_db::memberships::RoleOutcome::Changed(m) => Ok(m),
        cortege_db::memberships::RoleOutcome::NotAnActiveMember => Err(Error::NotFound(
            "this person is not an active member of the group".to_owned(),
        )),
        cortege_db::memberships::RoleOutcome::LastManager => Err(Error::Conflict(
            "the group's last manager cannot step down: name another manager first".to_owned(),
        )),
    }
}

/// A manager (or an admin) changes the group's name, description or join
/// policy; logged where moderators see it. Pending requests stay pending
/// when the policy becomes OPEN: the managers still answer them.
pub async fn update(
    app: &App,
    actor: &Person,
    group: Uuid,
    changes: cortege_domain::groups::GroupChanges,
) -> Result<Group> {
    rights::require_member(actor)?;
    let exists = db_groups::by_ids(&app.pool, &[group])
        .await?
        .into_iter()
        .next()
        .filter(|g| g.removed_at.is_none());
    if exists.is_none() {
        return Err(Error::not_found("group"));
    }
    if !rights::may_manage_group(app, actor, group).await? {
        return Err(Error::forbidden("only the group's managers change it"));
    }
    db_groups::update(&app.pool, group, &changes, PersonId(actor.id))
        .await?
        .ok_or_else(|| Error::not_found("group"))
}
