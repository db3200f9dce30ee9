//! What near searches compute in place of earthdistance's functions
//! (`earth_point`, migration 0014, for the centre; `sec_to_gc` written out
//! in `cortege_db::geo` for the distance) against those functions, which
//! made every stored point: they must agree to the bit, or distances and
//! keyset cursors would drift from one page, or one version, to the next.

use crate::common;

use common::TestApp;
use cortege_server::seed::{SeedOptions, seed};
use uuid::Uuid;

#[tokio::test]
async fn earth_point_is_ll_to_earth_to_the_bit_and_is_inlined() {
    let app = TestApp::spawn().await;
    // A grid over the whole globe, poles and antimeridian included, and
    // random points in France.
    let (points, differ): (i64, i64) = sqlx::query_as(
        "WITH p AS (
             SELECT lat::float8, lon::float8
             FROM generate_series(-90, 90, 2.5) lat, generate_series(-180, 180, 2.5) lon
           UNION ALL
             SELECT 41 + random() * 10, -5 + random() * 15 FROM generate_series(1, 5000)
         )
         SELECT count(*), count(*) FILTER (WHERE NOT (earth_point(lat, lon) = ll_to_earth(lat, lon)))
         FROM p",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(points > 15_000, "{points}");
    assert_eq!(differ, 0, "of {points} points");

    // Inlined under a generic plan (what the pools use): the plan shows
    // ll_to_earth's expression, not a call that would run the SQL
    // function machinery at every execution.
    let mut conn = app.pool.acquire().await.unwrap();
    for sql in [
        "SET plan_cache_mode = force_generic_plan",
        "PREPARE centre(float8, float8) AS SELECT earth_point($1, $2)",
    ] {
        sqlx::raw_sql(sql).execute(&mut *conn).await.unwrap();
    }
    let plan: Vec<String> = sqlx::query_scalar("EXPLAIN (VERBOSE) EXECUTE centre(43.2965, 5.3698)")
        .fetch_all(&mut *conn)
        .await
        .unwrap();
    let plan = plan.join("\n");
    assert!(!plan.contains("earth_point("), "{plan}");
    assert!(plan.contains("cube(cube(cube("), "{plan}");
    sqlx::raw_sql("DEALLOCATE centre; RESET plan_cache_mode")
        .execute(&mut *conn)
        .await
        .unwrap();
}

#[tokio::test]
async fn near_listings_measure_as_earth_distance_does() {
    let app = TestApp::spawn().await;
    let options = SeedOptions {
        people: 300,
        events: 800,
        rsvps: Some(0),
        groups: Some(60),
        friendships: Some(0),
        seed: Some(11),
    };
    seed(&app.pool, &options).await.unwrap();
    // Read from the listings themselves: a distance that went through JSON
    // may come back a bit off (serde_json's default float parsing).
    let near = (48.8566, 2.3522, 500.0);
    let events = cortege_db::events::list(
        &app.pool,
        &cortege_db::events::Listing {
            near: Some(near),
            limit: 200,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let events: Vec<(Uuid, f64)> = events
        .iter()
        .map(|l| (l.event.id, l.event.distance_km.unwrap()))
        .collect();
    let groups = cortege_db::groups::list(
        &app.pool,
        &cortege_db::groups::Listing {
            near: Some(near),
            limit: 50,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let groups: Vec<(Uuid, f64)> = groups
        .iter()
        .map(|g| (g.id, g.distance_km.unwrap()))
        .collect();
    for (list, rows, measure) in [
        (
            "events",
            events,
            "SELECT earth_distance(ll_to_earth($1, $2), earth) / 1000.0 FROM events WHERE id = $3",
        ),
        (
            "groups",
            groups,
            "SELECT earth_distance(ll_to_earth($1, $2), earth) / 1000.0 FROM groups WHERE id = $3",
        ),
    ] {
        assert!(rows.len() >= 20, "{list}: {}", rows.len());
        for (id, km) in rows {
            let expected: f64 = sqlx::query_scalar(measure)
                .bind(near.0)
                .bind(near.1)
                .bind(id)
                .fetch_one(&app.pool)
                .await
                .unwrap();
            assert_eq!(
                km.to_bits(),
                expected.to_bits(),
                "{list} {id}: {km} vs {expected}"
            );
        }
    }
}
