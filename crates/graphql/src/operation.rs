//! The steps every operation passes through around async-graphql's
//! execution, in order: persisted queries, the parsed document (kept),
//! read-your-writes (`reads.rs`), query limits (`query_limits.rs`), the
//! operation's span (`spans.rs`) and time limit, field errors
//! (`field_errors.rs`), error codes (`error_codes.rs`) and metrics
//! (`metrics.rs`). Each concern keeps its module; [`Api`] calls them.
//!
//! Why not as async-graphql extensions, as they once were: with any
//! extension registered, async-graphql wraps every field and list item of
//! the answer in the extensions' `resolve` hooks (a `ResolveInfo` found by
//! two registry look-ups, list items' type names formatted, a boxed
//! future), whether or not a hook does anything there. Field errors needed
//! that hook; done after execution instead, no extension is left, and a
//! page of 20 events answers 14–17 % faster (docs/performance.md,
//! "Field errors after execution").
//!
//! Parsed documents are kept (`Documents`): clients send the same few
//! query texts again and again, and parsing a page's query anew costs
//! about 6 % of its time.

use std::any::{Any, TypeId};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Data, Request, Response, ServerError};
use futures_util::stream::{self, BoxStream, StreamExt};
use lru::LruCache;
use tracing::Instrument;

use crate::auth::Auth;
use crate::error::{Code, coded};
use crate::field_errors::{FieldTypes, operation_of};
use crate::loaders::LazyLoaders;
use crate::reads::RequestReads;
use crate::state::SharedState;
use crate::{CortegeSchema, error_codes, metrics, persisted, query_limits, reads, spans};

/// The schema and the steps around it: what the server executes.
#[derive(Clone)]
pub struct Api {
    schema: CortegeSchema,
    steps: Arc<Steps>,
}

struct Steps {
    documents: Documents,
    persisted: persisted::Persisted,
    types: FieldTypes,
    /// The longest an operation may run, if limited.
    timeout: Option<Duration>,
}

/// An operation parsed, checked and ready to run.
struct Prepared {
    request: Request,
    document: Arc<ExecutableDocument>,
    /// As async-graphql designates it: the request's name, or the name of
    /// a document's only named operation.
    operation: Option<String>,
    ty: OperationType,
    writes: bool,
    person: Option<cortege_domain::PersonId>,
}

impl Api {
    /// `timeout`: the longest an operation may run, if limited.
    pub fn new(schema: CortegeSchema, timeout: Option<Duration>) -> Self {
        // The SDL is the schema's own: it always parses.
        let types = FieldTypes::from_sdl(&schema.sdl()).unwrap_or_else(|e| {
            tracing::error!(error = %e, "the schema's SDL does not parse");
            FieldTypes::empty()
        });
        Api {
            schema,
            steps: Arc::new(Steps {
                documents: Documents::default(),
                persisted: persisted::Persisted::default(),
                types,
                timeout,
            }),
        }
    }

    /// Runs a query or mutation; a subscription is refused here (it needs
    /// a stream: [`Api::execute_stream`]).
    pub async fn execute(&self, request: Request) -> Response {
        let started = Instant::now();
        let requested = request.operation_name.clone();
        match self.steps.prepare(request) {
            Ok(prepared) => self.run(prepared, started).await,
            Err(errors) => {
                let response = Response::from_errors(errors);
                metrics::record(requested.as_deref(), started, &response);
                response
            }
        }
    }

    /// Runs any operation, a subscription as the stream of its messages.
    pub fn execute_stream(&self, request: Request) -> BoxStream<'static, Response> {
        let started = Instant::now();
        let prepared = match self.steps.prepare(request) {
            Ok(prepared) => prepared,
            Err(errors) => {
                return stream::once(async { Response::from_errors(errors) }).boxed();
            }
        };
        if prepared.ty != OperationType::Subscription {
            let api = self.clone();
            return stream::once(async move { api.run(prepared, started).await }).boxed();
        }
        let steps = self.steps.clone();
        let Prepared {
            request,
            document,
            operation,
            ..
        } = prepared;
        self.schema
            .execute_stream(request)
            .map(move |mut response| {
                steps
                    .types
                    .settle(&document, operation.as_deref(), &mut response);
                error_codes::executed(&mut response);
                response
            })
            .boxed()
    }

    async fn run(&self, prepared: Prepared, started: Instant) -> Response {
        let Prepared {
            request,
            document,
            operation,
            ty,
            writes,
            person,
        } = prepared;
        let span = spans::span(ty, operation.as_deref());
        async {
            let executed = self.schema.execute(request);
            let mut response = match self.steps.timeout {
                None => executed.await,
                // Dropped, the work rolls back its transaction, if any.
                Some(limit) => tokio::time::timeout(limit, executed)
                    .await
                    .unwrap_or_else(|_| {
                        Response::from_errors(vec![coded(
                            format!("the operation took longer than {} s", limit.as_secs_f64()),
                            Code::Timeout,
                        )])
                    }),
            };
            self.steps
                .types
                .settle(&document, operation.as_deref(), &mut response);
            if writes
                && let Some(person) = person
                && let Some(state) = self.schema.data::<SharedState>()
            {
                reads::pin_writer(state, person).await;
            }
            error_codes::executed(&mut response);
            metrics::record(operation.as_deref(), started, &response);
            response
        }
        .instrument(span)
        .await
    }
}

impl Steps {
    /// Everything before execution: refusals come back as errors, and no
    /// SQL has run.
    fn prepare(&self, mut request: Request) -> Result<Prepared, Vec<ServerError>> {
        self.persisted
            .resolve(&mut request)
            .map_err(|e| vec![error_codes::refused_request(e)])?;
        let document = match self.documents.get(&request.query) {
            Some(document) => document,
            None => {
                let document = async_graphql::parser::parse_query(&request.query)
                    .map_err(|e| vec![error_codes::parse_failed(e.into())])?;
                self.documents.keep(&request.query, document)
            }
        };
        query_limits::check(&document, &request.variables).map_err(|e| vec![e])?;
        let writes = document
            .operations
            .iter()
            .any(|(_, op)| op.node.ty == OperationType::Mutation);
        if writes && let Some(reads) = data::<RequestReads>(&request.data) {
            reads.note_writes();
        }
        let person = data::<Auth>(&request.data).and_then(Auth::person);
        let (operation, ty) = designated(&document, request.operation_name.as_deref());
        if let Some(loaders) = data::<LazyLoaders>(&request.data) {
            loaders.operation(ty);
        }
        request.set_parsed_query((*document).clone());
        Ok(Prepared {
            request,
            document,
            operation,
            ty,
            writes,
            person,
        })
    }
}

/// The operation a request runs (`field_errors::operation_of`), named as
/// async-graphql names it: by the document, else by the request.
fn designated(
    document: &ExecutableDocument,
    requested: Option<&str>,
) -> (Option<String>, OperationType) {
    let requested = requested.map(str::to_owned);
    match operation_of(document, requested.as_deref()) {
        Some((name, op)) => (name.map(|n| n.to_string()).or(requested), op.ty),
        None => (requested, OperationType::Query),
    }
}

/// A request's data of type `T`, attached by `prepare_request`.
fn data<T: Any>(data: &Data) -> Option<&T> {
    data.get(&TypeId::of::<T>())
        .and_then(|d| (**d).downcast_ref::<T>())
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
    fn get(&self, query: &str) -> Option<Arc<ExecutableDocument>> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(query)
            .cloned()
    }

    fn keep(&self, query: &str, document: ExecutableDocument) -> Arc<ExecutableDocument> {
        let document = Arc::new(document);
        if !query.is_empty() && query.len() <= LONGEST_KEPT {
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .put(query.to_owned(), document.clone());
        }
        document
    }
}
