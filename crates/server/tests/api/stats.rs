//! Statistics against hand-computed counts, and the analysts' SQL role.
#![allow(clippy::unwrap_used)]

use crate::common;

use chrono::{Duration, TimeZone, Utc};
use common::{Member, TestApp, error_code, error_field, event_input};
use serde_json::{Value, json};

async fn event(
    app: &TestApp,
    by: &Member,
    postcode: &str,
    city: &str,
    kind: &str,
    capacity: Option<i32>,
) -> String {
    let mut input = event_input("Action de terrain", (43.3, 5.4), postcode, city);
    input["kind"] = json!(kind);
    input["capacity"] = json!(capacity);
    app.create_event(&by.token, input).await
}

async fn rsvp(app: &TestApp, m: &Member, e: &str, guests: i32) {
    app.ok(
        "mutation($e: ID!, $g: Int) { rsvp(eventId: $e, guests: $g) { id } }",
        json!({ "e": e, "g": guests }),
        Some(&m.token),
    )
    .await;
}

const ACTIVITY: &str = "query($g: StatsDimension!, $f: StatsFilter) { stats { activity(groupBy: $g, filter: $f) { key label events rsvps participants } } }";

fn buckets(v: &Value) -> Vec<(String, String, i64, i64, i64)> {
    v["stats"]["activity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["key"].as_str().unwrap().to_owned(),
                b["label"].as_str().unwrap().to_owned(),
                b["events"].as_i64().unwrap(),
                b["rsvps"].as_i64().unwrap(),
                b["participants"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn stats_match_hand_computed_counts() {
    // Every count shown, however small: the rule has its own test.
    let app = TestApp::spawn_with(|c| c.stats_min_cell = 1).await;
    let org = app.member("Olga", "Org").await;
    let analyst = app.member("Anna", "Lyste").await;
    app.grant(&analyst, "ANALYST").await;
    let (a, b, c) = (
        app.member("A", "A").await,
        app.member("B", "B").await,
        app.member("C", "C").await,
    );

    // Marseille: one event in the 1st arrondissement, one in the city.
    let m1 = event(
        &app,
        &org,
        "13001",
        "Marseille 1er Arrondissement",
        "LEAFLETING",
        Some(3),
    )
    .await;
    let m2 = event(&app, &org, "13008", "Marseille", "RALLY", None).await;
    let q1 = event(&app, &org, "29000", "Quimper", "LEAFLETING", None).await;
    let cancelled = event(&app, &org, "29000", "Quimper", "RALLY", None).await;
    rsvp(&app, &a, &m1, 2).await; // GOING, 3 seats
    rsvp(&app, &b, &m1, 0).await; // WAITLISTED: not counted
    rsvp(&app, &a, &m2, 1).await; // GOING, 2 seats
    rsvp(&app, &b, &m2, 0).await; // GOING, 1 seat
    rsvp(&app, &c, &q1, 0).await; // GOING, 1 seat
    rsvp(&app, &c, &cancelled, 4).await;
    app.ok(
        "mutation($id: ID!) { cancelEvent(id: $id) { id } }",
        json!({ "id": cancelled }),
        Some(&org.token),
    )
    .await;

    let t = app
        .ok(
            "{ stats { totals { people events upcomingEvents rsvps groups openReports } } }",
            json!({}),
            Some(&analyst.token),
        )
        .await;
    assert_eq!(
        t["stats"]["totals"],
        json!({ "people": 5, "events": 3, "upcomingEvents": 3, "rsvps": 7, "groups": 0, "openReports": 0 })
    );

    let by = |g: &str, f: Value| {
        let app = &app;
        let token = analyst.token.clone();
        let g = g.to_owned();
        async move {
            buckets(
                &app.ok(ACTIVITY, json!({ "g": g, "f": f }), Some(&token))
                    .await,
            )
        }
    };
    assert_eq!(
        by("COMMUNE", Value::Null).await,
        [
            ("13055".into(), "Marseille".into(), 2, 6, 2),
            ("29232".into(), "Quimper".into(), 1, 1, 1)
        ]
    );
    assert_eq!(
        by("DEPARTMENT", Value::Null).await,
        [
            ("13".into(), "Bouches-du-Rhône".into(), 2, 6, 2),
            ("29".into(), "Finistère".into(), 1, 1, 1)
        ]
    );
    assert_eq!(
        by("REGION", Value::Null).await[1],
        ("53".into(), "Bretagne".into(), 1, 1, 1)
    );
    assert_eq!(
        by("KIND", Value::Null).await,
        [
            ("LEAFLETING".into(), "LEAFLETING".into(), 2, 4, 2),
            ("RALLY".into(), "RALLY".into(), 1, 3, 2)
        ]
    );
    assert_eq!(
        by("COMMUNE", json!({ "departmentCode": "29" })).await.len(),
        1
    );
    assert_eq!(
        by("COMMUNE", json!({ "regionCode": "93", "kinds": ["RALLY"] })).await[0].2,
        1
    );
    let tomorrow = Utc::now() + Duration::days(1);
    assert!(
        by(
            "DAY",
            json!({ "to": (tomorrow - Duration::hours(2)).to_rfc3339() })
        )
        .await
        .is_empty()
    );
    let day = by("DAY", Value::Null).await;
    assert_eq!(day.len(), 1);
    assert_eq!(day[0].0.len(), 10, "YYYY-MM-DD: {day:?}");
    let week = by("WEEK", Value::Null).await;
    assert!(week[0].0.contains("-W"), "{week:?}");

    // The same counts straight from SQL.
    let (events, seats, people): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(DISTINCT e.id), (SELECT COALESCE(sum(1 + guests), 0) FROM rsvps r JOIN events e2 ON e2.id = r.event_id
              WHERE r.status = 'GOING' AND e2.cancelled_at IS NULL)::int8,
                (SELECT count(DISTINCT person_id) FROM rsvps r JOIN events e3 ON e3.id = r.event_id
              WHERE r.status = 'GOING' AND e3.cancelled_at IS NULL)
         FROM events e WHERE e.cancelled_at IS NULL",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let kinds = by("KIND", Value::Null).await;
    assert_eq!(kinds.iter().map(|b| b.2).sum::<i64>(), events);
    assert_eq!(kinds.iter().map(|b| b.3).sum::<i64>(), seats);
    assert_eq!(people, 3);

    let r = app
        .gql(
            ACTIVITY,
            json!({ "g": "COMMUNE", "f": { "departmentCode": "13; DROP" } }),
            Some(&analyst.token),
        )
        .await;
    assert_eq!(error_field(&r), Some("filter.departmentCode"));
    // Members are refused, anonymous visitors must sign in.
    let r = app
        .gql("{ stats { totals { events } } }", json!({}), Some(&a.token))
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"));
    assert!(r["data"]["stats"].is_null());
    let r = app
        .gql("{ stats { totals { events } } }", json!({}), None)
        .await;
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn week_and_day_keys_are_in_paris_time() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga", "Org").await;
    let analyst = app.member("Anna", "Lyste").await;
    app.grant(&analyst, "ADMIN").await;
    let e = event(&app, &org, "75001", "Paris", "RALLY", None).await;
    // Sunday 2026-11-29 23:30 UTC is Monday 00:30 in Paris: week 49.
    let id = cortege_graphql::ids::decode_any(&e).unwrap().1;
    let t = Utc.with_ymd_and_hms(2026, 11, 29, 23, 30, 0).unwrap();
    sqlx::query("UPDATE events SET starts_at = $2, ends_at = $2 + interval '1 hour' WHERE id = $1")
        .bind(id)
        .bind(t)
        .execute(&app.pool)
        .await
        .unwrap();
    let week = buckets(
        &app.ok(
            ACTIVITY,
            json!({ "g": "WEEK", "f": { "from": "2026-01-01T00:00:00Z" } }),
            Some(&analyst.token),
        )
        .await,
    );
    assert_eq!(week[0].0, "2026-W49");
    let day = buckets(
        &app.ok(
            ACTIVITY,
            json!({ "g": "DAY", "f": { "from": "2026-01-01T00:00:00Z" } }),
            Some(&analyst.token),
        )
        .await,
    );
    assert_eq!(day[0].0, "2026-11-30");
}

#[tokio::test]
async fn the_analyst_role_reads_the_views_and_nothing_else() {
    let app = TestApp::spawn().await;
    let m = app.member("Alice", "Martin").await;
    event(&app, &m, "29000", "Quimper", "LEAFLETING", None).await;
    let mut tx = app.pool.begin().await.unwrap();
    sqlx::query("SET LOCAL ROLE cortege_analyst")
        .execute(&mut *tx)
        .await
        .unwrap();
    let n: i64 =
        sqlx::query_scalar("SELECT count(*) FROM analytics.events WHERE commune_name = 'Quimper'")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
    assert_eq!(n, 1);
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM analytics.people")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(n, 1);
    tx.rollback().await.unwrap();
    for forbidden in [
        "SELECT email FROM people",
        "SELECT * FROM sessions",
        "UPDATE people SET first_name = 'x'",
        "INSERT INTO events (id) VALUES (gen_random_uuid())",
        "DELETE FROM analytics.events",
        "CREATE TABLE analytics.mine (x int)",
    ] {
        let mut tx = app.pool.begin().await.unwrap();
        sqlx::query("SET LOCAL ROLE cortege_analyst")
            .execute(&mut *tx)
            .await
            .unwrap();
        let err = sqlx::query(sqlx::AssertSqlSafe(forbidden))
            .execute(&mut *tx)
            .await
            .unwrap_err();
        let code = err
            .as_database_error()
            .and_then(|e| e.code())
            .unwrap_or_default()
            .into_owned();
        assert!(
            code == "42501" || code == "0A000" || code == "55000",
            "{forbidden}: {code} {err}"
        );
        tx.rollback().await.unwrap();
    }
    // No view exposes an email, a name or an exact location.
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'analytics'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    for c in &columns {
        assert!(
            ![
                "email",
                "first_name",
                "last_name",
                "home_lat",
                "home_lon",
                "phone"
            ]
            .contains(&c.as_str()),
            "{c}"
        );
    }
}

#[tokio::test]
async fn analyst_logins_are_created_in_the_read_only_role() {
    let app = TestApp::spawn().await;
    let name = format!("analyst_{}", uuid::Uuid::new_v4().simple());
    let limits = cortege_db::analytics::LoginLimits::default();
    let password = cortege_db::analytics::create_login(&app.pool, &name, limits)
        .await
        .unwrap()
        .unwrap();
    assert!(password.len() >= 20);
    let member: bool = sqlx::query_scalar(
        "SELECT pg_has_role($1, 'cortege_analyst', 'MEMBER') AND (SELECT rolcanlogin FROM pg_roles WHERE rolname = $1)",
    )
    .bind(&name)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(member);
    // A name that needs quoting is quoted, not executed.
    let odd = format!("x\"; DROP TABLE people; --{}", &name[8..16]);
    cortege_db::analytics::create_login(&app.pool, &odd, limits)
        .await
        .unwrap();
    let people: i64 = sqlx::query_scalar("SELECT count(*) FROM people")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(people, 0);
    for role in [&name, &odd] {
        app.drop_role(role).await;
    }
}

/// `upcomingEvents` counts what has not ended: an action running now does,
/// one that ended an hour ago does not, one later this week does.
#[tokio::test]
async fn upcoming_events_are_those_not_yet_ended() {
    let app = TestApp::spawn_with(|c| c.stats_min_cell = 1).await;
    let org = app.member("Olga", "Org").await;
    let analyst = app.member("Anna", "Lyste").await;
    app.grant(&analyst, "ANALYST").await;
    let mut ids = Vec::new();
    for kind in ["LEAFLETING", "RALLY", "DOOR_TO_DOOR"] {
        let id = event(&app, &org, "29000", "Quimper", kind, None).await;
        ids.push(cortege_graphql::ids::decode_any(&id).unwrap().1);
    }
    for (id, starts, ends) in [(ids[0], -2, -1), (ids[1], -1, 1)] {
        sqlx::query(
            "UPDATE events SET starts_at = now() + make_interval(hours => $2),
                               ends_at = now() + make_interval(hours => $3) WHERE id = $1",
        )
        .bind(id)
        .bind(starts)
        .bind(ends)
        .execute(&app.pool)
        .await
        .unwrap();
    }
    let t = app
        .ok(
            "{ stats { totals { events upcomingEvents } } }",
            json!({}),
            Some(&analyst.token),
        )
        .await;
    assert_eq!(
        t["stats"]["totals"],
        json!({ "events": 3, "upcomingEvents": 2 })
    );
}
