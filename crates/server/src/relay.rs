//! The outbox relay: one per cluster (an advisory lock elects it among the
//! replicas), woken by NOTIFY and polling as a safety net, it numbers
//! committed activities (cortege_db::outbox). A crash between a commit and
//! its numbering loses nothing: the next relay finds the row unnumbered.

use std::time::Duration;

use cortege_db::PgPool;
use cortege_db::outbox::{CHANNEL, RELAY_LOCK, number_batch};
use sqlx::Connection;
use sqlx::postgres::PgListener;

/// Most activities numbered in one transaction.
const BATCH: i64 = 1_000;
/// How often the relay looks without being woken: a lost notification
/// delays numbering by this much at most.
const POLL: Duration = Duration::from_secs(1);
/// How often a standby replica tries to become the relay.
const STANDBY: Duration = Duration::from_secs(2);

pub fn spawn(pool: PgPool) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match run(&pool).await {
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
async fn run(pool: &PgPool) -> Result<(), cortege_db::Error> {
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
            }
            if (numbered.len() as i64) < BATCH {
                break;
            }
        }
        tokio::select! {
            n = listener.recv() => { n?; }
            () = tokio::time::sleep(POLL) => {}
        }
        // Keep the lock's connection alive and notice if it died.
        sqlx::query("SELECT 1").execute(&mut lock).await?;
    }
}
