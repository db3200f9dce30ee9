//! Prometheus metrics on GET /metrics: request and operation latencies,
//! errors by code, WebSockets and subscriptions, the bus, the outbox lag
//! and the database pool. Counters are recorded where things happen (the
//! `metrics` facade); gauges that are cheaper to read than to track are
//! read when scraped.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

/// The process's recorder (one per process: tests run many servers in one).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets(&[
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ])
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let handle = match builder.install_recorder() {
            Ok(handle) => handle,
            // Another recorder is installed (an embedding program's): ours
            // still renders, just empty.
            Err(_) => PrometheusBuilder::new().build_recorder().handle(),
        };
        register_families();
        handle
    })
}

/// Every family this process reports, present from start-up (counters and
/// gauges at 0, histograms empty), so that an alert on a missing series
/// never fires on a fresh replica. `tests/api/operations.rs` checks the list
/// against a fresh server's scrape.
pub const FAMILIES: &[&str] = &[
    "cortege_http_requests_total",
    "cortege_http_request_duration_seconds",
    "cortege_graphql_operation_duration_seconds",
    "cortege_graphql_errors_total",
    "cortege_ws_connections",
    "cortege_ws_subscriptions",
    "cortege_bus_connected",
    "cortege_bus_publishes_total",
    "cortege_bus_publish_failures_total",
    "cortege_bus_deliveries_total",
    "cortege_bus_dropped_total",
    "cortege_db_pool_connections",
    "cortege_db_read_routes_total",
    "cortege_outbox_lag",
    "cortege_outbox_lag_seconds",
    "cortege_outbox_last_seq",
];

fn register_families() {
    for status in ["200", "400", "500", "503"] {
        metrics::counter!("cortege_http_requests_total", "method" => "POST", "route" => "/graphql", "status" => status)
            .increment(0);
    }
    // Registering a histogram publishes it, empty, until its first sample.
    let _ = metrics::histogram!("cortege_http_request_duration_seconds", "method" => "POST", "route" => "/graphql");
    let _ =
        metrics::histogram!("cortege_graphql_operation_duration_seconds", "operation" => "query");
    for route in cortege_db::reads::Route::ALL {
        metrics::counter!("cortege_db_read_routes_total", "route" => route.as_str()).increment(0);
    }
    for code in cortege_graphql::error::Code::ALL {
        metrics::counter!("cortege_graphql_errors_total", "code" => code.as_str()).increment(0);
    }
    for gauge in [
        "cortege_ws_connections",
        "cortege_ws_subscriptions",
        "cortege_bus_connected",
        "cortege_outbox_lag",
        "cortege_outbox_lag_seconds",
        "cortege_outbox_last_seq",
    ] {
        metrics::gauge!(gauge).increment(0.0);
    }
    for channel in cortege_domain::DeliveryChannel::ALL {
        let channel = channel.as_str();
        for gauge in [
            "cortege_notifications_pending",
            "cortege_notifications_oldest_pending_seconds",
            "cortege_notifications_dead",
        ] {
            metrics::gauge!(gauge, "channel" => channel).increment(0.0);
        }
        for counter in [
            "cortege_notifications_sent_total",
            "cortege_notifications_failed_total",
            "cortege_notifications_retried_total",
            "cortege_notifications_dropped_total",
        ] {
            metrics::counter!(counter, "channel" => channel).increment(0);
        }
    }
    for state in ["idle", "in_use"] {
        metrics::gauge!("cortege_db_pool_connections", "state" => state).increment(0.0);
    }
    for counter in [
        "cortege_bus_publishes_total",
        "cortege_bus_publish_failures_total",
        "cortege_bus_deliveries_total",
        "cortege_bus_dropped_total",
    ] {
        metrics::counter!(counter).increment(0);
    }
}

/// Records every HTTP request by method, route (the matched pattern, so
/// ids in paths do not explode the label space) and status.
pub async fn track_http(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("cortege_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("cortege_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The scrape: gauges read now, then everything in the text format.
pub async fn render(state: &cortege_graphql::state::AppState) -> Response {
    let pool = &state.pool;
    let size = pool.size();
    let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
    metrics::gauge!("cortege_db_pool_connections", "state" => "idle").set(f64::from(idle));
    metrics::gauge!("cortege_db_pool_connections", "state" => "in_use")
        .set(f64::from(size.saturating_sub(idle)));
    metrics::gauge!("cortege_bus_connected").set(match state.bus.state() {
        cortege_realtime::BusState::Disconnected => 0.0,
        _ => 1.0,
    });
    match cortege_db::outbox::lag(pool).await {
        Ok(lag) => {
            metrics::gauge!("cortege_outbox_lag").set(lag.unnumbered as f64);
            metrics::gauge!("cortege_outbox_lag_seconds").set(lag.oldest_seconds);
            metrics::gauge!("cortege_outbox_last_seq").set(lag.last_seq as f64);
        }
        Err(e) => tracing::warn!(error = %e, "metrics: reading the outbox lag failed"),
    }
    match cortege_db::notify::deliveries::queues(pool).await {
        Ok(queues) => {
            for q in queues {
                let channel = q.channel.as_str();
                metrics::gauge!("cortege_notifications_pending", "channel" => channel)
                    .set(q.pending as f64);
                metrics::gauge!("cortege_notifications_oldest_pending_seconds", "channel" => channel)
                    .set(q.oldest_seconds);
                metrics::gauge!("cortege_notifications_dead", "channel" => channel)
                    .set(q.dead as f64);
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: reading the notification queues failed"),
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle().render(),
    )
        .into_response()
}
