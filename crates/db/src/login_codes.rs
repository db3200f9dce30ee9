//! One-time login codes, stored as argon2 hashes (codes are short, so a
//! leaked table must not be cheap to brute-force), single use, expiring.

use chrono::{DateTime, Utc};
use cortege_domain::{LoginCodeId, PersonId};
use sqlx::PgPool;
use uuid::Uuid;

use crate::Result;

/// How long a code stays valid.
pub const LIFETIME_MINUTES: i32 = 90;
/// How many unused codes a person may hold; a new one retires the oldest.
pub const MAX_LIVE: i64 = 3;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LiveCode {
    pub id: Uuid,
    pub code_hash: String,
    pub created_at: DateTime<Utc>,
}

/// Stores a new code and retires all but the newest [`MAX_LIVE`].
pub async fn create(pool: &PgPool, person: PersonId, code_hash: &str) -> Result<()> {
    let mut tx = pool.begin().await?;
    // Serialises concurrent requests for one person so the cap holds.
    sqlx::query("SELECT 1 FROM people WHERE id = $1 FOR UPDATE")
        .bind(person.0)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO login_codes (id, person_id, code_hash, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(mins => $4))",
    )
    .bind(LoginCodeId::new().0)
    .bind(person.0)
    .bind(code_hash)
    .bind(LIFETIME_MINUTES)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "DELETE FROM login_codes WHERE person_id = $1 AND used_at IS NULL AND id NOT IN (
             SELECT id FROM login_codes WHERE person_id = $1 AND used_at IS NULL
             ORDER BY created_at DESC, id DESC LIMIT $2)",
    )
    .bind(person.0)
    .bind(MAX_LIVE)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The person's unused, unexpired codes, newest first. `within_minutes`
/// narrows them to recent ones (account deletion wants a fresh code).
pub async fn live(
    pool: &PgPool,
    person: PersonId,
    within_minutes: Option<i32>,
) -> Result<Vec<LiveCode>> {
    Ok(sqlx::query_as(
        "SELECT id, code_hash, created_at FROM login_codes
         WHERE person_id = $1 AND used_at IS NULL AND expires_at > now()
           AND ($2::int IS NULL OR created_at > now() - make_interval(mins => $2))
         ORDER BY created_at DESC LIMIT $3",
    )
    .bind(person.0)
    .bind(within_minutes)
    .bind(MAX_LIVE)
    .fetch_all(pool)
    .await?)
}

/// Marks the code used; false when another request used it first, so a code
/// signs in once even under a race.
pub async fn consume(pool: &PgPool, id: Uuid) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE login_codes SET used_at = now() WHERE id = $1 AND used_at IS NULL AND expires_at > now()",
    )
    .bind(id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}
