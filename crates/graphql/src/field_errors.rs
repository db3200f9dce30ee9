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
//! How: an error is never handed back to async-graphql. The extension
//! records it, answers `Ok(null)` for the field, and, when the field is
//! non-null, marks its parent position as failed; the parent field's own
//! hook, which runs after all its children, then becomes `null` in turn
//! (or, through a list of non-null items, the list does). The recorded
//! errors join the response at the end of the operation, or of each
//! subscription message.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextResolve, NextSubscribe,
    ResolveInfo,
};
use async_graphql::{PathSegment, QueryPathNode, QueryPathSegment, Response, ServerResult, Value};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;

/// Registers spec-conformant field errors (see the module doc).
pub struct FieldErrors;

impl ExtensionFactory for FieldErrors {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(FieldErrorsExtension::default())
    }
}

/// One per request (or subscription): what its fields' errors left behind.
#[derive(Default)]
struct FieldErrorsExtension {
    pending: Arc<Mutex<Pending>>,
    /// Whether a non-null field failed and its null has not reached a
    /// nullable holder yet: while false (nearly always), a field that
    /// resolved costs one load, no lock and no path.
    propagating: AtomicBool,
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
    fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        // The state is plain data: a panic elsewhere leaves it consistent.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
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
        let mut response = next.run(ctx, operation_name).await;
        self.pending().settle(&mut response);
        self.propagating.store(false, Ordering::Release);
        response
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        let pending = self.pending.clone();
        // Messages are resolved one at a time: what is pending when one is
        // yielded belongs to it. A failure left at a subscription field
        // (never itself resolved through `resolve`) nulls the message's data.
        next.run(ctx, stream)
            .map(move |mut response| {
                pending
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .settle(&mut response);
                response
            })
            .boxed()
    }

    async fn resolve(
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
        let result = next.run(ctx, info).await;
        if result.is_ok() && !self.propagating.load(Ordering::Acquire) {
            return result;
        }
        let here = path_of(path_node);
        let mut pending = self.pending();
        let mut value = None;
        let mut failed = match result {
            Ok(v) => {
                value = v;
                false
            }
            Err(mut e) => {
                if e.path.is_empty() {
                    e.path = here.clone();
                }
                pending.errors.push(e);
                true
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
        self.propagating
            .store(!pending.failed.is_empty(), Ordering::Release);
        if failed {
            Ok(Some(Value::Null))
        } else {
            Ok(value)
        }
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
mod tests {
    use super::*;

    #[test]
    fn nullability_is_read_from_the_type() {
        assert!(is_nullable("Event"));
        assert!(is_nullable("[Event!]"));
        assert!(!is_nullable("Event!"));
        assert!(!is_nullable("[Event]!"));
        assert_eq!(item_type("[Event!]!"), Some("Event!"));
        assert_eq!(item_type("[[Int]!]"), Some("[Int]!"));
        assert_eq!(item_type("Event!"), None);
    }

    fn list(n: usize) -> Value {
        Value::List((0..n).map(|i| Value::from(i as i32)).collect())
    }

    #[test]
    fn a_failed_item_nulls_the_nearest_nullable_holder() {
        // Nullable items: only the failed item becomes null.
        let mut v = list(3);
        assert!(null_failed_items("[Event]!", &mut v, &[vec![1]]));
        assert_eq!(v, Value::List(vec![0.into(), Value::Null, 2.into()]));
        // Non-null items: the whole (nullable or not) field fails.
        let mut v = list(3);
        assert!(!null_failed_items("[Event!]", &mut v, &[vec![1]]));
        // The field's own object.
        assert!(!null_failed_items("Event", &mut Value::Null, &[vec![]]));
        // Nested lists: the inner nullable list is nulled.
        let mut v = Value::List(vec![list(2), list(2)]);
        assert!(null_failed_items("[[Int!]]!", &mut v, &[vec![1, 0]]));
        assert_eq!(v, Value::List(vec![list(2), Value::Null]));
    }

    #[test]
    fn pending_failures_are_taken_through_list_items_only() {
        let f = |s: &str| PathSegment::Field(s.to_owned());
        let mut pending = Pending {
            errors: vec![],
            failed: vec![
                vec![f("a"), PathSegment::Index(2)],
                vec![f("a"), f("b")],
                vec![f("a")],
                vec![f("c")],
            ],
        };
        let within = pending.take_failed_within(&[f("a")]);
        assert_eq!(within, vec![vec![2], vec![]]);
        assert_eq!(pending.failed, vec![vec![f("a"), f("b")], vec![f("c")]]);
    }

    /// A schema of its own, so every case of the specification's rules can
    /// be driven: nullable and non-null fields, lists of either, the root.
    mod spec {
        use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};
        use serde_json::{Value as Json, json};

        struct Query;
        struct Item(i32);

        #[Object]
        impl Item {
            async fn id(&self) -> i32 {
                self.0
            }
            /// Fails for odd items.
            async fn strict(&self) -> async_graphql::Result<i32> {
                if self.0 % 2 == 1 {
                    Err("odd".into())
                } else {
                    Ok(self.0)
                }
            }
            async fn lenient(&self) -> async_graphql::Result<Option<i32>> {
                Err("never".into())
            }
        }

        #[Object]
        impl Query {
            async fn secret(&self) -> async_graphql::Result<Option<String>> {
                Err("FORBIDDEN".into())
            }
            async fn required(&self) -> async_graphql::Result<String> {
                Err("broken".into())
            }
            async fn fine(&self) -> &str {
                "ok"
            }
            async fn item(&self, id: i32) -> Option<Item> {
                Some(Item(id))
            }
            async fn items(&self) -> Vec<Option<Item>> {
                (0..3).map(|i| Some(Item(i))).collect()
            }
            async fn strict_items(&self) -> Option<Vec<Item>> {
                Some((0..3).map(Item).collect())
            }
        }

        async fn run(query: &str) -> (Json, Vec<Json>) {
            let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
                .extension(super::super::FieldErrors)
                .finish();
            let response = schema.execute(query).await;
            let errors = response
                .errors
                .iter()
                .map(|e| serde_json::to_value(&e.path).unwrap())
                .collect();
            (serde_json::to_value(&response.data).unwrap(), errors)
        }

        #[tokio::test]
        async fn a_failed_nullable_field_is_null_not_missing() {
            let (data, errors) = run("{ secret fine x: secret }").await;
            assert_eq!(data, json!({ "secret": null, "fine": "ok", "x": null }));
            assert_eq!(errors.len(), 2);
            assert!(errors.contains(&json!(["secret"])));
            assert!(errors.contains(&json!(["x"])));
            let (data, errors) = run("{ item(id: 2) { id lenient } }").await;
            assert_eq!(data, json!({ "item": { "id": 2, "lenient": null } }));
            assert_eq!(errors, vec![json!(["item", "lenient"])]);
        }

        #[tokio::test]
        async fn a_failed_non_null_field_nulls_its_nullable_parent() {
            let (data, errors) = run("{ fine item(id: 1) { id strict } }").await;
            assert_eq!(data, json!({ "fine": "ok", "item": null }));
            assert_eq!(errors, vec![json!(["item", "strict"])]);
        }

        #[tokio::test]
        async fn in_lists_the_null_stops_at_the_nearest_nullable_level() {
            let (data, errors) = run("{ items { id strict } }").await;
            assert_eq!(
                data,
                json!({ "items": [{ "id": 0, "strict": 0 }, null, { "id": 2, "strict": 2 }] })
            );
            assert_eq!(errors, vec![json!(["items", 1, "strict"])]);
            let (data, _) = run("{ fine strictItems { strict } }").await;
            assert_eq!(data, json!({ "fine": "ok", "strictItems": null }));
        }

        #[tokio::test]
        async fn a_failed_non_null_root_field_nulls_data() {
            let (data, errors) = run("{ fine required }").await;
            assert_eq!(data, Json::Null);
            assert_eq!(errors, vec![json!(["required"])]);
        }
    }
}
