//! Running it for real: /metrics parses as Prometheus text and moves; a
//! replica stopped by SIGTERM closes its sockets with 1001 and loses no
//! committed activity (its clients resume on another replica).
#![allow(clippy::unwrap_used)]

use crate::common;

use common::metrics::{scrape, total};
use common::process::Process;
use common::ws::WsClient;
use common::{Member, TestApp, event_input, redis_url};
use serde_json::{Value, json};

#[tokio::test]
async fn metrics_parse_and_move() {
    let app = TestApp::spawn().await;
    let alice = app.member("Alice", "Martin").await;
    // Metrics are per process and tests share one: compare before/after.
    let before = scrape(&app).await;
    app.ok(
        "query Viewer { viewer { email } }",
        json!({}),
        Some(&alice.token),
    )
    .await;
    let r = app
        .gql("query Broken { event(id: 12) { id } }", json!({}), None)
        .await;
    assert!(r["errors"].is_array());
    let mut ws = WsClient::connect(&app, Some(&alice.token)).await;
    ws.subscribe("f", "subscription { feed { cursor } }", json!({}))
        .await;
    let after = scrape(&app).await;

    let grew = |name: &str, labels: &[(&str, &str)]| {
        total(&after, name, labels) > total(&before, name, labels)
    };
    assert!(grew(
        "cortege_http_requests_total",
        &[("route", "/graphql"), ("method", "POST"), ("status", "200")]
    ));
    assert!(grew(
        "cortege_graphql_operation_duration_seconds",
        &[("operation", "Viewer")]
    ));
    assert!(grew("cortege_graphql_errors_total", &[]));
    assert!(total(&after, "cortege_ws_connections", &[]) >= 1.0);
    assert!(total(&after, "cortege_ws_subscriptions", &[]) >= 1.0);
    for name in [
        "cortege_outbox_lag",
        "cortege_outbox_last_seq",
        "cortege_db_pool_connections",
        "cortege_bus_connected",
    ] {
        assert!(
            after.samples.iter().any(|s| s.metric == name),
            "{name} is missing"
        );
    }
}

const CREATE: &str = "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }";

async fn create(base: &str, client: &reqwest::Client, who: &Member, title: &str) {
    let input = event_input(title, (43.2965, 5.3698), "13001", "Marseille");
    let r: Value = client
        .post(format!("{base}/graphql"))
        .bearer_auth(&who.token)
        .json(&json!({ "query": CREATE, "variables": { "i": input } }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(r.get("errors").is_none(), "{r}");
}

#[tokio::test]
async fn sigterm_closes_sockets_with_1001_and_loses_nothing() {
    let b = TestApp::spawn_on_redis(&redis_url()).await;
    let data = tempfile::tempdir().unwrap();
    let a = Process::serve(&b, data.path()).await;
    let org = b.member("Olga", "Roux").await;
    let alice = b
        .member_at("Alice", "Martin", Some((43.2965, 5.3698)))
        .await;

    // Alice follows her feed on replica A.
    let mut ws = WsClient::connect_to(&a.base, Some(&alice.token)).await;
    ws.subscribe(
        "f",
        "subscription($a: String) { feed(after: $a) { cursor event { title } } }",
        json!({}),
    )
    .await;
    create(&a.base, &b.client, &org, "Avant l'arrêt").await;
    let first = ws.next_data("f").await["feed"].clone();
    assert_eq!(first["event"]["title"], "Avant l'arrêt");
    let cursor = first["cursor"].as_str().unwrap().to_owned();

    // Activities committed on A just before it is told to stop.
    let mut expected = Vec::new();
    for i in 0..5 {
        let title = format!("Juste avant {i}");
        create(&a.base, &b.client, &org, &title).await;
        expected.push(title);
    }
    a.terminate();
    assert_eq!(ws.close_code().await, 1001);

    // Alice reconnects to B and resumes from her cursor: nothing lost.
    create(&b.base, &b.client, &org, "Sur l'autre réplique").await;
    expected.push("Sur l'autre réplique".to_owned());
    let mut ws = WsClient::connect(&b, Some(&alice.token)).await;
    ws.subscribe(
        "f",
        "subscription($a: String) { feed(after: $a) { cursor event { title } } }",
        json!({ "a": cursor }),
    )
    .await;
    let mut titles = Vec::new();
    for _ in 0..expected.len() {
        let item = ws.next_data("f").await["feed"].clone();
        titles.push(item["event"]["title"].as_str().unwrap().to_owned());
    }
    assert_eq!(titles, expected);
}

#[tokio::test]
async fn a_fresh_replica_reports_every_metric_family() {
    let app = TestApp::spawn_on_redis(&redis_url()).await;
    let data = tempfile::tempdir().unwrap();
    // Its own process: the families must be there before anything happens.
    let fresh = Process::serve(&app, data.path()).await;
    let text = app
        .client
        .get(format!("{}/metrics", fresh.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for family in cortege_server::metrics::FAMILIES {
        assert!(
            text.lines()
                .any(|l| l.starts_with(&format!("# TYPE {family} "))),
            "{family} is reported from start-up:\n{text}"
        );
    }
    assert!(
        text.contains("cortege_graphql_errors_total{code=\"INTERNAL\"} 0"),
        "{text}"
    );
}
