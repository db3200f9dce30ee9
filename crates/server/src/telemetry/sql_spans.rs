//! A span for each SQL statement. sqlx opens no span of its own; it logs
//! each statement when it completes (target `sqlx::query`, with its text,
//! row count and duration). This layer turns that record into a client
//! span, dated back by the duration, under the span the statement ran in
//! (the GraphQL operation or the HTTP request): enough to see, in a
//! trace, which statements a request waited on.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use opentelemetry::KeyValue;
use opentelemetry::trace::{Span as _, SpanKind, TraceContextExt, Tracer as _};
use opentelemetry_sdk::trace::Tracer;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

pub(super) struct SqlSpans {
    tracer: Tracer,
    /// To look up the OpenTelemetry context of the statement's span.
    dispatch: OnceLock<tracing::dispatcher::WeakDispatch>,
}

impl SqlSpans {
    pub(super) fn new(tracer: Tracer) -> Self {
        Self {
            tracer,
            dispatch: OnceLock::new(),
        }
    }
}

/// What sqlx says of a statement.
#[derive(Default)]
struct Statement {
    summary: String,
    text: String,
    rows: u64,
    seconds: f64,
}

impl Visit for Statement {
    fn record_str(&mut self, field: &Field, value: &str) {
        match field.name() {
            "summary" => self.summary = value.to_owned(),
            "db.statement" => self.text = value.trim().to_owned(),
            _ => {}
        }
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "rows_returned" {
            self.rows = value;
        }
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        if field.name() == "elapsed_secs" {
            self.seconds = value;
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        // db.statement comes formatted (`%`) as a Debug-less display value.
        if field.name() == "db.statement" {
            self.text = format!("{value:?}").trim().to_owned();
        }
    }
}

impl<S> tracing_subscriber::Layer<S> for SqlSpans
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_register_dispatch(&self, subscriber: &tracing::Dispatch) {
        let _ = self.dispatch.set(subscriber.downgrade());
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        // Statements outside any span (start-up, background jobs between
        // their spans) would each be a trace of their own: not sent.
        let Some(span) = ctx.event_span(event) else {
            return;
        };
        let Some(dispatch) = self.dispatch.get().and_then(|d| d.upgrade()) else {
            return;
        };
        let Some(parent) = tracing_opentelemetry::get_otel_context(&span.id(), &dispatch) else {
            return;
        };
        if !parent.span().span_context().is_valid() {
            return;
        }
        let mut statement = Statement::default();
        event.record(&mut statement);
        let end = SystemTime::now();
        let start = end
            .checked_sub(Duration::from_secs_f64(statement.seconds.max(0.0)))
            .unwrap_or(end);
        let text = if statement.text.is_empty() {
            statement.summary.clone()
        } else {
            statement.text
        };
        let name = statement
            .summary
            .trim_end_matches(" …")
            .chars()
            .take(80)
            .collect::<String>();
        let mut sql = self
            .tracer
            .span_builder(name)
            .with_kind(SpanKind::Client)
            .with_start_time(start)
            .with_attributes([
                KeyValue::new("db.system.name", "postgresql"),
                KeyValue::new("db.query.text", text),
                KeyValue::new("db.response.returned_rows", statement.rows as i64),
            ])
            .start_with_context(&self.tracer, &parent);
        sql.end_with_timestamp(end);
    }
}
