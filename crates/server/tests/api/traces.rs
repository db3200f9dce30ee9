//! Traces: a real `cortege serve` with CORTEGE_OTLP_ENDPOINT sends, over
//! OTLP/HTTP, a span for the request, one for the GraphQL operation under
//! it, and one for each SQL statement under that, to a collector that
//! decodes them as any OpenTelemetry collector would (the protocol's own
//! protobuf messages).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use prost::Message;
use serde_json::json;

use crate::common::TestApp;
use crate::common::process::Process;

/// An OTLP/HTTP receiver keeping every span it is sent.
struct Collector {
    url: String,
    spans: Arc<Mutex<Vec<Span>>>,
}

impl Collector {
    async fn start() -> Self {
        let spans: Arc<Mutex<Vec<Span>>> = Arc::default();
        let kept = spans.clone();
        let app = axum::Router::new().route(
            "/v1/traces",
            axum::routing::post(move |body: Bytes| {
                let kept = kept.clone();
                async move {
                    let request = ExportTraceServiceRequest::decode(body).unwrap();
                    let mut kept = kept.lock().unwrap();
                    for resource in request.resource_spans {
                        for scope in resource.scope_spans {
                            kept.extend(scope.spans);
                        }
                    }
                    (
                        [("content-type", "application/x-protobuf")],
                        Vec::<u8>::new(),
                    )
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, spans }
    }

    /// The spans received once `done` holds of them.
    async fn until(&self, done: impl Fn(&[Span]) -> bool) -> Vec<Span> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            {
                let spans = self.spans.lock().unwrap();
                if done(&spans) {
                    return spans.clone();
                }
                assert!(
                    Instant::now() < deadline,
                    "spans received: {:?}",
                    spans.iter().map(|s| &s.name).collect::<Vec<_>>()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn attribute(span: &Span, key: &str) -> Option<Any> {
    span.attributes
        .iter()
        .find(|a| a.key == key)
        .and_then(|a| a.value.clone())
        .and_then(|v| v.value)
}

#[tokio::test]
async fn a_request_its_operation_and_its_statements_are_traced() {
    let collector = Collector::start().await;
    let app = TestApp::spawn().await;
    let member = app.member("Tracy", "Trace").await;
    let data = tempfile::tempdir().unwrap();
    let server = Process::serve_with(
        &app,
        data.path(),
        &[
            ("CORTEGE_OTLP_ENDPOINT", &collector.url),
            // The SDK's batch delay, shortened so that the test need not
            // wait five seconds.
            ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        ],
    )
    .await;
    let answer: serde_json::Value = app
        .client
        .post(format!("{}/graphql", server.base))
        .bearer_auth(&member.token)
        .json(&json!({
            "query": "query Home { viewer { person { firstName } } events(first: 5) { edges { node { title } } } }"
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        answer["data"]["viewer"]["person"]["firstName"], "Tracy",
        "{answer}"
    );

    // The request's span ends after the operation's, so it may come in a
    // later batch: wait for both.
    let spans = collector
        .until(|spans| {
            spans.iter().any(|op| {
                op.name == "query Home" && spans.iter().any(|s| s.span_id == op.parent_span_id)
            })
        })
        .await;
    let operation = spans.iter().find(|s| s.name == "query Home").unwrap();
    assert_eq!(
        attribute(operation, "graphql.operation.type"),
        Some(Any::StringValue("query".into()))
    );
    let request = spans
        .iter()
        .find(|s| s.span_id == operation.parent_span_id)
        .expect("the operation's parent span was sent");
    assert_eq!(request.name, "POST /graphql");
    assert_eq!(request.kind, SpanKind::Server as i32);
    assert_eq!(request.trace_id, operation.trace_id);
    assert_eq!(
        attribute(request, "http.response.status_code"),
        Some(Any::IntValue(200))
    );

    let statements: Vec<&Span> = spans
        .iter()
        .filter(|s| s.parent_span_id == operation.span_id)
        .collect();
    assert!(
        statements.iter().any(|s| {
            s.kind == SpanKind::Client as i32
                && attribute(s, "db.system.name") == Some(Any::StringValue("postgresql".into()))
                && matches!(attribute(s, "db.query.text"), Some(Any::StringValue(q)) if q.contains("events"))
                && s.end_time_unix_nano >= s.start_time_unix_nano
                && s.start_time_unix_nano >= operation.start_time_unix_nano
        }),
        "the events listing's statement is under the operation: {:?}",
        statements.iter().map(|s| &s.name).collect::<Vec<_>>()
    );
    assert!(statements.iter().all(|s| s.trace_id == operation.trace_id));
}
