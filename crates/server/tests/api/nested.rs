//! Connections nested in a list's items (an event's attendees, a group's
//! members and join requests), which the list reads for all its items at
//! once: each item's page is the page it has on its own, with the same
//! arguments, and the same rights.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Member, TestApp, event_input};
use serde_json::{Value, json};

const ATTENDEES: &str =
    "edges { cursor node { status person { displayName } } } pageInfo { hasNextPage }";

/// One event's attendees page, asked of the event alone.
async fn own_attendees(
    app: &TestApp,
    token: &str,
    event: &str,
    first: i32,
    after: &Value,
) -> Value {
    let q = format!(
        "query($e: ID!, $f: Int, $a: String) {{ event(id: $e) {{ attendees(first: $f, after: $a) {{ {ATTENDEES} }} }} }}"
    );
    app.ok(
        &q,
        json!({ "e": event, "f": first, "a": after }),
        Some(token),
    )
    .await["event"]["attendees"]
        .clone()
}

async fn group(app: &TestApp, by: &Member, name: &str, policy: &str) -> String {
    app.ok(
        "mutation($n: String!, $p: JoinPolicy) { createGroup(input: { name: $n, description: \"\", joinPolicy: $p }) { id } }",
        json!({ "n": name, "p": policy }),
        Some(&by.token),
    )
    .await["createGroup"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_lists_nested_pages_are_each_items_own_page_with_its_rights() {
    let app = TestApp::spawn().await;
    let alice = app.member("Alice", "Organiser").await;
    let bob = app.member("Bob", "Organiser").await;
    let moderator = app.member("Mona", "Moderator").await;
    app.grant(&moderator, "MODERATOR").await;
    let admin = app.member("Ada", "Admin").await;
    app.grant(&admin, "ADMIN").await;
    let mut people = Vec::new();
    for i in 0..5 {
        people.push(app.member(&format!("Person{i}"), "Going").await);
    }

    // Alice's and Bob's events, each with a different crowd.
    let mut events = Vec::new();
    for (n, by) in [&alice, &bob, &alice, &bob].into_iter().enumerate() {
        let id = app
            .create_event(
                &by.token,
                event_input(&format!("Tractage {n}"), (48.11, -1.68), "35000", "Rennes"),
            )
            .await;
        for p in people.iter().skip(n) {
            app.ok(
                "mutation($e: ID!) { rsvp(eventId: $e) { id } }",
                json!({ "e": id }),
                Some(&p.token),
            )
            .await;
        }
        events.push((id, std::ptr::eq(by, &alice)));
    }

    let list = format!(
        "query($f: Int, $a: String) {{ events(first: 10) {{ edges {{ node {{ id
           attendees(first: $f, after: $a) {{ {ATTENDEES} }}
           one: attendees(first: 1) {{ edges {{ node {{ status }} }} }} }} }} }} }}"
    );
    // The moderator sees every event's attendees, page by page.
    let first_page = app
        .ok(&list, json!({ "f": 2 }), Some(&moderator.token))
        .await;
    let edges = first_page["events"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), events.len(), "{first_page}");
    let after = edges[0]["node"]["attendees"]["edges"][1]["cursor"].clone();
    let later_page = app
        .ok(&list, json!({ "f": 2, "a": after }), Some(&moderator.token))
        .await;
    for (page, after) in [(&first_page, Value::Null), (&later_page, after)] {
        for edge in page["events"]["edges"].as_array().unwrap() {
            let id = edge["node"]["id"].as_str().unwrap();
            let own = own_attendees(&app, &moderator.token, id, 2, &after).await;
            assert_eq!(edge["node"]["attendees"], own, "{id} after {after}");
            assert!(!own["edges"].as_array().unwrap().is_empty(), "{own}");
            let one = own_attendees(&app, &moderator.token, id, 1, &Value::Null).await;
            let statuses = |v: &Value| -> Vec<Value> {
                v["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"]["status"].clone())
                    .collect()
            };
            assert_eq!(statuses(&edge["node"]["one"]), statuses(&one), "{id}");
        }
    }

    // The same through the moderator's own RSVPs.
    for (id, _) in &events {
        app.ok(
            "mutation($e: ID!) { rsvp(eventId: $e) { id } }",
            json!({ "e": id }),
            Some(&moderator.token),
        )
        .await;
    }
    let agenda = format!(
        "{{ viewer {{ rsvps {{ edges {{ node {{ event {{ id attendees(first: 3) {{ {ATTENDEES} }} }} }} }} }} }} }}"
    );
    let data = app.ok(&agenda, json!({}), Some(&moderator.token)).await;
    let rsvps = data["viewer"]["rsvps"]["edges"].as_array().unwrap();
    assert_eq!(rsvps.len(), events.len(), "{data}");
    for edge in rsvps {
        let event = &edge["node"]["event"];
        let own = own_attendees(
            &app,
            &moderator.token,
            event["id"].as_str().unwrap(),
            3,
            &Value::Null,
        )
        .await;
        assert_eq!(event["attendees"], own, "{data}");
    }

    // The same through Alice's feed, where her events' RSVPs arrive: each
    // item's event gives the page, or the refusal, it gives alone.
    let feed = format!(
        "{{ viewer {{ feed(first: 30) {{ edges {{ node {{ kind event {{ id attendees(first: 2) {{ {ATTENDEES} }} }} }} }} }} }} }}"
    );
    let answer = app.gql(&feed, json!({}), Some(&alice.token)).await;
    let items = answer["data"]["viewer"]["feed"]["edges"]
        .as_array()
        .unwrap();
    let mut pages = 0;
    for item in items {
        let event = &item["node"]["event"];
        let Some(id) = event["id"].as_str() else {
            continue;
        };
        let q = format!(
            "query($e: ID!) {{ event(id: $e) {{ attendees(first: 2) {{ {ATTENDEES} }} }} }}"
        );
        let own = app.gql(&q, json!({ "e": id }), Some(&alice.token)).await;
        assert_eq!(
            event["attendees"], own["data"]["event"]["attendees"],
            "{answer}"
        );
        pages += usize::from(!event["attendees"].is_null());
    }
    assert!(pages >= 5, "her events' RSVPs are in her feed: {answer}");

    // Alice sees her own events' attendees, and Bob's are refused her, as
    // they are one by one.
    let answer = app.gql(&list, json!({ "f": 5 }), Some(&alice.token)).await;
    for (i, edge) in answer["data"]["events"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let id = edge["node"]["id"].as_str().unwrap();
        let hers = events.iter().any(|(e, by_alice)| e == id && *by_alice);
        if hers {
            let own = own_attendees(&app, &alice.token, id, 5, &Value::Null).await;
            assert_eq!(edge["node"]["attendees"], own, "{id}");
        } else {
            assert_eq!(edge["node"]["attendees"], Value::Null, "{answer}");
            let refused = answer["errors"].as_array().unwrap().iter().any(|e| {
                e["path"] == json!(["events", "edges", i, "node", "attendees"])
                    && e["extensions"]["code"] == "FORBIDDEN"
            });
            assert!(refused, "{answer}");
        }
    }

    // Groups: Alice manages hers, which has members and a request; the
    // admin sees both rosters of every group, Alice only her group's.
    let open = group(&app, &alice, "Comité Alice", "APPROVAL").await;
    let other = group(&app, &bob, "Comité Bob", "OPEN").await;
    for p in &people[..3] {
        for g in [&open, &other] {
            app.ok(
                "mutation($g: ID!) { joinGroup(groupId: $g) { status } }",
                json!({ "g": g }),
                Some(&p.token),
            )
            .await;
        }
    }
    let rosters = "{ groups(first: 10) { edges { node { id
        members(first: 2) { edges { node { role person { displayName } } } pageInfo { hasNextPage } }
        joinRequests { edges { node { status person { displayName } } } } } } } }";
    let own_rosters = "query($g: ID!) { group(id: $g) {
        members(first: 2) { edges { node { role person { displayName } } } pageInfo { hasNextPage } }
        joinRequests { edges { node { status person { displayName } } } } } }";
    let data = app.ok(rosters, json!({}), Some(&admin.token)).await;
    let groups = data["groups"]["edges"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{data}");
    for edge in groups {
        let id = edge["node"]["id"].as_str().unwrap();
        let own = app
            .ok(own_rosters, json!({ "g": id }), Some(&admin.token))
            .await;
        assert_eq!(edge["node"]["members"], own["group"]["members"], "{id}");
        assert_eq!(
            edge["node"]["joinRequests"], own["group"]["joinRequests"],
            "{id}"
        );
    }
    let requests = |v: &Value| v["joinRequests"]["edges"].as_array().map(Vec::len);
    let alices = groups
        .iter()
        .find(|g| g["node"]["id"] == json!(open))
        .unwrap();
    assert_eq!(requests(&alices["node"]), Some(3), "{data}");

    // Each group's events, first and later pages, and a GROUP event that
    // only its group's members see.
    for (n, (g, by)) in [(&open, &alice), (&other, &bob), (&open, &alice)]
        .into_iter()
        .enumerate()
    {
        let mut input = event_input(
            &format!("Porte-à-porte {n}"),
            (48.11, -1.68),
            "35000",
            "Rennes",
        );
        input["groupId"] = json!(g);
        if n == 1 {
            input["visibility"] = json!("GROUP");
        }
        app.create_event(&by.token, input).await;
    }
    // The first one is running now, and a past one is not listed.
    let mut past = event_input("Porte-à-porte passé", (48.11, -1.68), "35000", "Rennes");
    past["groupId"] = json!(open);
    app.create_event(&alice.token, past).await;
    sqlx::raw_sql(
        "UPDATE events SET starts_at = now() - interval '2 hours', ends_at = now() + interval '1 hour'
         WHERE title = 'Porte-à-porte 0';
         UPDATE events SET starts_at = now() - interval '2 days', ends_at = now() - interval '1 day'
         WHERE title = 'Porte-à-porte passé'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let listed = "query($a: String) { groups(first: 10) { edges { node { id
        events(first: 1, after: $a) { edges { cursor node { title organiser { displayName } } } pageInfo { hasNextPage } } } } } }";
    let alone = "query($g: ID!, $a: String) { group(id: $g) {
        events(first: 1, after: $a) { edges { cursor node { title organiser { displayName } } } pageInfo { hasNextPage } } } }";
    for who in [&alice, &people[0], &admin] {
        let data = app.ok(listed, json!({}), Some(&who.token)).await;
        let mut after = Value::Null;
        for edge in data["groups"]["edges"].as_array().unwrap() {
            let id = edge["node"]["id"].as_str().unwrap();
            let own = app.ok(alone, json!({ "g": id }), Some(&who.token)).await;
            assert_eq!(
                edge["node"]["events"], own["group"]["events"],
                "{id}: {data}"
            );
            if id == open {
                let first = &edge["node"]["events"]["edges"][0];
                assert_eq!(first["node"]["title"], json!("Porte-à-porte 0"), "{data}");
                after = first["cursor"].clone();
            }
        }
        // Bob's GROUP event: seen by his group's member, not by Alice.
        let bobs = data["groups"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["node"]["id"] == json!(other))
            .unwrap();
        let shown = bobs["node"]["events"]["edges"].as_array().unwrap().len();
        assert_eq!(shown, usize::from(std::ptr::eq(who, &people[0])), "{data}");
        let later = app
            .ok(listed, json!({ "a": after }), Some(&who.token))
            .await;
        for edge in later["groups"]["edges"].as_array().unwrap() {
            let id = edge["node"]["id"].as_str().unwrap();
            let own = app
                .ok(alone, json!({ "g": id, "a": after }), Some(&who.token))
                .await;
            assert_eq!(
                edge["node"]["events"], own["group"]["events"],
                "{id}: {later}"
            );
        }
        let alices = later["groups"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["node"]["id"] == json!(open))
            .unwrap();
        assert_eq!(
            alices["node"]["events"]["edges"][0]["node"]["title"],
            json!("Porte-à-porte 2"),
            "{later}"
        );
        assert_eq!(
            alices["node"]["events"]["pageInfo"]["hasNextPage"],
            json!(false),
            "{later}"
        );
    }

    // The same through the viewer's own groups.
    let mine = "{ viewer { groups { edges { node { group { id
        members(first: 2) { edges { node { role person { displayName } } } pageInfo { hasNextPage } }
        joinRequests { edges { node { status person { displayName } } } } } } } } } }";
    let data = app.ok(mine, json!({}), Some(&bob.token)).await;
    let bobs = &data["viewer"]["groups"]["edges"][0]["node"]["group"];
    let own = app
        .ok(own_rosters, json!({ "g": other }), Some(&bob.token))
        .await;
    assert_eq!(bobs["id"], json!(other), "{data}");
    assert_eq!(bobs["members"], own["group"]["members"], "{data}");
    assert_eq!(
        bobs["members"]["edges"].as_array().map(Vec::len),
        Some(2),
        "{data}"
    );
    assert_eq!(bobs["joinRequests"], own["group"]["joinRequests"], "{data}");

    let answer = app.gql(rosters, json!({}), Some(&alice.token)).await;
    for (i, edge) in answer["data"]["groups"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        let id = edge["node"]["id"].as_str().unwrap();
        if id == open {
            let own = app
                .ok(own_rosters, json!({ "g": id }), Some(&alice.token))
                .await;
            assert_eq!(edge["node"]["members"], own["group"]["members"], "{answer}");
            assert_eq!(requests(&edge["node"]), Some(3), "{answer}");
        } else {
            for field in ["members", "joinRequests"] {
                assert_eq!(edge["node"][field], Value::Null, "{answer}");
                let refused = answer["errors"].as_array().unwrap().iter().any(|e| {
                    e["path"] == json!(["groups", "edges", i, "node", field])
                        && e["extensions"]["code"] == "FORBIDDEN"
                });
                assert!(refused, "{field}: {answer}");
            }
        }
    }
}
