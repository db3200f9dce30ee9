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
use cortege_db::outbox::{Lease, Wakeups, number_batch};
use cortege_realtime::SharedBus;

use crate::policy;

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
    let Some(mut lease) = Lease::try_take(pool).await? else {
        return Ok(());
    };
    tracing::info!("this process runs the outbox relay");
    let mut wakeups = Wakeups::listen(pool).await?;
    loop {
        loop {
            let numbered = number_batch(pool, BATCH).await?;
            if let Some(last) = numbered.last() {
                tracing::debug!(
                    count = numbered.len(),
                    last = last.seq,
                    "activities numbered"
                );
                policy::publish(pool, bus, &numbered).await?;
            }
            if (numbered.len() as i64) < BATCH {
                break;
            }
        }
        if *stopping.borrow() {
            // The last batch is numbered and published: hand over.
            tracing::info!("outbox relay flushed; stopping");
            lease.release().await;
            return Ok(());
        }
        tokio::select! {
            n = wakeups.recv() => { n?; }
            () = tokio::time::sleep(POLL) => {}
            Ok(()) = stopping.changed() => {}
        }
        lease.keep_alive().await?;
    }
}
