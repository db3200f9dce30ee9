//! The outbox relay's side of the activities table: committed activities
//! get a gap-free, strictly increasing sequence number, in the order the
//! relay sees them committed. Feed cursors are these numbers, so "replay
//! after N, then go live" is exact.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::Result;

/// The notification channel mutations signal when they record an activity.
pub const CHANNEL: &str = "cortege_activity";
/// The advisory lock that makes one relay active across replicas.
pub const RELAY_LOCK: i64 = 0x636f_7274_6567_6502;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Numbered {
    pub id: Uuid,
    pub seq: i64,
    pub kind: cortege_domain::Happening,
    pub actor_id: Option<Uuid>,
    pub event_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    pub recipient_id: Option<Uuid>,
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// Numbers up to `max` committed, unnumbered activities, oldest first, in
/// one transaction. The row lock on outbox_state serialises relays, so
/// numbers are never handed out twice nor skipped.
pub async fn number_batch(pool: &PgPool, max: i64) -> Result<Vec<Numbered>> {
    let mut tx = pool.begin().await?;
    let last: i64 = sqlx::query_scalar("SELECT last_seq FROM outbox_state FOR UPDATE")
        .fetch_one(&mut *tx)
        .await?;
    let ids: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM activities WHERE seq IS NULL ORDER BY created_at, id LIMIT $1",
    )
    .bind(max)
    .fetch_all(&mut *tx)
    .await?;
    if ids.is_empty() {
        tx.commit().await?;
        return Ok(Vec::new());
    }
    let mut numbered: Vec<Numbered> = sqlx::query_as(
        "UPDATE activities a SET seq = $2 + t.ord, published_at = now()
         FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, ord)
         WHERE a.id = t.id
         RETURNING a.id, a.seq, a.kind, a.actor_id, a.event_id, a.group_id,
                   a.recipient_id, a.payload, a.created_at",
    )
    .bind(&ids)
    .bind(last)
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query("UPDATE outbox_state SET last_seq = $1")
        .bind(last + ids.len() as i64)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    numbered.sort_by_key(|n| n.seq);
    Ok(numbered)
}

/// How far the relay is behind: committed activities not yet numbered,
/// the age of the oldest, and the last number handed out.
#[derive(Debug, Clone, Copy)]
pub struct Lag {
    pub unnumbered: i64,
    pub oldest_seconds: f64,
    pub last_seq: i64,
}

pub async fn lag(pool: &PgPool) -> Result<Lag> {
    let (unnumbered, oldest_seconds, last_seq): (i64, f64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM activities WHERE seq IS NULL),
                coalesce((SELECT extract(epoch FROM now() - min(created_at))::float8
                          FROM activities WHERE seq IS NULL), 0),
                (SELECT last_seq FROM outbox_state)",
    )
    .fetch_one(pool)
    .await?;
    Ok(Lag {
        unnumbered,
        oldest_seconds,
        last_seq,
    })
}

/// The relay's hold on [`RELAY_LOCK`]: a connection of its own, out of the
/// pool, since the session-level lock lives exactly as long as it does.
pub struct Lease(sqlx::PgConnection);

impl Lease {
    /// The lease if no other process holds it.
    pub async fn try_take(pool: &PgPool) -> Result<Option<Self>> {
        use sqlx::Connection;
        let mut conn = pool.acquire().await?.detach();
        let elected: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(RELAY_LOCK)
            .fetch_one(&mut conn)
            .await?;
        if elected {
            Ok(Some(Self(conn)))
        } else {
            conn.close().await.ok();
            Ok(None)
        }
    }

    /// Keeps the lock's connection alive, and fails if it died (the lock
    /// is then gone too).
    pub async fn keep_alive(&mut self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&mut self.0).await?;
        Ok(())
    }

    /// Hands the lock over.
    pub async fn release(self) {
        use sqlx::Connection;
        self.0.close().await.ok();
    }
}

/// Notifications that activities were committed ([`CHANNEL`]).
pub struct Wakeups(sqlx::postgres::PgListener);

impl Wakeups {
    pub async fn listen(pool: &PgPool) -> Result<Self> {
        Self::listen_on(pool, CHANNEL).await
    }

    /// Wakeups on another notification channel (the notifier's).
    pub async fn listen_on(pool: &PgPool, channel: &str) -> Result<Self> {
        let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
        listener.listen(channel).await?;
        Ok(Self(listener))
    }

    /// The next notification; an error when the connection broke.
    pub async fn recv(&mut self) -> Result<()> {
        self.0.recv().await?;
        Ok(())
    }
}
