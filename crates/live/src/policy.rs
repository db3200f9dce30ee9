//! The publish policy: which bus messages a batch of newly numbered
//! activities makes. New PUBLIC events go to their H3 cell (with the row,
//! so that thousands of subscribers near it need no query each), RSVP
//! changes to their event, and the new end of the sequence to every feed.
//! Everything else reaches its recipients through their feeds, which read
//! the activity from PostgreSQL.

use cortege_db::PgPool;
use cortege_db::outbox::Numbered;
use cortege_domain::Happening;
use cortege_realtime::{Channel, Message, SharedBus, cell_of};

/// Publishes what live subscribers follow: new PUBLIC events to their
/// cell, RSVP changes to their event, and the new end of the sequence to
/// every feed. Bus failures are logged, not retried: see the module doc.
pub async fn publish(
    pool: &PgPool,
    bus: &SharedBus,
    numbered: &[Numbered],
) -> Result<(), cortege_db::Error> {
    let mut messages = Vec::new();
    let created: Vec<uuid::Uuid> = numbered
        .iter()
        .filter(|n| n.kind == Happening::EventCreated)
        .filter_map(|n| n.event_id)
        .collect();
    let events = cortege_db::events::by_ids(pool, &created).await?;
    for n in numbered {
        match (n.kind, n.event_id) {
            (Happening::EventCreated, Some(id)) => {
                let Some(event) = events.iter().find(|e| e.id == id) else {
                    continue;
                };
                if !event.is_announced_nearby() {
                    continue;
                }
                let (lat, lon) = event.public_location();
                if let Some(cell) = cell_of(lat, lon) {
                    messages.push((
                        Channel::cell(cell),
                        Message::EventCreated {
                            seq: n.seq,
                            event: std::sync::Arc::new(event.clone()),
                        },
                    ));
                }
            }
            (Happening::RsvpChanged, Some(event)) => {
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
    // All at once, each bounded by the bus's timeout: a Redis that is away
    // costs the batch one timeout, not one per message, and in a cluster a
    // shard that is down (a master lost, its replica not promoted yet)
    // loses only its own channels' messages. Issued in order, so that one
    // channel's messages keep their order on its node's connection.
    let sent =
        futures_util::future::join_all(messages.iter().map(|(c, m)| bus.publish(c, m))).await;
    let mut failures = messages
        .iter()
        .zip(&sent)
        .filter_map(|((c, _), r)| r.as_ref().err().map(|e| (c, e)));
    if let Some((channel, e)) = failures.next() {
        tracing::warn!(
            channel = %channel.name(),
            error = %e,
            also_failed = failures.count(),
            of = messages.len(),
            "relay: publish failed"
        );
    }
    Ok(())
}
