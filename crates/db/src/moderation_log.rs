//! The moderation log: append-only (a trigger refuses changes), written
//! in the transaction of what it records, read by moderators newest first.

use chrono::{DateTime, Utc};
use cortege_domain::{ModerationAction, SubjectKind};
use sqlx::PgPool;
use uuid::Uuid;

use crate::Result;

/// One line of the log.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Entry {
    pub id: i64,
    /// Null for the command line.
    pub actor_id: Option<Uuid>,
    #[sqlx(try_from = "String")]
    pub action: ModerationAction,
    pub target_person_id: Option<Uuid>,
    pub target_type: Option<SubjectKind>,
    pub target_id: Option<Uuid>,
    pub reason: Option<String>,
    pub details: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// A line to append.
#[derive(Debug, Clone)]
pub struct NewLine {
    pub actor: Uuid,
    pub action: ModerationAction,
    pub target_person: Option<Uuid>,
    /// What it was about.
    pub target: (SubjectKind, Uuid),
    pub details: serde_json::Value,
}

/// Appends a line, in the caller's transaction (or on its own).
pub async fn record<'e>(db: impl sqlx::PgExecutor<'e>, line: &NewLine) -> Result<()> {
    sqlx::query(
        "INSERT INTO moderation_log (actor_id, action, target_person_id, target_type, target_id, details)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(line.actor)
    .bind(line.action.as_str())
    .bind(line.target_person)
    .bind(line.target.0)
    .bind(line.target.1)
    .bind(&line.details)
    .execute(db)
    .await?;
    Ok(())
}

/// A page of the log, newest first, before the line `before` (the
/// primary key's order), optionally about one person.
pub async fn page(
    pool: &PgPool,
    person: Option<Uuid>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>> {
    Ok(sqlx::query_as(
        "SELECT id, actor_id, action, target_person_id, target_type, target_id, reason, details,
                created_at
         FROM moderation_log
         WHERE ($1::uuid IS NULL OR target_person_id = $1 OR actor_id = $1)
           AND ($2::int8 IS NULL OR id < $2)
         ORDER BY id DESC LIMIT $3",
    )
    .bind(person)
    .bind(before)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}
