//! Outcomes (issue 16): organisers report what an action achieved, from
//! its start to two weeks after; the figures are public on the event and
//! summed in stats. Every refusal has its code and writes nothing.

use serde_json::{Value, json};

use crate::common::{Member, TestApp, error_code, error_field, event_input};

const REPORT: &str = "mutation($e: ID!, $i: EventOutcomeInput!) {
    reportOutcome(eventId: $e, input: $i) {
        id outcome { leaflets doorsKnocked conversations posters signatures contacts notes reportedBy { displayName } }
    }
}";

/// An event of `by` in `city`, moved in the database to have started
/// `hours_ago` hours ago (the API only creates events in the future).
async fn started(
    app: &TestApp,
    by: &Member,
    title: &str,
    city: (&str, &str),
    hours_ago: i64,
) -> String {
    let id = app
        .create_event(&by.token, event_input(title, (43.3, 5.4), city.0, city.1))
        .await;
    sqlx::query(
        "UPDATE events SET starts_at = now() - make_interval(hours => $2::int),
                           ends_at = now() - make_interval(hours => $2::int) + interval '2 hours'
         WHERE title = $1",
    )
    .bind(title)
    .bind(i32::try_from(hours_ago).unwrap())
    .execute(&app.pool)
    .await
    .unwrap();
    id
}

/// A refused report: what it is, on which event, with what, by whom, and
/// the code and field it must get.
type Refusal<'a> = (
    &'a str,
    &'a str,
    Value,
    &'a Member,
    &'a str,
    Option<&'a str>,
);

async fn outcomes(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM event_outcomes")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn organisers_report_an_outcome_that_everyone_sees_and_a_new_report_replaces_it() {
    let app = TestApp::spawn().await;
    let olga = app.member("Olga", "Orga").await;
    let event = started(
        &app,
        &olga,
        "Porte-à-porte Belsunce",
        ("13001", "Marseille"),
        3,
    )
    .await;
    let r = app
        .ok(
            REPORT,
            json!({ "e": event, "i": { "doorsKnocked": 240, "conversations": 61, "leaflets": 500,
                                       "notes": "  Bon accueil rue d'Aix.  " } }),
            Some(&olga.token),
        )
        .await;
    let outcome = &r["reportOutcome"]["outcome"];
    assert_eq!(outcome["doorsKnocked"], 240);
    assert_eq!(outcome["posters"], Value::Null, "not counted");
    assert_eq!(outcome["notes"], "Bon accueil rue d'Aix.");
    assert_eq!(outcome["reportedBy"]["displayName"], "Olga O.");

    // Public: an anonymous visitor reads it on the event.
    let seen = app
        .ok(
            "query($id: ID!) { event(id: $id) { outcome { doorsKnocked leaflets } } }",
            json!({ "id": event }),
            None,
        )
        .await;
    assert_eq!(seen["event"]["outcome"]["doorsKnocked"], 240);

    // A second report replaces the first whole.
    let r = app
        .ok(
            REPORT,
            json!({ "e": event, "i": { "doorsKnocked": 250 } }),
            Some(&olga.token),
        )
        .await;
    assert_eq!(r["reportOutcome"]["outcome"]["doorsKnocked"], 250);
    assert_eq!(r["reportOutcome"]["outcome"]["leaflets"], Value::Null);
    assert_eq!(outcomes(&app).await, 1);
}

#[tokio::test]
async fn refused_reports_have_their_code_and_write_nothing() {
    let app = TestApp::spawn().await;
    let olga = app.member("Olga", "Orga").await;
    let other = app.member("Paul", "Passant").await;
    let running = started(&app, &olga, "Tractage au marché", ("13001", "Marseille"), 1).await;
    let upcoming = app
        .create_event(
            &olga.token,
            event_input("Réunion à venir", (43.3, 5.4), "13001", "Marseille"),
        )
        .await;
    let old = started(
        &app,
        &olga,
        "Action ancienne",
        ("13001", "Marseille"),
        15 * 24,
    )
    .await;
    let cancelled = started(&app, &olga, "Action annulée", ("13001", "Marseille"), 1).await;
    sqlx::query("UPDATE events SET cancelled_at = now() WHERE title = 'Action annulée'")
        .execute(&app.pool)
        .await
        .unwrap();

    let ok_input = json!({ "leaflets": 10 });
    let cases: Vec<Refusal> = vec![
        (
            "someone else's event",
            running.as_str(),
            ok_input.clone(),
            &other,
            "FORBIDDEN",
            None,
        ),
        (
            "before the start",
            upcoming.as_str(),
            ok_input.clone(),
            &olga,
            "CONFLICT",
            None,
        ),
        (
            "15 days after",
            old.as_str(),
            ok_input.clone(),
            &olga,
            "CONFLICT",
            None,
        ),
        (
            "a cancelled event",
            cancelled.as_str(),
            ok_input.clone(),
            &olga,
            "CONFLICT",
            None,
        ),
        (
            "a negative count",
            running.as_str(),
            json!({ "posters": -1 }),
            &olga,
            "BAD_USER_INPUT",
            Some("input.posters"),
        ),
        (
            "over a million",
            running.as_str(),
            json!({ "signatures": 1_000_001 }),
            &olga,
            "BAD_USER_INPUT",
            Some("input.signatures"),
        ),
        (
            "long notes",
            running.as_str(),
            json!({ "notes": "x".repeat(2_001) }),
            &olga,
            "BAD_USER_INPUT",
            Some("input.notes"),
        ),
    ];
    for (case, event, input, who, code, field) in cases {
        let r = app
            .gql(REPORT, json!({ "e": event, "i": input }), Some(&who.token))
            .await;
        assert_eq!(error_code(&r), Some(code), "{case}: {r}");
        if field.is_some() {
            assert_eq!(error_field(&r), field, "{case}: {r}");
        }
        assert_eq!(outcomes(&app).await, 0, "{case} wrote nothing");
    }
    let anonymous = app
        .gql(REPORT, json!({ "e": running, "i": ok_input }), None)
        .await;
    assert_eq!(error_code(&anonymous), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn stats_sum_the_reported_outcomes_per_bucket_and_say_null_where_none_was() {
    let app = TestApp::spawn().await;
    let olga = app.member("Olga", "Orga").await;
    let analyst = app.member("Ana", "Lyste").await;
    app.grant(&analyst, "ANALYST").await;
    let a = started(&app, &olga, "Porte-à-porte A", ("13001", "Marseille"), 2).await;
    let b = started(&app, &olga, "Porte-à-porte B", ("13002", "Marseille"), 2).await;
    started(&app, &olga, "Tractage Quimper", ("29000", "Quimper"), 2).await;
    for (event, doors) in [(&a, 120), (&b, 30)] {
        app.ok(
            REPORT,
            json!({ "e": event, "i": { "doorsKnocked": doors, "leaflets": 100 } }),
            Some(&olga.token),
        )
        .await;
    }
    let v = app
        .ok(
            "{ stats { activity(groupBy: COMMUNE) { label events doorsKnocked leaflets posters } } }",
            json!({}),
            Some(&analyst.token),
        )
        .await;
    let buckets = v["stats"]["activity"].as_array().unwrap();
    let of = |label: &str| {
        buckets
            .iter()
            .find(|b| b["label"] == label)
            .unwrap()
            .clone()
    };
    let marseille = of("Marseille");
    assert_eq!(marseille["events"], 2);
    assert_eq!(marseille["doorsKnocked"], 150);
    assert_eq!(marseille["leaflets"], 200);
    assert_eq!(marseille["posters"], Value::Null, "nobody counted posters");
    assert_eq!(
        of("Quimper")["doorsKnocked"],
        Value::Null,
        "nothing reported there"
    );
    // Without an outcome field, the same buckets come without the join.
    let plain = app
        .ok(
            "{ stats { activity(groupBy: COMMUNE) { label events } } }",
            json!({}),
            Some(&analyst.token),
        )
        .await;
    assert_eq!(
        plain["stats"]["activity"].as_array().unwrap().len(),
        buckets.len()
    );
}
