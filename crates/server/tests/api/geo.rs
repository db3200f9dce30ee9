//! `earth_point` (migration 0014), which near listings, digests and feeds
//! use for their centre, against earthdistance's `ll_to_earth`, which made
//! every stored point: the two must agree to the bit, or distances and
//! keyset cursors would drift between a centre and the points around it.

use crate::common;

use common::TestApp;

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
