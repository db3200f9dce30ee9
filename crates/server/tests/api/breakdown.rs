//! stats.breakdown and stats.members against hand-computed figures: two
//! dimensions at once, per-capita, small cells at MIN_CELL − 1 and
//! MIN_CELL, the membership curve from snapshots.

use crate::common;

use chrono::{Duration, Utc};
use common::{Member, TestApp, error_code, error_field, event_input};
use cortege_app::stats::{Statistics, paris_today};
use cortege_domain::stats::MinCell;
use serde_json::{Value, json};

async fn event(app: &TestApp, by: &Member, postcode: &str, city: &str, kind: &str) -> String {
    let mut input = event_input("Action de terrain", (43.3, 5.4), postcode, city);
    input["kind"] = json!(kind);
    app.create_event(&by.token, input).await
}

async fn going(app: &TestApp, event: &str, people: usize) {
    for i in 0..people {
        let m = app.member("Militant", &format!("N{i}")).await;
        app.ok(
            "mutation($e: ID!) { rsvp(eventId: $e) { id } }",
            json!({ "e": event }),
            Some(&m.token),
        )
        .await;
    }
}

const BREAKDOWN: &str = "query($g: [StatsDimension!]!, $f: StatsFilter, $n: Int) {
    stats { breakdown(groupBy: $g, filter: $f, first: $n) { keys labels events rsvps participants perTenThousand } } }";

async fn population(app: &TestApp, sql: &str) -> f64 {
    let p: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(&app.pool)
        .await
        .unwrap();
    p as f64
}

fn per_ten_thousand(events: f64, population: f64) -> f64 {
    (events * 10_000.0 / population * 1000.0).round() / 1000.0
}

#[tokio::test]
async fn breakdown_crosses_dimensions_with_per_capita_and_small_cells() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga", "Org").await;
    let analyst = app.member("Anna", "Lyste").await;
    app.grant(&analyst, "ANALYST").await;
    let quimper = event(&app, &org, "29000", "Quimper", "LEAFLETING").await;
    let marseille = event(&app, &org, "13001", "Marseille 1er Arrondissement", "RALLY").await;
    event(&app, &org, "13008", "Marseille", "LEAFLETING").await;
    going(&app, &quimper, 5).await; // MIN_CELL: shown
    going(&app, &marseille, 4).await; // MIN_CELL − 1: null

    let ask = |g: Value, f: Value| {
        let (app, token) = (&app, analyst.token.clone());
        async move {
            app.ok(BREAKDOWN, json!({ "g": g, "f": f }), Some(&token))
                .await["stats"]["breakdown"]
                .clone()
        }
    };
    let dep29 = population(
        &app,
        "SELECT sum(population)::int8 FROM communes WHERE department_code = '29' AND parent_code IS NULL",
    )
    .await;
    let dep13 = population(
        &app,
        "SELECT sum(population)::int8 FROM communes WHERE department_code = '13' AND parent_code IS NULL",
    )
    .await;
    assert_eq!(
        ask(json!(["DEPARTMENT", "KIND"]), Value::Null).await,
        json!([
            { "keys": ["29", "LEAFLETING"], "labels": ["Finistère", "LEAFLETING"], "events": 1, "rsvps": 5,
              "participants": 5, "perTenThousand": per_ten_thousand(1.0, dep29) },
            { "keys": ["13", "RALLY"], "labels": ["Bouches-du-Rhône", "RALLY"], "events": 1, "rsvps": 4,
              "participants": null, "perTenThousand": per_ten_thousand(1.0, dep13) },
            { "keys": ["13", "LEAFLETING"], "labels": ["Bouches-du-Rhône", "LEAFLETING"], "events": 1, "rsvps": 0,
              "participants": 0, "perTenThousand": per_ten_thousand(1.0, dep13) },
        ])
    );
    // Keys come in the order asked; a commune's arrondissements roll up
    // into the city, whose INSEE population makes the per-capita figure.
    let rows = ask(json!(["KIND", "COMMUNE"]), Value::Null).await;
    assert_eq!(rows[1]["keys"], json!(["RALLY", "13055"]));
    assert_eq!(rows[1]["labels"], json!(["RALLY", "Marseille"]));
    assert_eq!(
        rows[1]["perTenThousand"],
        json!(per_ten_thousand(1.0, 886_040.0))
    );
    let rows = ask(json!(["COMMUNE"]), json!({ "departmentCode": "29" })).await;
    assert_eq!(
        rows[0]["perTenThousand"],
        json!(0.155),
        "1 event for 64,385 people"
    );
    // Periods have no population.
    let month = ask(json!(["MONTH"]), Value::Null).await;
    let start = paris_today(Utc::now() + Duration::days(2));
    assert_eq!(month[0]["keys"], json!([start.format("%Y-%m").to_string()]));
    assert_eq!(month[0]["events"], 3);
    assert_eq!(month[0]["perTenThousand"], Value::Null);

    // A bound inside a day is answered from the events themselves: the
    // same figures as the rollup's whole days.
    let midnight = cortege_domain::stats::paris_day_start(paris_today(Utc::now())).unwrap();
    let by_days = ask(
        json!(["DEPARTMENT", "KIND"]),
        json!({ "from": midnight.to_rfc3339() }),
    )
    .await;
    let by_instants = ask(
        json!(["DEPARTMENT", "KIND"]),
        json!({ "from": (Utc::now() - Duration::minutes(5)).to_rfc3339() }),
    )
    .await;
    assert_eq!(by_days, by_instants);
    assert_eq!(by_days.as_array().unwrap().len(), 3);

    // activity keeps the contract's non-null participants: a hidden count
    // reads 0 and says so.
    let a = app
        .ok(
            "{ stats { activity(groupBy: COMMUNE) { key participants participantsSuppressed perTenThousand } } }",
            json!({}),
            Some(&analyst.token),
        )
        .await;
    assert_eq!(
        a["stats"]["activity"],
        json!([
            { "key": "13055", "participants": 0, "participantsSuppressed": true,
              "perTenThousand": per_ten_thousand(2.0, 886_040.0) },
            { "key": "29232", "participants": 5, "participantsSuppressed": false,
              "perTenThousand": 0.155 },
        ])
    );

    for (g, n, field) in [
        (json!([]), Value::Null, "groupBy"),
        (json!(["KIND", "KIND"]), Value::Null, "groupBy"),
        (json!(["KIND"]), json!(0), "first"),
        (json!(["KIND"]), json!(10_001), "first"),
    ] {
        let r = app
            .gql(BREAKDOWN, json!({ "g": g, "n": n }), Some(&analyst.token))
            .await;
        assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
        assert_eq!(error_field(&r), Some(field), "{r}");
    }
    let limited = app
        .ok(
            BREAKDOWN,
            json!({ "g": ["KIND", "DEPARTMENT"], "n": 1 }),
            Some(&analyst.token),
        )
        .await;
    assert_eq!(limited["stats"]["breakdown"].as_array().unwrap().len(), 1);
}

const MEMBERS: &str = "query($g: StatsDimension, $f: MembersFilter) {
    stats { members(groupBy: $g, filter: $f) { key label members newMembers active30d perTenThousand } } }";

async fn living_in(app: &TestApp, commune: &str, n: usize) -> Vec<Member> {
    let mut people = Vec::new();
    for i in 0..n {
        let m = app.member("Habitante", &format!("{commune}-{i}")).await;
        sqlx::query("UPDATE people SET commune_code = $2 WHERE id = $1")
            .bind(m.id)
            .bind(commune)
            .execute(&app.pool)
            .await
            .unwrap();
        people.push(m);
    }
    people
}

#[tokio::test]
async fn members_by_place_and_the_curve_since_launch() {
    let app = TestApp::spawn().await;
    let analyst = app.member("Anna", "Lyste").await;
    app.grant(&analyst, "ANALYST").await;
    let bretons = living_in(&app, "29232", 7).await;
    living_in(&app, "13055", 4).await;
    let ask = |g: Value, f: Value| {
        let (app, token) = (&app, analyst.token.clone());
        async move {
            app.ok(MEMBERS, json!({ "g": g, "f": f }), Some(&token))
                .await["stats"]["members"]
                .clone()
        }
    };
    let dep29 = population(
        &app,
        "SELECT sum(population)::int8 FROM communes WHERE department_code = '29' AND parent_code IS NULL",
    )
    .await;
    // Every member has just signed up and opened a session.
    assert_eq!(
        ask(json!("DEPARTMENT"), Value::Null).await,
        json!([
            { "key": "29", "label": "Finistère", "members": 7, "newMembers": 7, "active30d": 7,
              "perTenThousand": per_ten_thousand(7.0, dep29) },
            { "key": "13", "label": "Bouches-du-Rhône", "members": null, "newMembers": null,
              "active30d": null, "perTenThousand": null },
        ])
    );
    // Nationally, members with no known commune count too (the analyst).
    let france = ask(Value::Null, Value::Null).await;
    assert_eq!(france[0]["key"], "FR");
    assert_eq!(france[0]["members"], 12);
    let r = app
        .gql(MEMBERS, json!({ "g": "KIND" }), Some(&analyst.token))
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"));
    assert_eq!(error_field(&r), Some("groupBy"));

    // Six Bretons joined 40 days ago, and one left (banned) 10 days ago.
    for m in &bretons[..6] {
        sqlx::query("UPDATE people SET created_at = now() - interval '40 days' WHERE id = $1")
            .bind(m.id)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    sqlx::query("UPDATE people SET banned_at = now() - interval '10 days' WHERE id = $1")
        .bind(bretons[5].id)
        .execute(&app.pool)
        .await
        .unwrap();
    let stats = Statistics::new(app.pool.clone(), None, MinCell::new(1).unwrap());
    let today = paris_today(Utc::now());
    let written = stats.snapshot(today).await.unwrap();
    assert!(written > 40, "{written}");
    // Idempotent per day: again, nothing new.
    stats.snapshot(today).await.unwrap();
    let rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM member_snapshots WHERE department_code = '29'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(rows, 41, "one row a day from the first sign-up to today");

    let curve = ask(json!("DAY"), json!({ "departmentCode": "29" })).await;
    let curve = curve.as_array().unwrap();
    assert_eq!(curve.len(), 41);
    let first = (today - chrono::Days::new(40))
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(curve[0]["key"], first);
    assert_eq!(curve[0]["members"], 6);
    assert_eq!(curve[0]["newMembers"], 6);
    assert_eq!(
        curve[0]["active30d"],
        Value::Null,
        "rebuilt days: no activity"
    );
    assert_eq!(curve[1]["newMembers"], 0, "nobody: shown");
    assert_eq!(curve[39]["members"], 5, "the ban counts: {:?}", curve[39]);
    let last = &curve[40];
    assert_eq!(last["key"], today.format("%Y-%m-%d").to_string());
    assert_eq!(last["members"], 6);
    assert_eq!(last["newMembers"], Value::Null, "one sign-up: a small cell");
    assert_eq!(last["active30d"], 6);
    // Weeks and months: members at the period's end, new ones summed.
    let weeks = ask(json!("WEEK"), json!({ "departmentCode": "29" })).await;
    let weeks = weeks.as_array().unwrap();
    assert!(weeks[0]["key"].as_str().unwrap().contains("-W"));
    assert_eq!(weeks.last().unwrap()["members"], 6);
    assert_eq!(weeks[0]["newMembers"], 6);
    let months = ask(json!("MONTH"), json!({ "departmentCode": "29" })).await;
    let months = months.as_array().unwrap();
    assert_eq!(
        months.last().unwrap()["key"],
        today.format("%Y-%m").to_string()
    );
}
