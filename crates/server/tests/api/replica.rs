//! Reads from a real streaming replica (started by scripts/test with
//! pg_basebackup, reached through CORTEGE_TEST_STANDBY_URL): listings come
//! from it, a member reads their own writes at once, and a replica that
//! lags or is gone hands every read back to the primary.
//!
//! One test, since replay is paused for the whole standby; its servers
//! share a Redis, as behind a load balancer, so that a member's write on
//! one pins their reads on the other.

use std::time::{Duration, Instant};

use cortege_db::reads::Route;
use serde_json::json;
use sqlx::{Connection, PgConnection};

use crate::common::daemon::free_port;
use crate::common::metrics::{scrape, total};
use crate::common::{TestApp, event_input, event_titles, redis_url, wait_until};
use cortege_server::config::Config;

fn standby_url() -> String {
    std::env::var("CORTEGE_TEST_STANDBY_URL").expect(
        "CORTEGE_TEST_STANDBY_URL is not set: run the tests with ./scripts/test, which starts \
         a streaming replica",
    )
}

/// Reads from the standby's copy of the server's database, allowing
/// `max_lag_ms` of lag.
fn reading_standby(c: &mut Config, max_lag_ms: u64) {
    let primary = c.database_url.as_deref().unwrap();
    let (_, database) = primary.rsplit_once('/').unwrap();
    let standby = standby_url();
    let (base, _) = standby.rsplit_once('/').unwrap();
    c.read_database_url = Some(format!("{base}/{database}"));
    c.read_max_lag_ms = max_lag_ms;
}

const UPCOMING: &str = "{ events(first: 50) { edges { node { title } } } }";

async fn titles(app: &TestApp, token: &str) -> Vec<String> {
    event_titles(&app.ok(UPCOMING, json!({}), Some(token)).await)
}

async fn set_replay(standby: &mut PgConnection, paused: bool) {
    let f = if paused {
        "pg_wal_replay_pause"
    } else {
        "pg_wal_replay_resume"
    };
    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {f}()")))
        .execute(&mut *standby)
        .await
        .unwrap();
    let want = if paused { "paused" } else { "not paused" };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let state: String = sqlx::query_scalar("SELECT pg_get_wal_replay_pause_state()")
            .fetch_one(&mut *standby)
            .await
            .unwrap();
        if state == want {
            return;
        }
        assert!(Instant::now() < deadline, "replay did not become {want}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn listings_come_from_the_replica_and_members_read_their_own_writes() {
    let mut standby = PgConnection::connect(&standby_url()).await.unwrap();
    set_replay(&mut standby, false).await;
    // Two servers through Redis, as behind a load balancer.
    let prefix = format!("test{}", uuid::Uuid::new_v4().simple());
    let app = TestApp::spawn_with(|c| {
        reading_standby(c, 60_000);
        c.redis_url = Some(redis_url());
        c.redis_channel_prefix = prefix;
    })
    .await;
    let other = app.replica_with(|c| reading_standby(c, 60_000)).await;
    let reads = app.state().reads.clone();
    let other_reads = other.state().reads.clone();
    let paris = (48.8566, 2.3522);
    let organiser = app.member_at("Olga", "Organise", Some(paris)).await;
    let visitor = app.member_at("Victor", "Visite", Some(paris)).await;
    // Reads, never writes: always served by the replica when it may.
    let reader = app.member_at("Rita", "Relit", Some(paris)).await;
    let organiser_id = Some(organiser.id);

    // The test's database appears on the standby once replayed.
    wait_until("the replica serves reads", async || {
        reads.route(None).0 == Route::Replica
    })
    .await;
    let before = app
        .create_event(
            &organiser.token,
            event_input("Avant la pause", paris, "75001", "Paris"),
        )
        .await;
    wait_until("the replica has the first event", async || {
        titles(&app, &reader.token).await == ["Avant la pause"]
    })
    .await;
    wait_until("the organiser's first write is replayed", async || {
        reads.route(organiser_id).0 == Route::Replica
    })
    .await;

    // With replay paused, the replica no longer sees new writes.
    set_replay(&mut standby, true).await;

    // A mutation's own answer comes from the primary: the visitor's RSVP is
    // among the attendees the organiser's update returns.
    app.ok(
        "mutation($e: ID!) { rsvp(eventId: $e) { id } }",
        json!({ "e": before }),
        Some(&visitor.token),
    )
    .await;
    let updated = app
        .ok(
            "mutation($e: ID!) { updateEvent(id: $e, input: { description: \"Toujours\" }) {
                attendees(first: 10) { edges { node { person { lastName } } } } } }",
            json!({ "e": before }),
            Some(&organiser.token),
        )
        .await;
    let attendees = updated["updateEvent"]["attendees"]["edges"].to_string();
    assert!(attendees.contains("Visite"), "{updated}");

    // The organiser reads their new event on the primary, the reader on
    // the replica.
    app.create_event(
        &organiser.token,
        event_input("Pendant la pause", paris, "75001", "Paris"),
    )
    .await;
    assert_eq!(reads.route(organiser_id).0, Route::Pinned);
    let mut seen = titles(&app, &organiser.token).await;
    seen.sort();
    assert_eq!(seen, ["Avant la pause", "Pendant la pause"]);
    assert_eq!(reads.route(Some(reader.id)).0, Route::Replica);
    assert_eq!(titles(&app, &reader.token).await, ["Avant la pause"]);

    // The other server heard of the write through the bus: the organiser
    // reads it there too, the reader still does not.
    wait_until("the other server pins the organiser", async || {
        other_reads.route(organiser_id).0 == Route::Pinned
    })
    .await;
    assert_eq!(titles(&other, &organiser.token).await.len(), 2);
    assert_eq!(titles(&other, &reader.token).await, ["Avant la pause"]);

    // A server that allows 300 ms of lag stops reading the paused replica.
    let strict = app.replica_with(|c| reading_standby(c, 300)).await;
    let strict_reads = strict.state().reads.clone();
    wait_until(
        "the strict server finds the replica too far behind",
        async || strict_reads.route(None).0 == Route::Lagging,
    )
    .await;
    assert_eq!(titles(&strict, &reader.token).await.len(), 2);

    // Replay resumed: the pin goes once the replica passes the write, and
    // everyone reads both events from the replica.
    set_replay(&mut standby, false).await;
    wait_until("the organiser's pin is replayed", async || {
        reads.route(organiser_id).0 == Route::Replica
    })
    .await;
    assert_eq!(titles(&app, &reader.token).await.len(), 2);
    wait_until("the other server drops its pin", async || {
        other_reads.route(organiser_id).0 == Route::Replica
    })
    .await;
    wait_until("the strict server reads the replica again", async || {
        strict_reads.route(None).0 == Route::Replica
    })
    .await;

    let scrape = scrape(&app).await;
    for route in ["replica", "pinned", "lagging", "mutation"] {
        assert!(
            total(&scrape, "cortege_db_read_routes_total", &[("route", route)]) > 0.0,
            "{route} reads are counted"
        );
    }
}

#[tokio::test]
async fn a_replica_that_does_not_answer_leaves_reads_on_the_primary() {
    let nowhere = format!("postgres://cortege@127.0.0.1:{}/cortege", free_port());
    let app = TestApp::spawn_with(|c| c.read_database_url = Some(nowhere)).await;
    let reads = app.state().reads.clone();
    let paris = (48.8566, 2.3522);
    let organiser = app.member_at("Olga", "Organise", Some(paris)).await;
    app.create_event(
        &organiser.token,
        event_input("Sans réplique", paris, "75001", "Paris"),
    )
    .await;
    assert_eq!(reads.route(None).0, Route::Unavailable);
    let anonymous = app.ok(UPCOMING, json!({}), None).await;
    assert_eq!(event_titles(&anonymous), ["Sans réplique"]);
}

#[tokio::test]
async fn a_replica_of_the_embedded_database_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let mut config = cortege_server::config::Config::defaults();
    config.data_dir = data.path().to_path_buf();
    config.read_database_url = Some(standby_url());
    let Err(e) = cortege_server::app::Application::build(config).await else {
        panic!("a read replica without CORTEGE_DATABASE_URL was accepted");
    };
    assert!(
        format!("{e:#}").contains("CORTEGE_READ_DATABASE_URL needs CORTEGE_DATABASE_URL"),
        "{e:#}"
    );
}
