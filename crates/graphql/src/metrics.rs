//! GraphQL metrics: operation latency by operation name and errors by code.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextPrepareRequest, NextRequest,
};
use async_graphql::{Request, Response, ServerResult};

pub struct OperationMetrics;

impl ExtensionFactory for OperationMetrics {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Recorder(Mutex::new(None)))
    }
}

/// Per request: the operation name, once known.
struct Recorder(Mutex<Option<String>>);

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

#[async_trait::async_trait]
impl Extension for Recorder {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(label(request.operation_name.as_deref()));
        next.run(ctx, request).await
    }

    /// The operation actually run, named in the document even when the
    /// request did not say operationName.
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if operation_name.is_some() {
            *self.0.lock().unwrap_or_else(PoisonError::into_inner) = Some(label(operation_name));
        }
        next.run(ctx, operation_name).await
    }

    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let started = Instant::now();
        let response = next.run(ctx).await;
        let operation = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .unwrap_or_else(|| "anonymous".to_owned());
        metrics::histogram!("cortege_graphql_operation_duration_seconds", "operation" => operation)
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
        response
    }
}
