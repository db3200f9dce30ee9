//! Field errors as the GraphQL specification handles them (§ "Handling
//! Field Errors"): a field that fails becomes `null` in `data` and its error
//! is listed; when the failed field is non-null, the `null` moves up to the
//! nearest nullable parent.
//!
//! Why this exists: async-graphql 7.2 (`resolver_utils::container::
//! do_resolve_container`) drops the key of any field whose resolver returns
//! an error, nullable or not, and leaves the parent an object. Apollo iOS
//! and Kotlin then fail on a missing key, and normalised caches (Apollo
//! InMemoryCache, urql Graphcache) take it for a cache miss. Rather than
//! patch the crate, this extension wraps every field resolution, so it
//! keeps working across upgrades. Its unit tests (a schema of their own),
//! the server's `tests/api/conformance.rs`, and Apollo and urql in
//! frontend/conformance check the answers the spec requires, and would
//! flag an upstream change.
//!
//! In the server, the operation extension (`operation.rs`) calls these
//! hooks as one of its steps, so that fields pass through one extension's
//! hook, not two; `FieldErrors` is an extension of its own too, as its unit
//! tests use it.
//!
//! How: an error is never handed back to async-graphql. The extension
//! records it, answers `Ok(null)` for the field, and, when the field is
//! non-null, marks its parent position as failed; the parent field's own
//! hook, which runs after all its children, then becomes `null` in turn
//! (or, through a list of non-null items, the list does). The recorded
//! errors join the response at the end of the operation, or of each
//! subscription message.
//!
//! A root field that runs longer than the server's resolver timeout fails
//! TIMEOUT here too, so that it becomes `null` like any failed field (its
//! transaction, if any, rolls back as the work is dropped). It is timed at
//! the root only: its time includes everything below it, and a timer per
//! nested field would cost more than it saves.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextResolve, NextSubscribe,
    ResolveInfo,
};
use async_graphql::{PathSegment, QueryPathNode, QueryPathSegment, Response, ServerResult, Value};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;

use crate::error::{Code, coded};

/// Registers spec-conformant field errors (see the module doc).
#[derive(Default)]
pub struct FieldErrors {
    /// The longest a root field may run, if limited.
    pub root_timeout: Option<Duration>,
}

impl FieldErrors {
    /// A request's (or subscription's) field errors, for an extension that
    /// takes them as one of its steps (`operation.rs`).
    pub(crate) fn for_request(&self) -> FieldErrorsExtension {
        FieldErrorsExtension {
            shared: Arc::default(),
            root_timeout: self.root_timeout,
        }
    }
}

/// Field errors as an extension of their own.
impl ExtensionFactory for FieldErrors {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(self.for_request())
    }
}

/// One per request (or subscription).
pub(crate) struct FieldErrorsExtension {
    /// Shared with a subscription's stream, which settles each message.
    shared: Arc<Shared>,
    root_timeout: Option<Duration>,
}

/// What the fields' errors left behind.
#[derive(Default)]
struct Shared {
    pending: Mutex<Pending>,
    /// Whether a non-null field failed and its null has not reached a
    /// nullable holder yet: while false (nearly always), a field that
    /// resolved costs one load, no lock and no path.
    propagating: AtomicBool,
}

impl Shared {
    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        // The state is plain data: a panic elsewhere leaves it consistent.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves what is pending into `response`, the end of an operation or
    /// of one subscription message.
    fn settle(&self, response: &mut Response) {
        self.pending().settle(response);
        self.propagating.store(false, Ordering::Release);
    }
}

#[derive(Default)]
struct Pending {
    errors: Vec<async_graphql::ServerError>,
    /// Positions (an object, or a list item) that hold a failed non-null
    /// field and so must become null, or pass the null further up.
    failed: Vec<Vec<PathSegment>>,
}

impl Pending {
    /// Moves the errors into `response`; a failure that reached the root
    /// nulls the whole `data`, as the specification says.
    fn settle(&mut self, response: &mut Response) {
        response.errors.append(&mut self.errors);
        if !self.failed.is_empty() {
            response.data = Value::Null;
            self.failed.clear();
        }
    }

    /// The failed positions at or below `field` through list items only,
    /// as indices relative to the field's value.
    fn take_failed_within(&mut self, field: &[PathSegment]) -> Vec<Vec<usize>> {
        let mut within = Vec::new();
        self.failed.retain(|position| {
            let Some(rest) = position.strip_prefix(field) else {
                return true;
            };
            let indices: Option<Vec<usize>> = rest
                .iter()
                .map(|s| match s {
                    PathSegment::Index(i) => Some(*i),
                    PathSegment::Field(_) => None,
                })
                .collect();
            match indices {
                Some(indices) => {
                    within.push(indices);
                    false
                }
                None => true,
            }
        });
        within
    }
}

impl FieldErrorsExtension {
    /// Runs the operation and settles its field errors into the response.
    pub(crate) async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        self.shared.settle(&mut response);
        response
    }

    /// Settles each message's field errors into it.
    pub(crate) fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let shared = self.shared.clone();
        // Messages are resolved one at a time: what is pending when one is
        // yielded belongs to it. A failure left at a subscription field
        // (never itself resolved through `resolve`) nulls the message's data.
        next.run(ctx, stream)
            .map(move |mut response| {
                shared.settle(&mut response);
                response
            })
            .boxed()
    }

    /// Resolves one field: its error, if any, is recorded and the field
    /// becomes null (see the module doc).
    pub(crate) async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        // List items pass through this hook too, typed by their Rust type
        // (an `Option<T>` item is announced as `T!`): their failures are
        // settled by the list's field, which knows its GraphQL type.
        if matches!(info.path_node.segment, QueryPathSegment::Index(_)) {
            return next.run(ctx, info).await;
        }
        let ty = info.return_type;
        let path_node = info.path_node;
        let result = self.run(ctx, info, next).await;
        if result.is_ok() && !self.shared.propagating.load(Ordering::Acquire) {
            return result;
        }
        let here = path_of(path_node);
        let mut pending = self.shared.pending();
        let (mut value, mut failed) = match result {
            Ok(value) => (value, false),
            Err(mut e) => {
                if e.path.is_empty() {
                    e.path = here.clone();
                }
                pending.errors.push(e);
                (None, true)
            }
        };
        let within = pending.take_failed_within(&here);
        if !failed && !within.is_empty() {
            failed = !null_failed_items(ty, value.get_or_insert(Value::Null), &within);
        }
        if failed && !is_nullable(ty) {
            let mut parent = here;
            parent.pop();
            pending.failed.push(parent);
        }
        self.shared
            .propagating
            .store(!pending.failed.is_empty(), Ordering::Release);
        if failed {
            Ok(Some(Value::Null))
        } else {
            Ok(value)
        }
    }

    /// The field's own result, a root field's cut short after the timeout.
    async fn run(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let limit = match self.root_timeout {
            Some(limit) if info.path_node.parent.is_none() => limit,
            _ => return next.run(ctx, info).await,
        };
        match tokio::time::timeout(limit, next.run(ctx, info)).await {
            Ok(result) => result,
            Err(_) => Err(coded(
                format!("the field took longer than {} s", limit.as_secs_f64()),
                Code::Timeout,
            )),
        }
    }
}

#[async_trait::async_trait]
impl Extension for FieldErrorsExtension {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        FieldErrorsExtension::execute(self, ctx, operation_name, next).await
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        FieldErrorsExtension::subscribe(self, ctx, stream, next)
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        FieldErrorsExtension::resolve(self, ctx, info, next).await
    }
}

/// The response path of a field, as errors carry it.
fn path_of(node: &QueryPathNode<'_>) -> Vec<PathSegment> {
    let mut path: Vec<PathSegment> = std::iter::once(node)
        .chain(node.parents())
        .map(|n| match n.segment {
            QueryPathSegment::Index(i) => PathSegment::Index(i),
            QueryPathSegment::Name(name) => PathSegment::Field(name.to_owned()),
        })
        .collect();
    path.reverse();
    path
}

/// `Event`, `[Event!]`: nullable; `Event!`, `[Event]!`: not.
fn is_nullable(ty: &str) -> bool {
    !ty.ends_with('!')
}

/// `[Event!]!` → `Event!`; `None` for a type that is not a list.
fn item_type(ty: &str) -> Option<&str> {
    ty.strip_suffix('!')
        .unwrap_or(ty)
        .strip_prefix('[')?
        .strip_suffix(']')
}

/// Nulls, for each failed position (indices into `value`, of type `ty`),
/// the nearest nullable list item that holds it. False when the nearest
/// nullable holder is the field itself, or there is none in the field.
fn null_failed_items(ty: &str, value: &mut Value, failed: &[Vec<usize>]) -> bool {
    for indices in failed {
        // The types of the field's value and of each level of items.
        let mut types = vec![ty];
        for _ in indices {
            match types.last().and_then(|t| item_type(t)) {
                Some(item) => types.push(item),
                None => return false,
            }
        }
        let Some(depth) = (0..types.len()).rev().find(|&d| is_nullable(types[d])) else {
            return false;
        };
        if depth == 0 {
            return false;
        }
        // A missing slot was already nulled through another failed item.
        if let Some(slot) = item_at(value, &indices[..depth]) {
            *slot = Value::Null;
        }
    }
    true
}

fn item_at<'v>(value: &'v mut Value, indices: &[usize]) -> Option<&'v mut Value> {
    match indices.split_first() {
        None => Some(value),
        Some((&i, rest)) => match value {
            Value::List(items) => item_at(items.get_mut(i)?, rest),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests;
