//! The rights of members: export of their data, deletion of their account.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use common::{TestApp, error_code, error_field};
use serde_json::json;

#[tokio::test]
async fn the_export_covers_every_reference_to_people() {
    let app = TestApp::spawn().await;
    let fks: BTreeSet<(String, String)> = sqlx::query_as(
        "SELECT tc.table_name::text, kcu.column_name::text
         FROM information_schema.table_constraints tc
         JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = tc.constraint_name
         JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name
         WHERE tc.constraint_type = 'FOREIGN KEY' AND ccu.table_name = 'people' AND tc.table_schema = 'public'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    let covered: BTreeSet<(String, String)> = cortege_db::privacy::EXPORT_COVERAGE
        .iter()
        .map(|(t, c)| ((*t).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(
        fks, covered,
        "a table refers to people that exportMyData does not cover"
    );
}

#[tokio::test]
async fn export_then_delete_my_account() {
    let app = TestApp::spawn().await;
    let token = app
        .sign_up_and_login("Jeanne", "Bernard", "jeanne@example.org")
        .await;
    let org = app.member("Olga", "Org").await;
    let starts = Utc::now() + Duration::days(1);
    let input = json!({
        "title": "Porte-à-porte", "description": "", "kind": "DOOR_TO_DOOR",
        "startsAt": starts.to_rfc3339(), "endsAt": (starts + Duration::hours(1)).to_rfc3339(),
        "location": { "lat": 48.11, "lon": -1.68 }, "address": { "postcode": "35000", "city": "Rennes" },
    });
    let e = app
        .ok(
            "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }",
            json!({ "i": input }),
            Some(&org.token),
        )
        .await;
    app.ok(
        "mutation($e: ID!) { rsvp(eventId: $e, guests: 1) { id } }",
        json!({ "e": e["createEvent"]["id"] }),
        Some(&token),
    )
    .await;
    app.ok(
        "mutation($p: ID!) { sendFriendRequest(personId: $p) { id } }",
        json!({ "p": org.gid }),
        Some(&token),
    )
    .await;

    let export = app
        .ok("mutation { exportMyData }", json!({}), Some(&token))
        .await;
    let doc: serde_json::Value =
        serde_json::from_str(export["exportMyData"].as_str().unwrap()).unwrap();
    assert_eq!(doc["person"]["email"], "jeanne@example.org");
    assert_eq!(doc["rsvps"].as_array().unwrap().len(), 1);
    assert_eq!(doc["friendships"].as_array().unwrap().len(), 1);
    assert_eq!(doc["sessions"].as_array().unwrap().len(), 1);
    let text = doc.to_string();
    assert!(
        !text.contains("token_hash") && !text.contains("code_hash"),
        "no secrets in the export"
    );

    // A fresh code is needed: a wrong one, or one older than 10 minutes, is refused.
    let del = "mutation($c: String!) { deleteMyAccount(code: $c) }";
    let r = app.gql(del, json!({ "c": "AAAAAAAA" }), Some(&token)).await;
    assert_eq!(error_field(&r), Some("code"), "{r}");
    app.gql(
        "mutation { requestLoginCode(email: \"jeanne@example.org\") }",
        json!({}),
        None,
    )
    .await;
    let old = app.next_code("jeanne@example.org").await;
    sqlx::query(
        "UPDATE login_codes SET created_at = now() - interval '11 minutes' WHERE used_at IS NULL",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let r = app.gql(del, json!({ "c": old }), Some(&token)).await;
    assert_eq!(error_code(&r), Some("BAD_USER_INPUT"), "stale code: {r}");
    app.gql(
        "mutation { requestLoginCode(email: \"jeanne@example.org\") }",
        json!({}),
        None,
    )
    .await;
    let code = app.next_code("jeanne@example.org").await;
    assert_eq!(
        app.ok(del, json!({ "c": code }), Some(&token)).await["deleteMyAccount"],
        true
    );

    let r = app
        .gql("{ viewer { email } }", json!({}), Some(&token))
        .await;
    assert_eq!(error_code(&r), Some("UNAUTHENTICATED"));
    let (first, email, lat, deleted): (Option<String>, Option<String>, Option<f64>, bool) = sqlx::query_as(
        "SELECT first_name, email, home_lat, deleted_at IS NOT NULL FROM people WHERE id = (SELECT person_id FROM rsvps)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((first, email, lat, deleted), (None, None, None, true));
    // The anonymous count stays: the event still has its two seats.
    let seats: i32 = sqlx::query_scalar("SELECT seats_taken FROM events")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(seats, 2);
    // The address is free again (a new sign-up creates a new account).
    let again = app
        .sign_up_and_login("Jeanne", "Bernard", "jeanne@example.org")
        .await;
    let v = app
        .ok(
            "{ viewer { person { friendCount } } }",
            json!({}),
            Some(&again),
        )
        .await;
    assert_eq!(v["viewer"]["person"]["friendCount"], 0);
}

#[tokio::test]
async fn a_banned_member_who_deletes_the_account_stays_banned() {
    let app = TestApp::spawn().await;
    let token = app
        .sign_up_and_login("Olivier", "Opposant", "op@example.org")
        .await;
    app.gql(
        "mutation { requestLoginCode(email: \"op@example.org\") }",
        json!({}),
        None,
    )
    .await;
    let code = app.next_code("op@example.org").await;
    app.ok(
        "mutation($c: String!) { deleteMyAccount(code: $c) }",
        json!({ "c": code }),
        Some(&token),
    )
    .await;
    // Banned after the fact (as a moderator would have before): the hash stays.
    sqlx::query("UPDATE people SET banned_at = now(), banned_email_hash = sha256(convert_to('op@example.org', 'UTF8'))")
        .execute(&app.pool)
        .await
        .unwrap();
    let mails = app.mail_count();
    let r = app
        .gql(
            "mutation($i: SignUpInput!) { signUp(input: $i) { loginCodeSent } }",
            json!({ "i": { "firstName": "O", "lastName": "O", "email": "op@example.org", "acceptsPledge": true } }),
            None,
        )
        .await;
    assert_eq!(
        r["data"]["signUp"]["loginCodeSent"], true,
        "same answer as always"
    );
    app.sign_up_and_login("Wit", "Ness", "witness@example.org")
        .await;
    assert_eq!(
        app.mail_count(),
        mails + 1,
        "nothing was sent to the banned address"
    );
    let people: i64 =
        sqlx::query_scalar("SELECT count(*) FROM people WHERE email = 'op@example.org'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(people, 0);
}
