//! duplicateEvent (issue 16): the same action again at a new start, with
//! the same fields and duration, and none of its RSVPs.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::common::{TestApp, error_code, error_field, event_input};

const DUPLICATE: &str = "mutation($e: ID!, $s: DateTime!) {
    duplicateEvent(eventId: $e, startsAt: $s) {
        id title description kind startsAt endsAt capacity attendeeCount
        address { street postcode city } organiser { displayName }
    }
}";

fn time(v: &serde_json::Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_copy_keeps_the_fields_and_duration_at_its_new_start_without_rsvps() {
    let app = TestApp::spawn().await;
    let olga = app.member("Olga", "Orga").await;
    let paul = app.member("Paul", "Passant").await;
    let mut input = event_input("Collage rue de la Paix", (48.869, 2.331), "75002", "Paris");
    input["capacity"] = json!(12);
    input["kind"] = json!("POSTERING");
    let original = app.create_event(&olga.token, input).await;
    app.ok(
        "mutation($e: ID!) { rsvp(eventId: $e) { id } }",
        json!({ "e": original }),
        Some(&paul.token),
    )
    .await;
    let starts = (Utc::now() + Duration::days(9)).to_rfc3339();
    let copy = app
        .ok(
            DUPLICATE,
            json!({ "e": original, "s": starts }),
            Some(&olga.token),
        )
        .await["duplicateEvent"]
        .clone();
    assert_ne!(copy["id"], json!(original));
    assert_eq!(copy["title"], "Collage rue de la Paix");
    assert_eq!(copy["kind"], "POSTERING");
    assert_eq!(copy["capacity"], 12);
    assert_eq!(copy["attendeeCount"], 0, "no RSVPs come along");
    assert_eq!(copy["address"]["postcode"], "75002");
    assert_eq!(copy["organiser"]["displayName"], "Olga O.");
    assert_eq!(
        time(&copy["endsAt"]) - time(&copy["startsAt"]),
        Duration::hours(2)
    );
    assert!(
        (time(&copy["startsAt"]) - starts.parse::<DateTime<Utc>>().unwrap())
            .num_seconds()
            .abs()
            < 1
    );

    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // Refused: someone else's event, a start in the past; nothing written.
    let r = app
        .gql(
            DUPLICATE,
            json!({ "e": original, "s": starts }),
            Some(&paul.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let past = (Utc::now() - Duration::hours(1)).to_rfc3339();
    let r = app
        .gql(
            DUPLICATE,
            json!({ "e": original, "s": past }),
            Some(&olga.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(error_field(&r), Some("startsAt"));
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(after, events);
}
