//! Online actions (issue 16): no place needed, an http(s) link for those
//! coming only, listed without near, skipped by near searches unless asked.

use serde_json::{Value, json};

use crate::common::{TestApp, error_code, error_field, event_input};

const CREATE: &str = "mutation($i: CreateEventInput!) { createEvent(input: $i) {
    id online onlineUrl location { lat lon } address { street city } } }";

fn online_input(title: &str) -> Value {
    let mut input = event_input(title, (0.0, 0.0), "", "");
    input.as_object_mut().unwrap().remove("location");
    input.as_object_mut().unwrap().remove("address");
    input["kind"] = json!("ONLINE_MEETING");
    input["online"] = json!(true);
    input["onlineUrl"] = json!("https://visio.example.org/r/marseille");
    input
}

#[tokio::test]
async fn online_actions_need_no_place_and_show_their_link_to_those_coming() {
    let app = TestApp::spawn().await;
    let olga = app.member("Olga", "Orga").await;
    let bob = app.member("Bob", "Benevole").await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM events")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };

    // Refused, nothing written: no commune to sit in yet, a link that is
    // not a web link, an action in person without a place, a link for one.
    let r = app
        .gql(
            CREATE,
            json!({ "i": online_input("Visio") }),
            Some(&olga.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(error_field(&r), Some("input.address"), "{r}");
    let mut bad = online_input("Visio");
    bad["onlineUrl"] = json!("javascript:alert(1)");
    let r = app
        .gql(CREATE, json!({ "i": bad }), Some(&olga.token))
        .await;
    assert_eq!(error_field(&r), Some("input.onlineUrl"), "{r}");
    let mut in_person = online_input("Réunion");
    in_person["online"] = json!(false);
    in_person.as_object_mut().unwrap().remove("onlineUrl");
    let r = app
        .gql(CREATE, json!({ "i": in_person }), Some(&olga.token))
        .await;
    assert_eq!(error_field(&r), Some("input.location"), "{r}");
    let mut linked = event_input("Tractage", (43.3, 5.38), "13001", "Marseille");
    linked["onlineUrl"] = json!("https://visio.example.org/r/1");
    let r = app
        .gql(CREATE, json!({ "i": linked }), Some(&olga.token))
        .await;
    assert_eq!(error_field(&r), Some("input.onlineUrl"), "{r}");
    assert_eq!(count().await, 0);

    // With a commune on her profile, the action sits at its centre.
    sqlx::query("UPDATE people SET postcode = '13001', commune_code = '13201' WHERE id = $1")
        .bind(olga.id)
        .execute(&app.pool)
        .await
        .unwrap();
    let made = app
        .ok(
            CREATE,
            json!({ "i": online_input("Visio du lundi") }),
            Some(&olga.token),
        )
        .await["createEvent"]
        .clone();
    assert_eq!(made["online"], true);
    assert_eq!(made["address"]["street"], Value::Null);
    assert_eq!(
        made["onlineUrl"], "https://visio.example.org/r/marseille",
        "the host sees it"
    );
    let id = made["id"].as_str().unwrap().to_owned();
    app.create_event(
        &olga.token,
        event_input("Tractage Noailles", (43.296, 5.38), "13001", "Marseille"),
    )
    .await;

    let url = "query($id: ID!) { event(id: $id) { onlineUrl } }";
    let r = app.ok(url, json!({ "id": id }), Some(&bob.token)).await;
    assert_eq!(r["event"]["onlineUrl"], Value::Null, "not before RSVPing");
    app.ok(
        "mutation($e: ID!) { rsvp(eventId: $e) { status } }",
        json!({ "e": id }),
        Some(&bob.token),
    )
    .await;
    let r = app.ok(url, json!({ "id": id }), Some(&bob.token)).await;
    assert_eq!(
        r["event"]["onlineUrl"],
        "https://visio.example.org/r/marseille"
    );
    assert_eq!(
        app.ok(url, json!({ "id": id }), None).await["event"]["onlineUrl"],
        Value::Null
    );

    // Listed without near; near skips it unless asked.
    let titles = |v: &Value| -> Vec<String> {
        v["events"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = app
        .ok("{ events { edges { node { title } } } }", json!({}), None)
        .await;
    assert_eq!(titles(&all).len(), 2);
    let near = "query($o: Boolean) { events(filter: { near: { lat: 43.3, lon: 5.38 }, radiusKm: 20, includeOnline: $o }) { edges { node { title } } } }";
    let v = app.ok(near, json!({}), None).await;
    assert_eq!(titles(&v), ["Tractage Noailles"]);
    let v = app.ok(near, json!({ "o": true }), None).await;
    assert_eq!(titles(&v).len(), 2);

    // The link changes for online actions only.
    let r = app
        .ok(
            "mutation($id: ID!) { updateEvent(id: $id, input: { onlineUrl: \"https://visio.example.org/r/2\" }) { onlineUrl } }",
            json!({ "id": id }),
            Some(&olga.token),
        )
        .await;
    assert_eq!(
        r["updateEvent"]["onlineUrl"],
        "https://visio.example.org/r/2"
    );
}

#[tokio::test]
async fn a_postcode_gives_its_communes_and_their_centres_for_a_keyboard_picker() {
    let app = TestApp::spawn().await;
    let q = "query($p: String!) { communes(postcode: $p) { name centre { lat lon } } }";
    let v = app.ok(q, json!({ "p": "29000" }), None).await;
    let quimper = &v["communes"][0];
    assert_eq!(quimper["name"], "Quimper");
    assert!((quimper["centre"]["lat"].as_f64().unwrap() - 47.99).abs() < 0.1);
    let r = app.gql(q, json!({ "p": "00000" }), None).await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(error_field(&r), Some("postcode"), "{r}");
}
