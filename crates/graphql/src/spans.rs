//! A span per GraphQL operation ("query Home", "mutation"), inside the
//! HTTP request's span: traces show the operation, and the SQL statements
//! it ran beneath it. `operation.rs` opens it.

use async_graphql::parser::types::OperationType;

fn type_name(ty: OperationType) -> &'static str {
    match ty {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    }
}

/// The span of an operation about to run, `name` as async-graphql
/// designates it.
pub(crate) fn span(ty: OperationType, operation_name: Option<&str>) -> tracing::Span {
    let kind = type_name(ty);
    // Client-chosen names stay attributes; the span's name keeps to
    // plain short ones, as the metrics' labels do.
    let label = crate::metrics::label(operation_name);
    // Target `otel`: only the trace exporter listens to it by default,
    // so that without traces no request pays for a span the logs would
    // format and never print.
    tracing::info_span!(
        target: "otel",
        "graphql",
        otel.name = %format_args!("{kind} {label}"),
        graphql.operation.type = kind,
        graphql.operation.name = operation_name.unwrap_or_default(),
    )
}
