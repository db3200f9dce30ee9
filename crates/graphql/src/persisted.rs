//! Apollo's automatic persisted queries (`extensions.persistedQuery`): a
//! client sends a query's SHA-256 alone, and its text only when the server
//! answers PERSISTED_QUERY_NOT_FOUND.
//!
//! Why not async-graphql's `ApolloPersistedQueries`: it is an extension,
//! and any extension makes async-graphql wrap every field of every answer
//! (`operation.rs`). The protocol is the same: the same messages, version
//! 1 only, a text that does not match its hash refused.

use std::num::NonZeroUsize;
use std::sync::{Mutex, PoisonError};

use async_graphql::{Request, ServerError};
use lru::LruCache;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Queries remembered per server (clients resend unknown ones).
const REMEMBERED: NonZeroUsize = NonZeroUsize::new(1024).expect("not zero");
/// Longer texts are not remembered; their clients send them every time.
const LONGEST: usize = 64 * 1024;

/// The query texts persisted on this server, by their hash.
pub(crate) struct Persisted(Mutex<LruCache<String, String>>);

impl Default for Persisted {
    fn default() -> Self {
        Persisted(Mutex::new(LruCache::new(REMEMBERED)))
    }
}

#[derive(Deserialize)]
struct PersistedQuery {
    version: i32,
    #[serde(rename = "sha256Hash")]
    sha256_hash: String,
}

impl Persisted {
    /// Gives a request that sent a hash alone its remembered text, and
    /// remembers the text of one that sent both.
    pub(crate) fn resolve(&self, request: &mut Request) -> Result<(), ServerError> {
        let Some(value) = request.extensions.remove("persistedQuery") else {
            return Ok(());
        };
        let persisted: PersistedQuery = async_graphql::from_value(value).map_err(|_| {
            ServerError::new("Invalid \"PersistedQuery\" extension configuration.", None)
        })?;
        if persisted.version != 1 {
            return Err(ServerError::new(
                format!(
                    "Only the \"PersistedQuery\" extension of version \"1\" is supported, and the current version is \"{}\".",
                    persisted.version
                ),
                None,
            ));
        }
        if request.query.is_empty() {
            let mut remembered = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            match remembered.get(&persisted.sha256_hash) {
                Some(text) => request.query = text.clone(),
                None => return Err(ServerError::new("PersistedQueryNotFound", None)),
            }
        } else {
            let hash = format!("{:x}", Sha256::digest(request.query.as_bytes()));
            if hash != persisted.sha256_hash {
                return Err(ServerError::new("provided sha does not match query", None));
            }
            if request.query.len() <= LONGEST {
                let mut remembered = self.0.lock().unwrap_or_else(PoisonError::into_inner);
                remembered.put(hash, request.query.clone());
            }
        }
        Ok(())
    }
}
