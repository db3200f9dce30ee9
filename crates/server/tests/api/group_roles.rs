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
