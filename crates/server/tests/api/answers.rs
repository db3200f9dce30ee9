//! The anonymous answers cache: a public listing asked again is served
//! from the cache, a mutation shows at once on its own server, and the
//! relay's announcements clear the cache of every replica.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::{TestApp, error_code, event_input, event_titles, redis_url};

const LISTING: &str = "{ events(first: 50) { edges { node { title } } } }";
const MARSEILLE: (f64, f64) = (43.2965, 5.3698);

async fn titles(app: &TestApp, token: Option<&str>) -> Vec<String> {
    let mut titles = event_titles(&app.ok(LISTING, json!({}), token).await);
    titles.sort();
    titles
}

#[tokio::test]
async fn anonymous_listings_are_cached_until_a_write() {
    let prefix = format!("t{}", uuid::Uuid::new_v4().simple());
    let redis = redis_url();
    // A minute to live: anything fresher than that is a write's doing.
    let a = TestApp::spawn_with(|c| {
        c.redis_url = Some(redis);
        c.redis_channel_prefix = prefix;
        c.answer_cache_ms = 60_000;
    })
    .await;
    let b = a.replica_with(|c| c.answer_cache_ms = 60_000).await;
    let org = a.member_at("Olga", "Roux", Some(MARSEILLE)).await;
    let input = event_input("Tractage", MARSEILLE, "13001", "Marseille");
    a.create_event(&org.token, input).await;
    assert_eq!(titles(&a, None).await, ["Tractage"]);
    assert_eq!(titles(&b, None).await, ["Tractage"]);

    // A change no write announces (straight into the database): visitors
    // keep the kept answer, members (never cached) see it. (The relay's
    // announcement of the creation may still clear the cache once: then
    // the answer kept is the next one.)
    let mut kept = false;
    for attempt in 0..5 {
        let before = titles(&a, None).await;
        let title = format!("Tractage au marché {attempt}");
        sqlx::query("UPDATE events SET title = $1")
            .bind(&title)
            .execute(&a.pool)
            .await
            .unwrap();
        assert_eq!(titles(&a, Some(&org.token)).await, [title.as_str()]);
        if titles(&a, None).await == before {
            kept = true;
            break;
        }
    }
    assert!(kept, "visitors are never answered from the cache");
    sqlx::query("UPDATE events SET title = 'Tractage au marché'")
        .execute(&a.pool)
        .await
        .unwrap();

    // A mutation on this server shows at once to its visitors...
    let input = event_input("Porte-à-porte", MARSEILLE, "13001", "Marseille");
    a.create_event(&org.token, input).await;
    assert_eq!(
        titles(&a, None).await,
        ["Porte-à-porte", "Tractage au marché"]
    );
    // ...and on the other replica once the relay announced it.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let seen = titles(&b, None).await;
        if seen == ["Porte-à-porte", "Tractage au marché"] {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "replica b still answers {seen:?}"
        );
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn answers_with_errors_or_variables_are_kept_apart() {
    let app = TestApp::spawn_with(|c| c.answer_cache_ms = 60_000).await;
    let by_kind = "query($k: [EventKind!]) { events(filter: {kinds: $k}, first: 5) { edges { node { kind } } } }";
    let org = app.member_at("Olga", "Roux", Some(MARSEILLE)).await;
    let mut input = event_input("Tractage", MARSEILLE, "13001", "Marseille");
    input["kind"] = json!("LEAFLETING");
    app.create_event(&org.token, input).await;
    let leaflets = app.ok(by_kind, json!({ "k": ["LEAFLETING"] }), None).await;
    let doors = app
        .ok(by_kind, json!({ "k": ["DOOR_TO_DOOR"] }), None)
        .await;
    assert_eq!(leaflets["events"]["edges"].as_array().unwrap().len(), 1);
    assert_eq!(doors["events"]["edges"].as_array().unwrap().len(), 0);
    // A refused query is answered again, not served from the cache.
    let bad = "{ events(first: 500) { edges { node { id } } } }";
    for _ in 0..2 {
        let answer = app.gql(bad, json!({}), None).await;
        assert_eq!(error_code(&answer), Some("BAD_USER_INPUT"), "{answer}");
    }
}
