//! Co-hosts (issue 16): the organiser and the group's managers choose
//! them; they run the event with the organiser's rights, hear NEW_ATTENDEE
//! and follow rsvpChanged, across replicas too.

use serde_json::{Value, json};

use crate::common::ws::WsClient;
use crate::common::{Member, TestApp, error_code, error_field, event_input, redis_url};

const ADD: &str = "mutation($e: ID!, $p: ID!) {
    addEventHost(eventId: $e, personId: $p) { hosts { displayName } }
}";
const REMOVE: &str = "mutation($e: ID!, $p: ID!) {
    removeEventHost(eventId: $e, personId: $p) { hosts { displayName } }
}";
const UPDATE: &str =
    "mutation($e: ID!, $t: String!) { updateEvent(id: $e, input: { title: $t }) { title } }";
const RSVP: &str = "mutation($e: ID!) { rsvp(eventId: $e) { status } }";
const FEED: &str = "{ viewer { feed(first: 20) { edges { node { kind event { title } } } } } }";

fn names(v: &Value) -> Vec<&str> {
    v["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["displayName"].as_str().unwrap())
        .collect()
}

async fn feed_kinds(app: &TestApp, who: &Member) -> Vec<String> {
    app.relayed().await;
    let page = app.ok(FEED, json!({}), Some(&who.token)).await;
    page["viewer"]["feed"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn host_rows(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM event_hosts")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn befriend(app: &TestApp, a: &Member, b: &Member) {
    let f = app
        .ok(
            "mutation($p: ID!) { sendFriendRequest(personId: $p) { id } }",
            json!({ "p": b.gid }),
            Some(&a.token),
        )
        .await["sendFriendRequest"]["id"]
        .clone();
    app.ok(
        "mutation($f: ID!) { respondToFriendRequest(friendshipId: $f, accept: true) { status } }",
        json!({ "f": f }),
        Some(&b.token),
    )
    .await;
}

#[tokio::test]
async fn co_hosts_run_the_event_and_hear_new_attendees_once() {
    let app = TestApp::spawn().await;
    let olga = app.member("Olga", "Orga").await;
    let carla = app.member("Carla", "Cohost").await;
    let paul = app.member("Paul", "Passant").await;
    let bob = app.member("Bob", "Benevole").await;
    // A friend of the attendee would also hear FRIEND_GOING: a co-host
    // gets one item, the most specific.
    befriend(&app, &bob, &carla).await;
    let e = app
        .create_event(
            &olga.token,
            event_input("Porte-à-porte Belsunce", (43.3, 5.38), "13001", "Marseille"),
        )
        .await;
    let attendees = "query($e: ID!) { event(id: $e) { viewerIsHost attendees(first: 10) { edges { node { person { displayName } } } } } }";

    // Refused, nothing written: a stranger choosing, the organiser as
    // co-host, someone who is not a member at all.
    let r = app
        .gql(ADD, json!({ "e": e, "p": carla.gid }), Some(&paul.token))
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = app
        .gql(ADD, json!({ "e": e, "p": olga.gid }), Some(&olga.token))
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(error_field(&r), Some("personId"), "{r}");
    let ghost =
        cortege_graphql::ids::encode(cortege_graphql::ids::Kind::Person, uuid::Uuid::now_v7()).0;
    let r = app
        .gql(ADD, json!({ "e": e, "p": ghost }), Some(&olga.token))
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(host_rows(&app).await, 0);
    let r = app
        .gql(
            UPDATE,
            json!({ "e": e, "t": "Par Carla" }),
            Some(&carla.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");

    // Added (twice: idempotent), the co-host hears of it once.
    for _ in 0..2 {
        let added = app
            .ok(ADD, json!({ "e": e, "p": carla.gid }), Some(&olga.token))
            .await;
        assert_eq!(
            names(&added["addEventHost"]),
            ["Olga O.", "Carla C."],
            "the organiser first"
        );
    }
    assert_eq!(host_rows(&app).await, 1);
    assert_eq!(
        feed_kinds(&app, &carla).await,
        ["EVENT_HOST_ADDED", "FRIEND_REQUEST"]
    );

    // The co-host runs it: changes it, sees the attendees, hears them.
    let r = app
        .ok(
            UPDATE,
            json!({ "e": e, "t": "Porte-à-porte Belsunce et Noailles" }),
            Some(&carla.token),
        )
        .await;
    assert_eq!(
        r["updateEvent"]["title"],
        "Porte-à-porte Belsunce et Noailles"
    );
    app.ok(RSVP, json!({ "e": e }), Some(&bob.token)).await;
    let seen = app
        .ok(attendees, json!({ "e": e }), Some(&carla.token))
        .await;
    assert_eq!(seen["event"]["viewerIsHost"], true);
    assert_eq!(
        seen["event"]["attendees"]["edges"][0]["node"]["person"]["displayName"],
        "Bob B."
    );
    assert_eq!(
        feed_kinds(&app, &carla).await,
        ["NEW_ATTENDEE", "EVENT_HOST_ADDED", "FRIEND_REQUEST"],
        "NEW_ATTENDEE, not also FRIEND_GOING"
    );
    assert_eq!(feed_kinds(&app, &olga).await, ["NEW_ATTENDEE"]);
    let r = app
        .gql(attendees, json!({ "e": e }), Some(&paul.token))
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    assert_eq!(r["data"]["event"]["viewerIsHost"], false, "{r}");

    // A co-host does not choose co-hosts, and the organiser stays.
    let r = app
        .gql(ADD, json!({ "e": e, "p": paul.gid }), Some(&carla.token))
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = app
        .gql(REMOVE, json!({ "e": e, "p": olga.gid }), Some(&olga.token))
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(error_field(&r), Some("personId"), "{r}");
    let r = app
        .gql(REMOVE, json!({ "e": e, "p": carla.gid }), Some(&paul.token))
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    assert_eq!(host_rows(&app).await, 1);

    // A co-host may step down, and then has no rights left.
    let r = app
        .ok(
            REMOVE,
            json!({ "e": e, "p": carla.gid }),
            Some(&carla.token),
        )
        .await;
    assert_eq!(names(&r["removeEventHost"]), ["Olga O."]);
    let r = app
        .gql(
            UPDATE,
            json!({ "e": e, "t": "Encore Carla" }),
            Some(&carla.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    assert_eq!(host_rows(&app).await, 0);
}

#[tokio::test]
async fn a_members_only_event_takes_its_co_hosts_from_the_group() {
    let app = TestApp::spawn().await;
    let mia = app.member("Mia", "Manager").await;
    let olga = app.member("Olga", "Orga").await;
    let gina = app.member("Gina", "Groupe").await;
    let out = app.member("Omar", "Outside").await;
    let g = app
        .ok(
            "mutation($i: CreateGroupInput!) { createGroup(input: $i) { id } }",
            json!({ "i": { "name": "Quimper centre", "description": "", "joinPolicy": "OPEN",
                           "address": { "postcode": "29000", "city": "Quimper" } } }),
            Some(&mia.token),
        )
        .await["createGroup"]["id"]
        .clone();
    for m in [&olga, &gina] {
        app.ok(
            "mutation($g: ID!) { joinGroup(groupId: $g) { status } }",
            json!({ "g": g }),
            Some(&m.token),
        )
        .await;
    }
    let mut input = event_input("Réunion du groupe", (47.996, -4.102), "29000", "Quimper");
    input["visibility"] = json!("GROUP");
    input["groupId"] = g.clone();
    let e = app.create_event(&olga.token, input).await;

    let r = app
        .gql(ADD, json!({ "e": e, "p": out.gid }), Some(&olga.token))
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(host_rows(&app).await, 0);
    // The group's manager chooses too, without organising it.
    let r = app
        .ok(ADD, json!({ "e": e, "p": gina.gid }), Some(&mia.token))
        .await;
    assert_eq!(names(&r["addEventHost"]), ["Olga O.", "Gina G."]);
}

#[tokio::test]
async fn co_hosts_follow_rsvps_live_across_two_replicas() {
    let prefix = format!("t{}", uuid::Uuid::new_v4().simple());
    let a = TestApp::spawn_with(move |c| {
        c.redis_url = Some(redis_url());
        c.redis_channel_prefix = prefix;
    })
    .await;
    let b = a.replica().await;
    let olga = a.member("Olga", "Orga").await;
    let carla = a.member("Carla", "Cohost").await;
    let bob = a.member("Bob", "Benevole").await;
    let e = a
        .create_event(
            &olga.token,
            event_input("Tractage marché", (43.3, 5.38), "13001", "Marseille"),
        )
        .await;
    let rsvps = "subscription($e: ID!) { rsvpChanged(eventId: $e) { attendeeCount rsvp { person { displayName } } } }";

    // Not yet a co-host: refused at subscribe time.
    let mut ws = WsClient::connect(&b, Some(&carla.token)).await;
    ws.subscribe("r", rsvps, json!({ "e": e })).await;
    let m = ws.next_message().await;
    assert_eq!(m["payload"][0]["extensions"]["code"], "FORBIDDEN", "{m}");

    a.ok(ADD, json!({ "e": e, "p": carla.gid }), Some(&olga.token))
        .await;
    let mut ws = WsClient::connect(&b, Some(&carla.token)).await;
    ws.subscribe("r", rsvps, json!({ "e": e })).await;
    a.ok(RSVP, json!({ "e": e }), Some(&bob.token)).await;
    let change = ws.next_data("r").await["rsvpChanged"].clone();
    assert_eq!(change["attendeeCount"], 1, "{change}");
    assert_eq!(change["rsvp"]["person"]["displayName"], "Bob B.");
}
