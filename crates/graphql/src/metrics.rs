//! GraphQL metrics: operation latency by operation name and errors by code.
//! `operation.rs` records them.

use std::time::Instant;

use async_graphql::Response;

/// Operation names come from clients: only plain, short ones become a
/// label value, so a hostile client cannot flood the label space… beyond
/// what its own requests cost.
pub(crate) fn label(name: Option<&str>) -> String {
    match name {
        Some(n)
            if !n.is_empty()
                && n.len() <= 64
                && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            n.to_owned()
        }
        Some(_) => "other".to_owned(),
        None => "anonymous".to_owned(),
    }
}

/// Records a request's latency under its operation's name, and its errors
/// by code.
pub(crate) fn record(operation: Option<&str>, started: Instant, response: &Response) {
    metrics::histogram!("cortege_graphql_operation_duration_seconds", "operation" => label(operation))
        .record(started.elapsed().as_secs_f64());
    for e in &response.errors {
        let code = e
            .extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .and_then(|v| match v {
                async_graphql::Value::String(s) => Some(s.clone()),
                async_graphql::Value::Enum(s) => Some(s.to_string()),
                _ => None,
            })
            .unwrap_or_else(|| "NONE".to_owned());
        metrics::counter!("cortege_graphql_errors_total", "code" => code).increment(1);
    }
}
