//! Robustness: arbitrary documents never panic nor answer INTERNAL, and
//! every contract mutation refuses malformed input with BAD_USER_INPUT,
//! writing nothing.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{TestApp, error_code};
use proptest::prelude::*;
use serde_json::{Value, json};

/// Pieces of GraphQL, valid and not, that random documents are made of.
const TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ":",
    ",",
    "$x",
    "$y",
    "!",
    "=",
    "...",
    "@skip(if: true)",
    "@include(if: $x)",
    "query",
    "mutation",
    "subscription",
    "fragment F on Event",
    "...F",
    "on",
    "Event",
    "Person",
    "events",
    "event",
    "viewer",
    "person",
    "node",
    "groups",
    "group",
    "stats",
    "reports",
    "edges",
    "node",
    "id",
    "title",
    "organiser",
    "displayName",
    "attendees",
    "members",
    "first:",
    "after:",
    "filter:",
    "near:",
    "radiusKm:",
    "lat:",
    "lon:",
    "search:",
    "kinds:",
    "LEAFLETING",
    "1",
    "0",
    "-1",
    "101",
    "1e10",
    "3.5",
    "\"x\"",
    "\"\"",
    "null",
    "true",
    "\"UGVyc29uOjAw\"",
    "__typename",
    "__schema",
    "types",
    "name",
    "#c\n",
    "rsvp(eventId: \"e\")",
    "createEvent",
    "input:",
    "requestLoginCode(email: \"a@b.fr\")",
    "logout",
];

fn document() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..40).prop_map(|t| t.join(" "))
}

fn variables() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({})),
        Just(json!({ "x": true, "y": 3 })),
        Just(json!({ "x": "s", "y": null })),
        Just(json!({ "x": [1, 2], "y": { "lat": 91 } })),
        any::<i64>().prop_map(|n| json!({ "x": n, "y": n.to_string() })),
    ]
}

#[test]
fn arbitrary_documents_never_fail_internally() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let app = rt.block_on(TestApp::spawn_with(|c| c.requests_per_minute = 100_000));
    let token = rt.block_on(app.member("Fuzz", "Er")).token;
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 300,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &(document(), variables(), any::<bool>()),
            |(doc, vars, signed_in)| {
                let r: Value =
                    rt.block_on(app.gql(&doc, vars, signed_in.then_some(token.as_str())));
                for e in r["errors"].as_array().into_iter().flatten() {
                    let code = e["extensions"]["code"].as_str();
                    prop_assert!(code.is_some(), "an error without a code for {doc:?}: {r}");
                    prop_assert_ne!(code, Some("INTERNAL"), "INTERNAL for {:?}: {}", doc, r);
                }
                Ok(())
            },
        )
        .unwrap();
}

/// Every table a mutation could write, as one digest.
async fn everything(app: &TestApp) -> String {
    sqlx::query_scalar(
        "SELECT concat_ws('|',
            (SELECT count(*) FROM people), (SELECT max(updated_at) FROM people),
            (SELECT count(*) FROM events), (SELECT count(*) FROM rsvps), (SELECT count(*) FROM groups),
            (SELECT count(*) FROM memberships), (SELECT count(*) FROM friendships), (SELECT count(*) FROM reports),
            (SELECT count(*) FROM sessions WHERE revoked_at IS NULL), (SELECT count(*) FROM login_codes),
            (SELECT count(*) FROM activities), (SELECT count(*) FROM moderation_log))",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn every_mutation_refuses_malformed_input_and_writes_nothing() {
    let app = TestApp::spawn_with(|c| c.requests_per_minute = 100_000).await;
    let m = app.member("Alice", "Martin").await;
    let other = app.member("Bob", "Durand").await;
    let huge = "x".repeat(200_000);
    let event_id =
        cortege_graphql::ids::encode(cortege_graphql::ids::Kind::Event, uuid::Uuid::now_v7()).0;
    let create = json!({ "title": "Tractage", "description": "", "kind": "LEAFLETING",
        "startsAt": "2030-01-01T10:00:00Z", "endsAt": "2030-01-01T12:00:00Z",
        "location": { "lat": 48.0, "lon": -4.1 }, "address": { "postcode": "29000", "city": "Quimper" } });
    let with = |base: &Value, key: &str, v: Value| {
        let mut b = base.clone();
        b[key] = v;
        b
    };
    let cases: Vec<(&str, Value)> = vec![
        (
            "mutation($i: SignUpInput!) { signUp(input: $i) { loginCodeSent } }",
            json!({ "i": { "firstName": 12, "lastName": "M", "email": "a@b.fr", "acceptsPledge": true } }),
        ),
        (
            "mutation($i: SignUpInput!) { signUp(input: $i) { loginCodeSent } }",
            json!({ "i": { "firstName": huge, "lastName": "M", "email": "a@b.fr", "acceptsPledge": true } }),
        ),
        (
            "mutation($e: String!) { requestLoginCode(email: $e) }",
            json!({ "e": 5 }),
        ),
        (
            "mutation($e: String!) { requestLoginCode(email: $e) }",
            json!({ "e": huge }),
        ),
        (
            "mutation($e: String!, $c: String!) { verifyLoginCode(email: $e, code: $c) { token } }",
            json!({ "e": "a@b.fr", "c": ["A"] }),
        ),
        (
            "mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { email } }",
            json!({ "i": { "actionRadiusKm": "far" } }),
        ),
        (
            "mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { email } }",
            json!({ "i": { "actionRadiusKm": 1e300 } }),
        ),
        (
            "mutation($f: Upload!) { uploadPhoto(file: $f) { id } }",
            json!({ "f": "not a file" }),
        ),
        (
            "mutation($p: ID!) { sendFriendRequest(personId: $p) { id } }",
            json!({ "p": "garbage" }),
        ),
        (
            "mutation($p: ID!) { sendFriendRequest(personId: $p) { id } }",
            json!({ "p": event_id }),
        ),
        (
            "mutation($f: ID!) { respondToFriendRequest(friendshipId: $f, accept: true) { id } }",
            json!({ "f": other.gid }),
        ),
        (
            "mutation($p: ID!) { removeFriend(personId: $p) }",
            json!({ "p": 42 }),
        ),
        (
            "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }",
            json!({ "i": with(&create, "capacity", json!("ten")) }),
        ),
        (
            "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }",
            json!({ "i": with(&create, "capacity", json!(1_099_511_627_776_i64)) }),
        ),
        (
            "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }",
            json!({ "i": with(&create, "kind", json!("PICNIC")) }),
        ),
        (
            "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }",
            json!({ "i": with(&create, "startsAt", json!("tomorrow")) }),
        ),
        (
            "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }",
            json!({ "i": with(&create, "title", json!(huge)) }),
        ),
        (
            "mutation($id: ID!) { updateEvent(id: $id, input: { title: \"Nouveau titre\" }) { id } }",
            json!({ "id": m.gid }),
        ),
        (
            "mutation($id: ID!) { cancelEvent(id: $id) { id } }",
            json!({ "id": "###" }),
        ),
        (
            "mutation($e: ID!, $g: Int) { rsvp(eventId: $e, guests: $g) { id } }",
            json!({ "e": event_id, "g": 10_000_000_000_i64 }),
        ),
        (
            "mutation($e: ID!) { cancelRsvp(eventId: $e) { id } }",
            json!({ "e": other.gid }),
        ),
        (
            "mutation($n: String!) { createGroup(input: { name: $n, description: \"\" }) { id } }",
            json!({ "n": huge }),
        ),
        (
            "mutation($g: ID!) { joinGroup(groupId: $g) { status } }",
            json!({ "g": event_id }),
        ),
        (
            "mutation($g: ID!) { leaveGroup(groupId: $g) }",
            json!({ "g": "" }),
        ),
        (
            "mutation($g: ID!, $p: ID!, $a: Boolean!) { respondToJoinRequest(groupId: $g, personId: $p, accept: $a) { status } }",
            json!({ "g": event_id, "p": other.gid, "a": "yes" }),
        ),
        (
            "mutation($r: ReportReason!) { report(input: { subjectId: \"x\", reason: $r, details: \"\" }) { id } }",
            json!({ "r": "NOPE" }),
        ),
        (
            "mutation($s: ID!) { report(input: { subjectId: $s, reason: SPAM, details: \"\" }) { id } }",
            json!({ "s": event_id }),
        ),
        (
            "mutation($d: ModerationDecision!) { resolveReport(id: \"x\", decision: $d) { id } }",
            json!({ "d": "EXILE" }),
        ),
        (
            "mutation($c: String!) { deleteMyAccount(code: $c) }",
            json!({ "c": huge }),
        ),
    ];
    let before = everything(&app).await;
    for (doc, vars) in cases {
        let r = app.gql(doc, vars.clone(), Some(&m.token)).await;
        let shown = &r.to_string()[..r.to_string().len().min(300)];
        assert_eq!(
            error_code(&r),
            Some("BAD_USER_INPUT"),
            "{doc} with {}: {shown}",
            &vars.to_string()[..vars.to_string().len().min(120)]
        );
    }
    // A number JSON cannot hold (1e400) and a body that is not JSON at all.
    for body in [
        r#"{"query":"mutation($r: Float) { updateProfile(input: { actionRadiusKm: $r }) { email } }","variables":{"r":1e400}}"#,
        "{ not json",
    ] {
        let r = app
            .client
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&m.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let r: Value = r.json().await.unwrap();
        assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    }
    assert_eq!(everything(&app).await, before, "nothing was written");
}
