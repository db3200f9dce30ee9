//! Calendar feeds: the member's private feed token, and events as a
//! calendar needs them (with their revision, for SEQUENCE).

use chrono::{DateTime, Utc};
use cortege_domain::{PersonId, Visibility};
use sqlx::PgPool;
use uuid::Uuid;

use crate::Result;

/// An event as a calendar entry.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Entry {
    pub id: Uuid,
    pub organiser_id: Uuid,
    pub group_id: Option<Uuid>,
    pub visibility: Visibility,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub lat: f64,
    pub lon: f64,
    pub street: Option<String>,
    pub postcode: String,
    pub city: String,
    pub revision: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub removed_at: Option<DateTime<Utc>>,
    pub address_visibility: cortege_domain::AddressVisibility,
}

/// The columns of [`Entry`] (a macro: statements are static text).
macro_rules! entry_columns {
    () => {
        "SELECT e.id, e.organiser_id, e.group_id, e.visibility, e.title, e.description,
         e.starts_at, e.ends_at, e.lat, e.lon, e.street, e.postcode, e.city, e.revision,
         e.created_at, e.updated_at, e.cancelled_at, e.removed_at, e.address_visibility
         FROM events e "
    };
}

/// How far back a feed goes: a calendar keeps what it has seen.
const PAST_DAYS: i32 = 90;
/// The most entries one feed holds.
const MAX_ENTRIES: i64 = 1_000;

pub async fn entry(pool: &PgPool, id: Uuid) -> Result<Option<Entry>> {
    Ok(sqlx::query_as(concat!(entry_columns!(), "WHERE e.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

/// A group's events of the last 90 days and to come, cancelled ones
/// included (calendars must learn of the cancellation).
pub async fn of_group(pool: &PgPool, group: Uuid) -> Result<Vec<Entry>> {
    Ok(sqlx::query_as(concat!(
        entry_columns!(),
        "WHERE e.group_id = $1 AND e.starts_at > now() - make_interval(days => $2)
         ORDER BY e.starts_at, e.id LIMIT $3"
    ))
    .bind(group)
    .bind(PAST_DAYS)
    .bind(MAX_ENTRIES)
    .fetch_all(pool)
    .await?)
}

/// The member's feed: events they are GOING to, and their groups' events,
/// of the last 90 days and to come.
pub async fn of_member(pool: &PgPool, person: PersonId) -> Result<Vec<Entry>> {
    Ok(sqlx::query_as(concat!(
        entry_columns!(),
        "WHERE e.starts_at > now() - make_interval(days => $2)
           AND (e.id IN (SELECT r.event_id FROM rsvps r WHERE r.person_id = $1 AND r.status = 'GOING')
                OR e.group_id IN (SELECT m.group_id FROM memberships m
                                  WHERE m.person_id = $1 AND m.status = 'ACTIVE'))
         ORDER BY e.starts_at, e.id LIMIT $3"
    ))
    .bind(person.0)
    .bind(PAST_DAYS)
    .bind(MAX_ENTRIES)
    .fetch_all(pool)
    .await?)
}

/// The member's feed token, made now if they have none.
pub async fn token(pool: &PgPool, person: PersonId, fresh: &str) -> Result<String> {
    Ok(sqlx::query_scalar(
        "UPDATE people SET calendar_token = coalesce(calendar_token, $2) WHERE id = $1
         RETURNING calendar_token",
    )
    .bind(person.0)
    .bind(fresh)
    .fetch_one(pool)
    .await?)
}

/// Replaces the member's feed token: the old URL stops working.
pub async fn reset(pool: &PgPool, person: PersonId, fresh: &str) -> Result<()> {
    sqlx::query("UPDATE people SET calendar_token = $2 WHERE id = $1")
        .bind(person.0)
        .bind(fresh)
        .execute(pool)
        .await?;
    Ok(())
}

/// Whose feed token this is, if it is a live member's.
pub async fn owner(pool: &PgPool, token: &str) -> Result<Option<PersonId>> {
    let id: Option<Uuid> = sqlx::query_scalar(
        "SELECT id FROM people WHERE calendar_token = $1 AND deleted_at IS NULL AND banned_at IS NULL",
    )
    .bind(token)
    .fetch_optional(pool)
    .await?;
    Ok(id.map(PersonId))
}
