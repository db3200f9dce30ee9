//! Seats, waitlist and promotions, including under concurrency.
#![allow(clippy::unwrap_used)]

use crate::common;

use chrono::{Duration, Utc};
use common::{Member, TestApp, error_code, error_field};
use serde_json::{Value, json};

const RSVP: &str = "mutation($e: ID!, $g: Int) { rsvp(eventId: $e, guests: $g) { id status guests event { attendeeCount isFull } } }";
const CANCEL: &str =
    "mutation($e: ID!) { cancelRsvp(eventId: $e) { status event { attendeeCount } } }";

async fn event(app: &TestApp, organiser: &Member, capacity: Option<i32>) -> String {
    let starts = Utc::now() + Duration::days(1);
    let input = json!({
        "title": "Porte-à-porte à Belsunce", "description": "", "kind": "DOOR_TO_DOOR",
        "startsAt": starts.to_rfc3339(), "endsAt": (starts + Duration::hours(3)).to_rfc3339(),
        "location": { "lat": 43.3, "lon": 5.38 }, "address": { "postcode": "13001", "city": "Marseille" },
        "capacity": capacity,
    });
    app.ok(
        "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }",
        json!({ "i": input }),
        Some(&organiser.token),
    )
    .await["createEvent"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn rsvp(app: &TestApp, m: &Member, e: &str, guests: Option<i32>) -> Value {
    app.ok(RSVP, json!({ "e": e, "g": guests }), Some(&m.token))
        .await["rsvp"]
        .clone()
}

async fn statuses(app: &TestApp, e: &str) -> Vec<(String, String, i64)> {
    let id = cortege_graphql::ids::decode_any(e).unwrap().1;
    sqlx::query_as(
        "SELECT p.first_name, r.status::text, r.guests::int8 FROM rsvps r JOIN people p ON p.id = r.person_id
         WHERE r.event_id = $1 ORDER BY p.first_name",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn seats_waitlist_and_promotion_in_waiting_order() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga", "Org").await;
    let e = event(&app, &org, Some(4)).await;
    let (a, b, c, d) = (
        app.member("A", "A").await,
        app.member("B", "B").await,
        app.member("C", "C").await,
        app.member("D", "D").await,
    );
    let r = rsvp(&app, &a, &e, Some(2)).await;
    assert_eq!(
        (r["status"].as_str(), r["event"]["attendeeCount"].as_i64()),
        (Some("GOING"), Some(3))
    );
    // A party of 3 does not fit in 1 seat: waitlisted whole.
    let r = rsvp(&app, &b, &e, Some(2)).await;
    assert_eq!(r["status"], "WAITLISTED");
    assert_eq!(r["event"]["attendeeCount"], 3);
    // C (alone) is waitlisted behind B? No: a party that fits goes.
    let r = rsvp(&app, &c, &e, None).await;
    assert_eq!(r["status"], "GOING");
    assert_eq!(r["event"]["isFull"], true);
    let r = rsvp(&app, &d, &e, Some(0)).await;
    assert_eq!(r["status"], "WAITLISTED");
    // Idempotent: the same call changes nothing, and keeps guests.
    let again = rsvp(&app, &a, &e, None).await;
    assert_eq!(
        (again["status"].as_str(), again["guests"].as_i64()),
        (Some("GOING"), Some(2))
    );
    assert_eq!(again["event"]["attendeeCount"], 4);

    // C leaves: one seat; B (3) does not fit and is skipped, D (1) goes.
    let r = app.ok(CANCEL, json!({ "e": e }), Some(&c.token)).await;
    assert_eq!(r["cancelRsvp"]["status"], "CANCELLED");
    assert_eq!(
        statuses(&app, &e).await,
        [
            ("A".into(), "GOING".into(), 2),
            ("B".into(), "WAITLISTED".into(), 2),
            ("C".into(), "CANCELLED".into(), 0),
            ("D".into(), "GOING".into(), 0)
        ]
    );
    // A comes alone now: two seats free, B (3) still does not fit.
    rsvp(&app, &a, &e, Some(0)).await;
    assert_eq!(statuses(&app, &e).await[1].1, "WAITLISTED");
    // Capacity raised to 5: B fits and is promoted in the same transaction.
    app.ok(
        "mutation($id: ID!) { updateEvent(id: $id, input: { capacity: 5 }) { attendeeCount } }",
        json!({ "id": e }),
        Some(&org.token),
    )
    .await;
    assert_eq!(statuses(&app, &e).await[1].1, "GOING");
    let count: i32 = sqlx::query_scalar("SELECT seats_taken FROM events")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 5);
    // Capacity cannot drop below the seats taken.
    let r = app
        .gql(
            "mutation($id: ID!) { updateEvent(id: $id, input: { capacity: 4 }) { id } }",
            json!({ "id": e }),
            Some(&org.token),
        )
        .await;
    assert_eq!(error_field(&r), Some("input.capacity"), "{r}");
    // Guests beyond 10 are refused.
    let r = app
        .gql(RSVP, json!({ "e": e, "g": 11 }), Some(&a.token))
        .await;
    assert_eq!(error_field(&r), Some("guests"));
    let r = app
        .gql(RSVP, json!({ "e": e, "g": -1 }), Some(&a.token))
        .await;
    assert_eq!(error_field(&r), Some("guests"));
}

#[tokio::test]
async fn fifty_concurrent_rsvps_fill_ten_seats_exactly() {
    let app = TestApp::spawn_with(|c| c.db_max_connections = 20).await;
    let org = app.member("Olga", "Org").await;
    let e = event(&app, &org, Some(10)).await;
    let mut members = Vec::new();
    for i in 0..50 {
        members.push(app.member(&format!("M{i:02}"), "X").await);
    }
    let tasks: Vec<_> = members
        .iter()
        .map(|m| {
            let client = app.client.clone();
            let url = format!("{}/graphql", app.base);
            let body = json!({ "query": RSVP, "variables": { "e": e } });
            let token = m.token.clone();
            tokio::spawn(async move {
                let r: Value = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                r["data"]["rsvp"]["status"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{r}"))
                    .to_owned()
            })
        })
        .collect();
    let mut going = 0;
    for t in tasks {
        if t.await.unwrap() == "GOING" {
            going += 1;
        }
    }
    assert_eq!(going, 10);
    let (seats, rows): (i32, i64) = sqlx::query_as(
        "SELECT e.seats_taken, (SELECT count(*) FROM rsvps WHERE status = 'GOING') FROM events e",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((seats, rows), (10, 10));
}

#[tokio::test]
async fn rsvps_close_when_the_event_is_cancelled_or_over() {
    let app = TestApp::spawn().await;
    let org = app.member("Olga", "Org").await;
    let a = app.member("A", "A").await;
    let e = event(&app, &org, None).await;
    rsvp(&app, &a, &e, None).await;
    let id = cortege_graphql::ids::decode_any(&e).unwrap().1;
    sqlx::query("UPDATE events SET starts_at = now() - interval '3 hours', ends_at = now() - interval '1 hour' WHERE id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let r = app
        .gql(RSVP, json!({ "e": e, "g": 1 }), Some(&a.token))
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "ended: {r}");
    let e2 = event(&app, &org, None).await;
    app.ok(
        "mutation($id: ID!) { cancelEvent(id: $id) { id } }",
        json!({ "id": e2 }),
        Some(&org.token),
    )
    .await;
    let r = app.gql(RSVP, json!({ "e": e2 }), Some(&a.token)).await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "cancelled: {r}");
    let r = app.gql(CANCEL, json!({ "e": e2 }), Some(&a.token)).await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "no RSVP to cancel: {r}");
    // The viewer's RSVP shows on the event; members imported without the
    // pledge cannot RSVP.
    let q = "query($id: ID!) { event(id: $id) { viewerRsvp { status guests } } }";
    assert_eq!(
        app.ok(q, json!({ "id": e }), Some(&a.token)).await["event"]["viewerRsvp"],
        json!({ "status": "GOING", "guests": 0 })
    );
    sqlx::query("UPDATE people SET pledge_accepted_at = NULL WHERE id = $1")
        .bind(a.id)
        .execute(&app.pool)
        .await
        .unwrap();
    let e3 = event(&app, &org, None).await;
    let r = app.gql(RSVP, json!({ "e": e3 }), Some(&a.token)).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
}
