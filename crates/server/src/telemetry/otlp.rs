//! The trace exporter: OTLP/HTTP (protobuf) to the collector at
//! CORTEGE_OTLP_ENDPOINT, batched, through the server's own HTTP client.
//!
//! The client is written here because opentelemetry-otlp's own reqwest
//! support is for another major of reqwest (a second HTTP and TLS stack in
//! the binary), and its batch processor exports from a thread of its own,
//! outside any Tokio runtime, where an async client cannot run: this one
//! hands each export to the server's runtime and waits for it.

use std::time::Duration;

use anyhow::Context;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_otlp::{WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider, Tracer};
use tracing_subscriber::Layer;
use tracing_subscriber::registry::LookupSpan;

use super::TraceSettings;
use super::sql_spans::SqlSpans;

/// How long one export may take before it is dropped (the collector is
/// down or slow: traces are lost, requests are not slowed).
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug)]
struct RuntimeClient {
    http: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

#[async_trait::async_trait]
impl HttpClient for RuntimeClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let http = self.http.clone();
        let (parts, body) = request.into_parts();
        let sent = self.runtime.spawn(async move {
            let response = http
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body)
                .timeout(EXPORT_TIMEOUT)
                .send()
                .await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.bytes().await?;
            let mut answer = Response::builder().status(status).body(body)?;
            *answer.headers_mut() = headers;
            Ok::<_, HttpError>(answer)
        });
        sent.await?
    }
}

/// The running exporter; [`Traces::shutdown`] sends what is still queued.
pub struct Traces {
    provider: SdkTracerProvider,
    tracer: Tracer,
}

impl Traces {
    pub(super) fn start(settings: &TraceSettings) -> anyhow::Result<Self> {
        let endpoint = format!("{}/v1/traces", settings.endpoint.trim_end_matches('/'));
        let client = RuntimeClient {
            http: reqwest::Client::new(),
            runtime: tokio::runtime::Handle::try_current()
                .context("traces need the server's runtime")?,
        };
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
            .with_endpoint(endpoint)
            .with_http_client(client)
            .build()
            .context("CORTEGE_OTLP_ENDPOINT")?;
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
                settings.sample_ratio.clamp(0.0, 1.0),
            ))))
            .with_resource(Resource::builder().with_service_name("cortege").build())
            .build();
        let tracer = provider.tracer("cortege");
        Ok(Self { provider, tracer })
    }

    /// Cortège's own spans (HTTP requests, GraphQL operations, jobs) as
    /// OpenTelemetry spans.
    pub(super) fn span_layer<S>(&self) -> Box<dyn Layer<S> + Send + Sync>
    where
        S: tracing::Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
    {
        tracing_opentelemetry::layer()
            .with_tracer(self.tracer.clone())
            .with_filter(cortege_spans())
            .boxed()
    }

    /// One span per SQL statement, from sqlx's statement events.
    pub(super) fn sql_layer<S>(&self) -> Box<dyn Layer<S> + Send + Sync>
    where
        S: tracing::Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
    {
        SqlSpans::new(self.tracer.clone())
            .with_filter(tracing_subscriber::filter::filter_fn(|m| {
                // The statements, and the spans they may belong to.
                (m.is_event() && m.target() == "sqlx::query")
                    || (m.is_span() && (m.target().starts_with("cortege") || m.target() == "otel"))
            }))
            .boxed()
    }

    /// Sends the spans still queued (bounded: a collector that is gone
    /// does not hold the shutdown).
    pub async fn shutdown(self) {
        let provider = self.provider;
        let flushed = tokio::task::spawn_blocking(move || {
            provider.shutdown_with_timeout(Duration::from_secs(5))
        })
        .await;
        if let Ok(Err(e)) = flushed {
            eprintln!("cortege: sending the last traces: {e}");
        }
    }
}

fn cortege_spans() -> tracing_subscriber::filter::Targets {
    tracing_subscriber::filter::Targets::new()
        // Spans made for traces only (the GraphQL operation's).
        .with_target("otel", tracing::Level::INFO)
        .with_target("cortege", tracing::Level::INFO)
        .with_target("cortege_server", tracing::Level::INFO)
        .with_target("cortege_graphql", tracing::Level::INFO)
        .with_target("cortege_app", tracing::Level::INFO)
        .with_target("cortege_live", tracing::Level::INFO)
        .with_target("cortege_db", tracing::Level::INFO)
}
