//! Who sees what: a property-style test over random (viewer, event) pairs,
//! and the N+1 guard (statements per page do not grow with the page).
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Lcg, Member, TestApp, error_code, event_input};
use std::collections::BTreeMap;

use serde_json::{Value, json};

async fn make_event(
    app: &TestApp,
    by: &Member,
    title: &str,
    visibility: &str,
    group: Option<&Value>,
) -> String {
    let mut input = event_input(title, (48.11, -1.68), "35000", "Rennes");
    input["kind"] = json!("STREET_STALL");
    input["visibility"] = json!(visibility);
    if let Some(g) = group {
        input["groupId"] = g.clone();
    }
    app.create_event(&by.token, input).await
}

#[tokio::test]
async fn attendees_are_visible_exactly_to_organisers_moderators_and_admins() {
    let app = TestApp::spawn().await;
    let organiser = app.member("Olivier", "Org").await;
    let manager = app.member("Manon", "Manager").await;
    let member = app.member("Mehdi", "Membre").await;
    let moderator = app.member("Modeste", "Mod").await;
    let admin = app.member("Adèle", "Admin").await;
    let analyst = app.member("Anna", "Lyste").await;
    let stranger = app.member("Sam", "Stranger").await;
    app.grant(&moderator, "MODERATOR").await;
    app.grant(&admin, "ADMIN").await;
    app.grant(&analyst, "ANALYST").await;
    let group = app
        .ok("mutation { createGroup(input: { name: \"Rennes centre\", description: \"\" }) { id } }", json!({}), Some(&manager.token))
        .await["createGroup"]["id"]
        .clone();
    for m in [&organiser, &member] {
        app.ok(
            "mutation($g: ID!) { joinGroup(groupId: $g) { status } }",
            json!({ "g": group }),
            Some(&m.token),
        )
        .await;
    }
    // (id, organiser index, in group, GROUP visibility)
    let events = [
        (
            make_event(&app, &organiser, "Sans groupe", "PUBLIC", None).await,
            0,
            false,
            false,
        ),
        (
            make_event(&app, &organiser, "Du groupe", "PUBLIC", Some(&group)).await,
            0,
            true,
            false,
        ),
        (
            make_event(&app, &member, "Réservé", "GROUP", Some(&group)).await,
            2,
            true,
            true,
        ),
        (
            make_event(&app, &organiser, "Par lien", "UNLISTED", None).await,
            0,
            false,
            false,
        ),
    ];
    // Everyone RSVPs where they can, so attendee lists are not empty.
    for m in [&member, &stranger, &analyst] {
        for (id, ..) in &events {
            app.gql(
                "mutation($e: ID!) { rsvp(eventId: $e) { id } }",
                json!({ "e": id }),
                Some(&m.token),
            )
            .await;
        }
    }
    // Viewers: 0 organiser, 1 manager, 2 member, 3 moderator, 4 admin,
    // 5 analyst, 6 stranger, 7 anonymous.
    let viewers = [
        &organiser, &manager, &member, &moderator, &admin, &analyst, &stranger,
    ];
    let mut rng = Lcg(0x5eed);
    for _ in 0..120 {
        let v = rng.next(8);
        let (id, org, in_group, group_only) = &events[rng.next(events.len())];
        let token = viewers.get(v).map(|m| m.token.as_str());
        let is_organiser = v == *org || (*in_group && v == 1);
        let is_staff = v == 3 || v == 4;
        let group_member = v <= 2;
        let may_see = !group_only || group_member || is_staff;
        let may_see_attendees = is_organiser || is_staff;

        let r = app
            .gql(
                "query($id: ID!) { event(id: $id) { title organiser { displayName firstName } attendees { edges { node { person { displayName } } } } } }",
                json!({ "id": id }),
                token,
            )
            .await;
        let event = &r["data"]["event"];
        if !may_see {
            assert!(event.is_null(), "viewer {v} must not see {id}: {r}");
            continue;
        }
        assert!(event["title"].is_string(), "viewer {v} sees {id}: {r}");
        assert_eq!(
            event["organiser"]["firstName"].is_null(),
            v == 7,
            "names hidden from anonymous only: {r}"
        );
        if may_see_attendees {
            assert!(
                event["attendees"]["edges"].is_array(),
                "viewer {v} sees attendees of {id}: {r}"
            );
            assert!(r.get("errors").is_none(), "{r}");
        } else {
            assert!(
                event["attendees"].is_null(),
                "viewer {v} must not see attendees of {id}: {r}"
            );
            assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
        }
    }
}

/// What a page counts as its statements: none of what a connection does
/// once, whatever the page size (sqlx's catalog lookups and the pools'
/// plan setting when it opens, and earthdistance's earth(), `SELECT
/// '6378168'::float8`, which PostgreSQL runs, and counts as a statement,
/// while planning a statement that calls it for the first time on a
/// connection), nor the session's look-up, which the server repeats once
/// its cache entry is 5 s old (`sessions::cache::TTL`), whenever that
/// falls, once per request at most.
const PAGE_STATEMENTS: &str = "FROM pg_stat_statements
     WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND query NOT ILIKE '%pg_catalog.%' AND query NOT ILIKE '%FROM pg_type%'
       AND query NOT ILIKE 'SET plan_cache_mode%' AND query <> 'SELECT $1::float8'
       AND query NOT ILIKE 'SELECT s.id, s.person_id, s.last_seen_at%FROM sessions s%'
       AND query NOT ILIKE '%pg_stat_statements%'";

/// Total statements executed in the test database so far.
async fn statements(app: &TestApp) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT coalesce(sum(calls), 0)::int8 {PAGE_STATEMENTS}"
    )))
    .fetch_one(&app.pool)
    .await
    .expect("pg_stat_statements: scripts/test starts PostgreSQL with it preloaded")
}

/// Statements executed so far, by text.
async fn statements_by_text(app: &TestApp) -> BTreeMap<String, i64> {
    sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(format!(
        "SELECT query, sum(calls)::int8 {PAGE_STATEMENTS} GROUP BY query"
    )))
    .fetch_all(&app.pool)
    .await
    .unwrap()
    .into_iter()
    .collect()
}

/// The statements a page ran: their number, compared, and which ran how
/// often, shown when a comparison fails.
#[derive(Clone)]
struct Cost {
    total: i64,
    by_text: BTreeMap<String, i64>,
}

impl PartialEq for Cost {
    fn eq(&self, other: &Self) -> bool {
        self.total == other.total
    }
}

impl PartialEq<i64> for Cost {
    fn eq(&self, other: &i64) -> bool {
        self.total == *other
    }
}

impl std::fmt::Debug for Cost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} statements", self.total)?;
        for (text, calls) in &self.by_text {
            let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
            write!(
                f,
                "\n  {calls} × {}",
                text.chars().take(160).collect::<String>()
            )?;
        }
        Ok(())
    }
}

/// Statements a page of `n` events costs, its prepared statements warmed
/// up by the same query once before.
async fn page_statements(app: &TestApp, query: &str, n: i64, token: &str) -> Cost {
    list_statements(app, query, n, token, "/events/edges").await
}

/// Statements a page of `n` costs, the page being the list at `pointer`
/// (a JSON pointer into the answer's data).
async fn list_statements(app: &TestApp, query: &str, n: i64, token: &str, pointer: &str) -> Cost {
    app.ok(query, json!({ "n": n }), Some(token)).await;
    let before = statements_by_text(app).await;
    let data = app.ok(query, json!({ "n": n }), Some(token)).await;
    let after = statements_by_text(app).await;
    let items = data.pointer(pointer).and_then(Value::as_array);
    assert_eq!(items.map(Vec::len), Some(n as usize), "{data}");
    let by_text: BTreeMap<String, i64> = after
        .into_iter()
        .map(|(text, calls)| {
            let ran = calls - before.get(&text).copied().unwrap_or(0);
            (text, ran)
        })
        .filter(|(_, ran)| *ran > 0)
        .collect();
    Cost {
        total: by_text.values().sum(),
        by_text,
    }
}

#[tokio::test]
async fn statements_per_page_do_not_grow_with_the_page() {
    // The relay's, the notifier's and the statistics job's own statements
    // would be counted too (the job flushes every 5 s, in the middle of a
    // page now and then).
    let app = TestApp::spawn_with(|c| {
        c.outbox_relay = false;
        c.notifications = false;
        c.statistics_job = false;
    })
    .await;
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .execute(&app.pool)
        .await
        .unwrap();
    let viewer = app.member("Vera", "Viewer").await;
    let staff = app.member("Ada", "Admin").await;
    app.grant(&staff, "ADMIN").await;
    let mut organisers = Vec::new();
    for i in 0..6 {
        organisers.push(app.member(&format!("Org{i}"), "X").await);
    }
    let mut groups = Vec::new();
    for (i, o) in organisers.iter().enumerate().take(3) {
        let g = app
            .ok("mutation($n: String!) { createGroup(input: { name: $n, description: \"\" }) { id } }", json!({ "n": format!("Groupe {i}") }), Some(&o.token))
            .await["createGroup"]["id"]
            .clone();
        groups.push(g);
    }
    for g in &groups {
        app.ok(
            "mutation($g: ID!) { joinGroup(groupId: $g) { status } }",
            json!({ "g": g }),
            Some(&staff.token),
        )
        .await;
    }
    let mut events = Vec::new();
    for i in 0..110 {
        let o = &organisers[i % organisers.len()];
        let group = (i % organisers.len() < 3).then(|| &groups[i % organisers.len()]);
        let id = make_event(&app, o, &format!("Action numéro {i}"), "PUBLIC", group).await;
        events.push(id.clone());
        if i % 3 == 0 {
            app.ok(
                "mutation($e: ID!) { rsvp(eventId: $e) { id } }",
                json!({ "e": id }),
                Some(&viewer.token),
            )
            .await;
        }
    }
    // A friend of the viewer goes to every other event: friendsGoing has
    // something to find.
    let friend = app.member("Fran", "Friend").await;
    let request = app
        .ok(
            "mutation($p: ID!) { sendFriendRequest(personId: $p) { id } }",
            json!({ "p": viewer.gid }),
            Some(&friend.token),
        )
        .await["sendFriendRequest"]["id"]
        .clone();
    app.ok(
        "mutation($f: ID!) { respondToFriendRequest(friendshipId: $f, accept: true) { status } }",
        json!({ "f": request }),
        Some(&viewer.token),
    )
    .await;
    let fran_goes: Vec<&String> = events.iter().step_by(2).collect();
    for id in &fran_goes {
        app.ok(
            "mutation($e: ID!) { rsvp(eventId: $e) { id } }",
            json!({ "e": id }),
            Some(&friend.token),
        )
        .await;
    }
    let q = "query($n: Int) { events(first: $n) { edges { node { title organiser { displayName } group { name } attendeeCount viewerRsvp { status } } } } }";
    let counts = [
        page_statements(&app, q, 5, &viewer.token).await,
        page_statements(&app, q, 100, &viewer.token).await,
    ];
    assert_eq!(
        counts[0], counts[1],
        "statements for first:5 and first:100: {counts:?}"
    );
    // The page with its organisers, groups and the viewer's RSVPs is one
    // statement (the count leaves out its own).
    assert_eq!(
        counts[0], 1,
        "a page and its relations cost one statement: {counts:?}"
    );
    // Every other relation an event can be asked for, per event: each is
    // one batch for the whole page.
    let wide = "query($n: Int) { events(first: $n) { edges { node { id title friendsGoing { displayName } hosts { displayName } viewerIsHost location { lat } address { city } outcome { leaflets } } } } }";
    let counts = [
        page_statements(&app, wide, 5, &viewer.token).await,
        page_statements(&app, wide, 100, &viewer.token).await,
    ];
    assert_eq!(
        counts[0], counts[1],
        "statements for first:5 and first:100 with every relation: {counts:?}"
    );
    let data = app.ok(wide, json!({ "n": 100 }), Some(&viewer.token)).await;
    for edge in data["events"]["edges"].as_array().unwrap() {
        let id = edge["node"]["id"].as_str().unwrap().to_owned();
        let expected = if fran_goes.contains(&&id) {
            json!([{ "displayName": "Fran F." }])
        } else {
            json!([])
        };
        assert_eq!(edge["node"]["friendsGoing"], expected, "{edge}");
    }

    // The relay is off: number the activities as it would, so that the
    // organisers' feeds list the RSVPs on their events.
    cortege_db::outbox::number_batch(&app.pool, 10_000)
        .await
        .unwrap();

    // The viewer's lists and the groups listing, each with its relations
    // asked: the same count for a short page and a long one.
    let lists = [
        (
            "query($n: Int) { viewer { rsvps(first: $n) { edges { node { status event { title } } } } } }",
            "/viewer/rsvps/edges",
            &viewer.token,
            (5, 30),
        ),
        (
            "query($n: Int) { viewer { rsvps(first: $n) { edges { node { status event { title organiser { displayName } group { name } viewerRsvp { status } hosts { displayName } friendsGoing { displayName } viewerIsHost location { lat } outcome { leaflets } } } } } } }",
            "/viewer/rsvps/edges",
            &viewer.token,
            (5, 30),
        ),
        (
            "query($n: Int) { viewer { events(first: $n) { edges { node { title organiser { displayName } group { name } viewerRsvp { status } hosts { displayName } friendsGoing { displayName } viewerIsHost location { lat } } } } } }",
            "/viewer/events/edges",
            &organisers[0].token,
            (3, 18),
        ),
        (
            "query($n: Int) { groups(first: $n) { edges { node { name viewerMembership { role } } } } }",
            "/groups/edges",
            &organisers[0].token,
            (1, 3),
        ),
        // Connections nested in each item: one statement per way they
        // are asked, for the whole list.
        (
            "query($n: Int) { viewer { events(first: $n) { edges { node { title attendees(first: 5) { edges { node { status person { displayName } } } } } } } } }",
            "/viewer/events/edges",
            &organisers[0].token,
            (3, 18),
        ),
        (
            "query($n: Int) { events(first: $n) { edges { node { title attendees(first: 3) { edges { node { status person { displayName } } } } few: attendees(first: 1) { edges { node { status } } } } } } }",
            "/events/edges",
            &staff.token,
            (5, 100),
        ),
        (
            "query($n: Int) { viewer { groups(first: $n) { edges { node { group { name members(first: 5) { edges { node { role person { displayName } } } } joinRequests(first: 5) { edges { node { person { displayName } } } } } } } } } }",
            "/viewer/groups/edges",
            &staff.token,
            (1, 3),
        ),
        (
            "query($n: Int) { viewer { feed(first: $n) { edges { node { kind event { title organiser { displayName } group { name } viewerRsvp { status } hosts { displayName } attendees(first: 2) { edges { node { status person { displayName } } } } } } } } } }",
            "/viewer/feed/edges",
            &organisers[0].token,
            (3, 18),
        ),
        (
            "query($n: Int) { groups(first: $n) { edges { node { name events(first: 5) { edges { node { title organiser { displayName } group { name } viewerRsvp { status } hosts { displayName } attendees(first: 2) { edges { node { status } } } } } } } } } }",
            "/groups/edges",
            &staff.token,
            (1, 3),
        ),
        (
            "query($n: Int) { groups(first: $n) { edges { node { name members(first: 5) { edges { node { role person { displayName } } } } joinRequests(first: 5) { edges { node { person { displayName } } } } } } } }",
            "/groups/edges",
            &staff.token,
            (1, 3),
        ),
    ];
    for (query, pointer, token, (short, long)) in lists {
        let counts = [
            list_statements(&app, query, short, token, pointer).await,
            list_statements(&app, query, long, token, pointer).await,
        ];
        assert_eq!(
            counts[0], counts[1],
            "{pointer}, first:{short} and first:{long}: {counts:?}"
        );
    }

    // The viewer's lists need only the viewer's id: the viewer's own row is
    // read when a field asks for it, not for every page of the feed.
    let feed = "{ viewer { feed(first: 20) { edges { node { kind } } } } }";
    app.ok(feed, json!({}), Some(&viewer.token)).await;
    let before = statements(&app).await;
    app.ok(feed, json!({}), Some(&viewer.token)).await;
    assert_eq!(statements(&app).await - before, 1, "the feed's page alone");
    let me = "{ viewer { email feed(first: 20) { edges { node { kind } } } } }";
    let data = app.ok(me, json!({}), Some(&viewer.token)).await;
    assert!(
        data["viewer"]["email"].as_str().unwrap().contains('@'),
        "{data}"
    );

    // The organiser of a GROUP event opening its attendees: being its
    // organiser lets them in, so neither their memberships nor their roles
    // are looked up. The event, then the page.
    let own = make_event(
        &app,
        &organisers[0],
        "Réunion du groupe",
        "GROUP",
        Some(&groups[0]),
    )
    .await;
    let attendees =
        "query($e: ID!) { event(id: $e) { attendees(first: 10) { edges { node { status } } } } }";
    let token = Some(organisers[0].token.as_str());
    app.ok(attendees, json!({ "e": own }), token).await;
    let before = statements(&app).await;
    let data = app.ok(attendees, json!({ "e": own }), token).await;
    assert!(data["event"]["attendees"]["edges"].is_array(), "{data}");
    assert_eq!(
        statements(&app).await - before,
        2,
        "the organiser's attendees page: the event and the page"
    );

    // A lookup by id at the root reads once, found or not (read on the
    // request's task, it must not fall back on the loader for a miss).
    use cortege_graphql::ids::{Kind, encode};
    let group = groups[0].as_str().unwrap().to_owned();
    let lookups = [
        (
            "query($i: ID!) { event(id: $i) { title } }",
            "event",
            Kind::Event,
            &own,
        ),
        (
            "query($i: ID!) { node(id: $i) { ... on Event { title } } }",
            "node",
            Kind::Event,
            &own,
        ),
        (
            "query($i: ID!) { group(id: $i) { name } }",
            "group",
            Kind::Group,
            &group,
        ),
        (
            "query($i: ID!) { node(id: $i) { ... on Group { name } } }",
            "node",
            Kind::Group,
            &group,
        ),
        (
            "query($i: ID!) { person(id: $i) { displayName } }",
            "person",
            Kind::Person,
            &friend.gid,
        ),
        (
            "query($i: ID!) { node(id: $i) { ... on Person { displayName } } }",
            "node",
            Kind::Person,
            &friend.gid,
        ),
    ];
    for (query, field, kind, known) in lookups {
        let nowhere = encode(kind, uuid::Uuid::now_v7()).0;
        for (id, found) in [(known.as_str(), true), (nowhere.as_str(), false)] {
            app.ok(query, json!({ "i": id }), token).await;
            let before = statements(&app).await;
            let data = app.ok(query, json!({ "i": id }), token).await;
            assert_eq!(data[field].is_object(), found, "{data}");
            assert_eq!(statements(&app).await - before, 1, "{query} {id}: {data}");
        }
    }
}
