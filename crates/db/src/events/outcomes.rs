//! Events' outcomes: one row per event, replaced by each new report.

use chrono::{DateTime, Utc};
use cortege_domain::PersonId;
use cortege_domain::outcomes::Outcome;
use sqlx::PgPool;
use uuid::Uuid;

use crate::{Result, Tx};

/// An outcome as reported.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Reported {
    pub event_id: Uuid,
    #[sqlx(flatten)]
    pub outcome: Outcome,
    pub reported_at: DateTime<Utc>,
    pub reported_by: Option<Uuid>,
}

/// Records `outcome` for the event, replacing any earlier report.
pub async fn report(tx: &mut Tx<'_>, event: Uuid, by: PersonId, outcome: &Outcome) -> Result<()> {
    sqlx::query(
        "INSERT INTO event_outcomes (event_id, leaflets, doors_knocked, conversations, posters,
                                     signatures, contacts, notes, reported_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (event_id) DO UPDATE SET
             leaflets = EXCLUDED.leaflets, doors_knocked = EXCLUDED.doors_knocked,
             conversations = EXCLUDED.conversations, posters = EXCLUDED.posters,
             signatures = EXCLUDED.signatures, contacts = EXCLUDED.contacts,
             notes = EXCLUDED.notes, reported_by = EXCLUDED.reported_by, reported_at = now()",
    )
    .bind(event)
    .bind(outcome.leaflets)
    .bind(outcome.doors_knocked)
    .bind(outcome.conversations)
    .bind(outcome.posters)
    .bind(outcome.signatures)
    .bind(outcome.contacts)
    .bind(&outcome.notes)
    .bind(by.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The outcomes of those of `events` that have one.
pub async fn of_events(pool: &PgPool, events: &[Uuid]) -> Result<Vec<Reported>> {
    Ok(sqlx::query_as(
        "SELECT event_id, leaflets, doors_knocked, conversations, posters, signatures, contacts,
                notes, reported_at, reported_by
         FROM event_outcomes WHERE event_id = ANY($1)",
    )
    .bind(events)
    .fetch_all(pool)
    .await?)
}
