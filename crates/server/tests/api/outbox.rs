//! The outbox relay numbers committed activities gap-free, once, even with
//! two replicas running.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::time::{Duration, Instant};

use common::TestApp;

async fn record(app: &TestApp, n: usize) {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let pool = app.pool.clone();
            tokio::spawn(async move {
                let mut tx = pool.begin().await.unwrap();
                sqlx::query(
                    "INSERT INTO activities (id, kind) VALUES (gen_random_uuid(), 'EVENT_CREATED')",
                )
                .execute(&mut *tx)
                .await
                .unwrap();
                sqlx::query("SELECT pg_notify($1, '')")
                    .bind(cortege_db::outbox::CHANNEL)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
                tx.commit().await.unwrap();
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

/// Waits (bounded) until every activity has its number.
async fn all_numbered(app: &TestApp) -> Vec<i64> {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut wait = Duration::from_millis(10);
    loop {
        let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM activities WHERE seq IS NULL")
            .fetch_one(&app.pool)
            .await
            .unwrap();
        if pending == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{pending} activities left unnumbered"
        );
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_millis(200));
    }
    sqlx::query_scalar("SELECT seq FROM activities ORDER BY seq")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn committed_activities_are_numbered_gap_free_across_replicas() {
    let a = TestApp::spawn().await;
    record(&a, 100).await;
    let seqs = all_numbered(&a).await;
    assert_eq!(seqs, (1..=100).collect::<Vec<i64>>());

    // A second replica: both try to run the relay, one does.
    let b = a.replica().await;
    record(&b, 60).await;
    record(&a, 40).await;
    let seqs = all_numbered(&a).await;
    assert_eq!(seqs, (1..=200).collect::<Vec<i64>>());
    let last: i64 = sqlx::query_scalar("SELECT last_seq FROM outbox_state")
        .fetch_one(&a.pool)
        .await
        .unwrap();
    assert_eq!(last, 200);

    // The relay's replica goes away; the other takes over.
    drop(a);
    record(&b, 10).await;
    let seqs = all_numbered(&b).await;
    assert_eq!(seqs, (1..=210).collect::<Vec<i64>>());
}
