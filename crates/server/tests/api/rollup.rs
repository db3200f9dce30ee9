//! The statistics rollup against direct counts: after random creations,
//! RSVPs (with guests), cancellations of RSVPs and events, moves to
//! another day, moderators' removals, bans and deleted RSVPs, the flushed
//! rollup equals the counts made from the events and RSVPs themselves,
//! and the API answers the same whether it reads the rollup (whole days)
//! or the events (a bound inside a day).

use crate::common;

use chrono::{Duration, Utc};
use common::{Member, TestApp, event_input};
use cortege_app::stats::{Statistics, paris_today};
use cortege_domain::stats::MinCell;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

const PLACES: [(&str, &str); 4] = [
    ("29000", "Quimper"),
    ("13001", "Marseille 1er Arrondissement"),
    ("13008", "Marseille"),
    ("75011", "Paris"),
];
const KINDS: [&str; 3] = ["LEAFLETING", "RALLY", "DOOR_TO_DOOR"];

#[tokio::test]
async fn the_flushed_rollup_equals_a_direct_count() {
    let app = TestApp::spawn_with(|c| c.stats_min_cell = 1).await;
    let analyst = app.member("Anna", "Lyste").await;
    app.grant(&analyst, "ADMIN").await;
    let mut rng = StdRng::seed_from_u64(17);
    let mut organisers: Vec<Member> = Vec::new();
    for i in 0..3 {
        organisers.push(app.member("Orga", &format!("O{i}")).await);
    }
    let mut people: Vec<Member> = Vec::new();
    for i in 0..12 {
        people.push(app.member("Membre", &format!("M{i}")).await);
    }
    let mut events = Vec::new();
    for i in 0..10 {
        let (postcode, city) = PLACES[rng.random_range(0..PLACES.len())];
        let mut input = event_input(&format!("Action {i}"), (43.3, 5.4), postcode, city);
        input["kind"] = json!(KINDS[rng.random_range(0..KINDS.len())]);
        let starts = Utc::now() + Duration::hours(rng.random_range(2..24 * 5));
        input["startsAt"] = json!(starts.to_rfc3339());
        input["endsAt"] = json!((starts + Duration::hours(2)).to_rfc3339());
        if rng.random_bool(0.3) {
            input["capacity"] = json!(rng.random_range(2..6));
        }
        let by = &organisers[rng.random_range(0..organisers.len())];
        events.push((app.create_event(&by.token, input).await, by.token.clone()));
    }
    for _ in 0..60 {
        let (event, organiser) = &events[rng.random_range(0..events.len())];
        let m = &people[rng.random_range(0..people.len())];
        match rng.random_range(0..10) {
            0..=5 => {
                app.gql(
                    "mutation($e: ID!, $g: Int) { rsvp(eventId: $e, guests: $g) { id } }",
                    json!({ "e": event, "g": rng.random_range(0..3) }),
                    Some(&m.token),
                )
                .await;
            }
            6..=7 => {
                app.gql(
                    "mutation($e: ID!) { cancelRsvp(eventId: $e) { id } }",
                    json!({ "e": event }),
                    Some(&m.token),
                )
                .await;
            }
            8 => {
                let starts = Utc::now() + Duration::hours(rng.random_range(30..24 * 6));
                app.gql(
                    "mutation($id: ID!, $i: UpdateEventInput!) { updateEvent(id: $id, input: $i) { id } }",
                    json!({ "id": event, "i": {
                        "startsAt": starts.to_rfc3339(),
                        "endsAt": (starts + Duration::hours(1)).to_rfc3339() } }),
                    Some(organiser),
                )
                .await;
            }
            _ => {
                app.gql(
                    "mutation($id: ID!) { cancelEvent(id: $id) { id } }",
                    json!({ "id": event }),
                    Some(organiser),
                )
                .await;
            }
        }
    }
    // A moderator's removal, a ban and an RSVP row deleted outright (an
    // account erased) go through no API the rollup knows of.
    let (removed, _) = &events[0];
    let removed = cortege_graphql::ids::decode_any(removed).unwrap().1;
    sqlx::query("UPDATE events SET removed_at = now() WHERE id = $1")
        .bind(removed)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE people SET banned_at = now() WHERE id = $1")
        .bind(people[0].id)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM rsvps WHERE person_id = $1")
        .bind(people[1].id)
        .execute(&app.pool)
        .await
        .unwrap();

    let stats = Statistics::new(app.pool.clone(), None, MinCell::new(1).unwrap());
    assert!(stats.flush().await.unwrap() > 0);
    let sketched: bool = sqlx::query_scalar(
        "SELECT format_type(atttypid, NULL) = 'hll' FROM pg_attribute
         WHERE attrelid = 'stats_daily'::regclass AND attname = 'participants'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let participants = if sketched {
        "COALESCE(round(hll_cardinality(participants)), 0)::int8"
    } else {
        "NULL::int8"
    };
    type Bucket = (String, chrono::NaiveDate, String, i64, i64, Option<i64>);
    let rollup: Vec<Bucket> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT commune_code, day, kind::text, events::int8, seats, {participants}
         FROM stats_daily ORDER BY 1, 2, 3"
    )))
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let direct: Vec<Bucket> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "WITH e AS (
             SELECT id, commune_code, (starts_at AT TIME ZONE 'Europe/Paris')::date AS day, kind,
                    seats_taken
             FROM events WHERE cancelled_at IS NULL AND removed_at IS NULL)
         SELECT e.commune_code, e.day, e.kind::text, count(*), COALESCE(sum(e.seats_taken), 0)::int8,
                CASE WHEN {sketched} THEN (
                    SELECT count(DISTINCT r.person_id) FROM rsvps r JOIN e AS e2 ON e2.id = r.event_id
                    WHERE r.status = 'GOING'
                      AND (e2.commune_code, e2.day, e2.kind) = (e.commune_code, e.day, e.kind)) END
         FROM e GROUP BY e.commune_code, e.day, e.kind ORDER BY 1, 2, 3"
    )))
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(!direct.is_empty());
    assert_eq!(rollup, direct);
    coarser_rollups_agree(&app, sketched).await;
    // The whole rebuild (a large backlog's path) gives the same, from a
    // rollup gone wrong.
    sqlx::query("UPDATE stats_daily SET events = 0, seats = 0, participants = NULL")
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO stats_daily (commune_code, department_code, day, kind, events, seats) VALUES ('29232', '29', '2001-01-01', 'RALLY', 1, 1)")
        .execute(&app.pool)
        .await
        .unwrap();
    let sketches = cortege_db::stats::sketches(&app.pool).await.unwrap();
    cortege_db::stats::rebuild(&app.pool, sketches)
        .await
        .unwrap();
    let rebuilt: Vec<Bucket> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT commune_code, day, kind::text, events::int8, seats, {participants}
         FROM stats_daily ORDER BY 1, 2, 3"
    )))
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(rebuilt, direct);
    coarser_rollups_agree(&app, sketched).await;

    // Each rollup (communes by day, departments by day, communes over all
    // time) against the events themselves (a bound inside a day).
    let ask = |group_by: serde_json::Value, from: Option<chrono::DateTime<Utc>>| {
        let (app, token) = (&app, analyst.token.clone());
        async move {
            app.ok(
                "query($g: [StatsDimension!]!, $f: StatsFilter) { stats { breakdown(groupBy: $g, filter: $f) {
                     keys events rsvps participants } } }",
                json!({ "g": group_by, "f": { "from": from.map(|t| t.to_rfc3339()) } }),
                Some(&token),
            )
            .await["stats"]["breakdown"]
                .clone()
        }
    };
    let midnight = cortege_domain::stats::paris_day_start(paris_today(Utc::now())).unwrap();
    let inside = Utc::now() - Duration::minutes(1);
    for (group_by, from) in [
        (json!(["COMMUNE", "DAY", "KIND"]), Some(midnight)),
        (json!(["DEPARTMENT", "KIND"]), Some(midnight)),
        (json!(["REGION", "WEEK"]), None),
        (json!(["COMMUNE"]), None),
        (json!(["COMMUNE", "DEPARTMENT"]), None),
    ] {
        let from_rollup = ask(group_by.clone(), from).await;
        let from_events = ask(group_by.clone(), Some(inside)).await;
        assert!(!from_rollup.as_array().unwrap().is_empty());
        assert_eq!(from_rollup, from_events, "{group_by}");
    }
}

/// The department and all-time city rollups hold the sums of the daily
/// one.
async fn coarser_rollups_agree(app: &TestApp, sketched: bool) {
    let (sketch, union) = if sketched {
        (
            "COALESCE(round(hll_cardinality(participants)), 0)::int8",
            "COALESCE(round(hll_cardinality(hll_union_agg(participants))), 0)::int8",
        )
    } else {
        ("NULL::int8", "NULL::int8")
    };
    let count = if sketched {
        "participants"
    } else {
        "NULL::int8"
    };
    type Row = (String, String, String, i64, i64, Option<i64>);
    for (stored, summed) in [
        (
            format!(
                "SELECT department_code, day::text, kind::text, events::int8, seats, {sketch}
                 FROM stats_department_daily ORDER BY 1, 2, 3"
            ),
            format!(
                "SELECT department_code, day::text, kind::text, sum(events)::int8, sum(seats)::int8,
                        {union}
                 FROM stats_daily GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            ),
        ),
        (
            format!(
                "SELECT commune_code, '', '', events::int8, seats, {count}
                 FROM stats_commune_total ORDER BY 1"
            ),
            format!(
                "SELECT COALESCE(c.parent_code, c.code), '', '', sum(events)::int8, sum(seats)::int8,
                        {union}
                 FROM stats_daily s JOIN communes c ON c.code = s.commune_code
                 GROUP BY 1 ORDER BY 1"
            ),
        ),
    ] {
        let stored: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(stored))
            .fetch_all(&app.pool)
            .await
            .unwrap();
        let summed: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(summed))
            .fetch_all(&app.pool)
            .await
            .unwrap();
        assert!(!summed.is_empty());
        assert_eq!(stored, summed);
    }
}

/// A read flushes a backlog of one batch itself, so it counts every
/// committed write, but leaves a larger one (an import, a burst) to the
/// server's timer instead of making the analyst wait for all of it.
#[tokio::test]
async fn a_read_flushes_a_small_backlog_and_leaves_a_large_one() {
    // A database with no server, so that no timer flushes behind the test.
    let url = common::fresh_database().await;
    let _drop = common::DropDatabase(url.clone());
    let pool = cortege_db::PgPool::connect(&url).await.unwrap();
    let sketches = cortege_db::stats::sketches(&pool).await.unwrap();
    let mark = |n: i64| {
        sqlx::query(
            "INSERT INTO stats_dirty (commune_code, day, kind)
             SELECT '29232', current_date, 'RALLY' FROM generate_series(1, $1)",
        )
        .bind(n)
        .execute(&pool)
    };
    let left = || sqlx::query_scalar::<_, i64>("SELECT count(*) FROM stats_dirty").fetch_one(&pool);

    mark(20_001).await.unwrap();
    assert_eq!(
        cortege_db::stats::flush_small(&pool, sketches)
            .await
            .unwrap(),
        0
    );
    assert_eq!(left().await.unwrap(), 20_001);
    assert_eq!(
        cortege_db::stats::flush(&pool, sketches).await.unwrap(),
        20_001
    );
    assert_eq!(left().await.unwrap(), 0);

    mark(3).await.unwrap();
    assert_eq!(
        cortege_db::stats::flush_small(&pool, sketches)
            .await
            .unwrap(),
        3
    );
    assert_eq!(left().await.unwrap(), 0);
    pool.close().await;
}
