//! A short-lived cache of anonymous answers: the same public listing asked
//! by a thousand visitors (a link shared on a Saturday morning) is
//! computed once per moment, not a thousand times.
//!
//! Only what every visitor would be answered alike is kept: a single query
//! (never a mutation, nor a persisted query sent by its hash alone) sent
//! without a session, answered without errors.
//! Such an answer depends on nothing but the document, its variables and
//! the database, so it is served again until the first of:
//! - the time to live passes (`CORTEGE_ANSWER_CACHE_MS`, 1 s by default:
//!   what no write announces, such as an event that just ended, shows
//!   within it);
//! - a mutation runs on this server (its author sees its effect at once);
//! - the relay announces newly numbered activities (an event created,
//!   changed or cancelled, an RSVP, on any replica).
//!
//! A write clears the whole cache rather than guessing which answers it
//! touched: anonymous traffic is a few distinct documents, and being right
//! matters more than the few recomputations.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use cortege_realtime::{Channel, Message, SharedBus};

use crate::wire::MediaType;

/// Distinct answers kept at once; past it the cache starts over.
const MAX_ENTRIES: usize = 2_000;
/// Largest answer kept (a long listing with descriptions is ~100 kB).
const MAX_BODY: usize = 512 * 1024;

struct Entry {
    stored: Instant,
    generation: u64,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

pub struct Answers {
    ttl: Duration,
    /// Bumped by every write this server hears of; entries of an older
    /// generation are stale.
    generation: AtomicU64,
    entries: Mutex<HashMap<String, Entry>>,
}

/// What identifies an answer: everything the answer depends on.
pub struct Key(String);

impl Key {
    pub fn new(media: MediaType, request: &async_graphql::Request) -> Option<Key> {
        // Cheap and conservative: a document that mentions `mutation`
        // anywhere, or that is only named by a persisted-query hash, is
        // not cached (and clears the cache once it ran).
        if writes(&request.query) || !request.uploads.is_empty() {
            return None;
        }
        let variables = serde_json::to_string(&request.variables).ok()?;
        let extensions = if request.extensions.is_empty() {
            String::new()
        } else {
            serde_json::to_string(&request.extensions).ok()?
        };
        let mut key =
            String::with_capacity(request.query.len() + variables.len() + extensions.len() + 40);
        key.push(match media {
            MediaType::Json => 'j',
            MediaType::GraphQlResponseJson => 'g',
        });
        key.push('\0');
        key.push_str(request.operation_name.as_deref().unwrap_or_default());
        key.push('\0');
        key.push_str(&variables);
        key.push('\0');
        key.push_str(&extensions);
        key.push('\0');
        key.push_str(&request.query);
        Some(Key(key))
    }
}

/// Whether the document may hold a mutation. A persisted query arrives
/// without its text (the hash names it): it may be one.
pub fn writes(query: &str) -> bool {
    query.is_empty() || query.contains("mutation")
}

impl Answers {
    /// None when the time to live is zero (the cache is off).
    pub fn new(ttl: Duration) -> Option<Arc<Answers>> {
        (!ttl.is_zero()).then(|| {
            Arc::new(Answers {
                ttl,
                generation: AtomicU64::new(0),
                entries: Mutex::new(HashMap::new()),
            })
        })
    }

    /// Clears the cache whenever the relay announces numbered activities,
    /// or announcements were dropped (any of them may have been one), for
    /// as long as the cache exists.
    pub fn follow(self: &Arc<Self>, bus: SharedBus) {
        let answers = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut announcements = bus.subscribe(&[Channel::activities()]).await;
            loop {
                let heard = announcements.recv().await;
                let Some(answers) = answers.upgrade() else {
                    return;
                };
                match heard.as_deref() {
                    Ok(Message::Numbered { .. }) | Err(_) => answers.invalidate(),
                    Ok(_) => {}
                }
            }
        });
    }

    /// Something was written: every answer kept so far may be stale.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.lock().clear();
    }

    /// The generation to store an answer under: read before the answer is
    /// computed, so a write that lands meanwhile makes it stale at once.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub fn get(&self, key: &Key) -> Option<Response> {
        let generation = self.generation();
        let entries = self.lock();
        let entry = entries.get(&key.0)?;
        if entry.generation != generation || entry.stored.elapsed() >= self.ttl {
            return None;
        }
        let mut response = Response::new(Body::from(entry.body.clone()));
        *response.status_mut() = entry.status;
        *response.headers_mut() = entry.headers.clone();
        Some(response)
    }

    /// Keeps a successful answer and gives it back to send.
    pub async fn store(&self, key: Key, generation: u64, response: Response) -> Response {
        let small = axum::body::HttpBody::size_hint(response.body())
            .exact()
            .is_some_and(|n| n <= MAX_BODY as u64);
        if response.status() != StatusCode::OK || !small {
            return response;
        }
        let (parts, body) = response.into_parts();
        // The body is one buffer already (wire::encode): this only takes it.
        let body = match axum::body::to_bytes(body, MAX_BODY).await {
            Ok(body) => body,
            Err(e) => {
                tracing::error!(error = %e, "answer cache: reading an encoded answer failed");
                return Response::from_parts(parts, Body::empty());
            }
        };
        {
            let mut entries = self.lock();
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(
                key.0,
                Entry {
                    stored: Instant::now(),
                    generation,
                    status: parts.status,
                    headers: parts.headers.clone(),
                    body: body.clone(),
                },
            );
        }
        Response::from_parts(parts, Body::from(body))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        // A panic while holding the map cannot leave an entry half-written
        // (insert and clear are whole operations): keep using it.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
