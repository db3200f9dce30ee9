//! Attendance and contacts (issue 16): hosts mark who came, attendees
//! check in with the event's code within its window, attendees who opt in
//! show their email and phone to the hosts only, and the hosts download
//! the list as CSV through a signed, short-lived, logged link.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::common::{Member, TestApp, error_code, error_field, event_input};

const CHECK_IN: &str =
    "mutation($e: ID!, $c: String!) { checkIn(eventId: $e, code: $c) { attended } }";
const MARK: &str =
    "mutation($r: ID!, $a: Boolean!) { markAttendance(rsvpId: $r, attended: $a) { attended } }";
const HOSTING: &str =
    "query($e: ID!) { event(id: $e) { attendedCount checkInCode attendeesCsvUrl } }";
const RSVP: &str = "mutation($e: ID!, $g: Int, $s: Boolean) { rsvp(eventId: $e, guests: $g, shareContact: $s) { id shareContact } }";
const ATTENDEES: &str = "query($e: ID!) { event(id: $e) { attendees(first: 10) { edges { node {
    person { displayName } shareContact contactEmail contactPhone attended } } } } }";

async fn app() -> TestApp {
    // Events starting within the hour: no reminders in the way.
    TestApp::spawn_with(|c| c.notifications = false).await
}

/// An event starting `in_minutes` from now, for two hours.
async fn event_in(app: &TestApp, org: &Member, in_minutes: i64) -> String {
    let mut input = event_input(
        "Porte-à-porte Noailles",
        (43.296, 5.38),
        "13001",
        "Marseille",
    );
    let starts = Utc::now() + Duration::minutes(in_minutes);
    input["startsAt"] = json!(starts.to_rfc3339());
    input["endsAt"] = json!((starts + Duration::hours(2)).to_rfc3339());
    app.create_event(&org.token, input).await
}

async fn rsvp(app: &TestApp, who: &Member, e: &str, guests: i32, share: Option<bool>) -> Value {
    app.ok(
        RSVP,
        json!({ "e": e, "g": guests, "s": share }),
        Some(&who.token),
    )
    .await["rsvp"]
        .clone()
}

async fn email_of(app: &TestApp, m: &Member) -> String {
    sqlx::query_scalar("SELECT email FROM people WHERE id = $1")
        .bind(m.id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn hosts_mark_attendance_and_attendees_check_in_with_the_code() {
    let app = app().await;
    let olga = app.member("Olga", "Orga").await;
    let bob = app.member("Bob", "Benevole").await;
    let carla = app.member("Carla", "Camarade").await;
    let dan = app.member("Dan", "Distrait").await;
    let e = event_in(&app, &olga, 30).await;
    rsvp(&app, &bob, &e, 2, None).await;
    let carla_rsvp = rsvp(&app, &carla, &e, 0, None).await["id"].clone();

    let host = app.ok(HOSTING, json!({ "e": e }), Some(&olga.token)).await;
    let code = host["event"]["checkInCode"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 6, "{host}");
    assert_eq!(host["event"]["attendedCount"], 0);
    let other = app.ok(HOSTING, json!({ "e": e }), Some(&bob.token)).await;
    assert_eq!(
        other["event"],
        json!({ "attendedCount": null, "checkInCode": null, "attendeesCsvUrl": null }),
        "hosts only"
    );

    // A wrong code changes nothing; the right one, typed loosely, counts
    // the whole party.
    let r = app
        .gql(CHECK_IN, json!({ "e": e, "c": "ZZZZZZ" }), Some(&bob.token))
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(error_field(&r), Some("code"), "{r}");
    assert_eq!(
        app.ok(HOSTING, json!({ "e": e }), Some(&olga.token)).await["event"]["attendedCount"],
        0
    );
    let typed = format!(" {}-{} ", &code[..3].to_lowercase(), &code[3..]);
    let r = app
        .ok(CHECK_IN, json!({ "e": e, "c": typed }), Some(&bob.token))
        .await;
    assert_eq!(r["checkIn"]["attended"], true);
    assert_eq!(
        app.ok(HOSTING, json!({ "e": e }), Some(&olga.token)).await["event"]["attendedCount"],
        3,
        "1 + 2 guests"
    );
    let r = app
        .gql(CHECK_IN, json!({ "e": e, "c": code }), Some(&dan.token))
        .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "no RSVP: {r}");

    // Hosts mark from the list; nobody else does.
    let r = app
        .gql(
            MARK,
            json!({ "r": carla_rsvp, "a": true }),
            Some(&bob.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    for (attended, count) in [(false, 3), (true, 4)] {
        let r = app
            .ok(
                MARK,
                json!({ "r": carla_rsvp, "a": attended }),
                Some(&olga.token),
            )
            .await;
        assert_eq!(r["markAttendance"]["attended"], attended);
        assert_eq!(
            app.ok(HOSTING, json!({ "e": e }), Some(&olga.token)).await["event"]["attendedCount"],
            count
        );
    }

    // Outside the windows: CONFLICT, nothing marked.
    let later = event_in(&app, &olga, 3 * 24 * 60).await;
    let later_rsvp = rsvp(&app, &bob, &later, 0, None).await["id"].clone();
    let later_code = app
        .ok(HOSTING, json!({ "e": later }), Some(&olga.token))
        .await["event"]["checkInCode"]
        .clone();
    assert_ne!(later_code, json!(code), "each event has its own code");
    let r = app
        .gql(
            CHECK_IN,
            json!({ "e": later, "c": later_code }),
            Some(&bob.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
    let r = app
        .gql(
            MARK,
            json!({ "r": later_rsvp, "a": true }),
            Some(&olga.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
    assert_eq!(
        app.ok(HOSTING, json!({ "e": later }), Some(&olga.token))
            .await["event"]["attendedCount"],
        0
    );

    // In stats: the seats that came, over the events that took
    // attendance; null where none did.
    let analyst = app.member("Ana", "Lyste").await;
    app.grant(&analyst, "ANALYST").await;
    app.create_event(
        &olga.token,
        event_input("Tractage Quimper", (47.996, -4.102), "29000", "Quimper"),
    )
    .await;
    let v = app
        .ok(
            "{ stats { activity(groupBy: COMMUNE) { label events attended } } }",
            json!({}),
            Some(&analyst.token),
        )
        .await;
    let buckets = v["stats"]["activity"].as_array().unwrap();
    let of = |label: &str| buckets.iter().find(|b| b["label"] == label).unwrap();
    assert_eq!(of("Marseille")["events"], 2);
    assert_eq!(of("Marseille")["attended"], 4, "3 by check-in, 1 marked");
    assert_eq!(of("Quimper")["attended"], Value::Null);
}

#[tokio::test]
async fn contacts_reach_the_hosts_only_with_consent_and_the_list_downloads_once_signed() {
    let app = app().await;
    let olga = app.member("Olga", "Orga").await;
    let bob = app.member("Bob", "Benevole").await;
    let carla = app.member("Carla", "Camarade").await;
    let mod_ = app.member("Mona", "Moderation").await;
    app.grant(&mod_, "MODERATOR").await;
    sqlx::query("UPDATE people SET phone = '+33612345678' WHERE id = $1")
        .bind(bob.id)
        .execute(&app.pool)
        .await
        .unwrap();
    let e = event_in(&app, &olga, 60 * 24).await;
    assert_eq!(
        rsvp(&app, &bob, &e, 1, Some(true)).await["shareContact"],
        true
    );
    assert_eq!(rsvp(&app, &carla, &e, 0, None).await["shareContact"], false);
    // Omitted, the choice stays.
    assert_eq!(rsvp(&app, &bob, &e, 1, None).await["shareContact"], true);

    let contacts =
        |token: String| {
            let app = &app;
            let e = e.clone();
            async move {
                app.ok(ATTENDEES, json!({ "e": e }), Some(&token)).await["event"]["attendees"]
                ["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| {
                    (
                        n["node"]["person"]["displayName"].as_str().unwrap().to_owned(),
                        n["node"]["contactEmail"].clone(),
                        n["node"]["contactPhone"].clone(),
                    )
                })
                .collect::<Vec<_>>()
            }
        };
    let bob_email = email_of(&app, &bob).await;
    assert_eq!(
        contacts(olga.token.clone()).await,
        [
            ("Bob B.".to_owned(), json!(bob_email), json!("+33612345678")),
            ("Carla C.".to_owned(), Value::Null, Value::Null),
        ]
    );
    // Moderators see attendees, not their contacts.
    assert!(
        contacts(mod_.token.clone())
            .await
            .iter()
            .all(|(_, mail, phone)| mail.is_null() && phone.is_null())
    );

    // The CSV: a link for hosts, signed, short-lived, logged.
    let url =
        app.ok(HOSTING, json!({ "e": e }), Some(&olga.token)).await["event"]["attendeesCsvUrl"]
            .as_str()
            .unwrap()
            .to_owned();
    let path = &url[url.find("/export/").unwrap()..];
    let res = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = res.text().await.unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(
        lines[0],
        "first_name,last_name,status,guests,attended,email,phone"
    );
    assert_eq!(
        lines[1],
        format!("Bob,Benevole,GOING,1,,{bob_email},+33612345678")
    );
    assert_eq!(lines[2], "Carla,Camarade,GOING,0,,,");
    assert_eq!(lines.len(), 3);
    let logged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM moderation_log WHERE action = 'EXPORT_ATTENDEES' AND actor_id = $1",
    )
    .bind(olga.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(logged, 1);

    // Forged, expired, or for someone no longer a host: refused.
    let forged = format!("{}x", &path[..path.len() - 1]);
    let res = app
        .client
        .get(format!("{}{forged}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let event_id = cortege_graphql::ids::decode_any(&e).unwrap().1;
    let keys = &app.state().app.notify.keys;
    let expired = keys.attendees_token(
        event_id,
        cortege_domain::PersonId(olga.id),
        (Utc::now() - Duration::minutes(1)).timestamp(),
    );
    let not_host = keys.attendees_token(
        event_id,
        cortege_domain::PersonId(bob.id),
        (Utc::now() + Duration::minutes(5)).timestamp(),
    );
    for (token, status) in [(expired, 403), (not_host, 403)] {
        let res = app
            .client
            .get(format!("{}/export/attendees.csv?token={token}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), status);
    }

    // Consent withdrawn: the contact is gone at once.
    rsvp(&app, &bob, &e, 1, Some(false)).await;
    assert_eq!(
        contacts(olga.token.clone()).await[0],
        ("Bob B.".to_owned(), Value::Null, Value::Null)
    );
}
