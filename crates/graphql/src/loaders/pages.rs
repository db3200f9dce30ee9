//! Pages of a connection nested in a list's items (an event's attendees,
//! a group's members), kept for the request once the list has read them
//! for all its items at once (`objects::nested_pages`).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::{Context, SelectionField, Value};

/// `first` and `after` as the query gives them to a nested connection:
/// each item's field gets the same ones, so they and the item name a page.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PageArgs {
    pub first: Option<i32>,
    pub after: Option<String>,
}

impl PageArgs {
    /// The arguments of one selection of the field, variables applied;
    /// None where they are not a page's (the field's own resolver then
    /// reports the error).
    fn of(field: &SelectionField<'_>) -> Option<Self> {
        let mut args = PageArgs {
            first: None,
            after: None,
        };
        for (name, value) in field.arguments().ok()? {
            match (name.as_str(), value) {
                (_, Value::Null) => {}
                ("first", Value::Number(n)) => {
                    args.first = Some(i32::try_from(n.as_i64()?).ok()?);
                }
                ("after", Value::String(s)) => args.after = Some(s),
                _ => return None,
            }
        }
        Some(args)
    }
}

/// Each way the query asks `field` of the nodes of the connection being
/// resolved, or of the node's relation `via` (aliases may ask it with
/// other arguments), with the selection that asks it.
pub fn nested_asks<'a>(
    ctx: &'a Context<'_>,
    via: Option<&str>,
    field: &str,
) -> Vec<(PageArgs, SelectionField<'a>)> {
    let mut asked = ctx.look_ahead().field("edges").field("node");
    if let Some(relation) = via {
        asked = asked.field(relation);
    }
    asked
        .field(field)
        .selection_fields()
        .into_iter()
        .filter_map(|f| Some((PageArgs::of(&f)?, f)))
        .collect()
}

/// Whether one selection of a nested connection asks `field` of its
/// nodes (as `nodes_ask` tells the connection's own resolver).
pub fn selection_nodes_ask(selection: SelectionField<'_>, field: &str) -> bool {
    async_graphql::Lookahead::from(selection)
        .field("edges")
        .field("node")
        .field(field)
        .exists()
}

/// Pages read ahead for a request, by parent and arguments. Kept only
/// where the operation's loaders keep what they read (a query): a
/// mutation's answer reads its pages after its writes.
pub struct NestedPages<K, V> {
    keeps: bool,
    pages: Mutex<HashMap<K, Arc<[V]>>>,
}

impl<K: Eq + Hash, V> NestedPages<K, V> {
    pub fn new(keeps: bool) -> Self {
        NestedPages {
            keeps,
            pages: Mutex::new(HashMap::new()),
        }
    }

    /// Whether pages put here are kept.
    pub fn keeps(&self) -> bool {
        self.keeps
    }

    pub fn put(&self, key: K, page: Vec<V>) {
        if self.keeps {
            self.lock().insert(key, page.into());
        }
    }

    /// The page read ahead for `key`, if a list read it.
    pub fn get(&self, key: &K) -> Option<Arc<[V]>> {
        self.lock().get(key).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Arc<[V]>>> {
        // A panic while holding it left the map whole: inserts are atomic.
        self.pages.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
