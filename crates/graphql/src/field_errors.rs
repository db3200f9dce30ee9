//! Field errors as the GraphQL specification handles them (§ "Handling
//! Field Errors"): a field that fails becomes `null` in `data` and its error
//! is listed; when the failed field is non-null, the `null` moves up to the
//! nearest nullable parent.
//!
//! Why this exists: async-graphql 7.2 (`resolver_utils::container::
//! do_resolve_container`) drops the key of any field whose resolver returns
//! an error, nullable or not, and leaves the parent an object (or makes it
//! `null` when every one of its fields failed). Apollo iOS and Kotlin then
//! fail on a missing key, and normalised caches (Apollo InMemoryCache, urql
//! Graphcache) take it for a cache miss. The unit tests (a schema of their
//! own), the server's `tests/api/conformance.rs`, and Apollo and urql in
//! frontend/conformance check the answers the spec requires, and would flag
//! an upstream change.
//!
//! How: after execution, each error's path is followed through the
//! operation's document (aliases and fragments included) to the schema's
//! field types, [`FieldTypes`], read once from the schema's SDL. The
//! nearest nullable position at or above the failed field becomes `null`;
//! none up to the root nulls the whole `data`.
//!
//! Why after execution rather than around each field: with any
//! async-graphql extension registered, every field and list item is
//! wrapped (a `ResolveInfo` found by two registry look-ups, list items'
//! type names formatted, a boxed future), errors or not. Done this way a
//! response without errors costs nothing, and the listings gained
//! 14–17 % of their throughput (docs/performance.md, "Field errors after
//! execution").

use std::collections::HashMap;

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationDefinition, OperationType,
    Selection, SelectionSet, Type, TypeKind, TypeSystemDefinition,
};
use async_graphql::{Name, PathSegment, Response, Value};

/// The output fields' types of a schema, by type and field name.
pub struct FieldTypes {
    fields: HashMap<String, HashMap<String, Type>>,
    query: String,
    mutation: String,
    subscription: String,
}

impl FieldTypes {
    /// No types known: every failed field is nulled where it failed.
    pub fn empty() -> Self {
        FieldTypes {
            fields: HashMap::new(),
            query: String::new(),
            mutation: String::new(),
            subscription: String::new(),
        }
    }

    /// Reads the types of `sdl`, the schema's own (`Schema::sdl`).
    pub fn from_sdl(sdl: &str) -> Result<Self, async_graphql::parser::Error> {
        let document = async_graphql::parser::parse_schema(sdl)?;
        let mut types = FieldTypes {
            fields: HashMap::new(),
            query: "Query".to_owned(),
            mutation: "Mutation".to_owned(),
            subscription: "Subscription".to_owned(),
        };
        for definition in document.definitions {
            match definition {
                TypeSystemDefinition::Schema(schema) => {
                    let schema = schema.node;
                    if let Some(name) = schema.query {
                        types.query = name.node.to_string();
                    }
                    if let Some(name) = schema.mutation {
                        types.mutation = name.node.to_string();
                    }
                    if let Some(name) = schema.subscription {
                        types.subscription = name.node.to_string();
                    }
                }
                TypeSystemDefinition::Type(ty) => {
                    let ty = ty.node;
                    let fields = match ty.kind {
                        TypeKind::Object(object) => object.fields,
                        TypeKind::Interface(interface) => interface.fields,
                        _ => continue,
                    };
                    let fields = fields
                        .into_iter()
                        .map(|f| (f.node.name.node.to_string(), f.node.ty.node))
                        .collect();
                    types.fields.insert(ty.name.node.to_string(), fields);
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        Ok(types)
    }

    /// Nulls, in `response.data`, what each of its errors leaves failed
    /// (see the module doc). `operation` is the operation that ran, as the
    /// request names it.
    pub fn settle(
        &self,
        document: &ExecutableDocument,
        operation: Option<&str>,
        response: &mut Response,
    ) {
        if response.errors.is_empty() {
            return;
        }
        let Some((_, op)) = operation_of(document, operation) else {
            return;
        };
        let root = match op.ty {
            OperationType::Query => &self.query,
            OperationType::Mutation => &self.mutation,
            OperationType::Subscription => &self.subscription,
        };
        let walk = Walk {
            types: self,
            document,
        };
        let mut nulled: Vec<&[PathSegment]> = Vec::new();
        for error in &response.errors {
            if error.path.is_empty() {
                continue;
            }
            let depth = walk.null_depth(&op.selection_set.node, root, &error.path);
            let target = &error.path[..depth];
            if nulled.iter().any(|n| target.starts_with(n)) {
                continue;
            }
            null_at(&mut response.data, target);
            nulled.push(target);
        }
    }
}

/// The operation a request naming `name` runs, by async-graphql's rules,
/// with its name in the document when it has one; None when the document
/// holds no such operation (async-graphql then refuses the request).
pub(crate) fn operation_of<'d>(
    document: &'d ExecutableDocument,
    name: Option<&str>,
) -> Option<(Option<&'d Name>, &'d OperationDefinition)> {
    let (name, op) = match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => (None, op),
        (DocumentOperations::Multiple(ops), Some(name)) => {
            let (name, op) = ops.get_key_value(name)?;
            (Some(name), op)
        }
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            let (name, op) = ops.iter().next()?;
            (Some(name), op)
        }
        (DocumentOperations::Multiple(_), None) => return None,
    };
    Some((name, &op.node))
}

/// A selection set, and the type its fields are selected on.
type Scope<'d> = (&'d SelectionSet, &'d str);

struct Walk<'a> {
    types: &'a FieldTypes,
    document: &'a ExecutableDocument,
}

impl<'a> Walk<'a> {
    /// How much of `path` (an error's, from the root) stays: the length of
    /// the nearest nullable position at or above the failed field, or 0
    /// when there is none and `data` itself becomes null. A position whose
    /// type cannot be found counts as nullable, so that a null never
    /// climbs further than it must.
    fn null_depth(
        &self,
        root: &'a SelectionSet,
        root_type: &'a str,
        path: &[PathSegment],
    ) -> usize {
        // Each position's nullability, from the root down.
        let mut nullable = Vec::with_capacity(path.len());
        let mut scopes: Vec<Scope<'a>> = vec![(root, root_type)];
        let mut ty: Option<&'a Type> = None;
        for segment in path {
            ty = match segment {
                PathSegment::Field(key) => {
                    let (field_ty, inner) = self.field(&scopes, key);
                    scopes = inner;
                    field_ty
                }
                PathSegment::Index(_) => ty.and_then(|t| match &t.base {
                    BaseType::List(item) => Some(item.as_ref()),
                    BaseType::Named(_) => None,
                }),
            };
            match ty {
                Some(t) => nullable.push(t.nullable),
                None => {
                    nullable.push(true);
                    break;
                }
            }
        }
        nullable.iter().rposition(|&n| n).map_or(0, |i| i + 1)
    }

    /// The type of the field answered under `key` in `scopes`, and the
    /// scopes of its own selections.
    fn field(&self, scopes: &[Scope<'a>], key: &str) -> (Option<&'a Type>, Vec<Scope<'a>>) {
        let mut found = None;
        let mut inner = Vec::new();
        for &(set, on) in scopes {
            self.collect(set, on, key, &mut found, &mut inner);
        }
        (found, inner)
    }

    fn collect(
        &self,
        set: &'a SelectionSet,
        on: &'a str,
        key: &str,
        found: &mut Option<&'a Type>,
        inner: &mut Vec<Scope<'a>>,
    ) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) if field.node.response_key().node.as_str() == key => {
                    // Fields merged under one key have the same shape
                    // (validation's "same response shape"): any one's type
                    // tells the nullability.
                    let Some(ty) = self
                        .types
                        .fields
                        .get(on)
                        .and_then(|fields| fields.get(field.node.name.node.as_str()))
                    else {
                        continue;
                    };
                    found.get_or_insert(ty);
                    inner.push((&field.node.selection_set.node, named(ty)));
                }
                Selection::Field(_) => {}
                Selection::FragmentSpread(spread) => {
                    if let Some(fragment) =
                        self.document.fragments.get(&spread.node.fragment_name.node)
                    {
                        let fragment = &fragment.node;
                        let on = fragment.type_condition.node.on.node.as_str();
                        self.collect(&fragment.selection_set.node, on, key, found, inner);
                    }
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let on = fragment
                        .type_condition
                        .as_ref()
                        .map_or(on, |c| c.node.on.node.as_str());
                    self.collect(&fragment.selection_set.node, on, key, found, inner);
                }
            }
        }
    }
}

/// `[Event!]!` → `Event`.
fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(item) => named(item),
    }
}

/// Sets the position `path` of `data` to null. An object on the way that
/// async-graphql made null because every one of its fields failed becomes
/// an object again, so that its failed fields can be listed as null.
fn null_at(data: &mut Value, path: &[PathSegment]) {
    let Some((last, above)) = path.split_last() else {
        *data = Value::Null;
        return;
    };
    let mut at = data;
    for segment in above {
        if matches!(at, Value::Null) {
            *at = Value::Object(Default::default());
        }
        let next = match (segment, at) {
            (PathSegment::Field(key), Value::Object(fields)) => fields.get_mut(key.as_str()),
            (PathSegment::Index(i), Value::List(items)) => items.get_mut(*i),
            _ => None,
        };
        match next {
            Some(next) => at = next,
            None => return,
        }
    }
    if matches!(at, Value::Null) {
        *at = Value::Object(Default::default());
    }
    match (last, at) {
        (PathSegment::Field(key), Value::Object(fields)) => {
            fields.insert(async_graphql::Name::new(key), Value::Null);
        }
        (PathSegment::Index(i), Value::List(items)) => {
            if let Some(item) = items.get_mut(*i) {
                *item = Value::Null;
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
