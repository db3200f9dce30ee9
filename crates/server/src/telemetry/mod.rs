//! Logging: human-readable by default, JSON with CORTEGE_LOG_FORMAT=json;
//! the filter comes from RUST_LOG (default: info for Cortège, warn elsewhere).
//!
//! Traces, optional: with CORTEGE_OTLP_ENDPOINT, spans for each HTTP
//! request, each GraphQL operation and each SQL statement go to an
//! OpenTelemetry collector over OTLP/HTTP ([`otlp`], [`sql_spans`]).

mod otlp;
mod sql_spans;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

pub use otlp::Traces;

/// What traces to send, if any.
#[derive(Debug, Clone)]
pub struct TraceSettings {
    /// The collector's OTLP/HTTP base URL (`/v1/traces` is added).
    pub endpoint: String,
    /// The share of requests traced (a request's spans are all kept or all
    /// dropped).
    pub sample_ratio: f64,
}

fn log_filter() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("warn,cortege=info,cortege_server=info,cortege_graphql=info,cortege_db=info,tower_http=info")
    })
}

/// Installs the logger, and the trace exporter when `traces` says so.
/// Returns the exporter, to flush on the way out. A second init (tests)
/// keeps the first.
pub fn init(traces: Option<&TraceSettings>) -> anyhow::Result<Option<Traces>> {
    let json = std::env::var("CORTEGE_LOG_FORMAT").is_ok_and(|v| v == "json");
    let logs = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let logs = if json {
        logs.json().with_filter(log_filter()).boxed()
    } else {
        logs.with_filter(log_filter()).boxed()
    };
    let Some(settings) = traces else {
        let _ = tracing_subscriber::registry().with(logs).try_init();
        return Ok(None);
    };
    let traces = Traces::start(settings)?;
    let _ = tracing_subscriber::registry()
        .with(logs)
        .with(traces.span_layer())
        .with(traces.sql_layer())
        .try_init();
    Ok(Some(traces))
}
