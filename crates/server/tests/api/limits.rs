//! Query limits at their edges: exactly at the limit passes, one past is
//! refused with QUERY_LIMIT before anything runs.
#![allow(clippy::unwrap_used)]

use crate::common;

use async_graphql::parser::parse_schema;
use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
use common::{TestApp, error_code};
use serde_json::json;

const DEPTH_10: &str = "{ events { edges { node { group { events { edges { node { organiser { commune { name } } } } } } } } } }";
const DEPTH_11: &str = "{ events { edges { node { group { events { edges { node { group { events { edges { cursor } } } } } } } } } } }";

#[tokio::test]
async fn depth_aliases_and_node_budget_at_their_edges() {
    let app = TestApp::spawn().await;
    let r = app.gql(DEPTH_10, json!({}), None).await;
    assert!(r.get("errors").is_none(), "depth 10 passes: {r}");
    let r = app.gql(DEPTH_11, json!({}), None).await;
    assert_eq!(error_code(&r), Some("QUERY_LIMIT"), "{r}");
    assert!(r.get("data").is_none_or(|d| d.is_null()));

    let aliases = |n: usize| {
        let fields: Vec<String> = (0..n)
            .map(|i| format!("a{i}: viewer {{ email }}"))
            .collect();
        format!("{{ {} }}", fields.join(" "))
    };
    let r = app.gql(&aliases(30), json!({}), None).await;
    assert!(r.get("errors").is_none(), "30 aliases pass: {r}");
    let r = app.gql(&aliases(31), json!({}), None).await;
    assert_eq!(error_code(&r), Some("QUERY_LIMIT"), "{r}");

    // 100 × 100 nested: events, edges, node, group (100 each), then
    // events, edges, node and the leaves (10,000 each).
    let budget = |leaves: &str| {
        format!(
            "query($n: Int) {{ events(first: $n) {{ edges {{ node {{ group {{ events(first: 100) {{ edges {{ node {{ {leaves} }} }} }} }} }} }} }} }}"
        )
    };
    let r = app.gql(&budget("id"), json!({ "n": 100 }), None).await;
    assert!(r.get("errors").is_none(), "40,400 fields pass: {r}");
    let r = app
        .gql(&budget("id title"), json!({ "n": 100 }), None)
        .await;
    assert_eq!(
        error_code(&r),
        Some("QUERY_LIMIT"),
        "50,400 fields are refused: {r}"
    );
    let r = app.gql(&budget("id title"), json!({ "n": 90 }), None).await;
    assert!(r.get("errors").is_none(), "a smaller page fits: {r}");
    // The same text again, now parsed once and kept: its limits are still
    // those of this request's variables.
    let r = app
        .gql(&budget("id title"), json!({ "n": 100 }), None)
        .await;
    assert_eq!(error_code(&r), Some("QUERY_LIMIT"), "a kept document: {r}");
}

#[tokio::test]
async fn a_refused_document_runs_nothing() {
    let app = TestApp::spawn().await;
    let fields: Vec<String> = (0..31)
        .map(|i| format!("m{i}: requestLoginCode(email: \"x{i}@example.org\")"))
        .collect();
    let r = app
        .gql(
            &format!("mutation {{ {} }}", fields.join(" ")),
            json!({}),
            None,
        )
        .await;
    assert_eq!(error_code(&r), Some("QUERY_LIMIT"), "{r}");
    // The 30 allowed ones would have spent the throttle; nothing did.
    let r = app
        .gql(
            "mutation { requestLoginCode(email: \"x1@example.org\") }",
            json!({}),
            None,
        )
        .await;
    assert_eq!(r["data"]["requestLoginCode"], true, "{r}");
}

#[tokio::test]
async fn introspection_is_exempt_from_the_depth_limit() {
    let app = TestApp::spawn().await;
    let q = "{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } } } }";
    let r = app.gql(q, json!({}), None).await;
    assert!(
        r.get("errors").is_none(),
        "{}",
        &r.to_string()[..200.min(r.to_string().len())]
    );
}

#[test]
fn every_paged_field_is_known_to_the_node_budget() {
    let doc = parse_schema(cortege_graphql::schema_sdl()).unwrap();
    for def in doc.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let TypeKind::Object(o) = &t.node.kind else {
            continue;
        };
        for f in &o.fields {
            if f.node.arguments.iter().any(|a| a.node.name.node == "first") {
                let name = f.node.name.node.as_str();
                assert!(
                    cortege_graphql::query_limits::CONNECTION_FIELDS.contains(&name),
                    "{}.{name}",
                    t.node.name.node
                );
            }
        }
    }
}

#[tokio::test]
async fn request_bodies_are_limited_by_kind() {
    let app = TestApp::spawn().await;
    let limit = 2 * 1024 * 1024;
    let body = |size: usize| {
        let empty =
            json!({ "query": "query($p: ID!) { event(id: $p) { id } }", "variables": { "p": "" } })
                .to_string();
        json!({ "query": "query($p: ID!) { event(id: $p) { id } }", "variables": { "p": "x".repeat(size - empty.len()) } })
            .to_string()
    };
    let send = |b: String| {
        let client = app.client.clone();
        let url = format!("{}/graphql", app.base);
        async move {
            client
                .post(url)
                .header("content-type", "application/json")
                .body(b)
                .send()
                .await
                .unwrap()
        }
    };
    let exact = body(limit);
    assert_eq!(exact.len(), limit);
    let ok = send(exact).await;
    assert_eq!(ok.status(), 200);
    let ok: serde_json::Value = ok.json().await.unwrap();
    // Read and executed: the (absurd) ID is refused by the resolver.
    assert_eq!(
        error_code(&ok),
        Some("BAD_USER_INPUT"),
        "{}",
        &ok.to_string()[..200]
    );
    assert_eq!(send(body(limit + 1)).await.status(), 413);
    // Multipart may carry a photo: up to 6 MB.
    let form = reqwest::multipart::Form::new()
        .text("operations", json!({ "query": "mutation($f: Upload!) { uploadPhoto(file: $f) { id } }", "variables": { "f": null } }).to_string())
        .text("map", json!({ "0": ["variables.f"] }).to_string())
        .part("0", reqwest::multipart::Part::bytes(vec![0u8; 6 * 1024 * 1024 + 1]).file_name("big.png"));
    let r = app
        .client
        .post(format!("{}/graphql", app.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
}

#[tokio::test]
async fn persisted_queries_by_hash() {
    use sha2::Digest;
    let app = TestApp::spawn().await;
    let query = "{ events(first: 3) { edges { cursor } } }";
    let hash = format!("{:x}", sha2::Sha256::digest(query.as_bytes()));
    let ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let post = |body: serde_json::Value| {
        let client = app.client.clone();
        let url = format!("{}/graphql", app.base);
        async move {
            client
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    };
    let r = post(json!({ "extensions": ext })).await;
    assert_eq!(error_code(&r), Some("PERSISTED_QUERY_NOT_FOUND"), "{r}");
    let r = post(json!({ "query": query, "extensions": ext })).await;
    assert!(r["data"]["events"]["edges"].is_array(), "{r}");
    let r = post(json!({ "extensions": ext })).await;
    assert!(
        r["data"]["events"]["edges"].is_array(),
        "now known by hash: {r}"
    );
    // Limits apply to persisted documents too.
    let deep = "{ events { edges { node { group { events { edges { node { group { events { edges { cursor } } } } } } } } } } }";
    let deep_hash = format!("{:x}", sha2::Sha256::digest(deep.as_bytes()));
    let deep_ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": deep_hash } });
    let r = post(json!({ "query": deep, "extensions": deep_ext })).await;
    assert_eq!(error_code(&r), Some("QUERY_LIMIT"), "{r}");
    let r = post(json!({ "extensions": deep_ext })).await;
    assert_ne!(error_code(&r), None, "{r}");
    // A text that is not its hash's, or another version, is refused; the
    // hash still stands for its own text.
    let other = "{ events(first: 4) { edges { cursor } } }";
    let r = post(json!({ "query": other, "extensions": ext })).await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    let r = post(json!({ "extensions": ext })).await;
    assert!(r["data"]["events"]["edges"].is_array(), "{r}");
    let v2 = json!({ "persistedQuery": { "version": 2, "sha256Hash": hash } });
    let r = post(json!({ "query": query, "extensions": v2 })).await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    // A document that does not parse is told so, hashed or not.
    let broken = "{ events(first: 3) { edges { cursor }";
    let broken_hash = format!("{:x}", sha2::Sha256::digest(broken.as_bytes()));
    let broken_ext = json!({ "persistedQuery": { "version": 1, "sha256Hash": broken_hash } });
    let r = post(json!({ "query": broken, "extensions": broken_ext })).await;
    assert_eq!(error_code(&r), Some("GRAPHQL_PARSE_FAILED"), "{r}");
}

#[tokio::test]
async fn a_resolver_past_its_time_limit_is_timeout_and_commits_nothing() {
    let app = TestApp::spawn_with(|c| c.resolver_timeout_ms = 300).await;
    let org = app.member("Olga", "Org").await;
    let a = app.member("A", "A").await;
    let starts = chrono::Utc::now() + chrono::Duration::days(1);
    let input = json!({
        "title": "Tractage", "description": "", "kind": "LEAFLETING",
        "startsAt": starts.to_rfc3339(), "endsAt": (starts + chrono::Duration::hours(1)).to_rfc3339(),
        "location": { "lat": 48.0, "lon": -4.1 }, "address": { "postcode": "29000", "city": "Quimper" },
    });
    let e = app
        .ok(
            "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }",
            json!({ "i": input }),
            Some(&org.token),
        )
        .await;
    let id = e["createEvent"]["id"].as_str().unwrap().to_owned();
    // Hold the event's row lock: the RSVP waits behind it past its limit.
    let mut blocker = app.pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM events FOR UPDATE")
        .execute(&mut *blocker)
        .await
        .unwrap();
    let r = app
        .gql(
            "mutation($e: ID!) { rsvp(eventId: $e) { status } }",
            json!({ "e": id }),
            Some(&a.token),
        )
        .await;
    assert_eq!(error_code(&r), Some("TIMEOUT"), "{r}");
    blocker.rollback().await.unwrap();
    let rsvps: i64 = sqlx::query_scalar("SELECT count(*) FROM rsvps")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(rsvps, 0, "the timed-out transaction left nothing");
}

#[tokio::test]
async fn content_and_request_rate_limits_at_their_edges() {
    let app = TestApp::spawn_with(|c| {
        c.events_per_hour = 3;
        c.reports_per_day = 2;
    })
    .await;
    let m = app.member("Alice", "Martin").await;
    let create = |i: usize| {
        let starts = chrono::Utc::now() + chrono::Duration::days(1);
        json!({ "i": {
            "title": format!("Action {i}"), "description": "", "kind": "LEAFLETING",
            "startsAt": starts.to_rfc3339(), "endsAt": (starts + chrono::Duration::hours(1)).to_rfc3339(),
            "location": { "lat": 48.0, "lon": -4.1 }, "address": { "postcode": "29000", "city": "Quimper" },
        } })
    };
    let q = "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }";
    for i in 0..3 {
        let r = app.gql(q, create(i), Some(&m.token)).await;
        assert!(r.get("errors").is_none(), "event {i} passes: {r}");
    }
    let r = app.gql(q, create(3), Some(&m.token)).await;
    assert_eq!(error_code(&r), Some("RATE_LIMITED"), "{r}");
    assert!(
        r["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_u64()
            .unwrap()
            > 0
    );
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(n, 3, "the limited request stored nothing");

    let others: Vec<_> = [
        app.member("B", "B").await,
        app.member("C", "C").await,
        app.member("D", "D").await,
    ]
    .into();
    let report = "mutation($s: ID!) { report(input: { subjectId: $s, reason: SPAM, details: \"\" }) { id } }";
    for o in &others[..2] {
        let r = app.gql(report, json!({ "s": o.gid }), Some(&m.token)).await;
        assert!(r.get("errors").is_none(), "{r}");
    }
    let r = app
        .gql(report, json!({ "s": others[2].gid }), Some(&m.token))
        .await;
    assert_eq!(error_code(&r), Some("RATE_LIMITED"), "{r}");
}

#[tokio::test]
async fn the_general_request_budget() {
    let app = TestApp::spawn_with(|c| c.requests_per_minute = 5).await;
    for i in 0..5 {
        let r = app.gql("{ __typename }", json!({}), None).await;
        assert!(r.get("errors").is_none(), "request {i}: {r}");
    }
    let r = app.gql("{ __typename }", json!({}), None).await;
    assert_eq!(error_code(&r), Some("RATE_LIMITED"), "{r}");
}

#[tokio::test]
async fn production_hides_introspection_and_suggestions() {
    let app =
        TestApp::spawn_with(|c| c.environment = cortege_server::config::Environment::Production)
            .await;
    let r = app
        .gql("{ __schema { types { name } } }", json!({}), None)
        .await;
    assert!(r["data"]["__schema"].is_null(), "introspection is off: {r}");
    let r = app
        .gql("{ evnts { edges { cursor } } }", json!({}), None)
        .await;
    let message = r["errors"][0]["message"].as_str().unwrap();
    assert!(
        !message.contains("Did you mean"),
        "no suggestions: {message}"
    );
    assert_eq!(error_code(&r), Some("GRAPHQL_VALIDATION_FAILED"));
    // The API itself works.
    let r = app
        .gql("{ events { edges { cursor } } }", json!({}), None)
        .await;
    assert!(r.get("errors").is_none(), "{r}");
}
