//! The sessions this server looked up in the last seconds, so that a
//! member's requests do not each wait for the database to say again who
//! they are (a page of events is otherwise one statement for the session
//! and one for the page, in turn).
//!
//! A session stays trusted here until the first of:
//! - [`TTL`] passes: what no message announces (a lost one, a bus that was
//!   down) is caught by the next lookup;
//! - the session expires;
//! - it ends: logout, a ban or a deleted account forget it on this server
//!   at once (`sessions::ended`) and on every other through the bus
//!   ([`listen`], `Message::SessionsEnded`).
//!
//! Only live sessions are kept: an unknown token is asked of the database
//! every time, so a session opened on another server works at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use cortege_domain::{PersonId, SessionId};
use cortege_realtime::{Channel, Message, SharedBus};

use super::Session;

/// How long a session is trusted without asking the database.
pub const TTL: Duration = Duration::from_secs(5);
/// Sessions kept at once; past it the cache starts over (a few seconds of
/// traffic from this many members is far more than one server serves).
const MAX_ENTRIES: usize = 100_000;

/// The token hashes of live sessions, with until when each is trusted.
#[derive(Default)]
pub struct Cache {
    entries: Mutex<HashMap<Vec<u8>, (Session, Instant)>>,
}

impl Cache {
    /// The session this token hash stood for moments ago, if still trusted.
    pub fn get(&self, hash: &[u8]) -> Option<Session> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        match entries.get(hash) {
            Some((session, until)) if *until > Instant::now() => Some(*session),
            Some(_) => {
                entries.remove(hash);
                None
            }
            None => None,
        }
    }

    /// Keeps a session the database just confirmed, until [`TTL`] passes
    /// or it expires, whichever comes first.
    pub fn put(&self, hash: Vec<u8>, session: Session, expires_at: DateTime<Utc>) {
        let left = (expires_at - Utc::now()).to_std().unwrap_or_default();
        if left.is_zero() {
            return;
        }
        let until = Instant::now() + left.min(TTL);
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(hash, (session, until));
    }

    /// Drops a session, or all of a person's when `session` is None.
    pub fn forget(&self, person: PersonId, session: Option<SessionId>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|_, (s, _)| match session {
            Some(id) => s.session != id,
            None => s.person != person,
        });
    }

    /// Drops everything: the bus lost messages, some of which may have
    /// ended sessions kept here.
    fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// Subscribes to the sessions other servers end, then forgets each in
/// `cache` until aborted.
pub async fn listen(bus: SharedBus, cache: Arc<Cache>) -> tokio::task::JoinHandle<()> {
    let forget = {
        let cache = cache.clone();
        move |message: &Message| {
            if let Message::SessionsEnded { person, session } = *message {
                cache.forget(PersonId(person), session.map(SessionId));
            }
        }
    };
    let lagged = move || {
        tracing::warn!("fell behind on ended sessions; their cache starts over");
        cache.clear();
    };
    cortege_live::listen(bus, Channel::sessions(), forget, lagged).await
}
