//! What off-the-shelf clients rely on: errored fields are null, never
//! missing; GraphQL over HTTP's media types and statuses; POSTs that must
//! say what they carry. (The graphql-http audit and the Apollo, urql and
//! graphql-ws clients run against a real server in frontend/conformance.)
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{Lcg, TestApp, event_input};
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

/// A response header's value, or "" without it.
fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
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
            header(&r, "content-type").starts_with("application/json"),
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
        assert!(header(&r, "content-type").starts_with("application/graphql-response+json"));
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

    // A body without a query is malformed.
    let r = post_raw(
        &app,
        Some("application/json"),
        None,
        r#"{"qeury":"{ __typename }"}"#,
    )
    .await;
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["errors"][0]["extensions"]["field"], "query", "{v}");

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

/// The ids of `events` or `groups` (`listing`) nearest `centre`, page
/// after page of `first`.
async fn nearest_pages(
    app: &TestApp,
    token: &str,
    listing: &str,
    centre: (f64, f64),
    first: usize,
) -> Vec<String> {
    let filter = match listing {
        "events" => "EventFilter",
        _ => "GroupFilter",
    };
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    loop {
        assert!(
            ids.len() <= 200,
            "the pages never end: ends with {:?}",
            &ids[ids.len() - 3..]
        );
        let data = app
            .ok(
                &format!(
                    "query($f: {filter}, $n: Int, $a: String) {{ {listing}(filter: $f, first: $n, after: $a) {{
                       edges {{ cursor node {{ id }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
                ),
                json!({
                    "f": { "near": { "lat": centre.0, "lon": centre.1 }, "radiusKm": 5.0 },
                    "n": first,
                    "a": after,
                }),
                Some(token),
            )
            .await;
        let connection = &data[listing];
        let edges = connection["edges"].as_array().unwrap();
        assert!(edges.len() <= first);
        ids.extend(
            edges
                .iter()
                .map(|e| e["node"]["id"].as_str().unwrap().to_owned()),
        );
        if !connection["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            return ids;
        }
        assert_eq!(edges.len(), first, "a page before the last is full");
        after = Some(
            connection["pageInfo"]["endCursor"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
}

#[tokio::test]
async fn nearest_first_pages_never_repeat_or_skip() {
    // Pages of one cost a request an event.
    let app = TestApp::spawn_with(|c| c.requests_per_minute = 100_000).await;
    let organiser = app.member("Nora", "Proche").await;
    let (postcode, city, commune): (String, String, String) = sqlx::query_as(
        "SELECT p.postcode, c.name, c.code FROM commune_postcodes p JOIN communes c ON c.code = p.commune_code
         ORDER BY c.code LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let mut rng = Lcg(20_261_201);
    let starts = chrono::Utc::now() + chrono::Duration::days(3);
    // Each layout 60 km from the others, so that none sees another's events.
    for layout in 0..12 {
        let centre = (43.0 + f64::from(layout) * 0.55, 1.5);
        let n = 5 + rng.next(56);
        let mut points: Vec<(f64, f64)> = Vec::new();
        for i in 0..n {
            let point = match rng.next(5) {
                // At the centre: distance 0.
                0 => centre,
                // An equal address: a tie with an earlier event.
                1 if !points.is_empty() => points[rng.next(points.len())],
                // 100 m apart along a meridian, as a street of stalls.
                2 => (centre.0 + 0.000_9 * (i as f64), centre.1),
                // On a ring: equal distances in theory, within an ulp in
                // floating point.
                3 => {
                    let bearing = (rng.next(360) as f64).to_radians();
                    let lat = centre.0 + 0.01 * bearing.cos();
                    (
                        lat,
                        centre.1 + 0.01 * bearing.sin() / lat.to_radians().cos(),
                    )
                }
                _ => (
                    centre.0 + (rng.next(4_000) as f64 - 2_000.0) * 0.000_01,
                    centre.1 + (rng.next(4_000) as f64 - 2_000.0) * 0.000_01,
                ),
            };
            points.push(point);
            cortege_db::groups::create(
                &app.pool,
                cortege_domain::PersonId(organiser.id),
                &cortege_db::groups::NewGroup {
                    name: format!("Layout {layout}, group {i}"),
                    description: "Comité.".to_owned(),
                    join_policy: cortege_domain::JoinPolicy::Open,
                    location: Some(point),
                    address: None,
                },
            )
            .await
            .unwrap();
            cortege_db::events::create(
                &app.pool,
                &cortege_db::events::NewEvent {
                    organiser: cortege_domain::PersonId(organiser.id),
                    group: None,
                    kind: cortege_domain::EventKind::Leafleting,
                    visibility: cortege_domain::Visibility::Public,
                    title: format!("Layout {layout}, event {i}"),
                    description: "Tractage.".to_owned(),
                    starts_at: starts,
                    ends_at: starts + chrono::Duration::hours(2),
                    location: cortege_domain::GeoPoint::parse(point.0, point.1).unwrap(),
                    address: cortege_domain::PostalAddress {
                        street: None,
                        postcode: postcode.clone(),
                        city: city.clone(),
                        commune_code: commune.clone(),
                    },
                    capacity: None,
                    address_visibility: cortege_domain::AddressVisibility::Public,
                    instructions: None,
                    online: false,
                    online_url: None,
                },
            )
            .await
            .unwrap();
        }
        let mut sizes = vec![1, 10, 1 + rng.next(100)];
        sizes.push(1 + rng.next(n));
        for listing in ["events", "groups"] {
            let unpaged = nearest_pages(&app, &organiser.token, listing, centre, 100).await;
            assert_eq!(
                unpaged.len(),
                n,
                "layout {layout}: every one of {listing}, once"
            );
            for &first in &sizes {
                let paged = nearest_pages(&app, &organiser.token, listing, centre, first).await;
                assert_eq!(
                    paged, unpaged,
                    "layout {layout} ({n} {listing}), pages of {first}"
                );
            }
        }
    }
}

#[tokio::test]
async fn responses_carry_security_headers_caching_and_compression() {
    let web = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(web.path().join("assets")).unwrap();
    std::fs::write(
        web.path().join("index.html"),
        "<!doctype html><title>Cortège</title>",
    )
    .unwrap();
    std::fs::write(
        web.path().join("assets/index-3f2a9c.js"),
        "console.log('cortège');".repeat(20),
    )
    .unwrap();
    let dir = web.path().to_path_buf();
    let app = TestApp::spawn_with(move |c| {
        c.web_dir = Some(dir);
        c.public_url = Some("https://cortege.example".to_owned());
    })
    .await;
    let get = |path: &str| {
        app.client
            .get(format!("{}{path}", app.base))
            .header("accept-encoding", "br, gzip")
            .send()
    };
    for path in [
        "/",
        "/events/42",
        "/assets/index-3f2a9c.js",
        "/health/live",
        "/graphql?query=%7B__typename%7D",
    ] {
        let r = get(path).await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let csp = header(&r, "content-security-policy");
        assert!(csp.contains("script-src 'self';"), "{path}: {csp}");
        assert!(
            !csp.contains("script-src 'self' 'unsafe-inline'"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(header(&r, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&r, "referrer-policy"), "same-origin", "{path}");
        assert!(
            header(&r, "strict-transport-security").starts_with("max-age="),
            "{path}"
        );
    }
    let asset = get("/assets/index-3f2a9c.js").await.unwrap();
    assert_eq!(
        header(&asset, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(header(&asset, "content-encoding"), "br");
    for page in ["/", "/events/42"] {
        assert_eq!(
            header(&get(page).await.unwrap(), "cache-control"),
            "no-cache",
            "{page}"
        );
    }
    // JSON answers are compressed too, and never cached (personal data).
    let r = app
        .client
        .post(format!("{}/graphql", app.base))
        .header("accept-encoding", "gzip")
        .json(&json!({ "query": "{ __schema { queryType { name } } __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&r, "content-encoding"), "gzip");
    assert_eq!(header(&r, "cache-control"), "no-store");
}

#[tokio::test]
async fn graphiql_is_off_in_production_unless_asked_for() {
    use cortege_server::config::Environment;
    let page = |app: &TestApp| {
        app.client
            .get(format!("{}/graphql", app.base))
            .header("accept", "text/html")
            .send()
    };
    let production = TestApp::spawn_with(|c| c.environment = Environment::Production).await;
    assert_eq!(page(&production).await.unwrap().status(), 404);
    let asked = TestApp::spawn_with(|c| {
        c.environment = Environment::Production;
        c.graphiql = Some(true);
    })
    .await;
    let r = page(&asked).await.unwrap();
    assert_eq!(r.status(), 200);
    let body = r.text().await.unwrap();
    assert!(body.contains("graphiql"), "{body}");
    // Nothing the server sends names a third-party host to load from.
    assert!(!body.contains("unpkg") && !body.contains("cdn"), "{body}");
}
