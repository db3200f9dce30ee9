//! Memberships of local groups: joining, leaving, the managers' answers,
//! and the lists of members.

use chrono::{DateTime, Utc};
use cortege_domain::{GroupRole, MembershipStatus, ModerationAction, PersonId, SubjectKind};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::Result;
use crate::activities::{self, Activity, Happening};
use crate::statement::Statement;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Membership {
    pub group_id: Uuid,
    pub person_id: Uuid,
    pub role: GroupRole,
    pub status: MembershipStatus,
    pub created_at: DateTime<Utc>,
    pub activated_at: Option<DateTime<Utc>>,
}

macro_rules! membership_columns {
    () => {
        "m.group_id, m.person_id, m.role, m.status, m.created_at,
         m.activated_at"
    };
}

/// Memberships of one person in these groups, for a DataLoader.
pub async fn memberships_of(
    pool: &PgPool,
    person: Uuid,
    groups: &[Uuid],
) -> Result<Vec<Membership>> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        membership_columns!(),
        " FROM memberships m WHERE m.person_id = $1 AND m.group_id = ANY($2)"
    ))
    .bind(person)
    .bind(groups)
    .fetch_all(pool)
    .await?)
}

/// The active managers' ids of these groups, for organiser checks.
pub async fn managers_of(pool: &PgPool, groups: &[Uuid]) -> Result<Vec<(Uuid, Uuid)>> {
    Ok(sqlx::query_as(
        "SELECT group_id, person_id FROM memberships
         WHERE group_id = ANY($1) AND role = 'MANAGER' AND status = 'ACTIVE'",
    )
    .bind(groups)
    .fetch_all(pool)
    .await?)
}

async fn membership_in(
    tx: &mut Transaction<'_, Postgres>,
    group: Uuid,
    person: Uuid,
) -> Result<Option<Membership>> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        membership_columns!(),
        " FROM memberships m WHERE m.group_id = $1 AND m.person_id = $2"
    ))
    .bind(group)
    .bind(person)
    .fetch_optional(&mut **tx)
    .await?)
}

async fn joined(
    tx: &mut Transaction<'_, Postgres>,
    group: Uuid,
    person: Uuid,
    actor: Uuid,
) -> Result<()> {
    sqlx::query("UPDATE groups SET member_count = member_count + 1 WHERE id = $1")
        .bind(group)
        .execute(&mut **tx)
        .await?;
    activities::record(
        tx,
        Happening::GroupMemberJoined,
        Activity {
            actor: Some(actor),
            group: Some(group),
            recipient: Some(person),
            ..Activity::default()
        },
    )
    .await
}

/// Joins: ACTIVE at once under OPEN, PENDING under APPROVAL; an existing
/// membership is returned as it is. None when the group does not exist.
pub async fn join(pool: &PgPool, group: Uuid, person: PersonId) -> Result<Option<Membership>> {
    let mut tx = pool.begin().await?;
    let Some(g) = crate::groups::lock(&mut tx, group)
        .await?
        .filter(|g| g.removed_at.is_none())
    else {
        return Ok(None);
    };
    if let Some(m) = membership_in(&mut tx, group, person.0).await? {
        tx.commit().await?;
        return Ok(Some(m));
    }
    let open = g.join_policy.first_status() == MembershipStatus::Active;
    let m: Membership = sqlx::query_as(concat!(
        "INSERT INTO memberships AS m (group_id, person_id, role, status, activated_at)
         VALUES ($1, $2, 'MEMBER', $3::membership_status, CASE WHEN $3 = 'ACTIVE' THEN now() END)
         RETURNING ",
        membership_columns!()
    ))
    .bind(group)
    .bind(person.0)
    .bind(if open { "ACTIVE" } else { "PENDING" })
    .fetch_one(&mut *tx)
    .await?;
    if open {
        joined(&mut tx, group, person.0, person.0).await?;
    }
    tx.commit().await?;
    Ok(Some(m))
}

/// Whether the group has one active manager at most (under its lock): the
/// one asking to go may not.
async fn is_last_manager(tx: &mut Transaction<'_, Postgres>, group: Uuid) -> Result<bool> {
    let managers: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM memberships WHERE group_id = $1 AND role = 'MANAGER' AND status = 'ACTIVE'",
    )
    .bind(group)
    .fetch_one(&mut **tx)
    .await?;
    Ok(managers <= 1)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaveOutcome {
    Left,
    NotAMember,
    LastManager,
}

/// Leaves (or withdraws a pending request). The last active manager may
/// not leave: the group would be ungoverned.
pub async fn leave(pool: &PgPool, group: Uuid, person: PersonId) -> Result<LeaveOutcome> {
    let mut tx = pool.begin().await?;
    if crate::groups::lock(&mut tx, group).await?.is_none() {
        return Ok(LeaveOutcome::NotAMember);
    }
    let Some(m) = membership_in(&mut tx, group, person.0).await? else {
        return Ok(LeaveOutcome::NotAMember);
    };
    if m.status.counts(m.role, true) && is_last_manager(&mut tx, group).await? {
        return Ok(LeaveOutcome::LastManager);
    }
    delete(&mut tx, &m).await?;
    tx.commit().await?;
    Ok(LeaveOutcome::Left)
}

/// Ends a membership (the caller holds the group's lock): the member
/// count, and the co-hosting of the group's members-only events, go with it.
async fn delete(tx: &mut Transaction<'_, Postgres>, m: &Membership) -> Result<()> {
    sqlx::query("DELETE FROM memberships WHERE group_id = $1 AND person_id = $2")
        .bind(m.group_id)
        .bind(m.person_id)
        .execute(&mut **tx)
        .await?;
    if m.status == MembershipStatus::Active {
        sqlx::query("UPDATE groups SET member_count = member_count - 1 WHERE id = $1")
            .bind(m.group_id)
            .execute(&mut **tx)
            .await?;
    }
    crate::events::hosts::drop_from_group_events(tx, m.group_id, m.person_id).await
}

/// Managers removing someone from the group (the removal is logged, kept
/// for the rejoining rule, and told to them); the last active manager may
/// not be removed. A pending request is answered by `respond` instead.
pub async fn remove(
    pool: &PgPool,
    group: Uuid,
    person: Uuid,
    actor: PersonId,
) -> Result<LeaveOutcome> {
    let mut tx = pool.begin().await?;
    if crate::groups::lock(&mut tx, group).await?.is_none() {
        return Ok(LeaveOutcome::NotAMember);
    }
    let Some(m) = membership_in(&mut tx, group, person)
        .await?
        .filter(|m| m.status == MembershipStatus::Active)
    else {
        return Ok(LeaveOutcome::NotAMember);
    };
    if m.role == GroupRole::Manager && is_last_manager(&mut tx, group).await? {
        return Ok(LeaveOutcome::LastManager);
    }
    delete(&mut tx, &m).await?;
    sqlx::query(
        "INSERT INTO group_removals (group_id, person_id, removed_by) VALUES ($1, $2, $3)
         ON CONFLICT (group_id, person_id)
         DO UPDATE SET removed_at = now(), removed_by = EXCLUDED.removed_by",
    )
    .bind(group)
    .bind(person)
    .bind(actor.0)
    .execute(&mut *tx)
    .await?;
    crate::moderation_log::record(
        &mut *tx,
        &crate::moderation_log::NewLine {
            actor: actor.0,
            action: ModerationAction::RemoveGroupMember,
            target_person: Some(person),
            target: (SubjectKind::Group, group),
            details: serde_json::json!({ "role": m.role }),
        },
    )
    .await?;
    activities::record(
        &mut tx,
        Happening::GroupMemberRemoved,
        Activity {
            actor: Some(actor.0),
            group: Some(group),
            recipient: Some(person),
            ..Activity::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(LeaveOutcome::Left)
}

/// When the group's managers last removed the person, if they did.
pub async fn removed_at(pool: &PgPool, group: Uuid, person: Uuid) -> Result<Option<DateTime<Utc>>> {
    Ok(sqlx::query_scalar(
        "SELECT removed_at FROM group_removals WHERE group_id = $1 AND person_id = $2",
    )
    .bind(group)
    .bind(person)
    .fetch_optional(pool)
    .await?)
}

/// What changing a member's role came to.
#[derive(Debug, Clone)]
pub enum RoleOutcome {
    Changed(Membership),
    NotAnActiveMember,
    LastManager,
}

/// Gives an active member `role`, with its moderation-log row, in one
/// transaction under the group's lock. The last active manager may not
/// become a plain member: the group would be ungoverned.
pub async fn set_role(
    pool: &PgPool,
    group: Uuid,
    person: Uuid,
    role: GroupRole,
    actor: PersonId,
) -> Result<RoleOutcome> {
    let mut tx = pool.begin().await?;
    if crate::groups::lock(&mut tx, group).await?.is_none() {
        return Ok(RoleOutcome::NotAnActiveMember);
    }
    let Some(m) = membership_in(&mut tx, group, person)
        .await?
        .filter(|m| m.status == MembershipStatus::Active)
    else {
        return Ok(RoleOutcome::NotAnActiveMember);
    };
    if m.role == role {
        return Ok(RoleOutcome::Changed(m));
    }
    if m.role == GroupRole::Manager && is_last_manager(&mut tx, group).await? {
        return Ok(RoleOutcome::LastManager);
    }
    let changed: Membership = sqlx::query_as(concat!(
        "UPDATE memberships m SET role = $3 WHERE m.group_id = $1 AND m.person_id = $2 RETURNING ",
        membership_columns!()
    ))
    .bind(group)
    .bind(person)
    .bind(role)
    .fetch_one(&mut *tx)
    .await?;
    crate::moderation_log::record(
        &mut *tx,
        &crate::moderation_log::NewLine {
            actor: actor.0,
            action: ModerationAction::SetGroupRole,
            target_person: Some(person),
            target: (SubjectKind::Group, group),
            details: serde_json::json!({ "role": role }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(RoleOutcome::Changed(changed))
}

/// Accepts or refuses a pending request. Returns the membership as it was
/// before a refusal (deleted) or as it is after an acceptance; None when
/// there is no pending request.
pub async fn respond(
    pool: &PgPool,
    group: Uuid,
    person: Uuid,
    manager: PersonId,
    accept: bool,
) -> Result<Option<Membership>> {
    let mut tx = pool.begin().await?;
    if crate::groups::lock(&mut tx, group).await?.is_none() {
        return Ok(None);
    }
    let Some(m) = membership_in(&mut tx, group, person)
        .await?
        .filter(|m| m.status == MembershipStatus::Pending)
    else {
        return Ok(None);
    };
    let result = if accept {
        let m: Membership = sqlx::query_as(concat!(
            "UPDATE memberships m SET status = 'ACTIVE', activated_at = now()
             WHERE m.group_id = $1 AND m.person_id = $2 RETURNING ",
            membership_columns!()
        ))
        .bind(group)
        .bind(person)
        .fetch_one(&mut *tx)
        .await?;
        joined(&mut tx, group, person, manager.0).await?;
        m
    } else {
        sqlx::query("DELETE FROM memberships WHERE group_id = $1 AND person_id = $2")
            .bind(group)
            .bind(person)
            .execute(&mut *tx)
            .await?;
        m
    };
    tx.commit().await?;
    Ok(Some(result))
}

/// Where a member stands in a group's list: managers first, then by
/// joining order, then by person. The members page is keyed by it.
pub type MemberKey = (GroupRole, DateTime<Utc>, Uuid);

/// The members page of the group `$group` (an SQL expression).
macro_rules! members_page {
    ($group:literal) => {
        // Managers sort first (role DESC) but the rest of the key ascends,
        // so the keyset is spelled out rather than one row comparison.
        concat!(
            "SELECT ",
            membership_columns!(),
            " FROM memberships m WHERE m.group_id = ",
            $group,
            " AND m.status = $2
               AND ($3::group_role IS NULL OR m.role < $3
                    OR (m.role = $3 AND (m.created_at, m.person_id) > ($4, $5)))
             ORDER BY m.role DESC, m.created_at, m.person_id LIMIT $6"
        )
    };
}

/// Members of a group by status, managers first then by joining order,
/// paged by [`MemberKey`].
pub async fn members(
    pool: &PgPool,
    group: Uuid,
    status: MembershipStatus,
    after: Option<MemberKey>,
    limit: i64,
) -> Result<Vec<Membership>> {
    members_page(group, status, after, limit)
        .fetch_all(pool)
        .await
}

/// The statement of [`members`] (memberships_roster_idx walked in order).
pub fn members_page(
    group: Uuid,
    status: MembershipStatus,
    after: Option<MemberKey>,
    limit: i64,
) -> Statement {
    page_args(
        Statement::new(members_page!("$1")).bind(group),
        status,
        after,
        limit,
    )
}

/// Binds a roster page's `$2` to `$6`, after its parent's `$1`.
fn page_args(
    statement: Statement,
    status: MembershipStatus,
    after: Option<MemberKey>,
    limit: i64,
) -> Statement {
    statement
        .bind(status)
        .bind(after.map(|a| a.0))
        .bind(after.map(|a| a.1))
        .bind(after.map(|a| a.2))
        .bind(limit)
}

/// The same page of each of `groups`' members by status ([`members`] for
/// each), in one statement: the members asked of every group of a list.
pub async fn members_of_groups(
    pool: &PgPool,
    groups: &[Uuid],
    status: MembershipStatus,
    after: Option<MemberKey>,
    limit: i64,
) -> Result<Vec<Membership>> {
    members_pages(groups, status, after, limit)
        .fetch_all(pool)
        .await
}

/// The statement of [`members_of_groups`]: memberships_roster_idx walked
/// in order once per group, each walk cut at the page size.
pub fn members_pages(
    groups: &[Uuid],
    status: MembershipStatus,
    after: Option<MemberKey>,
    limit: i64,
) -> Statement {
    let statement = Statement::new(concat!(
        "SELECT m.* FROM unnest($1::uuid[]) AS p(group_id) CROSS JOIN LATERAL (",
        members_page!("p.group_id"),
        ") m ORDER BY m.group_id, m.role DESC, m.created_at, m.person_id"
    ));
    page_args(statement.bind(groups), status, after, limit)
}

/// A person's memberships (active and pending), by joining order.
pub async fn of_person(
    pool: &PgPool,
    person: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<Membership>> {
    of_person_page(person, after, limit).fetch_all(pool).await
}

/// The statement of [`of_person`].
pub fn of_person_page(person: Uuid, after: Option<(DateTime<Utc>, Uuid)>, limit: i64) -> Statement {
    Statement::new(concat!(
        "SELECT ",
        membership_columns!(),
        " FROM memberships m JOIN groups g ON g.id = m.group_id
         WHERE m.person_id = $1 AND g.removed_at IS NULL
           AND ($2::timestamptz IS NULL OR (m.created_at, m.group_id) > ($2, $3))
         ORDER BY m.created_at, m.group_id LIMIT $4"
    ))
    .bind(person)
    .bind(after.map(|a| a.0))
    .bind(after.map(|a| a.1))
    .bind(limit)
}
