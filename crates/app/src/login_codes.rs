//! One-time login codes: drawn, hashed with Argon2id, verified in constant
//! work, mailed.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use cortege_domain::{LOGIN_CODE_ALPHABET, LOGIN_CODE_LEN, PersonId, normalize_login_code};
use rand::Rng;
use uuid::Uuid;

use crate::mail::{CodeMail, login_code_mail};
use crate::{App, Error, Result};

/// Argon2id with a modest cost: a code lives 90 minutes, so the hash only
/// has to outlast that against a leaked table, and each verification must
/// stay cheap enough for a login burst.
fn argon2() -> Argon2<'static> {
    let params = Params::new(8 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn new_code() -> String {
    let mut rng = rand::rng();
    (0..LOGIN_CODE_LEN)
        .map(|_| char::from(LOGIN_CODE_ALPHABET[rng.random_range(0..LOGIN_CODE_ALPHABET.len())]))
        .collect()
}

fn hash_code(code: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(code.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// A hash that matches nothing, verified when there is nothing to verify so
/// an unknown email costs the same time as a known one.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_code("--------").unwrap_or_default())
}

fn code_matches(code: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| argon2().verify_password(code.as_bytes(), &h).is_ok())
}

/// Creates a code for an existing, active person and mails it. Runs after
/// the answer is decided, so its cost never tells whether the email exists.
pub(crate) async fn send(
    app: &App,
    person: PersonId,
    email: &str,
    kind: CodeMail,
) -> Result<(), String> {
    let code = new_code();
    let for_hash = code.clone();
    let hash = tokio::task::spawn_blocking(move || hash_code(&for_hash))
        .await
        .map_err(|e| e.to_string())??;
    cortege_db::login_codes::create(&app.pool, person, &hash)
        .await
        .map_err(|e| e.to_string())?;
    let (subject, body) = login_code_mail(kind, &code, &app.public_url);
    app.mailer.send(email, &subject, body).await
}

/// The id of the person's live code that `typed` matches (`within` minutes
/// old at most), checked in constant work: with no person or no code, a
/// dummy hash is verified all the same.
pub(crate) async fn matching(
    app: &App,
    person: Option<PersonId>,
    typed: &str,
    within_minutes: Option<i32>,
) -> Result<Option<Uuid>> {
    let live = match person {
        Some(p) => cortege_db::login_codes::live(&app.pool, p, within_minutes).await?,
        None => Vec::new(),
    };
    let typed = normalize_login_code(typed);
    let hashes: Vec<(Uuid, String)> = live.into_iter().map(|c| (c.id, c.code_hash)).collect();
    tokio::task::spawn_blocking(move || {
        let typed = typed.unwrap_or_default();
        if hashes.is_empty() {
            code_matches(&typed, dummy_hash());
            return None;
        }
        hashes
            .into_iter()
            .find(|(_, h)| code_matches(&typed, h))
            .map(|(id, _)| id)
    })
    .await
    .map_err(|e| Error::internal("code verification task", &e))
}

/// Whether `typed` is one of the person's live codes, which it then uses up.
pub(crate) async fn consume(
    app: &App,
    person: Option<PersonId>,
    typed: &str,
    within_minutes: Option<i32>,
) -> Result<bool> {
    match matching(app, person, typed, within_minutes).await? {
        Some(id) => Ok(cortege_db::login_codes::consume(&app.pool, id).await?),
        None => Ok(false),
    }
}
