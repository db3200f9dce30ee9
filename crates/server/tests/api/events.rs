//! Events, search and visibility, over HTTP against a real PostgreSQL.
#![allow(clippy::unwrap_used)]

use crate::common;

use chrono::{Duration, Utc};
use common::{TestApp, error_code, error_field, event_input, event_titles};
use serde_json::{Value, json};

const CREATE: &str = "mutation($i: CreateEventInput!) { createEvent(input: $i) { id title kind visibility capacity attendeeCount isFull cancelled address { city postcode commune { code name departmentCode } } organiser { displayName } } }";
const MARSEILLE: (f64, f64) = (43.2965, 5.3698);
const QUIMPER: (f64, f64) = (47.9960, -4.1024);

async fn create(app: &TestApp, token: &str, input: Value) -> Value {
    app.ok(CREATE, json!({ "i": input }), Some(token)).await["createEvent"].clone()
}

const NEAR: &str = "query($f: EventFilter, $first: Int, $after: String) { events(filter: $f, first: $first, after: $after) { edges { cursor node { id title distanceKm } } pageInfo { hasNextPage endCursor } } }";

#[tokio::test]
async fn create_an_event_and_read_it_back() {
    let app = TestApp::spawn().await;
    let alice = app.member("Alice", "Martin").await;
    let e = create(
        &app,
        &alice.token,
        event_input("Tractage au Vieux-Port", MARSEILLE, "13001", "marseille"),
    )
    .await;
    assert_eq!(e["kind"], "LEAFLETING");
    assert_eq!(e["visibility"], "PUBLIC");
    assert_eq!(e["attendeeCount"], 0);
    assert_eq!(e["isFull"], false);
    assert_eq!(e["address"]["city"], "Marseille");
    assert_eq!(e["address"]["commune"]["code"], "13055");
    assert_eq!(e["address"]["commune"]["departmentCode"], "13");
    assert_eq!(e["organiser"]["displayName"], "Alice M.");

    // Anonymous visitors read public events, organiser by display name only.
    let q = "query($id: ID!) { event(id: $id) { title organiser { displayName firstName } } }";
    let anon = app.ok(q, json!({ "id": e["id"] }), None).await;
    assert_eq!(
        anon["event"]["organiser"],
        json!({ "displayName": "Alice M.", "firstName": null })
    );
}

#[tokio::test]
async fn bad_event_inputs_are_refused_with_their_field() {
    let app = TestApp::spawn().await;
    let alice = app.member("Alice", "Martin").await;
    let base = event_input("Porte-à-porte", MARSEILLE, "13001", "Marseille");
    let past = (Utc::now() - Duration::hours(1)).to_rfc3339();
    let starts = base["startsAt"].clone();
    let cases: Vec<(&str, Value, &str)> = vec![
        ("title", json!("ab"), "input.title"),
        ("title", json!("x".repeat(121)), "input.title"),
        (
            "description",
            json!("x".repeat(10_001)),
            "input.description",
        ),
        ("startsAt", json!(past), "input.startsAt"),
        ("endsAt", starts.clone(), "input.endsAt"),
        (
            "endsAt",
            json!((Utc::now() + Duration::days(10)).to_rfc3339()),
            "input.endsAt",
        ),
        (
            "location",
            json!({ "lat": 95.0, "lon": 5.0 }),
            "input.location.lat",
        ),
        (
            "location",
            json!({ "lat": 43.0, "lon": 190.0 }),
            "input.location.lon",
        ),
        ("capacity", json!(0), "input.capacity"),
        (
            "address",
            json!({ "postcode": "99999", "city": "Nulle-part" }),
            "input.address.postcode",
        ),
        (
            "address",
            json!({ "postcode": "29000", "city": "Brest" }),
            "input.address.city",
        ),
        ("visibility", json!("GROUP"), "input.visibility"),
        ("groupId", json!("bm90LWFuLWlk"), "input.groupId"),
    ];
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM events")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    for (field, value, path) in cases {
        let mut input = base.clone();
        input[field] = value.clone();
        let r = app
            .gql(CREATE, json!({ "i": input }), Some(&alice.token))
            .await;
        assert_eq!(
            error_code(&r),
            Some("BAD_USER_INPUT"),
            "{field}={value}: {r}"
        );
        assert_eq!(error_field(&r), Some(path), "{field}={value}: {r}");
    }
    // The city error names the postcode's communes.
    let mut input = base.clone();
    input["address"] = json!({ "postcode": "29000", "city": "Brest" });
    let r = app
        .gql(CREATE, json!({ "i": input }), Some(&alice.token))
        .await;
    assert!(
        r["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Quimper"),
        "{r}"
    );
    // "St"/"Saint", accents and hyphens are ignored.
    let mut input = base.clone();
    input["address"] = json!({ "postcode": "42000", "city": "ST ETIENNE" });
    let e = create(&app, &alice.token, input).await;
    assert_eq!(e["address"]["city"], "Saint-Étienne");
    assert_eq!(count().await, 1, "only the valid event was stored");

    let anon = app.gql(CREATE, json!({ "i": base }), None).await;
    assert_eq!(error_code(&anon), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn search_near_a_place_uses_exact_distances_nearest_first() {
    let app = TestApp::spawn().await;
    let alice = app.member("Alice", "Martin").await;
    create(
        &app,
        &alice.token,
        event_input("Vieux-Port", MARSEILLE, "13001", "Marseille"),
    )
    .await;
    create(
        &app,
        &alice.token,
        event_input("Aubagne", (43.2927, 5.5708), "13400", "Aubagne"),
    )
    .await;
    create(
        &app,
        &alice.token,
        event_input("Quimper centre", QUIMPER, "29000", "Quimper"),
    )
    .await;

    let f = json!({ "near": { "lat": 43.2965, "lon": 5.3698 }, "radiusKm": 20 });
    let data = app.ok(NEAR, json!({ "f": f }), None).await;
    assert_eq!(event_titles(&data), ["Vieux-Port", "Aubagne"]);
    let d = data["events"]["edges"][1]["node"]["distanceKm"]
        .as_f64()
        .unwrap();
    let exact = cortege_domain::GeoPoint::parse(MARSEILLE.0, MARSEILLE.1)
        .unwrap()
        .distance_km(&cortege_domain::GeoPoint::parse(43.2927, 5.5708).unwrap());
    assert!((d - exact).abs() < 0.01, "{d} vs {exact}");
    assert!(
        data["events"]["edges"][0]["node"]["distanceKm"]
            .as_f64()
            .unwrap()
            < 0.01
    );

    let all = app
        .ok(
            NEAR,
            json!({ "f": { "near": { "lat": 43.2965, "lon": 5.3698 }, "radiusKm": 500 } }),
            None,
        )
        .await;
    assert_eq!(event_titles(&all).len(), 2, "Quimper is ~900 km away");
    let all = app.ok(NEAR, json!({ "f": {} }), None).await;
    assert_eq!(
        event_titles(&all).len(),
        3,
        "no filter: every upcoming event"
    );

    for (radius, field) in [
        (json!(0), "filter.radiusKm"),
        (json!(500.5), "filter.radiusKm"),
        (json!(-3), "filter.radiusKm"),
    ] {
        let r = app
            .gql(
                NEAR,
                json!({ "f": { "near": { "lat": 43.3, "lon": 5.4 }, "radiusKm": radius } }),
                None,
            )
            .await;
        assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
        assert_eq!(error_field(&r), Some(field));
    }
    let r = app
        .gql(
            NEAR,
            json!({ "f": { "near": { "lat": 43.3, "lon": 5.4 } } }),
            None,
        )
        .await;
    assert_eq!(error_field(&r), Some("filter.radiusKm"));
    let r = app.gql(NEAR, json!({ "first": 101 }), None).await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"));
    assert_eq!(error_field(&r), Some("first"));
    let r = app.gql(NEAR, json!({ "first": 0 }), None).await;
    assert_eq!(error_field(&r), Some("first"));
    let r = app.gql(NEAR, json!({ "after": "garbage" }), None).await;
    assert_eq!(error_field(&r), Some("after"));
    let ok = app.gql(NEAR, json!({ "first": 100 }), None).await;
    assert!(ok.get("errors").is_none(), "100 is allowed: {ok}");
}

#[tokio::test]
async fn text_search_ignores_accents_and_case_and_combines_with_filters() {
    let app = TestApp::spawn().await;
    let alice = app.member("Alice", "Martin").await;
    let mut meeting = event_input(
        "Réunion publique sur l'école",
        MARSEILLE,
        "13001",
        "Marseille",
    );
    meeting["kind"] = json!("PUBLIC_MEETING");
    create(&app, &alice.token, meeting).await;
    create(
        &app,
        &alice.token,
        event_input("Collage d'affiches", MARSEILLE, "13001", "Marseille"),
    )
    .await;
    let data = app
        .ok(NEAR, json!({ "f": { "search": "REUNION ecoles" } }), None)
        .await;
    assert_eq!(event_titles(&data), ["Réunion publique sur l'école"]);
    let data = app
        .ok(
            NEAR,
            json!({ "f": { "search": "affiche", "kinds": ["PUBLIC_MEETING"] } }),
            None,
        )
        .await;
    assert!(event_titles(&data).is_empty());
    let data = app
        .ok(
            NEAR,
            json!({ "f": { "kinds": ["PUBLIC_MEETING", "RALLY"] } }),
            None,
        )
        .await;
    assert_eq!(event_titles(&data).len(), 1);
    // Time windows: exactly the window given.
    let in_two_days = Utc::now() + Duration::days(2);
    let data = app
        .ok(
            NEAR,
            json!({ "f": { "startsAfter": (in_two_days + Duration::hours(1)).to_rfc3339() } }),
            None,
        )
        .await;
    assert!(event_titles(&data).is_empty());
    let data = app
        .ok(
            NEAR,
            json!({ "f": { "startsBefore": (in_two_days + Duration::hours(1)).to_rfc3339() } }),
            None,
        )
        .await;
    assert_eq!(event_titles(&data).len(), 2);
}

#[tokio::test]
async fn cursors_page_without_overlap_and_survive_inserts() {
    let app = TestApp::spawn().await;
    let alice = app.member("Alice", "Martin").await;
    for i in 0..5 {
        let mut input = event_input(
            &format!("Action {i}"),
            (43.2965 + f64::from(i) * 0.01, 5.3698),
            "13001",
            "Marseille",
        );
        let starts = Utc::now() + Duration::days(2) + Duration::hours(i64::from(i));
        input["startsAt"] = json!(starts.to_rfc3339());
        input["endsAt"] = json!((starts + Duration::hours(1)).to_rfc3339());
        create(&app, &alice.token, input).await;
    }
    for filter in [
        json!({}),
        json!({ "near": { "lat": 43.2965, "lon": 5.3698 }, "radiusKm": 50 }),
    ] {
        let first = app.ok(NEAR, json!({ "f": filter, "first": 2 }), None).await;
        assert_eq!(event_titles(&first), ["Action 0", "Action 1"]);
        assert_eq!(first["events"]["pageInfo"]["hasNextPage"], true);
        let cursor = first["events"]["pageInfo"]["endCursor"].clone();
        // An event inserted before the cursor does not shift the next page.
        let mut early = event_input("Earlier", MARSEILLE, "13001", "Marseille");
        early["startsAt"] = json!((Utc::now() + Duration::hours(1)).to_rfc3339());
        early["endsAt"] = json!((Utc::now() + Duration::hours(2)).to_rfc3339());
        create(&app, &alice.token, early).await;
        let next = app
            .ok(
                NEAR,
                json!({ "f": filter, "first": 2, "after": cursor }),
                None,
            )
            .await;
        assert_eq!(event_titles(&next), ["Action 2", "Action 3"]);
        let rest = app
            .ok(NEAR, json!({ "f": filter, "first": 10, "after": next["events"]["pageInfo"]["endCursor"] }), None)
            .await;
        assert_eq!(event_titles(&rest), ["Action 4"]);
        assert_eq!(rest["events"]["pageInfo"]["hasNextPage"], false);
        sqlx::query("DELETE FROM activities WHERE event_id IN (SELECT id FROM events WHERE title = 'Earlier')")
            .execute(&app.pool)
            .await
            .unwrap();
        sqlx::query("DELETE FROM events WHERE title = 'Earlier'")
            .execute(&app.pool)
            .await
            .unwrap();
    }
    // A time cursor is refused in a distance listing.
    let first = app.ok(NEAR, json!({ "first": 1 }), None).await;
    let r = app
        .gql(NEAR, json!({ "f": { "near": { "lat": 43.3, "lon": 5.4 }, "radiusKm": 10 }, "after": first["events"]["pageInfo"]["endCursor"] }), None)
        .await;
    assert_eq!(error_field(&r), Some("after"));
}

#[tokio::test]
async fn visibility_rules_hold_for_lists_and_reads() {
    let app = TestApp::spawn().await;
    let alice = app.member("Alice", "Martin").await;
    let bob = app.member("Bob", "Durand").await;
    let group = app
        .ok(
            "mutation { createGroup(input: { name: \"Insoumis du 1er\", description: \"Groupe local\" }) { id } }",
            json!({}),
            Some(&alice.token),
        )
        .await["createGroup"]["id"]
        .clone();
    let mut unlisted = event_input("Secret", MARSEILLE, "13001", "Marseille");
    unlisted["visibility"] = json!("UNLISTED");
    let unlisted = create(&app, &alice.token, unlisted).await;
    let mut members_only = event_input("Réunion de groupe", MARSEILLE, "13001", "Marseille");
    members_only["visibility"] = json!("GROUP");
    members_only["groupId"] = group.clone();
    let members_only = create(&app, &alice.token, members_only).await;
    let cancelled = create(
        &app,
        &alice.token,
        event_input("Annulé", MARSEILLE, "13001", "Marseille"),
    )
    .await;
    app.ok(
        "mutation($id: ID!) { cancelEvent(id: $id) { cancelled } }",
        json!({ "id": cancelled["id"] }),
        Some(&alice.token),
    )
    .await;

    let listed = |token: Option<String>| {
        let app = &app;
        async move { event_titles(&app.ok(NEAR, json!({}), token.as_deref()).await) }
    };
    assert_eq!(
        listed(Some(alice.token.clone())).await,
        ["Réunion de groupe"]
    );
    assert!(listed(Some(bob.token.clone())).await.is_empty());
    assert!(listed(None).await.is_empty());

    let read = "query($id: ID!) { event(id: $id) { title cancelled } }";
    for token in [None, Some(bob.token.as_str())] {
        assert_eq!(
            app.ok(read, json!({ "id": unlisted["id"] }), token).await["event"]["title"],
            "Secret"
        );
        assert_eq!(
            app.ok(read, json!({ "id": cancelled["id"] }), token).await["event"]["cancelled"],
            true
        );
        assert!(
            app.ok(read, json!({ "id": members_only["id"] }), token)
                .await["event"]
                .is_null()
        );
    }
    // Joining the group reveals its events.
    app.ok(
        "mutation($g: ID!) { joinGroup(groupId: $g) { status } }",
        json!({ "g": group }),
        Some(&bob.token),
    )
    .await;
    assert_eq!(listed(Some(bob.token.clone())).await, ["Réunion de groupe"]);
    let by_group = app
        .ok(NEAR, json!({ "f": { "groupId": group } }), Some(&bob.token))
        .await;
    assert_eq!(event_titles(&by_group), ["Réunion de groupe"]);
}

#[tokio::test]
async fn only_organisers_and_admins_change_or_cancel() {
    let app = TestApp::spawn().await;
    let alice = app.member("Alice", "Martin").await;
    let bob = app.member("Bob", "Durand").await;
    let admin = app.member("Ada", "Admin").await;
    app.grant(&admin, "ADMIN").await;
    let input = event_input("Stand au marché", MARSEILLE, "13001", "Marseille");
    let starts = input["startsAt"].clone();
    let e = create(&app, &alice.token, input).await;
    let update = "mutation($id: ID!, $i: UpdateEventInput!) { updateEvent(id: $id, input: $i) { title capacity } }";
    let r = app
        .gql(
            update,
            json!({ "id": e["id"], "i": { "title": "Piraté" } }),
            Some(&bob.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"));
    let r = app
        .gql(
            "mutation($id: ID!) { cancelEvent(id: $id) { id } }",
            json!({ "id": e["id"] }),
            Some(&bob.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"));
    let ok = app
        .ok(
            update,
            json!({ "id": e["id"], "i": { "title": "Stand au marché du Prado" } }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(ok["updateEvent"]["title"], "Stand au marché du Prado");
    let ok = app
        .ok(
            update,
            json!({ "id": e["id"], "i": { "capacity": 30 } }),
            Some(&admin.token),
        )
        .await;
    assert_eq!(ok["updateEvent"]["capacity"], 30);
    let r = app
        .gql(
            update,
            json!({ "id": e["id"], "i": { "endsAt": starts } }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"));
    let r = app
        .gql(
            update,
            json!({ "id": e["id"], "i": { "title": "no" } }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(error_field(&r), Some("input.title"));
}

#[tokio::test]
async fn nearest_first_pages_are_exact_when_events_share_an_address() {
    let app = TestApp::spawn().await;
    let alice = app.member("Alice", "Martin").await;
    let mut ids = Vec::new();
    for i in 0..7 {
        // Five at the very same spot, two a little further.
        let at = if i < 5 {
            MARSEILLE
        } else {
            (MARSEILLE.0 + 0.01 * f64::from(i), MARSEILLE.1)
        };
        let e = create(
            &app,
            &alice.token,
            event_input(&format!("Même lieu {i}"), at, "13001", "Marseille"),
        )
        .await;
        ids.push(e["id"].as_str().unwrap().to_owned());
    }
    let filter = json!({ "near": { "lat": 43.29, "lon": 5.36 }, "radiusKm": 10 });
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app
            .ok(
                NEAR,
                json!({ "f": filter, "first": 2, "after": after }),
                None,
            )
            .await;
        for e in page["events"]["edges"].as_array().unwrap() {
            seen.push(e["node"]["id"].as_str().unwrap().to_owned());
        }
        if page["events"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["events"]["pageInfo"]["endCursor"].clone();
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 7, "every event once: {seen:?}");
    assert_eq!(seen.len(), 7);
    // Ties come in a stable order: the same listing twice is identical.
    let a = app.ok(NEAR, json!({ "f": filter, "first": 7 }), None).await;
    let b = app.ok(NEAR, json!({ "f": filter, "first": 7 }), None).await;
    assert_eq!(a, b);
}

/// Listings leave descriptions out of their statement when the query does
/// not ask for them; however the query asks (directly, by alias, in an
/// inline or a named fragment), it gets them.
#[tokio::test]
async fn listings_read_descriptions_however_the_query_asks() {
    let app = TestApp::spawn().await;
    let alice = app.member("Alice", "Martin").await;
    create(
        &app,
        &alice.token,
        event_input("Tractage au Vieux-Port", MARSEILLE, "13001", "Marseille"),
    )
    .await;
    app.ok(
        "mutation($i: CreateGroupInput!) { createGroup(input: $i) { id } }",
        json!({ "i": { "name": "Marseille insoumise", "description": "Le groupe du Vieux-Port", "address": { "postcode": "13001", "city": "Marseille" } } }),
        Some(&alice.token),
    )
    .await;
    let near = json!({ "near": { "lat": MARSEILLE.0, "lon": MARSEILLE.1 }, "radiusKm": 10 });
    // (the events' selection, the groups', the fragments, the answer's key)
    let asks = [
        ("description", "description", "", "description"),
        ("d: description", "d: description", "", "d"),
        (
            "... on Event { description }",
            "... on Group { description }",
            "",
            "description",
        ),
        (
            "...E",
            "...G",
            "fragment E on Event { description } fragment G on Group { description }",
            "description",
        ),
    ];
    for (event_ask, group_ask, fragments, key) in asks {
        let q = format!(
            "query($f: EventFilter, $g: GroupFilter) {{
               events(filter: $f) {{ edges {{ node {{ title {event_ask} }} }} }}
               groups(filter: $g) {{ edges {{ node {{ name {group_ask} }} }} }} }}
             {fragments}"
        );
        let data = app
            .ok(&q, json!({ "f": near, "g": near }), Some(&alice.token))
            .await;
        let event = &data["events"]["edges"][0]["node"];
        let group = &data["groups"]["edges"][0]["node"];
        assert_eq!(
            event[key], "Rendez-vous devant la mairie avec des tracts.",
            "{event_ask}"
        );
        assert_eq!(group[key], "Le groupe du Vieux-Port", "{group_ask}");
    }
    // Without descriptions, the rest of the page is unchanged.
    let data = app
        .ok(
            "query($f: EventFilter) { events(filter: $f) { edges { node { title } } } }",
            json!({ "f": near }),
            None,
        )
        .await;
    assert_eq!(event_titles(&data), ["Tractage au Vieux-Port"]);
}
