//! Co-hosts: people who run an event with its organiser. The organiser
//! stays `events.organiser_id`; this table holds the others.

use sqlx::PgPool;
use uuid::Uuid;

use crate::activities::{self, Activity, Happening};
use crate::{Result, Tx};

/// The co-hosts of these events, as (event, person), in the order they
/// were added, for a DataLoader.
pub async fn of_events(pool: &PgPool, events: &[Uuid]) -> Result<Vec<(Uuid, Uuid)>> {
    Ok(sqlx::query_as(
        "SELECT h.event_id, h.person_id FROM event_hosts h
         JOIN people p ON p.id = h.person_id AND p.deleted_at IS NULL
         WHERE h.event_id = ANY($1) ORDER BY h.event_id, h.added_at, h.person_id",
    )
    .bind(events)
    .fetch_all(pool)
    .await?)
}

/// Which of these events the person co-hosts.
pub async fn co_hosted_by(pool: &PgPool, person: Uuid, events: &[Uuid]) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT event_id FROM event_hosts WHERE person_id = $1 AND event_id = ANY($2)",
    )
    .bind(person)
    .bind(events)
    .fetch_all(pool)
    .await?)
}

/// Adds a co-host to the event (the caller holds its lock) and tells them;
/// false when they already were one.
pub async fn add(tx: &mut Tx<'_>, event: &super::Event, person: Uuid, actor: Uuid) -> Result<bool> {
    let added = sqlx::query(
        "INSERT INTO event_hosts (event_id, person_id, added_by) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(event.id)
    .bind(person)
    .bind(actor)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if added {
        record(tx, Happening::EventHostAdded, event, person, actor).await?;
    }
    Ok(added)
}

/// Removes a co-host (the caller holds the event's lock) and tells them;
/// false when they were not one.
pub async fn remove(
    tx: &mut Tx<'_>,
    event: &super::Event,
    person: Uuid,
    actor: Uuid,
) -> Result<bool> {
    let removed = sqlx::query("DELETE FROM event_hosts WHERE event_id = $1 AND person_id = $2")
        .bind(event.id)
        .bind(person)
        .execute(&mut **tx)
        .await?
        .rows_affected()
        == 1;
    if removed {
        record(tx, Happening::EventHostRemoved, event, person, actor).await?;
    }
    Ok(removed)
}

async fn record(
    tx: &mut Tx<'_>,
    kind: Happening,
    event: &super::Event,
    person: Uuid,
    actor: Uuid,
) -> Result<()> {
    activities::record(
        tx,
        kind,
        Activity {
            actor: Some(actor),
            event: Some(event.id),
            group: event.group_id,
            recipient: Some(person),
            ..Activity::default()
        },
    )
    .await
}

/// Someone who left or was removed from a group no longer co-hosts its
/// members-only events, which they could not even read any more.
pub async fn drop_from_group_events(tx: &mut Tx<'_>, group: Uuid, person: Uuid) -> Result<()> {
    sqlx::query(
        "DELETE FROM event_hosts h USING events e
         WHERE h.event_id = e.id AND e.group_id = $1 AND e.visibility = 'GROUP' AND h.person_id = $2",
    )
    .bind(group)
    .bind(person)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
