//! Web Push subscriptions: one row per device endpoint.

use chrono::{DateTime, Utc};
use cortege_domain::PersonId;
use sqlx::PgPool;
use uuid::Uuid;

use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Subscription {
    pub id: Uuid,
    pub person_id: Uuid,
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
    pub created_at: DateTime<Utc>,
    pub last_success_at: Option<DateTime<Utc>>,
}

/// The columns of [`Subscription`] (a macro: statements are static text).
macro_rules! columns {
    () => {
        "id, person_id, endpoint, p256dh, auth, created_at, last_success_at"
    };
}

pub async fn of_person(pool: &PgPool, person: PersonId) -> Result<Vec<Subscription>> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM push_subscriptions WHERE person_id = $1 ORDER BY created_at, id"
    ))
    .bind(person.0)
    .fetch_all(pool)
    .await?)
}

pub async fn of_people(pool: &PgPool, people: &[Uuid]) -> Result<Vec<Subscription>> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        columns!(),
        " FROM push_subscriptions WHERE person_id = ANY($1)"
    ))
    .bind(people)
    .fetch_all(pool)
    .await?)
}

/// Registers the device for the person, or gives it to them (with its new
/// keys) when it is known already: registering twice is one subscription.
/// Refuses (None) when the person holds `max` others already.
pub async fn register(
    pool: &PgPool,
    person: PersonId,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
    max: i64,
) -> Result<Option<Subscription>> {
    let mut tx = pool.begin().await?;
    // Serialises one member's registrations, so that two at once cannot
    // both pass the count.
    sqlx::query("SELECT 1 FROM people WHERE id = $1 FOR UPDATE")
        .bind(person.0)
        .execute(&mut *tx)
        .await?;
    let others: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM push_subscriptions WHERE person_id = $1 AND endpoint <> $2",
    )
    .bind(person.0)
    .bind(endpoint)
    .fetch_one(&mut *tx)
    .await?;
    if others >= max {
        return Ok(None);
    }
    let row: Subscription = sqlx::query_as(concat!(
        "INSERT INTO push_subscriptions (id, person_id, endpoint, p256dh, auth)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (endpoint) DO UPDATE
            SET person_id = excluded.person_id, p256dh = excluded.p256dh, auth = excluded.auth
         RETURNING ",
        columns!()
    ))
    .bind(Uuid::now_v7())
    .bind(person.0)
    .bind(endpoint)
    .bind(p256dh)
    .bind(auth)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(row))
}

/// Removes the person's subscription; false when they have no such one.
pub async fn remove(pool: &PgPool, person: PersonId, id: Uuid) -> Result<bool> {
    let done = sqlx::query("DELETE FROM push_subscriptions WHERE id = $1 AND person_id = $2")
        .bind(id)
        .bind(person.0)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The push service said the subscription is gone (404, 410).
pub async fn forget(pool: &PgPool, id: Uuid) -> Result<()> {
    sqlx::query("DELETE FROM push_subscriptions WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// The devices that took a push just now.
pub async fn succeeded(pool: &PgPool, ids: &[Uuid]) -> Result<()> {
    sqlx::query("UPDATE push_subscriptions SET last_success_at = now() WHERE id = ANY($1)")
        .bind(ids)
        .execute(pool)
        .await?;
    Ok(())
}
