//! Who is asking: resolved once per request by the HTTP layer and stored in
//! the request's data.

use async_graphql::Context;
pub use cortege_app::sessions::{hash_token, new_token};
use cortege_domain::{PersonId, SessionId};

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

/// The live session a presented token stands for; None for a token that is
/// malformed, unknown, expired or revoked (or whose person is banned or
/// deleted). A session this server confirmed seconds ago is not asked of
/// the database again (`cortege_app::sessions::Cache`).
pub async fn session(app: &cortege_app::App, token: &str) -> cortege_db::Result<Option<Auth>> {
    Ok(cortege_app::sessions::authenticate(app, token)
        .await?
        .map(Auth::from))
}

/// As [`session`], always from the database: what a socket opens with.
/// A socket lives for hours, so the lookup is paid once; and one that
/// opens while the database is away is told to come back (1013) rather
/// than accepted with a feed that cannot be read.
pub async fn session_from_database(
    pool: &cortege_db::PgPool,
    token: &str,
) -> cortege_db::Result<Option<Auth>> {
    Ok(cortege_app::sessions::lookup(pool, token)
        .await?
        .map(Auth::from))
}

/// As [`session`], from the token's hash and always from the database: a
/// socket's periodic check, which must catch what the cache was not told.
pub async fn session_by_hash(
    pool: &cortege_db::PgPool,
    hash: &[u8],
) -> cortege_db::Result<Option<Auth>> {
    Ok(cortege_app::sessions::lookup_hash(pool, hash)
        .await?
        .map(Auth::from))
}

impl From<cortege_app::sessions::Session> for Auth {
    fn from(s: cortege_app::sessions::Session) -> Self {
        Auth::Session {
            person: s.person,
            session: s.session,
        }
    }
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
