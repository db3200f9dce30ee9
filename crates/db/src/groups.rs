//! Local groups and their memberships.

use chrono::{DateTime, Utc};
use cortege_domain::{GroupId, PersonId};
use cortege_domain::{GroupRole, JoinPolicy, MembershipStatus};
use sqlx::{PgPool, Postgres, QueryBuilder, Transaction};
use uuid::Uuid;

use crate::activities::{self, Activity, Happening};
use crate::{Result, geo};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Group {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub join_policy: JoinPolicy,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub commune_code: Option<String>,
    pub member_count: i32,
    pub removed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub distance_km: Option<f64>,
}

macro_rules! group_columns {
    () => {
        "g.id, g.name, g.description, g.join_policy, g.lat, g.lon, g.street,
         g.postcode, g.city, g.commune_code, g.member_count, g.removed_at, g.created_at"
    };
}

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

pub async fn by_ids(pool: &PgPool, ids: &[Uuid]) -> Result<Vec<Group>> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        group_columns!(),
        ", NULL::float8 AS distance_km FROM groups g WHERE g.id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(pool)
    .await?)
}

#[derive(Debug, Clone)]
pub struct NewGroup {
    pub name: String,
    pub description: String,
    pub join_policy: JoinPolicy,
    pub location: Option<(f64, f64)>,
    pub address: Option<cortege_domain::PostalAddress>,
}

/// Creates the group with its creator as its first (active) manager.
pub async fn create(pool: &PgPool, creator: PersonId, g: &NewGroup) -> Result<GroupId> {
    let id = GroupId::new();
    let mut tx = pool.begin().await?;
    let address = g.address.as_ref();
    sqlx::query(
        "INSERT INTO groups (id, name, description, join_policy, lat, lon, earth, street, postcode,
             city, commune_code, created_by, member_count)
         VALUES ($1, $2, $3, $4::join_policy, $5, $6,
             CASE WHEN $5::float8 IS NULL THEN NULL ELSE ll_to_earth($5, $6) END,
             $7, $8, $9, $10, $11, 1)",
    )
    .bind(id.0)
    .bind(&g.name)
    .bind(&g.description)
    .bind(g.join_policy)
    .bind(g.location.map(|l| l.0))
    .bind(g.location.map(|l| l.1))
    .bind(address.and_then(|a| a.street.clone()))
    .bind(address.map(|a| a.postcode.clone()))
    .bind(address.map(|a| a.city.clone()))
    .bind(address.map(|a| a.commune_code.clone()))
    .bind(creator.0)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO memberships (group_id, person_id, role, status, activated_at)
         VALUES ($1, $2, 'MANAGER', 'ACTIVE', now())",
    )
    .bind(id.0)
    .bind(creator.0)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
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

async fn lock_group(tx: &mut Transaction<'_, Postgres>, group: Uuid) -> Result<Option<Group>> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        group_columns!(),
        ", NULL::float8 AS distance_km FROM groups g WHERE g.id = $1 FOR UPDATE"
    ))
    .bind(group)
    .fetch_optional(&mut **tx)
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
    let Some(g) = lock_group(&mut tx, group)
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
    if lock_group(&mut tx, group).await?.is_none() {
        return Ok(LeaveOutcome::NotAMember);
    }
    let Some(m) = membership_in(&mut tx, group, person.0).await? else {
        return Ok(LeaveOutcome::NotAMember);
    };
    if m.role == GroupRole::Manager && m.status == MembershipStatus::Active {
        let managers: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM memberships WHERE group_id = $1 AND role = 'MANAGER' AND status = 'ACTIVE'",
        )
        .bind(group)
        .fetch_one(&mut *tx)
        .await?;
        if managers <= 1 {
            return Ok(LeaveOutcome::LastManager);
        }
    }
    sqlx::query("DELETE FROM memberships WHERE group_id = $1 AND person_id = $2")
        .bind(group)
        .bind(person.0)
        .execute(&mut *tx)
        .await?;
    if m.status == MembershipStatus::Active {
        sqlx::query("UPDATE groups SET member_count = member_count - 1 WHERE id = $1")
            .bind(group)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(LeaveOutcome::Left)
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
    if lock_group(&mut tx, group).await?.is_none() {
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

/// Members of a group by status, managers first then by joining order,
/// paged by (position, person).
pub async fn members(
    pool: &PgPool,
    group: Uuid,
    status: &'static str,
    after: Option<(i64, Uuid)>,
    limit: i64,
) -> Result<Vec<(i64, Membership)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        pos: i64,
        #[sqlx(flatten)]
        m: Membership,
    }
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "SELECT * FROM (
             SELECT row_number() OVER (ORDER BY m.role DESC, m.created_at, m.person_id) AS pos, ",
        membership_columns!(),
        " FROM memberships m WHERE m.group_id = $1 AND m.status = $2::membership_status) t
         WHERE ($3::bigint IS NULL OR (t.pos, t.person_id) > ($3, $4))
         ORDER BY t.pos LIMIT $5"
    ))
    .bind(group)
    .bind(status)
    .bind(after.map(|a| a.0))
    .bind(after.map(|a| a.1))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.pos, r.m)).collect())
}

/// A person's memberships (active and pending), by joining order.
pub async fn of_person(
    pool: &PgPool,
    person: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<Membership>> {
    Ok(sqlx::query_as(concat!(
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
    .fetch_all(pool)
    .await?)
}

/// Where a group listing resumes.
#[derive(Debug, Clone, PartialEq)]
pub enum After {
    Name(String, Uuid),
    Distance(f64, Uuid),
}

#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub near: Option<geo::Near>,
    pub search: Option<String>,
    pub after: Option<After>,
    pub limit: i64,
}

/// Groups, nearest first with `near`, else by name.
pub async fn list(pool: &PgPool, l: &Listing) -> Result<Vec<Group>> {
    let mut q: QueryBuilder<Postgres> =
        QueryBuilder::new(concat!("SELECT ", group_columns!(), ", "));
    match l.near {
        Some(near) => {
            geo::push_distance_km(&mut q, "g", near);
            q.push(" AS distance_km");
        }
        None => {
            q.push("NULL::float8 AS distance_km");
        }
    }
    q.push(" FROM groups g WHERE g.removed_at IS NULL");
    if let Some(near) = l.near {
        geo::push_within(&mut q, "g", near);
    }
    if let Some(text) = &l.search {
        crate::push_text_search(&mut q, "g", text);
    }
    match (&l.after, l.near) {
        (Some(After::Distance(d, id)), Some(near)) => {
            geo::push_after(&mut q, "g", near, *d, *id);
        }
        (Some(After::Name(name, id)), None) => {
            q.push(" AND (g.name, g.id) > (")
                .push_bind(name.clone())
                .push(", ")
                .push_bind(*id)
                .push(")");
        }
        _ => {}
    }
    match l.near {
        Some(_) => q.push(" ORDER BY distance_km, g.id"),
        None => q.push(" ORDER BY g.name, g.id"),
    };
    q.push(" LIMIT ").push_bind(l.limit);
    Ok(q.build_query_as::<Group>().fetch_all(pool).await?)
}
