//! The moderation log: append-only (a trigger refuses changes), written
//! in the transaction of what it records, read by moderators newest first.

use chrono::{DateTime, Utc};
use cortege_domain::{ModerationAction, SubjectKind};
use sqlx::PgPool;
use uuid::Uuid;

use crate::Result;
use crate::statement::Statement;

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
/// primary key's order), optionally by or about one person.
pub async fn page(
    pool: &PgPool,
    person: Option<Uuid>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>> {
    page_statement(person, before, limit).fetch_all(pool).await
}

/// The statement of [`page`]. The whole log walks the primary key
/// backwards from the cursor; one person's lines merge two walks, the
/// lines about them (moderation_log_target_page_idx) and those by them
/// about someone else (moderation_log_actor_page_idx), so a moderator
/// looking up one member never reads the rest of the log. The cursor is
/// bound as a plain `id < $2` (the newest line's successor for a first
/// page) so that it bounds the index walk.
pub fn page_statement(person: Option<Uuid>, before: Option<i64>, limit: i64) -> Statement {
    macro_rules! columns {
        () => {
            "id, actor_id, action, target_person_id, target_type, target_id, reason, details, \
             created_at"
        };
    }
    let sql = match person {
        // $1 is still bound (NULL) so both statements take the same arguments.
        None => concat!(
            "SELECT ",
            columns!(),
            " FROM moderation_log WHERE $1::uuid IS NULL AND id < $2 ORDER BY id DESC LIMIT $3"
        ),
        Some(_) => concat!(
            "SELECT ",
            columns!(),
            " FROM ((SELECT ",
            columns!(),
            " FROM moderation_log WHERE target_person_id = $1 AND id < $2
                   ORDER BY id DESC LIMIT $3)
               UNION ALL
               (SELECT ",
            columns!(),
            " FROM moderation_log
                WHERE actor_id = $1 AND target_person_id IS DISTINCT FROM $1 AND id < $2
                ORDER BY id DESC LIMIT $3)) l
             ORDER BY id DESC LIMIT $3"
        ),
    };
    Statement::new(sql)
        .bind(person)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
}
