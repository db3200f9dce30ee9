//! The notifier: follows the activity sequence and writes, for each
//! activity, one delivery per recipient and channel. Recipients are the
//! feed's (`cortege_db::feed::deliveries`), so a notification never goes
//! to someone whose feed would not show it; the channels are each
//! recipient's choice (`ActivityKind::channels`).
//!
//! Replicas share the work through a row lock: each round locks the
//! cursor (`notifier_state`), writes the deliveries of the next activities
//! and moves the cursor in one transaction. A replica killed mid-round
//! leaves the cursor where it was; the unique key on deliveries makes the
//! next round's rewrite of the same rows a no-op.

use std::collections::HashMap;
use std::time::Duration;

use cortege_db::notify::deliveries::{self, NewDelivery};
use cortege_db::notify::preferences;
use cortege_domain::{ActivityKind, Channels, DeliveryChannel};
use uuid::Uuid;

use crate::App;

/// Most activities one round fans out.
const ACTIVITIES_PER_ROUND: i64 = 100;
/// How often the notifier looks for newly numbered activities.
const POLL: Duration = Duration::from_millis(250);

/// Fans out the next activities; returns how many deliveries it wrote,
/// and whether more activities wait.
pub async fn round(app: &App) -> Result<(u64, bool), cortege_db::Error> {
    let mut tx = cortege_db::begin(&app.pool).await?;
    let (cursor, last) = deliveries::lock_cursor(&mut tx).await?;
    let upto = last.min(cursor + ACTIVITIES_PER_ROUND);
    if upto <= cursor {
        tx.commit().await?;
        return Ok((0, false));
    }
    let reachable = deliveries::reachable(&app.pool, cursor, upto).await?;
    let people: Vec<Uuid> = reachable.iter().map(|r| r.id).collect();
    let reach: HashMap<Uuid, _> = reachable.iter().map(|r| (r.id, *r)).collect();
    let items = cortege_db::feed::deliveries(&app.pool, &people, cursor, upto, i64::MAX).await?;
    let chosen: HashMap<(Uuid, ActivityKind), Channels> =
        preferences::of_people(&app.pool, &people)
            .await?
            .into_iter()
            .map(|c| ((c.person_id, c.kind), c.channels()))
            .collect();
    let mut rows = Vec::new();
    for item in &items {
        let Some(r) = reach.get(&item.person) else {
            continue;
        };
        let channels = item
            .kind
            .channels(chosen.get(&(item.person, item.kind)).copied());
        for (wanted, possible, channel) in [
            (channels.email, r.has_email, DeliveryChannel::Email),
            (channels.push, r.has_push, DeliveryChannel::Push),
        ] {
            if wanted && possible {
                rows.push(NewDelivery {
                    activity: item.id,
                    person: item.person,
                    channel,
                    kind: item.kind,
                });
            }
        }
    }
    let written = deliveries::insert(&mut tx, &rows).await?;
    deliveries::advance_cursor(&mut tx, upto).await?;
    if written > 0 {
        deliveries::signal(&mut tx).await?;
    }
    tx.commit().await?;
    if written > 0 {
        tracing::debug!(after = cursor, upto, written, "notifications written");
    }
    Ok((written, upto < last))
}

/// Runs rounds until `stopping`.
pub fn spawn(
    app: std::sync::Arc<App>,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if *stopping.borrow() {
                return;
            }
            let busy = match round(&app).await {
                Ok((_, more)) => more,
                Err(e) => {
                    if !e.is_unavailable() {
                        tracing::error!(error = %e, "notifier round failed; retrying");
                    }
                    false
                }
            };
            if !busy {
                tokio::select! {
                    () = tokio::time::sleep(POLL) => {}
                    Ok(()) = stopping.changed() => {}
                }
            }
        }
    })
}
