//! Sessions: a 256-bit random token, stored as its SHA-256 (a leaked table
//! gives no usable token; the token's entropy makes a slow hash pointless).

use chrono::{DateTime, Utc};
use cortege_domain::{PersonId, SessionId};
use sqlx::PgPool;
use uuid::Uuid;

use crate::Result;

/// How long a session lives without being used.
pub const IDLE_LIFETIME_DAYS: i32 = 30;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub id: Uuid,
    pub person_id: Uuid,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

impl Session {
    pub fn session_id(&self) -> SessionId {
        SessionId(self.id)
    }

    pub fn person(&self) -> PersonId {
        PersonId(self.person_id)
    }
}

pub async fn create(pool: &PgPool, person: PersonId, token_hash: &[u8]) -> Result<SessionId> {
    let id = SessionId::new();
    sqlx::query(
        "INSERT INTO sessions (id, person_id, token_hash, expires_at)
         VALUES ($1, $2, $3, now() + make_interval(days => $4))",
    )
    .bind(id.0)
    .bind(person.0)
    .bind(token_hash)
    .bind(IDLE_LIFETIME_DAYS)
    .execute(pool)
    .await?;
    Ok(id)
}

/// The live session for this token hash: not revoked, not expired, and its
/// person neither banned nor deleted.
pub async fn lookup(pool: &PgPool, token_hash: &[u8]) -> Result<Option<Session>> {
    let session: Option<Session> = sqlx::query_as(
        "SELECT s.id, s.person_id, s.last_seen_at, s.expires_at FROM sessions s
         JOIN people p ON p.id = s.person_id
         WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()
           AND p.banned_at IS NULL AND p.deleted_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(pool)
    .await?;
    // Sliding expiry, written at most hourly so reads stay reads.
    if let Some(s) = &session
        && Utc::now() - s.last_seen_at > chrono::Duration::hours(1)
    {
        sqlx::query(
            "UPDATE sessions SET last_seen_at = now(),
                 expires_at = now() + make_interval(days => $2) WHERE id = $1",
        )
        .bind(s.id)
        .bind(IDLE_LIFETIME_DAYS)
        .execute(pool)
        .await?;
    }
    Ok(session)
}

pub async fn revoke(pool: &PgPool, id: SessionId) -> Result<()> {
    sqlx::query("UPDATE sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL")
        .bind(id.0)
        .execute(pool)
        .await?;
    Ok(())
}
