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

/// With CORTEGE_DIRECT_DATABASE_URL, what a transaction-mode pooler cannot
/// carry (the relay's lock and LISTEN, the notifier's LISTEN) takes that
/// connection, and the API's pool holds no session state.
#[tokio::test]
async fn session_state_goes_through_the_direct_connection() {
    let app = TestApp::spawn_with(|c| {
        let url = c.database_url.clone().unwrap();
        c.database_url = Some(format!("{url}?application_name=cortege_pooled"));
        c.direct_database_url = Some(format!("{url}?application_name=cortege_direct"));
    })
    .await;
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let sessions = loop {
        // Each LISTEN and the relay's lock, by the connection holding it.
        let sessions: Vec<(String, String)> = sqlx::query_as(
            "SELECT a.application_name, a.query FROM pg_stat_activity a
             WHERE a.datname = $1 AND a.query LIKE 'LISTEN%'
             UNION ALL
             SELECT a.application_name, 'advisory lock' FROM pg_locks k
             JOIN pg_stat_activity a USING (pid)
             -- Held while idle, outside any transaction: session-level
             -- (a transaction's own advisory locks are fine on a pooler).
             WHERE k.locktype = 'advisory' AND a.datname = $1 AND a.state = 'idle'",
        )
        .bind(&database)
        .fetch_all(&app.pool)
        .await
        .unwrap();
        let listens = sessions
            .iter()
            .filter(|(_, what)| what.starts_with("LISTEN"))
            .count();
        let locks = sessions
            .iter()
            .filter(|(_, w)| w == "advisory lock")
            .count();
        if listens >= 1 && locks >= 1 {
            break sessions;
        }
        assert!(
            Instant::now() < deadline,
            "no relay and notifier: {sessions:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    for (application, what) in &sessions {
        assert_eq!(
            application, "cortege_direct",
            "{what} is on the direct connection"
        );
    }
    // The API itself still answers through the other pool.
    app.ok("{ __typename }", serde_json::json!({}), None).await;
    let pooled: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'cortege_pooled'",
    )
    .bind(&database)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(pooled >= 1);
}
