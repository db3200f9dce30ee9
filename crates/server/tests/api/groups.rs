//! Groups, join policies, and friends.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{TestApp, error_code, error_field};
use serde_json::json;

const CREATE: &str = "mutation($i: CreateGroupInput!) { createGroup(input: $i) { id name memberCount joinPolicy viewerMembership { role status } location { lat } address { commune { name } } } }";
const JOIN: &str =
    "mutation($g: ID!) { joinGroup(groupId: $g) { status role person { displayName } } }";
const LEAVE: &str = "mutation($g: ID!) { leaveGroup(groupId: $g) }";
const RESPOND: &str = "mutation($g: ID!, $p: ID!, $a: Boolean!) { respondToJoinRequest(groupId: $g, personId: $p, accept: $a) { status } }";
const MEMBERS: &str = "query($g: ID!) { group(id: $g) { memberCount members { edges { node { role person { displayName } } } } joinRequests { edges { node { person { displayName } } } } } }";

#[tokio::test]
async fn open_and_approval_groups() {
    let app = TestApp::spawn().await;
    let alice = app.member("Alice", "Martin").await;
    let bob = app.member("Bob", "Durand").await;
    let carol = app.member("Carol", "Petit").await;
    let g = app
        .ok(CREATE, json!({ "i": { "name": "Quimper insoumise", "description": "", "joinPolicy": "APPROVAL", "address": { "postcode": "29000", "city": "Quimper" } } }), Some(&alice.token))
        .await["createGroup"]
        .clone();
    assert_eq!(g["memberCount"], 1);
    assert_eq!(
        g["viewerMembership"],
        json!({ "role": "MANAGER", "status": "ACTIVE" })
    );
    assert_eq!(g["address"]["commune"]["name"], "Quimper");
    assert!(
        g["location"]["lat"].as_f64().is_some(),
        "placed at the commune centre"
    );
    let gid = g["id"].clone();

    let r = app.ok(JOIN, json!({ "g": gid }), Some(&bob.token)).await;
    assert_eq!(r["joinGroup"]["status"], "PENDING");
    app.ok(JOIN, json!({ "g": gid }), Some(&carol.token)).await;
    // Only managers see members and requests; the rest of the answer stands.
    let r = app
        .gql(MEMBERS, json!({ "g": gid }), Some(&bob.token))
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"));
    assert_eq!(r["data"]["group"]["memberCount"], 1);
    assert!(r["data"]["group"]["members"].is_null());
    let m = app
        .ok(MEMBERS, json!({ "g": gid }), Some(&alice.token))
        .await;
    assert_eq!(
        m["group"]["joinRequests"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    let r = app
        .gql(
            RESPOND,
            json!({ "g": gid, "p": bob.gid, "a": true }),
            Some(&carol.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("FORBIDDEN"));
    let r = app
        .ok(
            RESPOND,
            json!({ "g": gid, "p": bob.gid, "a": true }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(r["respondToJoinRequest"]["status"], "ACTIVE");
    let r = app
        .ok(
            RESPOND,
            json!({ "g": gid, "p": carol.gid, "a": false }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(
        r["respondToJoinRequest"]["status"], "PENDING",
        "a refusal returns the request as it was"
    );
    let m = app
        .ok(MEMBERS, json!({ "g": gid }), Some(&alice.token))
        .await;
    assert_eq!(m["group"]["memberCount"], 2);
    assert_eq!(m["group"]["members"]["edges"][0]["node"]["role"], "MANAGER");
    assert!(
        m["group"]["joinRequests"]["edges"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // The last manager cannot leave; a member can.
    let r = app
        .gql(LEAVE, json!({ "g": gid }), Some(&alice.token))
        .await;
    assert_eq!(error_code(&r), Some("CONFLICT"));
    assert_eq!(
        app.ok(LEAVE, json!({ "g": gid }), Some(&bob.token)).await["leaveGroup"],
        true
    );
    assert_eq!(
        app.ok(LEAVE, json!({ "g": gid }), Some(&bob.token)).await["leaveGroup"],
        false
    );

    // OPEN: active at once. Listing by name and by place; search ignores accents.
    let open = app.ok(CREATE, json!({ "i": { "name": "Marseille Nord", "description": "Quartiers nord", "location": { "lat": 43.35, "lon": 5.40 } } }), Some(&alice.token)).await;
    let r = app
        .ok(
            JOIN,
            json!({ "g": open["createGroup"]["id"] }),
            Some(&carol.token),
        )
        .await;
    assert_eq!(r["joinGroup"]["status"], "ACTIVE");
    let q = "query($f: GroupFilter) { groups(filter: $f) { edges { node { name memberCount distanceKm } } } }";
    let all = app.ok(q, json!({}), None).await;
    let names: Vec<&str> = all["groups"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Marseille Nord", "Quimper insoumise"]);
    let near = app
        .ok(
            q,
            json!({ "f": { "near": { "lat": 43.3, "lon": 5.4 }, "radiusKm": 30 } }),
            None,
        )
        .await;
    assert_eq!(near["groups"]["edges"].as_array().unwrap().len(), 1);
    assert_eq!(near["groups"]["edges"][0]["node"]["memberCount"], 2);
    let found = app
        .ok(q, json!({ "f": { "search": "quimper INSOUMISE" } }), None)
        .await;
    assert_eq!(
        found["groups"]["edges"][0]["node"]["name"],
        "Quimper insoumise"
    );

    let r = app
        .gql(
            CREATE,
            json!({ "i": { "name": "x", "description": "" } }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(error_field(&r), Some("input.name"));
    // The viewer's groups.
    let mine = app
        .ok(
            "{ viewer { groups { edges { node { status group { name } } } } } }",
            json!({}),
            Some(&carol.token),
        )
        .await;
    assert_eq!(
        mine["viewer"]["groups"]["edges"].as_array().unwrap().len(),
        1
    );
}

const REQUEST: &str = "mutation($p: ID!) { sendFriendRequest(personId: $p) { id status from { displayName } to { displayName } } }";
const ANSWER: &str = "mutation($f: ID!, $a: Boolean!) { respondToFriendRequest(friendshipId: $f, accept: $a) { status } }";

#[tokio::test]
async fn friend_requests_and_friendships() {
    let app = TestApp::spawn().await;
    let alice = app.member("Alice", "Martin").await;
    let bob = app.member("Bob", "Durand").await;
    let carol = app.member("Carol", "Petit").await;

    let r = app
        .gql(REQUEST, json!({ "p": alice.gid }), Some(&alice.token))
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "self request: {r}");
    let f = app
        .ok(REQUEST, json!({ "p": bob.gid }), Some(&alice.token))
        .await["sendFriendRequest"]
        .clone();
    assert_eq!(f["status"], "PENDING");
    let r = app
        .gql(REQUEST, json!({ "p": bob.gid }), Some(&alice.token))
        .await;
    assert_eq!(error_code(&r), Some("CONFLICT"), "duplicate pending: {r}");
    // Only the addressee answers.
    let r = app
        .gql(
            ANSWER,
            json!({ "f": f["id"], "a": true }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("NOT_FOUND"));
    let pending = app
        .ok(
            "{ viewer { friendRequests { edges { node { from { displayName } } } } } }",
            json!({}),
            Some(&bob.token),
        )
        .await;
    assert_eq!(
        pending["viewer"]["friendRequests"]["edges"][0]["node"]["from"]["displayName"],
        "Alice M."
    );
    assert_eq!(
        app.ok(ANSWER, json!({ "f": f["id"], "a": true }), Some(&bob.token))
            .await["respondToFriendRequest"]["status"],
        "ACCEPTED"
    );
    let r = app
        .gql(REQUEST, json!({ "p": alice.gid }), Some(&bob.token))
        .await;
    assert_eq!(error_code(&r), Some("CONFLICT"), "already friends: {r}");

    // Crossing requests: Carol asks Alice, Alice asks Carol: accepted.
    app.ok(REQUEST, json!({ "p": alice.gid }), Some(&carol.token))
        .await;
    let crossed = app
        .ok(REQUEST, json!({ "p": carol.gid }), Some(&alice.token))
        .await;
    assert_eq!(crossed["sendFriendRequest"]["status"], "ACCEPTED");
    assert_eq!(
        crossed["sendFriendRequest"]["from"]["displayName"],
        "Carol P."
    );

    let me = app.ok("{ viewer { person { friendCount } friends { edges { node { displayName isFriend } } } } }", json!({}), Some(&alice.token)).await;
    assert_eq!(me["viewer"]["person"]["friendCount"], 2);
    assert_eq!(
        me["viewer"]["friends"]["edges"].as_array().unwrap().len(),
        2
    );
    assert_eq!(
        me["viewer"]["friends"]["edges"][0]["node"]["isFriend"],
        true
    );

    assert_eq!(
        app.ok(
            "mutation($p: ID!) { removeFriend(personId: $p) }",
            json!({ "p": bob.gid }),
            Some(&alice.token)
        )
        .await["removeFriend"],
        true
    );
    let q = "query($id: ID!) { person(id: $id) { isFriend friendCount } }";
    assert_eq!(
        app.ok(q, json!({ "id": bob.gid }), Some(&alice.token))
            .await["person"],
        json!({ "isFriend": false, "friendCount": 0 })
    );
    // Declined requests do not block a later one.
    let f = app
        .ok(REQUEST, json!({ "p": bob.gid }), Some(&alice.token))
        .await["sendFriendRequest"]
        .clone();
    assert_eq!(
        app.ok(
            ANSWER,
            json!({ "f": f["id"], "a": false }),
            Some(&bob.token)
        )
        .await["respondToFriendRequest"]["status"],
        "DECLINED"
    );
    app.ok(REQUEST, json!({ "p": bob.gid }), Some(&alice.token))
        .await;
}
