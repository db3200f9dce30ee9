//! The outbox relay: one per cluster (an advisory lock elects it among the
//! replicas), woken by NOTIFY and polling as a safety net, it numbers
//! committed activities (cortege_db::outbox), then publishes them on the
//! bus. A crash between a commit and its numbering loses nothing: the next
//! relay finds the row unnumbered. A publish lost (Redis down, a crash just
//! after numbering) loses nothing that matters either: feeds follow the
//! sequence in PostgreSQL and catch up; only "from now on" pushes
//! (eventsNearby, rsvpChanged) miss what happened while the bus was away.

use std::time::Duration;

use cortege_db::PgPool;
use cortege_db::outbox::{CHANNEL, Numbered, RELAY_LOCK, number_batch};
use cortege_realtime::{Channel, Message, SharedBus, cell_of};
use sqlx::Connection;
use sqlx::postgres::PgListener;

/// Most activities numbered in one transaction.
const BATCH: i64 = 1_000;
/// How often the relay looks without being woken: a lost notification
/// delays numbering by this much at most.
const POLL: Duration = Duration::from_secs(1);
/// How often a standby replica tries to become the relay.
const STANDBY: Duration = Duration::from_secs(2);

pub fn spawn(
    pool: PgPool,
    bus: SharedBus,
    stopping: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if *stopping.borrow() {
                return;
            }
            match run(&pool, &bus, stopping.clone()).await {
                Ok(()) => tokio::time::sleep(STANDBY).await,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox relay stopped; retrying");
                    tokio::time::sleep(STANDBY).await;
                }
            }
        }
    })
}

/// Returns Ok when another process holds the relay lock.
async fn run(
    pool: &PgPool,
    bus: &SharedBus,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) -> Result<(), cortege_db::Error> {
    // A connection of its own, out of the pool: the session-level lock
    // lives exactly as long as it does.
    let mut lock = pool.acquire().await?.detach();
    let elected: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(RELAY_LOCK)
        .fetch_one(&mut lock)
        .await?;
    if !elected {
        lock.close().await.ok();
        return Ok(());
    }
    tracing::info!("this process runs the outbox relay");
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    loop {
        loop {
            let numbered = number_batch(pool, BATCH).await?;
            if let Some(last) = numbered.last() {
                tracing::debug!(
                    count = numbered.len(),
                    last = last.seq,
                    "activities numbered"
                );
                publish(pool, bus, &numbered).await?;
            }
            if (numbered.len() as i64) < BATCH {
                break;
            }
        }
        if *stopping.borrow() {
            // The last batch is numbered and published: hand over.
            tracing::info!("outbox relay flushed; stopping");
            lock.close().await.ok();
            return Ok(());
        }
        tokio::select! {
            n = listener.recv() => { n?; }
            () = tokio::time::sleep(POLL) => {}
            Ok(()) = stopping.changed() => {}
        }
        // Keep the lock's connection alive and notice if it died.
        sqlx::query("SELECT 1").execute(&mut lock).await?;
    }
}

/// Publishes what live subscribers follow: new PUBLIC events to their
/// cell, RSVP changes to their event, and the new end of the sequence to
/// every feed. Bus failures are logged, not retried: see the module doc.
async fn publish(
    pool: &PgPool,
    bus: &SharedBus,
    numbered: &[Numbered],
) -> Result<(), cortege_db::Error> {
    let mut messages = Vec::new();
    let created: Vec<uuid::Uuid> = numbered
        .iter()
        .filter(|n| n.kind == "EVENT_CREATED")
        .filter_map(|n| n.event_id)
        .collect();
    let events = cortege_db::events::by_ids(pool, &created).await?;
    for n in numbered {
        match (n.kind.as_str(), n.event_id) {
            ("EVENT_CREATED", Some(id)) => {
                let Some(event) = events.iter().find(|e| e.id == id) else {
                    continue;
                };
                if event.visibility != "PUBLIC" || event.removed_at.is_some() {
                    continue;
                }
                if let Some(cell) = cell_of(event.lat, event.lon) {
                    messages.push((
                        Channel::cell(cell),
                        Message::EventCreated {
                            seq: n.seq,
                            event: std::sync::Arc::new(event.clone()),
                        },
                    ));
                }
            }
            ("RSVP_CHANGED", Some(event)) => {
                let rsvp = n.payload.get("rsvp").and_then(|v| v.as_str());
                let count = n
                    .payload
                    .get("attendees")
                    .and_then(serde_json::Value::as_i64);
                if let (Some(Ok(rsvp)), Some(count)) = (rsvp.map(uuid::Uuid::parse_str), count) {
                    messages.push((
                        Channel::event(event),
                        Message::RsvpChanged {
                            seq: n.seq,
                            event,
                            rsvp,
                            attendee_count: i32::try_from(count).unwrap_or(i32::MAX),
                        },
                    ));
                }
            }
            _ => {}
        }
    }
    if let Some(last) = numbered.last() {
        messages.push((Channel::activities(), Message::Numbered { upto: last.seq }));
    }
    for (channel, message) in &messages {
        if let Err(e) = bus.publish(channel, message).await {
            tracing::warn!(channel = %channel.name(), error = %e, "relay: publish failed");
            // Redis is away: the rest would fail too, slowly.
            break;
        }
    }
    Ok(())
}
