//! Pages of a connection nested in a list's items (an event's attendees,
//! a group's members and events), kept for the request once the list has
//! read them for all its items at once (`objects::nested_pages`).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use uuid::Uuid;

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

    /// Keeps one statement's rows, each tagged with its parent, as each
    /// parent's page (named by `key`), in the rows' order. A parent
    /// without rows gets an empty page, so that its field does not read
    /// again.
    pub fn put_each(
        &self,
        parents: &[Uuid],
        rows: impl IntoIterator<Item = (Uuid, V)>,
        key: impl Fn(Uuid) -> K,
    ) {
        for (parent, page) in super::batched::grouped(parents, rows) {
            self.put(key(parent), page);
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
