//! Session tokens: 256 random bits, stored only as their SHA-256; and the
//! cache that spares a signed-in request its session's lookup.

mod cache;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cortege_db::PgPool;
use cortege_domain::{PersonId, SessionId};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub use cache::{Cache, TTL as CACHE_TTL, listen};

/// Longest token accepted: ours are 43 characters; anything much longer is
/// not worth hashing.
const MAX_TOKEN: usize = 128;

/// A live session: who it signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub person: PersonId,
    pub session: SessionId,
}

/// The live session a presented token stands for; None for a token that is
/// malformed, unknown, expired or revoked (or whose person is banned or
/// deleted).
pub async fn lookup(pool: &PgPool, token: &str) -> cortege_db::Result<Option<Session>> {
    if token.is_empty() || token.len() > MAX_TOKEN {
        return Ok(None);
    }
    lookup_hash(pool, &hash_token(token)).await
}

/// As [`lookup`], from the token's hash.
pub async fn lookup_hash(pool: &PgPool, hash: &[u8]) -> cortege_db::Result<Option<Session>> {
    Ok(cortege_db::sessions::lookup(pool, hash)
        .await?
        .map(|s| Session::from(&s)))
}

/// As [`lookup`], answered from this server's cache when it looked the
/// token up moments ago (see [`Cache`] for how long a session is trusted
/// there and what removes it).
pub async fn authenticate(app: &crate::App, token: &str) -> cortege_db::Result<Option<Session>> {
    if token.is_empty() || token.len() > MAX_TOKEN {
        return Ok(None);
    }
    let hash = hash_token(token);
    if let Some(session) = app.sessions.get(&hash) {
        return Ok(Some(session));
    }
    let Some(row) = cortege_db::sessions::lookup(&app.pool, &hash).await? else {
        return Ok(None);
    };
    let session = Session::from(&row);
    app.sessions.put(hash, session, row.expires_at);
    Ok(Some(session))
}

impl From<&cortege_db::sessions::Session> for Session {
    fn from(s: &cortege_db::sessions::Session) -> Self {
        Session {
            person: s.person(),
            session: s.session_id(),
        }
    }
}

/// A new session token (URL-safe) and the hash to store.
pub fn new_token() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Opens a session for the person: the token to hand over once.
pub async fn open(pool: &PgPool, person: PersonId) -> cortege_db::Result<String> {
    let (token, hash) = new_token();
    cortege_db::sessions::create(pool, person, &hash).await?;
    Ok(token)
}

/// Ends a session, and the sockets it authenticated.
pub async fn close(app: &crate::App, s: Session) -> crate::Result<()> {
    cortege_db::sessions::revoke(&app.pool, s.session).await?;
    ended(app, s.person, Some(s.session)).await;
    Ok(())
}

/// Tells this server at once, and the others through the bus, that these
/// sessions (all of the person's, when `session` is None) ended after the
/// database says so: no cache keeps them, and their sockets close.
pub(crate) async fn ended(app: &crate::App, person: PersonId, session: Option<SessionId>) {
    app.sessions.forget(person, session);
    cortege_live::publish::sessions_revoked(&app.bus, person.0, session.map(|s| s.0)).await;
}
