//! The cache of sessions: a member's requests are not each asked of the
//! database, yet a session that ends is refused everywhere at once.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::{TestApp, error_code};

const VIEWER: &str = "{ viewer { person { firstName } } }";

/// Asks `app` (every `every`, within the request rate limit) until it
/// refuses `token`, or `within` passes; whether it did.
async fn refused_within(app: &TestApp, token: &str, within: Duration, every: Duration) -> bool {
    let deadline = Instant::now() + within;
    loop {
        let r = app.gql(VIEWER, json!({}), Some(token)).await;
        if error_code(&r) == Some("UNAUTHENTICATED") {
            assert!(r["data"].is_null(), "never served as anonymous: {r}");
            return true;
        }
        assert_eq!(r["data"]["viewer"]["person"]["firstName"], "Lou", "{r}");
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(every).await;
    }
}

#[tokio::test]
async fn a_logout_on_one_server_is_refused_by_the_others_at_once() {
    let a = TestApp::spawn_redis().await;
    let b = a.replica().await;
    let lou = a.member("Lou", "Martin").await;
    // b has confirmed the session, and keeps it.
    let r = b.ok(VIEWER, json!({}), Some(&lou.token)).await;
    assert_eq!(r["viewer"]["person"]["firstName"], "Lou");

    a.ok("mutation { logout }", json!({}), Some(&lou.token))
        .await;
    // Well within the cache's lifetime: only the bus can have told b.
    let within = cortege_app::sessions::CACHE_TTL / 3;
    assert!(
        refused_within(&b, &lou.token, within, Duration::from_millis(10)).await,
        "b still accepted the session {within:?} after the logout"
    );
    assert!(refused_within(&a, &lou.token, Duration::ZERO, Duration::ZERO).await);
}

#[tokio::test]
async fn a_session_ended_behind_the_servers_back_is_refused_once_the_cache_lets_go() {
    let app = TestApp::spawn().await;
    let lou = app.member("Lou", "Martin").await;
    app.ok(VIEWER, json!({}), Some(&lou.token)).await;
    // Revoked in the database with no message (as a lost one would be):
    // the server answers from its cache for now, then asks again.
    sqlx::query("UPDATE sessions SET revoked_at = now() WHERE person_id = $1")
        .bind(lou.id)
        .execute(&app.pool)
        .await
        .unwrap();
    let r = app.ok(VIEWER, json!({}), Some(&lou.token)).await;
    assert_eq!(
        r["viewer"]["person"]["firstName"], "Lou",
        "the second request was not answered from the cache"
    );
    let within = cortege_app::sessions::CACHE_TTL + Duration::from_secs(2);
    assert!(refused_within(&app, &lou.token, within, Duration::from_millis(250)).await);
}
