//! The request's side of `cortege_db::reads`: which pool its listings are
//! read from, chosen once per request on first use, and the pin a
//! mutation leaves so that its author reads their own writes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Response, ServerResult, Variables};
use cortege_db::PgPool;
use cortege_db::reads::Route;

use crate::auth::Auth;
use crate::state::SharedState;

/// Request data: who reads, and the pool once chosen.
pub struct RequestReads {
    viewer: Option<uuid::Uuid>,
    /// Set for a mutation: its answer is read where it wrote.
    writes: AtomicBool,
    pool: OnceLock<PgPool>,
}

impl RequestReads {
    pub fn new(auth: &Auth) -> Self {
        Self {
            viewer: auth.person().map(|p| p.0),
            writes: AtomicBool::new(false),
            pool: OnceLock::new(),
        }
    }

    /// The pool for this request's listings.
    pub fn pool(&self, state: &SharedState) -> &PgPool {
        self.pool.get_or_init(|| {
            let (route, pool) = if self.writes.load(Ordering::Relaxed) {
                (Route::Mutation, state.reads.primary())
            } else {
                state.reads.route(self.viewer)
            };
            metrics::counter!("cortege_db_read_routes_total", "route" => route.as_str())
                .increment(1);
            pool.clone()
        })
    }
}

/// Reads a mutation's own answer from the primary, and pins the viewer's
/// later reads there too, until the replica has replayed the write. A
/// document that holds a mutation counts as one whichever operation runs:
/// pinning too often only costs a read from the primary.
pub struct ReadYourWrites;

impl ExtensionFactory for ReadYourWrites {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ReadYourWrites)
    }
}

#[async_trait::async_trait]
impl Extension for ReadYourWrites {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        if document
            .operations
            .iter()
            .any(|(_, op)| op.node.ty == OperationType::Mutation)
            && let Some(reads) = ctx.data_opt::<RequestReads>()
        {
            reads.writes.store(true, Ordering::Relaxed);
        }
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let response = next.run(ctx, operation_name).await;
        if ctx
            .data_opt::<RequestReads>()
            .is_some_and(|reads| reads.writes.load(Ordering::Relaxed))
            && let Some(person) = ctx.data_opt::<Auth>().and_then(Auth::person)
            && let Some(state) = ctx.data_opt::<SharedState>()
        {
            match state.reads.wrote(person.0).await {
                Ok(Some(position)) => {
                    cortege_live::publish::wrote(&state.bus, person.0, position).await
                }
                Ok(None) => {}
                // The write stands; only this viewer's next reads may lag.
                Err(e) => {
                    tracing::warn!(error = %e, "could not pin a writer's reads to the primary")
                }
            }
        }
        response
    }
}
