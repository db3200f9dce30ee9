//! `cortege seed-demo` produces consistent, realistic data.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::TestApp;
use cortege_server::seed::{SeedOptions, seed};

#[tokio::test]
async fn seeded_data_is_consistent_and_spread_by_population() {
    let app = TestApp::spawn().await;
    let options = SeedOptions {
        people: 400,
        events: 600,
        rsvps: Some(2_000),
        groups: Some(10),
        friendships: Some(500),
        seed: Some(7),
    };
    seed(&app.pool, &options).await.unwrap();
    let (people, events, kinds, groups, friends): (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM people), (SELECT count(*) FROM events),
                (SELECT count(DISTINCT kind) FROM events), (SELECT count(*) FROM groups),
                (SELECT count(*) FROM friendships WHERE status = 'ACCEPTED')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((people, events, groups, friends), (400, 600, 10, 500));
    assert_eq!(kinds, 14, "every event kind");
    let rsvps: i64 = sqlx::query_scalar("SELECT count(*) FROM rsvps")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!((1_500..=2_500).contains(&rsvps), "about 2,000: {rsvps}");
    // Counters agree with the rows, capacity holds, earth matches lat/lon.
    let bad: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events e WHERE e.seats_taken <> COALESCE((SELECT sum(1 + guests) FROM rsvps r
             WHERE r.event_id = e.id AND r.status = 'GOING'), 0)
           OR (e.capacity IS NOT NULL AND e.seats_taken > e.capacity)
           OR earth_distance(e.earth, ll_to_earth(e.lat, e.lon)) > 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(bad, 0);
    let members: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM groups g WHERE g.member_count <> (SELECT count(*) FROM memberships m
             WHERE m.group_id = g.id AND m.status = 'ACTIVE')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(members, 0);
    // Weighted by population: Île-de-France holds far more people than
    // Corsica.
    let (idf, corse): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE c.region_code = '11'), count(*) FILTER (WHERE c.region_code = '94')
         FROM people p JOIN communes c ON c.code = p.commune_code",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(idf > 5 * corse.max(1), "{idf} vs {corse}");
    // The seeded events are searchable through the API.
    let r = app
        .ok("{ events(filter: { near: { lat: 48.8566, lon: 2.3522 }, radiusKm: 30 }, first: 5) { edges { node { distanceKm } } } }", serde_json::json!({}), None)
        .await;
    assert!(!r["events"]["edges"].as_array().unwrap().is_empty());
}
