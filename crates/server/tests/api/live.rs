//! The live feed over real WebSockets: events nearby, RSVPs, the activity
//! feed with replay, across replicas through a real Redis, and through a
//! Redis outage.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::daemon::{Daemon, free_port};
use common::ws::{WsClient, open};
use common::{Member, TestApp, event_input, redis_url};
use serde_json::{Value, json};

pub(crate) const NEARBY: &str = "subscription($n: GeoPointInput!, $r: Float!) { eventsNearby(near: $n, radiusKm: $r) { id title } }";
const RSVPS: &str = "subscription($e: ID!) { rsvpChanged(eventId: $e) { attendeeCount rsvp { status guests person { displayName } } event { id } } }";
const FEED: &str = "subscription($a: String) { feed(after: $a) { id cursor kind actor { displayName } event { title } } }";
const CREATE: &str = "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }";

const MARSEILLE: (f64, f64) = (43.2965, 5.3698);
const QUIMPER: (f64, f64) = (47.996, -4.102);

/// An app (on Redis when `redis` is given, on channels of its own) whose
/// content limits do not get in the way of creating many events.
async fn app_on(redis: Option<String>) -> TestApp {
    let prefix = format!("t{}", uuid::Uuid::new_v4().simple());
    TestApp::spawn_with(move |c| {
        c.events_per_hour = 10_000;
        c.requests_per_minute = 100_000;
        if let Some(url) = redis {
            c.redis_url = Some(url);
            c.redis_channel_prefix = prefix;
        }
    })
    .await
}

async fn create_at(app: &TestApp, who: &Member, title: &str, place: (f64, f64)) -> String {
    create_with(app, who, title, place, "PUBLIC").await
}

async fn create_with(
    app: &TestApp,
    who: &Member,
    title: &str,
    place: (f64, f64),
    visibility: &str,
) -> String {
    let (postcode, city) = if place == QUIMPER {
        ("29000", "Quimper")
    } else {
        ("13001", "Marseille")
    };
    let mut input = event_input(title, place, postcode, city);
    input["visibility"] = json!(visibility);
    app.ok(CREATE, json!({ "i": input }), Some(&who.token))
        .await["createEvent"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

pub(crate) fn near(place: (f64, f64), radius: f64) -> Value {
    json!({ "n": { "lat": place.0, "lon": place.1 }, "r": radius })
}

/// A client near Marseille hears of the Marseille event, not the Quimper
/// one, nor an UNLISTED one.
async fn nearby_case(creator: &TestApp, listener: &TestApp) {
    let org = creator.member("Olga", "Roux").await;
    // Anonymous clients may follow PUBLIC events.
    let mut ws = WsClient::connect(listener, None).await;
    ws.subscribe("n", NEARBY, near(MARSEILLE, 20.0)).await;
    create_at(creator, &org, "Tractage à Quimper", QUIMPER).await;
    create_with(creator, &org, "Réunion privée", MARSEILLE, "UNLISTED").await;
    let id = create_at(creator, &org, "Tractage au Vieux-Port", MARSEILLE).await;
    let data = ws.next_data("n").await;
    assert_eq!(data["eventsNearby"]["title"], "Tractage au Vieux-Port");
    assert_eq!(data["eventsNearby"]["id"], id);
    // Pushes come in publication order: had Quimper or the UNLISTED one
    // been pushed, it would have come first. One more proves the stream
    // goes on.
    create_at(creator, &org, "Porte-à-porte au Panier", MARSEILLE).await;
    let data = ws.next_data("n").await;
    assert_eq!(data["eventsNearby"]["title"], "Porte-à-porte au Panier");
}

#[tokio::test]
async fn events_nearby_on_one_server() {
    let app = app_on(None).await;
    nearby_case(&app, &app).await;
}

#[tokio::test]
async fn events_nearby_across_two_replicas_through_redis() {
    let a = app_on(Some(redis_url())).await;
    let b = a.replica().await;
    nearby_case(&a, &b).await;
}

#[tokio::test]
async fn organisers_watch_rsvps_arrive_live() {
    let a = app_on(Some(redis_url())).await;
    let b = a.replica().await;
    let org = a.member("Olga", "Roux").await;
    let bob = a.member("Bob", "Durand").await;
    let stranger = a.member("Sam", "Leroy").await;
    let event = create_at(&a, &org, "Porte-à-porte", MARSEILLE).await;

    // A member who does not organise it is refused at subscribe time.
    let mut ws = WsClient::connect(&b, Some(&stranger.token)).await;
    ws.subscribe("r", RSVPS, json!({ "e": event })).await;
    let m = ws.next_message().await;
    assert_eq!(m["type"], "error", "{m}");
    assert_eq!(m["payload"][0]["extensions"]["code"], "FORBIDDEN", "{m}");

    let mut ws = WsClient::connect(&b, Some(&org.token)).await;
    ws.subscribe("r", RSVPS, json!({ "e": event })).await;
    a.ok(
        "mutation($e: ID!) { rsvp(eventId: $e, guests: 2) { status } }",
        json!({ "e": event }),
        Some(&bob.token),
    )
    .await;
    let change = ws.next_data("r").await["rsvpChanged"].clone();
    assert_eq!(change["attendeeCount"], 3, "{change}");
    assert_eq!(change["rsvp"]["status"], "GOING");
    assert_eq!(change["rsvp"]["guests"], 2);
    assert_eq!(change["rsvp"]["person"]["displayName"], "Bob D.");
    assert_eq!(change["event"]["id"], event);

    a.ok(
        "mutation($e: ID!) { cancelRsvp(eventId: $e) { status } }",
        json!({ "e": event }),
        Some(&bob.token),
    )
    .await;
    let change = ws.next_data("r").await["rsvpChanged"].clone();
    assert_eq!(change["attendeeCount"], 0, "{change}");
    assert_eq!(change["rsvp"]["status"], "CANCELLED");
}

/// Reads `n` feed items from subscription `id`.
async fn feed_items(ws: &mut WsClient, id: &str, n: usize) -> Vec<Value> {
    let mut items = Vec::with_capacity(n);
    for _ in 0..n {
        items.push(ws.next_data(id).await["feed"].clone());
    }
    items
}

fn titles(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["event"]["title"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_resumed_feed_replays_what_was_missed_then_goes_live() {
    let app = app_on(None).await;
    let org = app.member("Olga", "Roux").await;
    let alice = app.member_at("Alice", "Martin", Some(MARSEILLE)).await;

    let mut ws = WsClient::connect(&app, Some(&alice.token)).await;
    ws.subscribe("f", FEED, json!({})).await;
    create_at(&app, &org, "Première action", MARSEILLE).await;
    let first = ws.next_data("f").await["feed"].clone();
    assert_eq!(first["kind"], "EVENT_CREATED_NEARBY");
    assert_eq!(first["event"]["title"], "Première action");
    assert_eq!(first["actor"]["displayName"], "Olga R.");
    let cursor = first["cursor"].as_str().unwrap().to_owned();
    drop(ws);

    // While Alice is away: 100 actions near her, and some that are not
    // for her (far away, or her own).
    let mut expected = Vec::new();
    for i in 0..100 {
        let title = format!("Action {i:03}");
        create_at(&app, &org, &title, MARSEILLE).await;
        expected.push(title);
        if i % 25 == 0 {
            create_at(&app, &org, "Loin d'ici", QUIMPER).await;
            create_at(&app, &alice, "La sienne", MARSEILLE).await;
        }
    }

    let mut ws = WsClient::connect(&app, Some(&alice.token)).await;
    ws.subscribe("f", FEED, json!({ "a": cursor })).await;
    let replayed = feed_items(&mut ws, "f", 100).await;
    assert_eq!(titles(&replayed), expected);
    // Then live, with nothing twice at the seam.
    create_at(&app, &org, "En direct", MARSEILLE).await;
    let live = ws.next_data("f").await["feed"].clone();
    assert_eq!(live["event"]["title"], "En direct");
    let ids: HashSet<&str> = replayed
        .iter()
        .chain([&live])
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 101);

    // Viewer.feed lists the same, newest first.
    let page = app
        .ok(
            "{ viewer { feed(first: 3) { edges { cursor node { kind event { title } actor { displayName } } } pageInfo { hasNextPage } } } }",
            json!({}),
            Some(&alice.token),
        )
        .await;
    let edges = page["viewer"]["feed"]["edges"].as_array().unwrap();
    let newest: Vec<&str> = edges
        .iter()
        .map(|e| e["node"]["event"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(newest, ["En direct", "Action 099", "Action 098"]);
    assert!(
        edges
            .iter()
            .all(|e| e["node"]["actor"]["displayName"] == "Olga R."),
        "{edges:?}"
    );
    assert_eq!(page["viewer"]["feed"]["pageInfo"]["hasNextPage"], true);
}

#[tokio::test]
async fn feed_recipients_follow_the_contract() {
    let app = app_on(None).await;
    let org = app.member_at("Olga", "Roux", Some(QUIMPER)).await;
    let alice = app.member_at("Alice", "Martin", Some(MARSEILLE)).await;
    let bob = app.member_at("Bob", "Durand", Some(QUIMPER)).await;
    let mut alice_ws = WsClient::connect(&app, Some(&alice.token)).await;
    alice_ws.subscribe("f", FEED, json!({})).await;
    let mut org_ws = WsClient::connect(&app, Some(&org.token)).await;
    org_ws.subscribe("f", FEED, json!({})).await;

    // Bob asks Alice to be friends; she accepts.
    let f = app
        .ok(
            "mutation($p: ID!) { sendFriendRequest(personId: $p) { id } }",
            json!({ "p": alice.gid }),
            Some(&bob.token),
        )
        .await["sendFriendRequest"]["id"]
        .clone();
    let item = alice_ws.next_data("f").await["feed"].clone();
    assert_eq!(item["kind"], "FRIEND_REQUEST");
    assert_eq!(item["actor"]["displayName"], "Bob D.");
    app.ok(
        "mutation($f: ID!) { respondToFriendRequest(friendshipId: $f, accept: true) { status } }",
        json!({ "f": f }),
        Some(&alice.token),
    )
    .await;

    // Bob goes to Olga's PUBLIC event in Quimper: Olga gets NEW_ATTENDEE,
    // Alice (his friend, far away) FRIEND_GOING.
    let event = create_at(&app, &org, "Marché de Quimper", QUIMPER).await;
    app.ok(
        "mutation($e: ID!) { rsvp(eventId: $e) { status } }",
        json!({ "e": event }),
        Some(&bob.token),
    )
    .await;
    let item = org_ws.next_data("f").await["feed"].clone();
    assert_eq!(item["kind"], "NEW_ATTENDEE", "{item}");
    assert_eq!(item["actor"]["displayName"], "Bob D.");
    let item = alice_ws.next_data("f").await["feed"].clone();
    assert_eq!(item["kind"], "FRIEND_GOING", "{item}");
    assert_eq!(item["event"]["title"], "Marché de Quimper");
    // The event page tells Alice the same; Olga is not Bob's friend.
    let going = "query($e: ID!) { event(id: $e) { friendsGoing { displayName } } }";
    let r = app
        .ok(going, json!({ "e": event }), Some(&alice.token))
        .await;
    assert_eq!(
        r["event"]["friendsGoing"],
        json!([{ "displayName": "Bob D." }])
    );
    let r = app.ok(going, json!({ "e": event }), Some(&org.token)).await;
    assert_eq!(r["event"]["friendsGoing"], json!([]));

    // Alice RSVPs too; then the event changes and is cancelled: she hears
    // both, as someone GOING.
    app.ok(
        "mutation($e: ID!) { rsvp(eventId: $e) { status } }",
        json!({ "e": event }),
        Some(&alice.token),
    )
    .await;
    let item = org_ws.next_data("f").await["feed"].clone();
    assert_eq!(item["kind"], "NEW_ATTENDEE");
    app.ok(
        "mutation($id: ID!, $i: UpdateEventInput!) { updateEvent(id: $id, input: $i) { title } }",
        json!({ "id": event, "i": { "title": "Marché de Quimper (déplacé)" } }),
        Some(&org.token),
    )
    .await;
    let item = alice_ws.next_data("f").await["feed"].clone();
    assert_eq!(item["kind"], "EVENT_UPDATED");
    app.ok(
        "mutation($id: ID!) { cancelEvent(id: $id) { cancelled } }",
        json!({ "id": event }),
        Some(&org.token),
    )
    .await;
    let item = alice_ws.next_data("f").await["feed"].clone();
    assert_eq!(item["kind"], "EVENT_CANCELLED");
    // Olga heard nothing of her own changes.
    org_ws.assert_silent(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn websocket_close_codes() {
    let app = TestApp::spawn_with(|c| c.ws_init_timeout_ms = 300).await;
    let alice = app.member("Alice", "Martin").await;

    // No connection_init in time.
    let mut ws = open(&app, &[]).await.unwrap();
    assert_eq!(ws.close_code().await, 4408);

    // A second connection_init.
    let mut ws = WsClient::connect(&app, Some(&alice.token)).await;
    ws.send(json!({ "type": "connection_init" })).await;
    assert_eq!(ws.close_code().await, 4429);

    // Subscribe before the acknowledgement.
    let mut ws = open(&app, &[]).await.unwrap();
    ws.send(json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { feed { cursor } }" } }))
        .await;
    assert_eq!(ws.close_code().await, 4401);

    // An invalid token.
    let mut ws = open(&app, &[]).await.unwrap();
    ws.send(json!({ "type": "connection_init", "payload": { "token": "not-a-session" } }))
        .await;
    assert_eq!(ws.close_code().await, 4403);

    // A duplicate subscription id.
    let mut ws = WsClient::connect(&app, Some(&alice.token)).await;
    ws.subscribe("same", NEARBY, near(MARSEILLE, 10.0)).await;
    ws.send(json!({ "id": "same", "type": "subscribe", "payload": { "query": NEARBY, "variables": near(MARSEILLE, 10.0) } }))
        .await;
    assert_eq!(ws.close_code().await, 4409);

    // Twenty subscriptions are fine; the 21st is refused, the socket stays.
    let mut ws = WsClient::connect(&app, Some(&alice.token)).await;
    for i in 0..20 {
        ws.subscribe(&format!("s{i}"), NEARBY, near(MARSEILLE, 10.0))
            .await;
    }
    ws.subscribe("s20", NEARBY, near(MARSEILLE, 10.0)).await;
    let m = ws.next_message().await;
    assert_eq!(m["type"], "error", "{m}");
    assert_eq!(m["id"], "s20");
    assert_eq!(m["payload"][0]["extensions"]["code"], "QUERY_LIMIT", "{m}");
    // Completing one frees a place.
    ws.send(json!({ "id": "s0", "type": "complete" })).await;
    ws.subscribe("s21", NEARBY, near(MARSEILLE, 10.0)).await;
    ws.assert_silent(Duration::from_millis(200)).await;

    // A message that is not the protocol.
    let mut ws = WsClient::connect(&app, None).await;
    ws.send(json!({ "type": "hello" })).await;
    assert_eq!(ws.close_code().await, 4400);
}

#[tokio::test]
async fn websocket_origins() {
    let app = TestApp::spawn().await;
    let port = app.base.rsplit(':').next().unwrap().to_owned();
    // Native clients send no Origin.
    assert!(open(&app, &[]).await.is_ok());
    let local = format!("http://localhost:{port}");
    assert!(open(&app, &[("Origin", local.as_str())]).await.is_ok());
    assert!(open(&app, &[("Origin", app.base.as_str())]).await.is_ok());
    match open(&app, &[("Origin", "https://evil.example")]).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 403),
        Err(e) => panic!("unexpected error: {e}"),
        Ok(_) => panic!("a foreign origin was accepted"),
    }
}

#[tokio::test]
async fn logout_and_ban_close_live_sockets() {
    let a = app_on(Some(redis_url())).await;
    let b = a.replica().await;
    let alice = a.member("Alice", "Martin").await;
    let opponent = a.member("Eve", "Troll").await;
    let moderator = a.member("Mona", "Dupuis").await;
    a.grant(&moderator, "MODERATOR").await;

    // Logout on replica A closes Alice's socket on replica B.
    let mut ws = WsClient::connect(&b, Some(&alice.token)).await;
    ws.subscribe("f", FEED, json!({})).await;
    a.ok("mutation { logout }", json!({}), Some(&alice.token))
        .await;
    assert_eq!(ws.close_code().await, 4403);

    // A ban closes every socket of the banned person.
    let mut ws1 = WsClient::connect(&b, Some(&opponent.token)).await;
    ws1.subscribe("f", FEED, json!({})).await;
    let mut ws2 = WsClient::connect(&a, Some(&opponent.token)).await;
    ws2.subscribe("n", NEARBY, near(MARSEILLE, 5.0)).await;
    let reporter = a.member("Rémi", "Blanc").await;
    let r = a
        .ok(
            "mutation($i: ReportInput!) { report(input: $i) { id } }",
            json!({ "i": { "subjectId": opponent.gid, "reason": "OPPOSING_ACTIVITY", "details": "Vient perturber nos réunions" } }),
            Some(&reporter.token),
        )
        .await;
    a.ok(
        "mutation($id: ID!) { resolveReport(id: $id, decision: BAN) { status } }",
        json!({ "id": r["report"]["id"] }),
        Some(&moderator.token),
    )
    .await;
    assert_eq!(ws1.close_code().await, 4403);
    assert_eq!(ws2.close_code().await, 4403);
}

/// A Redis server of this test's own, to stop and start.
struct PrivateRedis {
    port: u16,
    server: Daemon,
}

impl PrivateRedis {
    fn start() -> Self {
        let port = free_port();
        Self {
            port,
            server: Daemon::redis(port, &[]),
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn restart(&mut self) {
        self.server = Daemon::redis(self.port, &[]);
    }

    fn stop(&mut self) {
        self.server.kill();
    }
}

async fn bus_state(app: &TestApp) -> String {
    let r: Value = app
        .client
        .get(format!("{}/health/ready", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["bus"].as_str().unwrap_or_default().to_owned()
}

/// A member's feed open on replica `b`, fed by events an organiser creates
/// on replica `a`, through a disruption of Redis (a failover).
pub(crate) struct FeedThrough<'t> {
    a: &'t TestApp,
    b: &'t TestApp,
    org: Member,
    ws: WsClient,
    expected: Vec<String>,
}

impl<'t> FeedThrough<'t> {
    /// Opens the feed, and checks that an event reaches it before the
    /// disruption.
    pub(crate) async fn open(a: &'t TestApp, b: &'t TestApp) -> Self {
        wait_bus(a, "connected").await;
        wait_bus(b, "connected").await;
        let org = a.member("Olga", "Roux").await;
        let alice = a.member_at("Alice", "Martin", Some(MARSEILLE)).await;
        let mut ws = WsClient::connect(b, Some(&alice.token)).await;
        ws.subscribe("f", FEED, json!({})).await;
        create_at(a, &org, "Avant la bascule", MARSEILLE).await;
        assert_eq!(
            ws.next_data("f").await["feed"]["event"]["title"],
            "Avant la bascule"
        );
        Self {
            a,
            b,
            org,
            ws,
            expected: Vec::new(),
        }
    }

    /// Creates `n` events while Redis is disrupted.
    pub(crate) async fn create_during(&mut self, n: usize) {
        for i in 0..n {
            let title = format!("Pendant la bascule {i}");
            create_at(self.a, &self.org, &title, MARSEILLE).await;
            self.expected.push(title);
        }
    }

    /// Once both buses are connected again, one event more: the open feed
    /// has received everything committed, once and in order.
    pub(crate) async fn receives_everything(mut self) {
        wait_bus(self.a, "connected").await;
        wait_bus(self.b, "connected").await;
        create_at(self.a, &self.org, "Après la bascule", MARSEILLE).await;
        self.expected.push("Après la bascule".to_owned());
        let live = feed_items(&mut self.ws, "f", self.expected.len()).await;
        assert_eq!(titles(&live), self.expected);
        self.ws.assert_silent(Duration::from_millis(300)).await;
    }
}

pub(crate) async fn wait_bus(app: &TestApp, wanted: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while bus_state(app).await != wanted {
        assert!(Instant::now() < deadline, "bus never became {wanted}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_redis_outage_loses_no_committed_activity() {
    let mut redis = PrivateRedis::start();
    let a = app_on(Some(redis.url())).await;
    let b = a.replica().await;
    wait_bus(&a, "connected").await;
    wait_bus(&b, "connected").await;
    let org = a.member("Olga", "Roux").await;
    let alice = a.member_at("Alice", "Martin", Some(MARSEILLE)).await;

    let mut ws = WsClient::connect(&b, Some(&alice.token)).await;
    ws.subscribe("f", FEED, json!({})).await;
    create_at(&a, &org, "Avant la panne", MARSEILLE).await;
    let before = ws.next_data("f").await["feed"].clone();
    assert_eq!(before["event"]["title"], "Avant la panne");
    let cursor = before["cursor"].as_str().unwrap().to_owned();

    redis.stop();
    wait_bus(&a, "disconnected").await;
    wait_bus(&b, "disconnected").await;
    // Mutations go on without the bus.
    let mut expected = Vec::new();
    for i in 0..10 {
        let title = format!("Pendant la panne {i}");
        create_at(&a, &org, &title, MARSEILLE).await;
        expected.push(title);
    }
    redis.restart();
    wait_bus(&a, "connected").await;
    wait_bus(&b, "connected").await;
    expected.push("Après la panne".to_owned());
    create_at(&a, &org, "Après la panne", MARSEILLE).await;

    // The socket that stayed open gets everything, once, in order.
    let live = feed_items(&mut ws, "f", expected.len()).await;
    assert_eq!(titles(&live), expected);
    // A feed resumed from the last cursor before the outage: the same.
    let mut resumed = WsClient::connect(&a, Some(&alice.token)).await;
    resumed.subscribe("f", FEED, json!({ "a": cursor })).await;
    let replayed = feed_items(&mut resumed, "f", expected.len()).await;
    assert_eq!(titles(&replayed), expected);
    resumed.assert_silent(Duration::from_millis(300)).await;
}

/// With two events an hour, one created on each replica: the third, on
/// either, is one too many (the count is shared).
pub(crate) async fn third_event_of_two_per_hour_is_refused(a: &TestApp, b: &TestApp) {
    let org = a.member("Olga", "Roux").await;
    create_at(a, &org, "Une", MARSEILLE).await;
    create_at(b, &org, "Deux", MARSEILLE).await;
    let input = event_input("Trois", MARSEILLE, "13001", "Marseille");
    let r = a.gql(CREATE, json!({ "i": input }), Some(&org.token)).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{r}");
    assert!(
        r["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_u64()
            .unwrap()
            > 0
    );
}

#[tokio::test]
async fn rate_limits_are_shared_by_replicas_through_redis() {
    let prefix = format!("t{}", uuid::Uuid::new_v4().simple());
    let limit = |c: &mut cortege_server::config::Config| {
        c.events_per_hour = 2;
        c.login_codes_per_email = 3;
    };
    let a = TestApp::spawn_with(move |c| {
        c.redis_url = Some(redis_url());
        c.redis_channel_prefix = prefix;
        limit(c);
    })
    .await;
    let b = a.replica_with(limit).await;
    third_event_of_two_per_hour_is_refused(&a, &b).await;

    // Login codes for one email: three in all, wherever they are asked.
    let ask = "mutation($e: String!) { requestLoginCode(email: $e) }";
    for app in [&a, &b, &a] {
        let r = app
            .gql(ask, json!({ "e": "quelquun@example.org" }), None)
            .await;
        assert_eq!(r["data"]["requestLoginCode"], true, "{r}");
    }
    let r = b
        .gql(ask, json!({ "e": "quelquun@example.org" }), None)
        .await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{r}");
}

#[tokio::test]
async fn moderators_see_reports_arrive_live() {
    let app = app_on(None).await;
    let org = app.member("Olga", "Roux").await;
    let alice = app.member("Alice", "Martin").await;
    let moderator = app.member("Mona", "Dupuis").await;
    app.grant(&moderator, "MODERATOR").await;
    let event = create_at(&app, &org, "Réunion suspecte", MARSEILLE).await;
    let query =
        "subscription { reportCreated { reason details subject { ... on Event { title } } } }";

    let mut member = WsClient::connect(&app, Some(&alice.token)).await;
    member.subscribe("r", query, json!({})).await;
    let m = member.next_message().await;
    assert_eq!(m["type"], "error", "{m}");
    assert_eq!(m["payload"][0]["extensions"]["code"], "FORBIDDEN", "{m}");

    let mut ws = WsClient::connect(&app, Some(&moderator.token)).await;
    ws.subscribe("r", query, json!({})).await;
    app.ok(
        "mutation($i: ReportInput!) { report(input: $i) { id } }",
        json!({ "i": { "subjectId": event, "reason": "OPPOSING_ACTIVITY", "details": "Des opposants" } }),
        Some(&alice.token),
    )
    .await;
    let pushed = ws.next_data("r").await["reportCreated"].clone();
    assert_eq!(pushed["reason"], "OPPOSING_ACTIVITY");
    assert_eq!(pushed["details"], "Des opposants");
    assert_eq!(pushed["subject"]["title"], "Réunion suspecte");
}

/// A feed page leaves the events' descriptions in the database unless the
/// query asks for them, however it asks (a plain field, an alias, a
/// fragment): then each event has its own.
#[tokio::test]
async fn feed_events_carry_their_description_when_asked() {
    let app = app_on(None).await;
    let org = app.member("Olga", "Roux").await;
    let alice = app.member_at("Alice", "Martin", Some(MARSEILLE)).await;
    create_at(&app, &org, "Tractage", MARSEILLE).await;
    crate::common::wait_until("the event reaches Alice's feed", async || {
        let page = app
            .ok(
                "{ viewer { feed(first: 1) { edges { node { kind } } } } }",
                json!({}),
                Some(&alice.token),
            )
            .await;
        page["viewer"]["feed"]["edges"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
    })
    .await;
    let description = "Rendez-vous devant la mairie avec des tracts.";
    for (query, key) in [
        (
            "{ viewer { feed(first: 1) { edges { node { event { title description } } } } } }",
            "description",
        ),
        (
            "{ viewer { feed(first: 1) { edges { node { event { title d: description } } } } } }",
            "d",
        ),
        (
            "{ viewer { feed(first: 1) { edges { node { event { title ...E } } } } } } fragment E on Event { description }",
            "description",
        ),
        (
            "{ viewer { feed(first: 1) { edges { node { event { title ... on Event { description } } } } } } }",
            "description",
        ),
    ] {
        let page = app.ok(query, json!({}), Some(&alice.token)).await;
        let event = &page["viewer"]["feed"]["edges"][0]["node"]["event"];
        assert_eq!(event["title"], "Tractage", "{query}");
        assert_eq!(event[key], description, "{query}");
    }
    let page = app
        .ok(
            "{ viewer { feed(first: 1) { edges { node { event { title } actor { displayName } } } } } }",
            json!({}),
            Some(&alice.token),
        )
        .await;
    assert_eq!(
        page["viewer"]["feed"]["edges"][0]["node"]["event"]["title"],
        "Tractage"
    );
}
