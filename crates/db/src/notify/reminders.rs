//! Reminders before an event: one EVENT_REMINDER activity per event and
//! offset, recorded when its time comes, then fanned out like any other.

use cortege_domain::Happening;
use sqlx::PgPool;
use uuid::Uuid;

use crate::Result;
use crate::activities::{self, Activity};

/// Records the reminders whose time has come, `offsets` hours before each
/// start, for events neither cancelled nor removed: one activity per
/// event, for the smallest offset due (an event created two hours before
/// it starts gets its two-hour reminder, not also the day-before one),
/// every due offset marked done. Replicas running this at once record
/// each reminder once. Returns how many it recorded.
pub async fn record_due(pool: &PgPool, offsets: &[i32]) -> Result<usize> {
    let Some(widest) = offsets.iter().copied().max() else {
        return Ok(0);
    };
    let mut tx = pool.begin().await?;
    let due: Vec<(Uuid, i32)> = sqlx::query_as(
        "WITH due AS (
             SELECT e.id, h.hours FROM events e CROSS JOIN unnest($1::int[]) AS h(hours)
             WHERE e.starts_at > now() AND e.starts_at <= now() + make_interval(hours => $2)
               AND e.cancelled_at IS NULL AND e.removed_at IS NULL
               AND e.starts_at - make_interval(hours => h.hours) <= now()
               AND NOT EXISTS (SELECT 1 FROM event_reminders r
                               WHERE r.event_id = e.id AND r.hours = h.hours)
         ), marked AS (
             INSERT INTO event_reminders (event_id, hours) SELECT id, hours FROM due
             ON CONFLICT DO NOTHING
             RETURNING event_id, hours
         )
         SELECT event_id, min(hours) FROM marked GROUP BY event_id",
    )
    .bind(offsets)
    .bind(widest)
    .fetch_all(&mut *tx)
    .await?;
    for (event, hours) in &due {
        activities::record(
            &mut tx,
            Happening::EventReminder,
            Activity {
                event: Some(*event),
                payload: serde_json::json!({ "hours": hours }),
                ..Activity::default()
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(due.len())
}

/// A member who joins (or is promoted from the waiting list) after the
/// event's reminders went out gets the latest of them at once, for them
/// alone. Called inside the RSVP's transaction.
pub async fn catch_up(tx: &mut crate::Tx<'_>, event: Uuid, person: Uuid) -> Result<()> {
    let latest: Option<i32> = sqlx::query_scalar(
        "SELECT min(r.hours) FROM event_reminders r JOIN events e ON e.id = r.event_id
         WHERE r.event_id = $1 AND e.starts_at > now()
           AND e.cancelled_at IS NULL AND e.removed_at IS NULL",
    )
    .bind(event)
    .fetch_one(&mut **tx)
    .await?;
    if let Some(hours) = latest {
        activities::record(
            tx,
            Happening::EventReminder,
            Activity {
                event: Some(event),
                recipient: Some(person),
                payload: serde_json::json!({ "hours": hours }),
                ..Activity::default()
            },
        )
        .await?;
    }
    Ok(())
}
