//! Accounts and login, end to end over HTTP against a real PostgreSQL.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{TestApp, error_code, error_field, files_under};
use serde_json::json;

const SIGN_UP: &str = "mutation($i: SignUpInput!) { signUp(input: $i) { loginCodeSent } }";
const VERIFY: &str = "mutation($e: String!, $c: String!) { verifyLoginCode(email: $e, code: $c) { token viewer { email person { firstName displayName } } } }";
const REQUEST: &str = "mutation($e: String!) { requestLoginCode(email: $e) }";
const VIEWER: &str = "{ viewer { email roles hasAcceptedPledge actionRadiusKm homeLocation { lat lon } person { id firstName lastName displayName commune { code name departmentCode regionName } } } }";

fn sign_up_input(email: &str) -> serde_json::Value {
    json!({ "firstName": "Alice", "lastName": "Martin", "email": email, "acceptsPledge": true })
}

#[tokio::test]
async fn sign_up_then_code_from_mail_then_viewer() {
    let app = TestApp::spawn().await;
    let mut input = sign_up_input("  Alice.Martin@Example.FR ");
    input["firstName"] = json!("  Alice ");
    input["postcode"] = json!("29000");
    let r = app.gql(SIGN_UP, json!({ "i": input }), None).await;
    assert_eq!(
        r,
        json!({ "data": { "signUp": { "loginCodeSent": true } } })
    );

    let (subject, body) = app.next_mail("alice.martin@example.fr").await;
    let code = common::code_in(&body).expect("code on its own line");
    assert!(subject.contains(&code), "code in the subject: {subject}");

    let r = app
        .post(
            VERIFY,
            json!({ "e": "ALICE.martin@example.fr", "c": code.to_lowercase() }),
            None,
        )
        .await;
    let cookie = r
        .headers()
        .get("set-cookie")
        .expect("cookie")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http: no Secure flag");
    let r: serde_json::Value = r.json().await.unwrap();
    let token = r["data"]["verifyLoginCode"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    assert_eq!(token.len(), 43, "256 bits, base64url");
    assert_eq!(
        r["data"]["verifyLoginCode"]["viewer"]["person"]["firstName"],
        "Alice"
    );

    let v = app.gql(VIEWER, json!({}), Some(&token)).await;
    let viewer = &v["data"]["viewer"];
    assert_eq!(viewer["email"], "alice.martin@example.fr");
    assert_eq!(viewer["roles"], json!(["MEMBER"]));
    assert_eq!(viewer["hasAcceptedPledge"], true);
    assert_eq!(viewer["actionRadiusKm"], 20.0);
    assert_eq!(viewer["person"]["displayName"], "Alice M.");
    assert_eq!(viewer["person"]["commune"]["code"], "29232");
    assert_eq!(viewer["person"]["commune"]["name"], "Quimper");
    assert_eq!(viewer["person"]["commune"]["departmentCode"], "29");
    assert_eq!(viewer["person"]["commune"]["regionName"], "Bretagne");
    // A postcode alone places the member at the commune centre.
    let lat = viewer["homeLocation"]["lat"].as_f64().unwrap();
    assert!((lat - 47.996).abs() < 0.01, "{lat}");

    // The cookie works as well as the bearer token.
    let session_cookie = cookie.split(';').next().unwrap().to_owned();
    let by_cookie: serde_json::Value = app
        .client
        .post(format!("{}/graphql", app.base))
        .header("cookie", session_cookie)
        .json(&json!({ "query": "{ viewer { email } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        by_cookie["data"]["viewer"]["email"],
        "alice.martin@example.fr"
    );

    // Anonymous: viewer is null, not an error.
    let anon = app.gql("{ viewer { email } }", json!({}), None).await;
    assert_eq!(anon, json!({ "data": { "viewer": null } }));
}

#[tokio::test]
async fn logout_revokes_the_token() {
    let app = TestApp::spawn().await;
    let token = app
        .sign_up_and_login("Bob", "Durand", "bob@example.org")
        .await;
    let r = app
        .post("mutation { logout }", json!({}), Some(&token))
        .await;
    let cleared = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let r: serde_json::Value = r.json().await.unwrap();
    assert_eq!(r["data"]["logout"], true);

    let after = app
        .gql("{ viewer { email } }", json!({}), Some(&token))
        .await;
    assert_eq!(error_code(&after), Some("UNAUTHENTICATED"), "{after}");
    assert!(
        after["data"].is_null(),
        "never served as anonymous: {after}"
    );

    // A stale cookie is refused too, and cleared.
    let r = app
        .client
        .post(format!("{}/graphql", app.base))
        .header("cookie", format!("cortege_session={token}"))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert!(
        r.headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let r: serde_json::Value = r.json().await.unwrap();
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"));

    let garbage = app
        .gql("{ __typename }", json!({}), Some("not-a-token"))
        .await;
    assert_eq!(error_code(&garbage), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn bad_sign_up_inputs_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let before = app.snapshot().await;
    let cases = [
        ("acceptsPledge", json!(false), "input.acceptsPledge"),
        ("firstName", json!(""), "input.firstName"),
        ("firstName", json!("   "), "input.firstName"),
        ("lastName", json!("x".repeat(500)), "input.lastName"),
        ("firstName", json!("é".repeat(101)), "input.firstName"),
        ("email", json!("not-an-email"), "input.email"),
        ("email", json!("alice@localhost"), "input.email"),
        ("postcode", json!("99999"), "input.postcode"),
        ("postcode", json!("abc"), "input.postcode"),
        (
            "homeLocation",
            json!({ "lat": 91.0, "lon": 0.0 }),
            "input.homeLocation.lat",
        ),
    ];
    for (field, value, path) in cases {
        let mut input = sign_up_input("carol@example.org");
        input[field] = value.clone();
        let r = app.gql(SIGN_UP, json!({ "i": input }), None).await;
        assert_eq!(
            error_code(&r),
            Some("BAD_USER_INPUT"),
            "{field}={value}: {r}"
        );
        assert_eq!(error_field(&r), Some(path), "{field}={value}: {r}");
        assert!(r["data"].is_null(), "{r}");
    }
    // Exactly 100 characters pass the name check (then the pledge refuses).
    let mut input = sign_up_input("carol@example.org");
    input["firstName"] = json!("é".repeat(100));
    input["acceptsPledge"] = json!(false);
    let r = app.gql(SIGN_UP, json!({ "i": input }), None).await;
    assert_eq!(error_field(&r), Some("input.acceptsPledge"));

    assert_eq!(app.snapshot().await, before);
    assert_eq!(app.mail_count(), 0);
}

#[tokio::test]
async fn wrong_reused_and_expired_codes_are_refused() {
    let app = TestApp::spawn().await;
    let email = "dan@example.org";
    app.gql(SIGN_UP, json!({ "i": sign_up_input(email) }), None)
        .await;
    let code = app.next_code(email).await;

    let before = app.snapshot().await;
    let wrong = if code == "AAAAAAAA" {
        "BBBBBBBB"
    } else {
        "AAAAAAAA"
    };
    let r = app
        .gql(VERIFY, json!({ "e": email, "c": wrong }), None)
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{r}");
    assert_eq!(error_field(&r), Some("code"));
    let r = app.gql(VERIFY, json!({ "e": email, "c": "?" }), None).await;
    assert_eq!(error_field(&r), Some("code"), "malformed code: {r}");
    assert_eq!(app.snapshot().await, before, "a wrong code changes nothing");

    app.login(email, &code).await;
    let r = app
        .gql(VERIFY, json!({ "e": email, "c": code }), None)
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "reused: {r}");
    assert_eq!(error_field(&r), Some("code"));

    // Expired: a code older than its lifetime.
    app.gql(REQUEST, json!({ "e": email }), None).await;
    let code = app.next_code(email).await;
    sqlx::query(
        "UPDATE login_codes SET expires_at = now() - interval '1 second' WHERE used_at IS NULL",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let before = app.snapshot().await;
    let r = app
        .gql(VERIFY, json!({ "e": email, "c": code }), None)
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "expired: {r}");
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn sixth_wrong_guess_is_rate_limited() {
    let app = TestApp::spawn().await;
    let email = "eve@example.org";
    app.gql(SIGN_UP, json!({ "i": sign_up_input(email) }), None)
        .await;
    let code = app.next_code(email).await;
    let wrong = if code == "AAAAAAAA" {
        "BBBBBBBB"
    } else {
        "AAAAAAAA"
    };
    for attempt in 1..=5 {
        let r = app
            .gql(VERIFY, json!({ "e": email, "c": wrong }), None)
            .await;
        assert_eq!(
            error_code(&r),
            Some("BAD_USER_INPUT"),
            "attempt {attempt}: {r}"
        );
    }
    let before = app.snapshot().await;
    let r = app
        .gql(VERIFY, json!({ "e": email, "c": code }), None)
        .await;
    assert_eq!(error_code(&r), Some("RATE_LIMITED"), "{r}");
    let retry = r["errors"][0]["extensions"]["retryAfterSeconds"]
        .as_u64()
        .expect("retryAfterSeconds");
    assert!(retry >= 1, "{r}");
    assert_eq!(
        app.snapshot().await,
        before,
        "the refused attempt used no code"
    );
}

#[tokio::test]
async fn sends_are_throttled_per_email_and_per_address() {
    let app = TestApp::spawn_with(|c| c.login_codes_per_address = 8).await;
    for _ in 0..5 {
        let r = app
            .gql(REQUEST, json!({ "e": "nobody@example.org" }), None)
            .await;
        assert_eq!(r["data"]["requestLoginCode"], true, "{r}");
    }
    let r = app
        .gql(REQUEST, json!({ "e": "NOBODY@example.org" }), None)
        .await;
    assert_eq!(
        error_code(&r),
        Some("RATE_LIMITED"),
        "6th send to one email: {r}"
    );
    // signUp shares the throttle.
    let r = app
        .gql(
            SIGN_UP,
            json!({ "i": sign_up_input("nobody@example.org") }),
            None,
        )
        .await;
    assert_eq!(error_code(&r), Some("RATE_LIMITED"), "{r}");
    // Per address: 8 attempts in all from this client, whatever the emails
    // (the two refused above count: attempts, not successes, are limited).
    let r = app
        .gql(REQUEST, json!({ "e": "other@example.org" }), None)
        .await;
    assert_eq!(r["data"]["requestLoginCode"], true, "{r}");
    let r = app
        .gql(REQUEST, json!({ "e": "third@example.org" }), None)
        .await;
    assert_eq!(
        error_code(&r),
        Some("RATE_LIMITED"),
        "9th from one address: {r}"
    );
}

#[tokio::test]
async fn known_and_unknown_emails_get_identical_answers() {
    let app = TestApp::spawn().await;
    app.sign_up_and_login("Fanny", "Petit", "fanny@example.org")
        .await;
    let people_before: i64 = sqlx::query_scalar("SELECT count(*) FROM people")
        .fetch_one(&app.pool)
        .await
        .unwrap();

    let known = app
        .post(REQUEST, json!({ "e": "fanny@example.org" }), None)
        .await;
    let known = known.bytes().await.unwrap();
    let unknown = app
        .post(REQUEST, json!({ "e": "ghost@example.org" }), None)
        .await;
    let unknown = unknown.bytes().await.unwrap();
    assert_eq!(known, unknown);
    app.next_code("fanny@example.org").await;

    // signUp with an existing email: same bytes as a new one, a mail saying
    // so with a code, and the account unchanged.
    let snapshot = sqlx::query_scalar::<_, String>(
        "SELECT p::text FROM people p WHERE email = 'fanny@example.org'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let mut again = sign_up_input("Fanny@Example.org");
    again["firstName"] = json!("Mallory");
    let existing = app
        .post(SIGN_UP, json!({ "i": again }), None)
        .await
        .bytes()
        .await
        .unwrap();
    let fresh = app
        .post(
            SIGN_UP,
            json!({ "i": sign_up_input("newcomer@example.org") }),
            None,
        )
        .await
        .bytes()
        .await
        .unwrap();
    assert_eq!(existing, fresh);
    let (_, body) = app.next_mail("fanny@example.org").await;
    assert!(body.contains("déjà un compte"), "{body}");
    assert!(common::code_in(&body).is_some());
    app.next_mail("newcomer@example.org").await;
    let after = sqlx::query_scalar::<_, String>(
        "SELECT p::text FROM people p WHERE email = 'fanny@example.org'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(snapshot, after, "the existing account is untouched");
    let people_after: i64 = sqlx::query_scalar("SELECT count(*) FROM people")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        people_after,
        people_before + 1,
        "only the newcomer was created"
    );
}

#[tokio::test]
async fn codes_are_stored_hashed_and_capped_at_three() {
    let app = TestApp::spawn().await;
    let email = "hugo@example.org";
    app.gql(SIGN_UP, json!({ "i": sign_up_input(email) }), None)
        .await;
    let mut codes = vec![app.next_code(email).await];
    for _ in 0..3 {
        app.gql(REQUEST, json!({ "e": email }), None).await;
        codes.push(app.next_code(email).await);
    }
    let stored: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM login_codes")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 3, "at most 3 live codes");
    for (hash, code) in stored.iter().zip(&codes) {
        assert!(hash.starts_with("$argon2id$") && !hash.contains(code.as_str()));
    }
    // The oldest was retired; the newest works.
    let r = app
        .gql(VERIFY, json!({ "e": email, "c": codes[0] }), None)
        .await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"));
    app.login(email, &codes[3]).await;
}

#[tokio::test]
async fn profile_updates_validate_and_apply() {
    let app = TestApp::spawn().await;
    let token = app
        .sign_up_and_login("Inès", "Roux", "ines@example.org")
        .await;
    let update = "mutation($i: UpdateProfileInput!) { updateProfile(input: $i) { actionRadiusKm homeLocation { lat lon } person { firstName commune { name } } } }";
    let before = app.snapshot().await;
    for (input, field) in [
        (json!({ "actionRadiusKm": 0 }), "input.actionRadiusKm"),
        (json!({ "actionRadiusKm": 501 }), "input.actionRadiusKm"),
        (json!({ "firstName": "" }), "input.firstName"),
        (
            json!({ "homeLocation": { "lat": 0, "lon": 181 } }),
            "input.homeLocation.lon",
        ),
        (json!({ "postcode": "00000" }), "input.postcode"),
    ] {
        let r = app.gql(update, json!({ "i": input }), Some(&token)).await;
        assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "{input}: {r}");
        assert_eq!(error_field(&r), Some(field), "{input}: {r}");
    }
    assert_eq!(app.snapshot().await, before);

    let r = app
        .gql(update, json!({ "i": { "postcode": "13001", "actionRadiusKm": 35, "firstName": " Inès-Marie " } }), Some(&token))
        .await;
    let v = &r["data"]["updateProfile"];
    assert_eq!(v["actionRadiusKm"], 35.0, "{r}");
    assert_eq!(v["person"]["firstName"], "Inès-Marie");
    assert_eq!(
        v["person"]["commune"]["name"], "Marseille",
        "the city before its arrondissement"
    );
    let r = app
        .gql(
            update,
            json!({ "i": { "homeLocation": { "lat": 43.3, "lon": 5.4 } } }),
            Some(&token),
        )
        .await;
    assert_eq!(
        r["data"]["updateProfile"]["homeLocation"],
        json!({ "lat": 43.3, "lon": 5.4 })
    );

    let anon = app
        .gql(update, json!({ "i": { "firstName": "X" } }), None)
        .await;
    assert_eq!(error_code(&anon), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn strangers_see_a_coarse_profile_and_anonymous_even_less() {
    let app = TestApp::spawn().await;
    let alice = app
        .sign_up_and_login("Alice", "Martin", "alice@example.org")
        .await;
    let bob = app
        .sign_up_and_login("Bob", "Durand", "bob@example.org")
        .await;
    let id = app
        .gql("{ viewer { person { id } } }", json!({}), Some(&alice))
        .await["data"]["viewer"]["person"]["id"]
        .clone();
    let q = "query($id: ID!) { person(id: $id) { id firstName lastName displayName photoUrl friendCount isFriend } }";
    let seen = app.gql(q, json!({ "id": id }), Some(&bob)).await;
    assert_eq!(seen["data"]["person"]["firstName"], "Alice");
    assert_eq!(seen["data"]["person"]["displayName"], "Alice M.");
    assert_eq!(seen["data"]["person"]["isFriend"], false);
    // No email or exact location exists on Person at all.
    let leak = app
        .gql(
            "query($id: ID!) { person(id: $id) { email } }",
            json!({ "id": id }),
            Some(&bob),
        )
        .await;
    assert_eq!(error_code(&leak), Some("GRAPHQL_VALIDATION_FAILED"));
    let anon = app.gql(q, json!({ "id": id }), None).await;
    assert_eq!(error_code(&anon), Some("UNAUTHENTICATED"));
    let node = app
        .gql(
            "query($id: ID!) { node(id: $id) { id ... on Person { displayName } } }",
            json!({ "id": id }),
            Some(&bob),
        )
        .await;
    assert_eq!(node["data"]["node"]["displayName"], "Alice M.");
    let bad = app.gql(q, json!({ "id": "garbage" }), Some(&bob)).await;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"));
    assert_eq!(error_field(&bad), Some("id"));
}

#[tokio::test]
async fn documents_that_do_not_parse_or_validate_get_their_codes() {
    let app = TestApp::spawn().await;
    let r = app.gql("{ viewer { ", json!({}), None).await;
    assert_eq!(error_code(&r), Some("GRAPHQL_PARSE_FAILED"), "{r}");
    let r = app.gql("{ nope }", json!({}), None).await;
    assert_eq!(error_code(&r), Some("GRAPHQL_VALIDATION_FAILED"), "{r}");
    let r = app
        .gql(
            "mutation($e: String!) { requestLoginCode(email: $e) }",
            json!({ "e": 12 }),
            None,
        )
        .await;
    assert!(error_code(&r).is_some(), "{r}");
    // GET serves queries, GraphiQL, and never mutations.
    let get = app
        .client
        .get(format!("{}/graphql?query=%7B__typename%7D", app.base))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = get.json().await.unwrap();
    assert_eq!(body["data"]["__typename"], "Query");
    let get = app
        .client
        .get(format!("{}/graphql?query=mutation%7Blogout%7D", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 405);
    let page = app
        .client
        .get(format!("{}/graphql", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("graphiql"), "GraphiQL page");
    let ready = app
        .client
        .get(format!("{}/health/ready", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200);
    let live = app
        .client
        .get(format!("{}/health/live", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
    assert!(files_under(&app.media_dir()) == 0);
}
