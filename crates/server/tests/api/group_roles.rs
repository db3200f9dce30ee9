//! setMemberRole (issue 16): a group may have several managers; the last
//! one cannot step down, and every change is in the moderation log.

use serde_json::json;

use crate::common::{TestApp, error_code};

const CREATE: &str = "mutation($i: CreateGroupInput!) { createGroup(input: $i) { id } }";
const JOIN: &str = "mutation($g: ID!) { joinGroup(groupId: $g) { status } }";
const ROLE: &str = "mutation($g: ID!, $p: ID!, $r: GroupRole!) {
    setMemberRole(groupId: $g, personId: $p, role: $r) { role status person { displayName } }
}";
const LEAVE: &str = "mutation($g: ID!) { leaveGroup(groupId: $g) }";

#[tokio::test]
async fn managers_name_other_managers_and_the_last_one_cannot_step_down() {
    let app = TestApp::spawn().await;
    let alice = app.member("Alice", "Martin").await;
    let bob = app.member("Bob", "Durand").await;
    let carol = app.member("Carol", "Petit").await;
    let stranger = app.member("Sam", "Stranger").await;
    let g = app
        .ok(
            CREATE,
            json!({ "i": { "name": "Marseille Nord", "description": "", "joinPolicy": "OPEN",
                           "address": { "postcode": "13015", "city": "Marseille" } } }),
            Some(&alice.token),
        )
        .await["createGroup"]["id"]
        .clone();
    for m in [&bob, &carol] {
        app.ok(JOIN, json!({ "g": g }), Some(&m.token)).await;
    }
    let log = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM moderation_log WHERE action = 'SET_GROUP_ROLE'",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };

    // Refused: a plain member, a stranger to the group, the last manager
    // stepping down; nothing changes, nothing is logged.
    let r = app
        .gql(
            ROLE,
            json!({ "g": g, "p": carol.gid, "r": "MANAGER" }),
            Some(&bob.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = app
        .gql(
            ROLE,
            json!({ "g": g, "p": stranger.gid, "r": "MANAGER" }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"), "{r}");
    let r = app
        .gql(
            ROLE,
            json!({ "g": g, "p": alice.gid, "r": "MEMBER" }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
    assert_eq!(log().await, 0);

    // Bob becomes a second manager: he may now name others, and Alice may
    // step down (and then leave).
    let r = app
        .ok(
            ROLE,
            json!({ "g": g, "p": bob.gid, "r": "MANAGER" }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(r["setMemberRole"]["role"], "MANAGER");
    app.ok(
        ROLE,
        json!({ "g": g, "p": carol.gid, "r": "MANAGER" }),
        Some(&bob.token),
    )
    .await;
    app.ok(
        ROLE,
        json!({ "g": g, "p": alice.gid, "r": "MEMBER" }),
        Some(&alice.token),
    )
    .await;
    app.ok(
        ROLE,
        json!({ "g": g, "p": carol.gid, "r": "MEMBER" }),
        Some(&bob.token),
    )
    .await;
    assert_eq!(log().await, 4);
    assert_eq!(
        app.ok(LEAVE, json!({ "g": g }), Some(&alice.token)).await["leaveGroup"],
        true
    );
    // Bob is the last manager now.
    let r = app
        .gql(
            ROLE,
            json!({ "g": g, "p": bob.gid, "r": "MEMBER" }),
            Some(&bob.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
    let details: serde_json::Value = sqlx::query_scalar(
        "SELECT details FROM moderation_log WHERE action = 'SET_GROUP_ROLE' ORDER BY id LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(details, json!({ "role": "MANAGER" }));
}

const UPDATE: &str = "mutation($g: ID!, $i: UpdateGroupInput!) {
    updateGroup(groupId: $g, input: $i) { name description joinPolicy }
}";

#[tokio::test]
async fn managers_update_their_group_and_nobody_else_does() {
    let app = TestApp::spawn().await;
    let alice = app.member("Alice", "Martin").await;
    let bob = app.member("Bob", "Durand").await;
    let g = app
        .ok(
            CREATE,
            json!({ "i": { "name": "Quimper centre", "description": "Avant", "joinPolicy": "OPEN",
                           "address": { "postcode": "29000", "city": "Quimper" } } }),
            Some(&alice.token),
        )
        .await["createGroup"]["id"]
        .clone();
    app.ok(JOIN, json!({ "g": g }), Some(&bob.token)).await;
    let r = app
        .ok(
            UPDATE,
            json!({ "g": g, "i": { "description": "Après", "joinPolicy": "APPROVAL" } }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(
        r["updateGroup"],
        json!({ "name": "Quimper centre", "description": "Après", "joinPolicy": "APPROVAL" })
    );
    // A plain member, a bad name: refused, nothing changed.
    let r = app
        .gql(
            UPDATE,
            json!({ "g": g, "i": { "name": "Pris" } }),
            Some(&bob.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = app
        .gql(
            UPDATE,
            json!({ "g": g, "i": { "name": "x" } }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(crate::common::error_field(&r), Some("input.name"));
    let (name, logged): (String, i64) = sqlx::query_as(
        "SELECT (SELECT name FROM groups),
                (SELECT count(*) FROM moderation_log WHERE action = 'UPDATE_GROUP')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((name.as_str(), logged), ("Quimper centre", 1));
}

const REMOVE: &str = "mutation($g: ID!, $p: ID!) { removeMember(groupId: $g, personId: $p) }";

#[tokio::test]
async fn managers_remove_members_who_then_wait_to_rejoin_an_open_group() {
    let app = TestApp::spawn().await;
    let alice = app.member("Alice", "Martin").await;
    let bob = app.member("Bob", "Durand").await;
    let carol = app.member("Carol", "Petit").await;
    let admin = app.member("Ada", "Admin").await;
    app.grant(&admin, "ADMIN").await;
    let g = app
        .ok(
            CREATE,
            json!({ "i": { "name": "Quimper Est", "description": "", "joinPolicy": "OPEN",
                           "address": { "postcode": "29000", "city": "Quimper" } } }),
            Some(&alice.token),
        )
        .await["createGroup"]["id"]
        .clone();
    for m in [&bob, &carol] {
        app.ok(JOIN, json!({ "g": g }), Some(&m.token)).await;
    }
    // Bob co-hosts one of the group's members-only events.
    let mut input =
        crate::common::event_input("Réunion interne", (47.996, -4.102), "29000", "Quimper");
    input["visibility"] = json!("GROUP");
    input["groupId"] = g.clone();
    let e = app.create_event(&alice.token, input).await;
    app.ok(
        "mutation($e: ID!, $p: ID!) { addEventHost(eventId: $e, personId: $p) { id } }",
        json!({ "e": e, "p": bob.gid }),
        Some(&alice.token),
    )
    .await;
    let count = || async {
        app.ok(
            "query($g: ID!) { group(id: $g) { memberCount } }",
            json!({ "g": g }),
            None,
        )
        .await["group"]["memberCount"]
            .as_i64()
            .unwrap()
    };
    let logged = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM moderation_log WHERE action = 'REMOVE_GROUP_MEMBER'",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    assert_eq!(count().await, 3);

    // Refused, nothing changes: a plain member removing, a manager
    // removing themselves.
    let r = app
        .gql(REMOVE, json!({ "g": g, "p": carol.gid }), Some(&bob.token))
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let r = app
        .gql(
            REMOVE,
            json!({ "g": g, "p": alice.gid }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!((count().await, logged().await), (3, 0));

    let r = app
        .ok(REMOVE, json!({ "g": g, "p": bob.gid }), Some(&alice.token))
        .await;
    assert_eq!(r["removeMember"], true);
    assert_eq!((count().await, logged().await), (2, 1));
    let r = app
        .ok(REMOVE, json!({ "g": g, "p": bob.gid }), Some(&alice.token))
        .await;
    assert_eq!(r["removeMember"], false, "no longer a member");
    assert_eq!(logged().await, 1);
    let hosts = app
        .ok(
            "query($e: ID!) { event(id: $e) { hosts { displayName } } }",
            json!({ "e": e }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(
        hosts["event"]["hosts"],
        json!([{ "displayName": "Alice M." }]),
        "no longer co-hosts the group's members-only events"
    );
    app.relayed().await;
    let feed = app
        .ok(
            "{ viewer { feed(first: 1) { edges { node { kind group { name } } } } } }",
            json!({}),
            Some(&bob.token),
        )
        .await;
    assert_eq!(
        feed["viewer"]["feed"]["edges"][0]["node"],
        json!({ "kind": "GROUP_MEMBER_REMOVED", "group": { "name": "Quimper Est" } })
    );

    // Not back on their own under OPEN; under APPROVAL they may ask.
    let r = app.gql(JOIN, json!({ "g": g }), Some(&bob.token)).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    assert_eq!(count().await, 2);
    app.ok(
        "mutation($g: ID!) { updateGroup(groupId: $g, input: { joinPolicy: APPROVAL }) { id } }",
        json!({ "g": g }),
        Some(&alice.token),
    )
    .await;
    let r = app.ok(JOIN, json!({ "g": g }), Some(&bob.token)).await;
    assert_eq!(r["joinGroup"]["status"], "PENDING");

    // The last manager cannot be removed, even by an admin.
    let r = app
        .gql(
            REMOVE,
            json!({ "g": g, "p": alice.gid }),
            Some(&admin.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("CONFLICT"), "{r}");
    app.ok(
        ROLE,
        json!({ "g": g, "p": carol.gid, "r": "MANAGER" }),
        Some(&alice.token),
    )
    .await;
    let r = app
        .ok(
            REMOVE,
            json!({ "g": g, "p": alice.gid }),
            Some(&admin.token),
        )
        .await;
    assert_eq!(r["removeMember"], true, "another manager remains");
}

#[tokio::test]
async fn moderators_read_what_managers_and_hosts_did_in_the_log() {
    let app = TestApp::spawn().await;
    let alice = app.member("Alice", "Martin").await;
    let bob = app.member("Bob", "Durand").await;
    let moderator = app.member("Mona", "Mod").await;
    app.grant(&moderator, "MODERATOR").await;
    let g = app
        .ok(
            CREATE,
            json!({ "i": { "name": "Brest", "description": "", "joinPolicy": "OPEN",
                           "address": { "postcode": "29200", "city": "Brest" } } }),
            Some(&alice.token),
        )
        .await["createGroup"]["id"]
        .clone();
    app.ok(JOIN, json!({ "g": g }), Some(&bob.token)).await;
    app.ok(
        ROLE,
        json!({ "g": g, "p": bob.gid, "r": "MANAGER" }),
        Some(&alice.token),
    )
    .await;
    app.ok(REMOVE, json!({ "g": g, "p": alice.gid }), Some(&bob.token))
        .await;
    let q = "query($p: ID) { moderationLog(personId: $p, first: 10) { edges { node {
        action actor { displayName } targetPerson { displayName } targetId details } } } }";
    let r = app.gql(q, json!({}), Some(&alice.token)).await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"), "{r}");
    let v = app
        .ok(q, json!({ "p": alice.gid }), Some(&moderator.token))
        .await;
    let lines: Vec<&serde_json::Value> = v["moderationLog"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .collect();
    assert_eq!(lines.len(), 2, "{v}");
    assert_eq!(lines[0]["action"], "REMOVE_GROUP_MEMBER", "newest first");
    assert_eq!(lines[0]["actor"]["displayName"], "Bob D.");
    assert_eq!(lines[0]["targetPerson"]["displayName"], "Alice M.");
    assert_eq!(lines[0]["targetId"], g);
    assert_eq!(lines[1]["action"], "SET_GROUP_ROLE");
    assert_eq!(
        lines[1]["details"],
        r#"{"role": "MANAGER"}"#.replace(' ', "")
    );
}
