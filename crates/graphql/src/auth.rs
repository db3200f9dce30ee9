//! Who is asking: resolved once per request by the HTTP layer and stored in
//! the request's data.

use async_graphql::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cortege_domain::{PersonId, SessionId};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "cortege_session";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    Anonymous,
    Session {
        person: PersonId,
        session: SessionId,
    },
}

impl Auth {
    pub fn person(&self) -> Option<PersonId> {
        match self {
            Auth::Anonymous => None,
            Auth::Session { person, .. } => Some(*person),
        }
    }
}

/// The request's auth; anonymous when none was attached (schema tests).
pub fn auth(ctx: &Context<'_>) -> Auth {
    ctx.data_opt::<Auth>().copied().unwrap_or(Auth::Anonymous)
}

/// The signed-in person, or UNAUTHENTICATED.
pub fn require_person(ctx: &Context<'_>) -> Result<PersonId, ApiError> {
    auth(ctx).person().ok_or(ApiError::Unauthenticated)
}

/// Longest token accepted: ours are 43 characters; anything much longer is
/// not worth hashing.
const MAX_TOKEN: usize = 128;

/// The live session a presented token stands for; None for a token that is
/// malformed, unknown, expired or revoked (or whose person is banned or
/// deleted).
pub async fn session(pool: &cortege_db::PgPool, token: &str) -> cortege_db::Result<Option<Auth>> {
    if token.is_empty() || token.len() > MAX_TOKEN {
        return Ok(None);
    }
    session_by_hash(pool, &hash_token(token)).await
}

/// As [`session`], from the token's hash.
pub async fn session_by_hash(
    pool: &cortege_db::PgPool,
    hash: &[u8],
) -> cortege_db::Result<Option<Auth>> {
    Ok(cortege_db::sessions::lookup(pool, hash)
        .await?
        .map(|s| Auth::Session {
            person: s.person(),
            session: s.session_id(),
        }))
}

/// A new session token (256 random bits, URL-safe) and the hash to store.
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

/// The Set-Cookie value for a session token; `secure` when served over https.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let max_age = i64::from(cortege_db::sessions::IDLE_LIFETIME_DAYS) * 86_400;
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The Set-Cookie value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}
