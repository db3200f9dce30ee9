//! What off-the-shelf clients rely on: errored fields are null, never
//! missing; GraphQL over HTTP's media types and statuses; POSTs that must
//! say what they carry. (The graphql-http audit and the Apollo, urql and
//! graphql-ws clients run against a real server in frontend/conformance.)
#![allow(clippy::unwrap_used)]

mod common;

use common::{TestApp, event_input};
use serde_json::{Value, json};

/// Asserts that `data` holds `key` with null, and that an error with that
/// path and code is listed.
fn assert_null_with_error(body: &Value, path: &[&str], code: &str) {
    let (key, parents) = path.split_last().unwrap();
    let mut holder = &body["data"];
    for p in parents {
        holder = &holder[p];
    }
    let object = holder
        .as_object()
        .unwrap_or_else(|| panic!("no object at {parents:?}: {body}"));
    assert!(
        object.get(*key).is_some_and(Value::is_null),
        "{path:?} is present and null: {body}"
    );
    let errors = body["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["path"] == json!(path) && e["extensions"]["code"] == code),
        "an error {code} at {path:?}: {body}"
    );
}

#[tokio::test]
async fn forbidden_nullable_fields_are_null_not_missing() {
    let app = TestApp::spawn().await;
    let organiser = app.member("Olga", "Organise").await;
    let member = app.member("Marc", "Membre").await;

    let body = app
        .gql(
            "{ viewer { email } reports(first: 5) { edges { cursor } } stats { totals { events } } }",
            json!({}),
            Some(&member.token),
        )
        .await;
    assert!(body["data"]["viewer"]["email"].is_string(), "{body}");
    assert_null_with_error(&body, &["reports"], "FORBIDDEN");
    assert_null_with_error(&body, &["stats"], "FORBIDDEN");

    let event = app
        .create_event(
            &organiser.token,
            event_input("Tractage", (48.11, -1.68), "35000", "Rennes"),
        )
        .await;
    let body = app
        .gql(
            "query($id: ID!) { event(id: $id) { title attendees(first: 5) { edges { cursor } } } }",
            json!({ "id": event }),
            Some(&member.token),
        )
        .await;
    assert_eq!(body["data"]["event"]["title"], "Tractage", "{body}");
    assert_null_with_error(&body, &["event", "attendees"], "FORBIDDEN");

    let group = app
        .ok(
            "mutation { createGroup(input: { name: \"Rennes nord\", description: \"\" }) { id } }",
            json!({}),
            Some(&organiser.token),
        )
        .await["createGroup"]["id"]
        .clone();
    let body = app
        .gql(
            "query($id: ID!) { node(id: $id) { ... on Group { name \
             members(first: 5) { edges { cursor } } joinRequests(first: 5) { edges { cursor } } } } }",
            json!({ "id": group }),
            Some(&member.token),
        )
        .await;
    assert_eq!(body["data"]["node"]["name"], "Rennes nord", "{body}");
    assert_null_with_error(&body, &["node", "members"], "FORBIDDEN");
    assert_null_with_error(&body, &["node", "joinRequests"], "FORBIDDEN");
}

async fn post_raw(
    app: &TestApp,
    content_type: Option<&str>,
    accept: Option<&str>,
    body: &str,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.base))
        .body(body.to_owned());
    if let Some(c) = content_type {
        request = request.header("content-type", c);
    }
    if let Some(a) = accept {
        request = request.header("accept", a);
    }
    request.send().await.unwrap()
}

fn content_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn graphql_over_http_media_types_and_statuses() {
    let app = TestApp::spawn().await;
    let ok = r#"{"query":"{ __typename }"}"#;
    for accept in [None, Some("*/*"), Some("application/json")] {
        let r = post_raw(&app, Some("application/json"), accept, ok).await;
        assert_eq!(r.status(), 200);
        assert!(
            content_type(&r).starts_with("application/json"),
            "{accept:?}"
        );
    }
    // With the GraphQL media type, a document that does not parse or
    // validate is a 400 without `data`; with plain JSON, a 200.
    for (query, code) in [
        ("{", "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
    ] {
        let body = json!({ "query": query }).to_string();
        let r = post_raw(
            &app,
            Some("application/json"),
            Some("application/graphql-response+json"),
            &body,
        )
        .await;
        assert_eq!(r.status(), 400, "{query}");
        assert!(content_type(&r).starts_with("application/graphql-response+json"));
        let v: Value = r.json().await.unwrap();
        assert!(v.get("data").is_none(), "no data entry: {v}");
        assert_eq!(v["errors"][0]["extensions"]["code"], code);
        let r = post_raw(&app, Some("application/json"), None, &body).await;
        assert_eq!(r.status(), 200, "{query}");
        let v: Value = r.json().await.unwrap();
        assert!(v.get("data").is_none(), "no data entry: {v}");
    }
    // A field error is no request error: 200 under either type.
    let r = post_raw(
        &app,
        Some("application/json"),
        Some("application/graphql-response+json"),
        r#"{"query":"{ stats { totals { events } } }"}"#,
    )
    .await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{v}"
    );
    assert!(v["data"].as_object().unwrap().contains_key("stats"), "{v}");

    // A POST must say what it carries.
    for c in [None, Some("text/plain")] {
        let r = post_raw(&app, c, None, ok).await;
        assert_eq!(r.status(), 415, "{c:?}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
}

#[tokio::test]
async fn a_cookie_authenticated_multipart_post_needs_the_csrf_header() {
    let app = TestApp::spawn().await;
    let m = app.member("Carla", "Cookie").await;
    let send = |csrf: bool| {
        let operations = json!({ "query": "{ viewer { email } }" }).to_string();
        let form = reqwest::multipart::Form::new()
            .text("operations", operations)
            .text("map", "{}");
        let mut request = app
            .client
            .post(format!("{}/graphql", app.base))
            .header("cookie", format!("cortege_session={}", m.token))
            .multipart(form);
        if csrf {
            request = request.header("x-cortege-csrf", "1");
        }
        request.send()
    };
    let refused = send(false).await.unwrap();
    assert_eq!(refused.status(), 403);
    let v: Value = refused.json().await.unwrap();
    assert_eq!(v["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let accepted = send(true).await.unwrap();
    assert_eq!(accepted.status(), 200);
    let v: Value = accepted.json().await.unwrap();
    assert!(v["data"]["viewer"]["email"].is_string(), "{v}");
}
