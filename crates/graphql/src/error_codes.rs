//! Gives every error a stable `extensions.code`, including those async-graphql
//! raises itself before or while executing.

use std::sync::Arc;

use std::time::Duration;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextResolve, NextValidation, ResolveInfo,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{
    Request, Response, ServerError, ServerResult, ValidationResult, Value, Variables,
};

use crate::error::{Code, coded, ensure_code};

pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodes)
    }
}

#[async_trait::async_trait]
impl Extension for ErrorCodes {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        next.run(ctx, request).await.map_err(|mut e| {
            // Automatic persisted queries: the client resends the query.
            let code = if e.message == "PersistedQueryNotFound" {
                Code::PersistedQueryNotFound
            } else {
                Code::BadUserInput
            };
            ensure_code(&mut e, code);
            e
        })
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables).await.map_err(|mut e| {
            ensure_code(&mut e, Code::ParseFailed);
            e
        })
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|mut errors| {
            for e in &mut errors {
                // A variable or literal of the wrong type is bad user input,
                // named by its argument path ("filter.radiusKm").
                if let Some(rest) = e.message.strip_prefix("Invalid value for argument \"")
                    && let Some((field, _)) = rest.split_once('"')
                {
                    let field = field.to_owned();
                    let ext = e.extensions.get_or_insert_with(Default::default);
                    ext.set("code", Code::BadUserInput.as_str());
                    ext.set("field", field);
                }
                ensure_code(e, Code::ValidationFailed);
            }
            errors
        })
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        // Our resolvers always set a code; what comes without one is
        // async-graphql refusing an argument or variable value.
        for e in &mut response.errors {
            ensure_code(e, Code::BadUserInput);
        }
        response
    }
}

/// A root field that runs longer than this is answered TIMEOUT (its
/// transaction, if any, rolls back as the work is dropped).
pub struct ResolverTimeout(pub Duration);

impl ExtensionFactory for ResolverTimeout {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ResolverTimeout(self.0))
    }
}

#[async_trait::async_trait]
impl Extension for ResolverTimeout {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        // Root fields only: their time includes everything below them, and
        // a timer per nested field would cost more than it saves.
        if info.path_node.parent.is_some() {
            return next.run(ctx, info).await;
        }
        match tokio::time::timeout(self.0, next.run(ctx, info)).await {
            Ok(result) => result,
            Err(_) => Err(coded(
                format!("the field took longer than {} s", self.0.as_secs_f64()),
                Code::Timeout,
            )),
        }
    }
}
