//! A span per GraphQL operation ("query Home", "mutation"), inside the
//! HTTP request's span: traces show the operation, and the SQL statements
//! it ran beneath it. The operation's extension (`operation.rs`) opens it.

use std::sync::{Mutex, PoisonError};

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};

/// Per request: the operations' types by name, once parsed.
#[derive(Default)]
pub(crate) struct Operations(Mutex<Vec<(Option<String>, OperationType)>>);

fn type_name(ty: OperationType) -> &'static str {
    match ty {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    }
}

impl Operations {
    pub(crate) fn remember(&self, document: &ExecutableDocument) {
        let operations = match &document.operations {
            DocumentOperations::Single(op) => vec![(None, op.node.ty)],
            DocumentOperations::Multiple(ops) => ops
                .iter()
                .map(|(name, op)| (Some(name.to_string()), op.node.ty))
                .collect(),
        };
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = operations;
    }

    /// The span of the operation about to run.
    pub(crate) fn span(&self, operation_name: Option<&str>) -> tracing::Span {
        let ty = {
            let operations = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            operations
                .iter()
                .find(|(name, _)| name.is_none() || name.as_deref() == operation_name)
                .map_or(OperationType::Query, |(_, ty)| *ty)
        };
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
}
