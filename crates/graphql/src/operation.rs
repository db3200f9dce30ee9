//! The steps every request and operation pass through, as one
//! async-graphql extension: metrics (`metrics.rs`), the operation's span
//! (`spans.rs`), error codes (`error_codes.rs`), query limits
//! (`query_limits.rs`) and read-your-writes (`reads.rs`). Each concern
//! keeps its module; this one calls them in order.
//!
//! Field errors (`field_errors.rs`) and persisted queries (async-graphql's
//! own extension) are steps too: this extension calls their hooks.
//!
//! Why one extension rather than one each: async-graphql runs every
//! extension's `resolve` hook around every field of the answer, even an
//! extension that has no hook of its own there (a boxed future and a poll
//! each). With eight extensions, a page of 20 events (about 140 fields)
//! lost 12 % of its throughput against one extension (`bench/peer`,
//! startsAfter); folding the last two in gained another few percent
//! (docs/performance.md).
//!
//! Parsed documents are kept (`Documents`): clients send the same few
//! query texts again and again, and async-graphql parses each request's
//! text anew, about 6 % of the same page's time.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use async_graphql::extensions::apollo_persisted_queries::{
    ApolloPersistedQueries, LruCacheStorage,
};
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextRequest, NextResolve, NextSubscribe, NextValidation, ResolveInfo,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{
    Request, Response, ServerError, ServerResult, ValidationResult, Value, Variables,
};
use futures_util::stream::BoxStream;
use lru::LruCache;
use tracing::Instrument;

use crate::field_errors::{FieldErrors, FieldErrorsExtension};
use crate::{error_codes, metrics, query_limits, reads, spans};

/// Persisted queries remembered per server (clients resend unknown ones).
const PERSISTED_QUERIES: usize = 1024;

/// Registers the operation's steps (see the module doc).
pub struct OperationSteps {
    documents: Arc<Documents>,
    field_errors: FieldErrors,
    persisted: ApolloPersistedQueries<LruCacheStorage>,
}

impl OperationSteps {
    /// `root_timeout`: the longest a root field may run, if limited.
    pub fn new(root_timeout: Option<std::time::Duration>) -> Self {
        OperationSteps {
            documents: Arc::default(),
            field_errors: FieldErrors { root_timeout },
            persisted: ApolloPersistedQueries::new(LruCacheStorage::new(PERSISTED_QUERIES)),
        }
    }
}

impl ExtensionFactory for OperationSteps {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Operation {
            documents: self.documents.clone(),
            name: Default::default(),
            operations: Default::default(),
            field_errors: self.field_errors.for_request(),
            persisted: self.persisted.create(),
        })
    }
}

/// One per request.
struct Operation {
    documents: Arc<Documents>,
    name: metrics::OperationName,
    operations: spans::Operations,
    field_errors: FieldErrorsExtension,
    /// async-graphql's persisted queries, of which only the
    /// `prepare_request` hook does anything.
    persisted: Arc<dyn Extension>,
}

/// The documents this server parsed last, by their text.
struct Documents(Mutex<LruCache<String, Arc<ExecutableDocument>>>);

/// Documents kept: many more than a client's distinct queries.
const DOCUMENTS: NonZeroUsize = NonZeroUsize::new(512).expect("not zero");
/// Longer texts are parsed every time, so that what is kept stays small
/// (512 × 16 kB of text at most) whatever clients send.
const LONGEST_KEPT: usize = 16 * 1024;

impl Default for Documents {
    fn default() -> Self {
        Documents(Mutex::new(LruCache::new(DOCUMENTS)))
    }
}

impl Documents {
    fn get(&self, query: &str) -> Option<ExecutableDocument> {
        let kept = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(query)
            .cloned()?;
        Some((*kept).clone())
    }

    fn keep(&self, query: &str, document: &ExecutableDocument) {
        if !query.is_empty() && query.len() <= LONGEST_KEPT {
            let document = Arc::new(document.clone());
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .put(query.to_owned(), document);
        }
    }
}

#[async_trait::async_trait]
impl Extension for Operation {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let started = Instant::now();
        let response = next.run(ctx).await;
        metrics::record(&self.name, started, &response);
        response
    }

    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        self.name.set(request.operation_name.as_deref());
        self.persisted
            .prepare_request(ctx, request, next)
            .await
            .map_err(error_codes::refused_request)
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // A persisted query comes parsed, its text emptied: the text then
        // says nothing of the document, which must not be looked up.
        let kept = match query.is_empty() {
            true => None,
            false => self.documents.get(query),
        };
        let document = match kept {
            Some(document) => document,
            None => {
                let document = next
                    .run(ctx, query, variables)
                    .await
                    .map_err(error_codes::parse_failed)?;
                self.documents.keep(query, &document);
                document
            }
        };
        reads::note_writes(ctx, &document);
        query_limits::check(&document, variables)?;
        self.operations.remember(&document);
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(error_codes::validation_failed)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if operation_name.is_some() {
            self.name.set(operation_name);
        }
        let span = self.operations.span(operation_name);
        async {
            // The field errors join the response before it gets its codes.
            let mut response = self.field_errors.execute(ctx, operation_name, next).await;
            reads::pin_writer(ctx).await;
            error_codes::executed(&mut response);
            response
        }
        .instrument(span)
        .await
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        self.field_errors.subscribe(ctx, stream, next)
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        self.field_errors.resolve(ctx, info, next).await
    }
}
