//! Private addresses (issue 16): with addressVisibility ATTENDEES, only
//! the hosts and GOING attendees see the street, the exact location and
//! the instructions. A property-style test over seeded random events and
//! every kind of viewer checks every way an event leaves the server: by
//! id, in the near listing (distances too), in feed items, in eventsNearby
//! pushes and in calendar files.

use cortege_domain::GeoPoint;
use serde_json::{Value, json};

use crate::common::ws::WsClient;
use crate::common::{Lcg, Member, TestApp, event_input};

const CENTRE: (f64, f64) = (43.2965, 5.3698);
const SHOWN: &str = "location { lat lon } address { street city } instructions";

struct Seeded {
    id: String,
    exact: GeoPoint,
    private: bool,
}

fn point(v: &Value) -> (f64, f64) {
    (v["lat"].as_f64().unwrap(), v["lon"].as_f64().unwrap())
}

/// What `viewer` must see of `e`: the exact place or the rounded one.
fn check(e: &Seeded, shown: &Value, privileged: bool, context: &str) {
    let exact = !e.private || privileged;
    let expected = if exact { e.exact } else { e.exact.coarse() };
    assert_eq!(
        point(&shown["location"]),
        (expected.lat(), expected.lon()),
        "{context}: location of {} (exact: {exact})",
        e.id
    );
    if exact {
        assert_eq!(
            shown["address"]["street"], "12 rue de la République",
            "{context}"
        );
    } else {
        assert_eq!(shown["address"]["street"], Value::Null, "{context}");
        assert_eq!(
            shown["address"]["city"], "Marseille",
            "{context}: the commune stays"
        );
    }
    let instructions = if privileged {
        json!("Code 1234B, 3e étage")
    } else {
        Value::Null
    };
    assert_eq!(shown["instructions"], instructions, "{context}");
}

#[tokio::test]
async fn exact_places_reach_only_hosts_and_going_attendees_wherever_events_go() {
    let app = TestApp::spawn_with(|c| c.notifications = false).await;
    let olga = app.member("Olga", "Orga").await;
    let host = app.member("Hugo", "Host").await;
    let going = app.member("Gina", "Going").await;
    let waiting = app.member("Walid", "Waiting").await;
    let friend = app.member("Fanny", "Friend").await;
    let near = app.member_at("Nora", "Nearby", Some(CENTRE)).await;
    let moderator = app.member("Mona", "Mod").await;
    app.grant(&moderator, "MODERATOR").await;
    let f = app
        .ok(
            "mutation($p: ID!) { sendFriendRequest(personId: $p) { id } }",
            json!({ "p": going.gid }),
            Some(&friend.token),
        )
        .await["sendFriendRequest"]["id"]
        .clone();
    app.ok(
        "mutation($f: ID!) { respondToFriendRequest(friendshipId: $f, accept: true) { id } }",
        json!({ "f": f }),
        Some(&going.token),
    )
    .await;

    // Nora listens for new events around her before they are made.
    let mut ws = WsClient::connect(&app, Some(&near.token)).await;
    ws.subscribe(
        "n",
        &format!("subscription($n: GeoPointInput!) {{ eventsNearby(near: $n, radiusKm: 30) {{ id {SHOWN} }} }}"),
        json!({ "n": { "lat": CENTRE.0, "lon": CENTRE.1 } }),
    )
    .await;

    let mut rng = Lcg(0x5eed_0016);
    let mut events = Vec::new();
    for i in 0..8 {
        let lat = CENTRE.0 + (rng.next(2000) as f64 - 1000.0) / 20_000.0;
        let lon = CENTRE.1 + (rng.next(2000) as f64 - 1000.0) / 20_000.0;
        let private = i % 2 == 0 || rng.next(3) == 0;
        let mut input = event_input(&format!("Réunion {i}"), (lat, lon), "13001", "Marseille");
        input["address"]["street"] = json!("12 rue de la République");
        input["capacity"] = json!(1);
        input["instructions"] = json!("Code 1234B, 3e étage");
        if private {
            input["addressVisibility"] = json!("ATTENDEES");
        }
        let id = app.create_event(&olga.token, input).await;
        app.ok(
            "mutation($e: ID!, $p: ID!) { addEventHost(eventId: $e, personId: $p) { id } }",
            json!({ "e": id, "p": host.gid }),
            Some(&olga.token),
        )
        .await;
        // Gina takes the one seat, Walid waits.
        for m in [&going, &waiting] {
            app.ok(
                "mutation($e: ID!) { rsvp(eventId: $e) { id } }",
                json!({ "e": id }),
                Some(&m.token),
            )
            .await;
        }
        // The exact point as stored (inputs are kept to the micro-degree).
        let stored = app
            .ok(
                "query($id: ID!) { event(id: $id) { location { lat lon } } }",
                json!({ "id": id }),
                Some(&olga.token),
            )
            .await;
        let (lat_s, lon_s) = point(&stored["event"]["location"]);
        assert!((lat_s - lat).abs() < 1e-6 && (lon_s - lon).abs() < 1e-6);
        events.push(Seeded {
            id,
            exact: GeoPoint::parse(lat_s, lon_s).unwrap(),
            private,
        });
    }
    assert!(events.iter().any(|e| e.private) && events.iter().any(|e| !e.private));

    let viewers: [(&str, Option<&Member>, bool); 8] = [
        ("organiser", Some(&olga), true),
        ("co-host", Some(&host), true),
        ("going", Some(&going), true),
        ("waitlisted", Some(&waiting), false),
        ("friend", Some(&friend), false),
        ("nearby", Some(&near), false),
        ("moderator", Some(&moderator), false),
        ("anonymous", None, false),
    ];
    let by_id = format!("query($id: ID!) {{ event(id: $id) {{ {SHOWN} }} }}");
    let listing = format!(
        "query($n: GeoPointInput!) {{ events(filter: {{ near: $n, radiusKm: 30 }}, first: 50) {{ edges {{ cursor node {{ id distanceKm {SHOWN} }} }} }} }}"
    );
    let centre = GeoPoint::parse(CENTRE.0, CENTRE.1).unwrap();
    // Random (viewer, event) pairs, and every viewer's whole listing.
    for _ in 0..24 {
        let (name, viewer, privileged) = viewers[rng.next(viewers.len())];
        let e = &events[rng.next(events.len())];
        let v = app
            .ok(
                &by_id,
                json!({ "id": e.id }),
                viewer.map(|m| m.token.as_str()),
            )
            .await;
        check(e, &v["event"], privileged, &format!("{name}, by id"));
    }
    for (name, viewer, privileged) in viewers {
        let v = app
            .ok(
                &listing,
                json!({ "n": { "lat": CENTRE.0, "lon": CENTRE.1 } }),
                viewer.map(|m| m.token.as_str()),
            )
            .await;
        let edges = v["events"]["edges"].as_array().unwrap();
        assert_eq!(edges.len(), events.len(), "{name}");
        for edge in edges {
            let e = events.iter().find(|e| e.id == edge["node"]["id"]).unwrap();
            check(e, &edge["node"], privileged, &format!("{name}, listed"));
            // Searches only know the rounded point of a private address:
            // neither the distance nor the cursor carries the exact one.
            let searched = if e.private { e.exact.coarse() } else { e.exact };
            let d = edge["node"]["distanceKm"].as_f64().unwrap();
            assert!(
                (d - centre.distance_km(&searched)).abs() < 1e-6,
                "{name}: {d}"
            );
        }
    }

    // Feed items: Fanny hears that her friend goes (FRIEND_GOING), Nora
    // of new events near home; neither is going.
    let feed = format!(
        "{{ viewer {{ feed(first: 50) {{ edges {{ node {{ kind event {{ id {SHOWN} }} }} }} }} }} }}"
    );
    app.relayed().await;
    for (who, kind) in [(&friend, "FRIEND_GOING"), (&near, "EVENT_CREATED_NEARBY")] {
        let v = app.ok(&feed, json!({}), Some(&who.token)).await;
        let items: Vec<&Value> = v["viewer"]["feed"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["node"]["kind"] == kind)
            .collect();
        assert_eq!(items.len(), events.len(), "{kind}");
        for item in items {
            let e = events
                .iter()
                .find(|e| e.id == item["node"]["event"]["id"])
                .unwrap();
            check(e, &item["node"]["event"], false, kind);
        }
    }

    // eventsNearby pushes, as they were made.
    for _ in 0..events.len() {
        let pushed = ws.next_data("n").await["eventsNearby"].clone();
        let e = events.iter().find(|e| e.id == pushed["id"]).unwrap();
        check(e, &pushed, false, "eventsNearby");
    }

    // Calendar files travel: never the exact place of a private address,
    // whoever fetches them.
    for e in &events {
        let url = app
            .ok(
                "query($id: ID!) { event(id: $id) { icsUrl } }",
                json!({ "id": e.id }),
                Some(&going.token),
            )
            .await["event"]["icsUrl"]
            .as_str()
            .unwrap()
            .to_owned();
        let ics = app
            .client
            .get(&url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let exact = format!("GEO:{:.6};{:.6}", e.exact.lat(), e.exact.lon());
        assert_eq!(ics.contains(&exact), !e.private, "{ics}");
        assert_eq!(ics.contains("12 rue de la R"), !e.private, "{ics}");
        assert!(!ics.contains("1234B"), "instructions stay out: {ics}");
    }
}

#[tokio::test]
async fn an_address_made_private_later_is_hidden_and_searched_rounded_at_once() {
    let app = TestApp::spawn_with(|c| c.notifications = false).await;
    let olga = app.member("Olga", "Orga").await;
    let mut input = event_input(
        "Réunion d'appartement",
        (43.2801, 5.3532),
        "13001",
        "Marseille",
    );
    input["address"]["street"] = json!("12 rue de la République");
    let id = app.create_event(&olga.token, input).await;
    let shown = "query($id: ID!, $n: GeoPointInput!) {
        event(id: $id) { addressVisibility location { lat lon } address { street } }
        events(filter: { near: $n, radiusKm: 30 }) { edges { node { distanceKm } } } }";
    let vars = json!({ "id": id, "n": { "lat": CENTRE.0, "lon": CENTRE.1 } });
    let before = app.ok(shown, vars.clone(), None).await;
    assert_eq!(before["event"]["addressVisibility"], "PUBLIC");
    let exact = point(&before["event"]["location"]);
    let r = app
        .gql(
            "mutation($id: ID!) { updateEvent(id: $id, input: { addressVisibility: ATTENDEES, instructions: \"Sonner chez Martin\" }) { instructions } }",
            json!({ "id": id }),
            Some(&olga.token),
        )
        .await;
    assert_eq!(
        r["data"]["updateEvent"]["instructions"], "Sonner chez Martin",
        "{r}"
    );
    let after = app.ok(shown, vars, None).await;
    let coarse = GeoPoint::parse(exact.0, exact.1).unwrap().coarse();
    assert_eq!(
        point(&after["event"]["location"]),
        (coarse.lat(), coarse.lon())
    );
    assert_eq!(after["event"]["address"]["street"], Value::Null);
    let centre = GeoPoint::parse(CENTRE.0, CENTRE.1).unwrap();
    let d = after["events"]["edges"][0]["node"]["distanceKm"]
        .as_f64()
        .unwrap();
    assert!((d - centre.distance_km(&coarse)).abs() < 1e-6, "{d}");
    // And back: a blank text removes the instructions.
    let r = app
        .ok(
            "mutation($id: ID!) { updateEvent(id: $id, input: { addressVisibility: PUBLIC, instructions: \"  \" }) { instructions location { lat lon } } }",
            json!({ "id": id }),
            Some(&olga.token),
        )
        .await;
    assert_eq!(r["updateEvent"]["instructions"], Value::Null);
    assert_eq!(point(&r["updateEvent"]["location"]), exact);
}
