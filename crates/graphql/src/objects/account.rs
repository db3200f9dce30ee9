//! Sign-up, passwordless login by emailed codes, sessions and the profile.

use std::io::Read;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, OnceLock};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject, Upload};
use cortege_db::people::{NewPerson, ProfileUpdate};
use cortege_domain::{
    ActionRadiusKm, Email, LOGIN_CODE_ALPHABET, LOGIN_CODE_LEN, PersonId, PersonName,
    normalize_login_code,
};
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::auth::{self, Auth, require_person};
use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult};
use crate::ids::{self, Kind};
use crate::mail::{CodeMail, login_code_mail};
use crate::media;
use crate::objects::address::communes_of_postcode;
use crate::objects::person::visible_person;
use crate::objects::person::{GeoPointInput, Person};
use crate::objects::viewer::Viewer;
use crate::state::{ClientAddr, SharedState};

/// Sign-up details. Names are trimmed, 1 to 100 characters.
#[derive(InputObject)]
pub struct SignUpInput {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// Must be true: membership means supporting the movement's candidate.
    pub accepts_pledge: bool,
    /// A French postcode; places the member at its commune's centre unless
    /// homeLocation is given.
    pub postcode: Option<String>,
    pub home_location: Option<GeoPointInput>,
    /// JPEG, PNG or WebP up to 5 MB, as in uploadPhoto.
    pub photo: Option<Upload>,
}

/// The same answer for a new and an existing email: no enumeration.
#[derive(SimpleObject)]
pub struct SignUpPayload {
    /// True when a login code was sent to the email.
    pub login_code_sent: bool,
}

/// A new session.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Send it as "Authorization: Bearer <token>", or rely on the cookie
    /// that was set with this response.
    pub token: String,
    pub viewer: Viewer,
}

/// Profile changes; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateProfileInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// A French postcode; also moves the home location to its commune's
    /// centre unless homeLocation is given.
    pub postcode: Option<String>,
    pub home_location: Option<GeoPointInput>,
    /// 0 < actionRadiusKm <= 500.
    pub action_radius_km: Option<f64>,
}

fn client_addr(ctx: &Context<'_>) -> IpAddr {
    ctx.data_opt::<ClientAddr>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0)
}

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

pub fn email_hash(email: &str) -> Vec<u8> {
    Sha256::digest(email.as_bytes()).to_vec()
}

/// The commune of a postcode (the main one when it serves several) and its
/// centre; BAD_USER_INPUT on `field` when no commune has it.
async fn place_of_postcode(
    state: &SharedState,
    raw: &str,
    field: &str,
) -> ApiResult<(String, String, (f64, f64))> {
    let (postcode, communes) = communes_of_postcode(state, raw, field).await?;
    let commune = communes
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("postcode without commune", &postcode))?;
    Ok((postcode, commune.code, (commune.lat, commune.lon)))
}

/// Reads and re-encodes an upload off the async threads.
async fn read_photo(ctx: &Context<'_>, upload: &Upload, field: &str) -> ApiResult<media::Photo> {
    let value = upload
        .value(ctx)
        .map_err(|_| ApiError::bad_input(field, "the upload could not be read"))?;
    let field = field.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut bytes = Vec::new();
        value
            .into_read()
            .take(media::MAX_PHOTO_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| ApiError::bad_input(&field, "the upload could not be read"))?;
        media::process(&bytes, &field)
    })
    .await
    .map_err(|e| ApiError::internal("photo task", &e))?
}

/// Creates a code for an existing, active person and mails it. Runs after
/// the answer is decided, so its cost never tells whether the email exists.
async fn send_code(
    state: &SharedState,
    person: PersonId,
    email: &str,
    kind: CodeMail,
) -> Result<(), String> {
    let code = new_code();
    let for_hash = code.clone();
    let hash = tokio::task::spawn_blocking(move || hash_code(&for_hash))
        .await
        .map_err(|e| e.to_string())??;
    cortege_db::login_codes::create(&state.pool, person, &hash)
        .await
        .map_err(|e| e.to_string())?;
    let (subject, body) = login_code_mail(kind, &code, &state.config.public_url);
    state.mailer.send(email, &subject, body).await
}

/// What a sign-up does once it has been answered.
async fn complete_sign_up(
    state: SharedState,
    new: NewPerson,
    photo: Option<media::Photo>,
) -> Result<(), String> {
    let db = |e: cortege_db::Error| e.to_string();
    if cortege_db::people::email_is_banned(&state.pool, &new.email, &email_hash(&new.email))
        .await
        .map_err(db)?
    {
        return Ok(());
    }
    if let Some(existing) = cortege_db::people::by_email(&state.pool, &new.email)
        .await
        .map_err(db)?
    {
        if existing.is_active() {
            send_code(
                &state,
                existing.person_id(),
                &new.email,
                CodeMail::AlreadyMember,
            )
            .await?;
        }
        return Ok(());
    }
    let mut new = new;
    if let Some(photo) = &photo {
        new.photo_key = Some(state.media.store(photo).await.map_err(|e| e.message())?);
    }
    let mut tx = state.pool.begin().await.map_err(|e| e.to_string())?;
    let created = cortege_db::people::insert(&mut tx, &new)
        .await
        .map_err(db)?;
    tx.commit().await.map_err(|e| e.to_string())?;
    match created {
        Some(id) => send_code(&state, id, &new.email, CodeMail::Welcome).await,
        None => {
            // Lost a race with another sign-up for the same email.
            if let Some(key) = &new.photo_key {
                state.media.remove(key).await;
            }
            match cortege_db::people::by_email(&state.pool, &new.email)
                .await
                .map_err(db)?
            {
                Some(p) if p.is_active() => {
                    send_code(&state, p.person_id(), &new.email, CodeMail::AlreadyMember).await
                }
                _ => Ok(()),
            }
        }
    }
}

/// The id of the person's live code that `typed` matches (`within` minutes
/// old at most), checked in constant work: with no person or no code, a
/// dummy hash is verified all the same.
async fn matching_code(
    state: &SharedState,
    person: Option<PersonId>,
    typed: &str,
    within_minutes: Option<i32>,
) -> ApiResult<Option<uuid::Uuid>> {
    let live = match person {
        Some(p) => cortege_db::login_codes::live(&state.pool, p, within_minutes).await?,
        None => Vec::new(),
    };
    let typed = normalize_login_code(typed);
    let hashes: Vec<(uuid::Uuid, String)> = live.into_iter().map(|c| (c.id, c.code_hash)).collect();
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
    .map_err(|e| ApiError::internal("code verification task", &e))
}

async fn load_viewer(state: &SharedState, id: PersonId) -> ApiResult<Viewer> {
    let row = cortege_db::people::by_id(&state.pool, id)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    Ok(Viewer(Arc::new(row)))
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The signed-in person, or null.
    async fn viewer(&self, ctx: &Context<'_>) -> ApiResult<Option<Viewer>> {
        match auth::auth(ctx).person() {
            None => Ok(None),
            Some(id) => load_viewer(ctx.state(), id).await.map(Some),
        }
    }

    /// A member by ID; null when there is none (or it was banned or deleted).
    /// Needs a session.
    async fn person(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Person>> {
        require_person(ctx)?;
        let uuid = ids::decode(Kind::Person, &id, "id")?;
        visible_person(ctx, uuid).await
    }
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Creates an account and sends a login code. The pledge must be accepted.
    /// Photo: as uploadPhoto. An email that already has an account gets the
    /// same answer and a mail with a login code; nothing else changes.
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> ApiResult<SignUpPayload> {
        let state = ctx.state();
        if !input.accepts_pledge {
            return Err(ApiError::bad_input(
                "input.acceptsPledge",
                "membership means supporting the movement's candidate: the pledge must be accepted",
            ));
        }
        let first = PersonName::parse(&input.first_name, "input.firstName")?;
        let last = PersonName::parse(&input.last_name, "input.lastName")?;
        let email = Email::parse(&input.email, "input.email")?;
        let home = input
            .home_location
            .map(|p| p.parse("input.homeLocation"))
            .transpose()?;
        let place = match &input.postcode {
            Some(raw) => Some(place_of_postcode(state, raw, "input.postcode").await?),
            None => None,
        };
        state
            .throttles
            .check_send(email.as_str(), client_addr(ctx))
            .await?;
        let photo = match &input.photo {
            Some(upload) => Some(read_photo(ctx, upload, "input.photo").await?),
            None => None,
        };
        let new = NewPerson {
            id: PersonId::new(),
            first_name: first.into_inner(),
            last_name: last.into_inner(),
            email: email.as_str().to_owned(),
            home: home
                .map(|p| (p.lat(), p.lon()))
                .or(place.as_ref().map(|p| p.2)),
            postcode: place.as_ref().map(|p| p.0.clone()),
            commune_code: place.map(|p| p.1),
            photo_key: None,
            pledge_accepted: true,
        };
        let state = state.clone();
        tokio::spawn(async move {
            if let Err(e) = complete_sign_up(state, new, photo).await {
                tracing::error!(error = %e, "completing a sign-up");
            }
        });
        Ok(SignUpPayload {
            login_code_sent: true,
        })
    }

    /// For members imported from the existing file: accept the pledge.
    async fn accept_pledge(&self, ctx: &Context<'_>) -> ApiResult<Viewer> {
        let id = require_person(ctx)?;
        cortege_db::people::accept_pledge(&ctx.state().pool, id).await?;
        load_viewer(ctx.state(), id).await
    }

    /// Mails a login code. Answers true whether or not the email has an
    /// account (no enumeration), or RATE_LIMITED.
    async fn request_login_code(&self, ctx: &Context<'_>, email: String) -> ApiResult<bool> {
        let state = ctx.state();
        let email = Email::parse(&email, "email")?;
        state
            .throttles
            .check_send(email.as_str(), client_addr(ctx))
            .await?;
        let state = state.clone();
        tokio::spawn(async move {
            let result = match cortege_db::people::by_email(&state.pool, email.as_str()).await {
                Ok(Some(p)) if p.is_active() => {
                    send_code(&state, p.person_id(), email.as_str(), CodeMail::Login).await
                }
                Ok(_) => Ok(()),
                Err(e) => Err(e.to_string()),
            };
            if let Err(e) = result {
                tracing::error!(error = %e, "sending a login code");
            }
        });
        Ok(true)
    }

    /// Single use; returns a session token and sets the session cookie. A
    /// wrong, expired or used code is BAD_USER_INPUT on "code"; too many
    /// attempts are RATE_LIMITED.
    async fn verify_login_code(
        &self,
        ctx: &Context<'_>,
        email: String,
        code: String,
    ) -> ApiResult<AuthPayload> {
        let state = ctx.state();
        let email = Email::parse(&email, "email")?;
        state
            .throttles
            .check_guess(email.as_str(), client_addr(ctx))
            .await?;
        let wrong = || ApiError::bad_input("code", "this code is wrong, expired or already used");
        let person = cortege_db::people::by_email(&state.pool, email.as_str())
            .await?
            .filter(|p| p.is_active());
        let matched =
            matching_code(state, person.as_ref().map(|p| p.person_id()), &code, None).await?;
        let (Some(person), Some(code_id)) = (person, matched) else {
            return Err(wrong());
        };
        if !cortege_db::login_codes::consume(&state.pool, code_id).await? {
            return Err(wrong());
        }
        let (token, hash) = auth::new_token();
        cortege_db::sessions::create(&state.pool, person.person_id(), &hash).await?;
        ctx.append_http_header(
            "Set-Cookie",
            auth::session_cookie(&token, state.config.secure_cookies()),
        );
        Ok(AuthPayload {
            token,
            viewer: Viewer(Arc::new(person)),
        })
    }

    /// Ends the current session on the server and clears the cookie.
    async fn logout(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let Auth::Session { session, .. } = auth::auth(ctx) else {
            return Err(ApiError::Unauthenticated);
        };
        let state = ctx.state();
        cortege_db::sessions::revoke(&state.pool, session).await?;
        if let Some(person) = auth::auth(ctx).person() {
            crate::live::sessions_revoked(&state.bus, person.0, Some(session.0)).await;
        }
        ctx.append_http_header(
            "Set-Cookie",
            auth::clear_cookie(state.config.secure_cookies()),
        );
        Ok(true)
    }

    /// Every row that refers to the viewer, as one JSON document.
    async fn export_my_data(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let id = require_person(ctx)?;
        Ok(cortege_db::privacy::export(&ctx.state().pool, id)
            .await?
            .to_string())
    }

    /// Deletes the viewer's account. Needs a login code requested in the
    /// last 10 minutes and not yet used (BAD_USER_INPUT on "code"
    /// otherwise): name, email, phone, photo and location are removed,
    /// sessions end, anonymous counts stay.
    async fn delete_my_account(&self, ctx: &Context<'_>, code: String) -> ApiResult<bool> {
        let id = require_person(ctx)?;
        let state = ctx.state();
        let person = cortege_db::people::by_id(&state.pool, id)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        let email = person.email.clone().unwrap_or_default();
        state
            .throttles
            .check_guess(&email, client_addr(ctx))
            .await?;
        let wrong = || {
            ApiError::bad_input(
                "code",
                "this code is wrong, expired, already used or older than 10 minutes",
            )
        };
        let Some(code_id) = matching_code(state, Some(id), &code, Some(10)).await? else {
            return Err(wrong());
        };
        if !cortege_db::login_codes::consume(&state.pool, code_id).await? {
            return Err(wrong());
        }
        if let Some(photo) = cortege_db::privacy::delete_account(&state.pool, id).await? {
            state.media.remove(&photo).await;
        }
        crate::live::sessions_revoked(&state.bus, id.0, None).await;
        ctx.append_http_header(
            "Set-Cookie",
            auth::clear_cookie(state.config.secure_cookies()),
        );
        Ok(true)
    }

    /// Changes the viewer's names, place and action radius.
    async fn update_profile(
        &self,
        ctx: &Context<'_>,
        input: UpdateProfileInput,
    ) -> ApiResult<Viewer> {
        let id = require_person(ctx)?;
        let state = ctx.state();
        let name = |raw: &Option<String>, field: &str| {
            raw.as_deref()
                .map(|r| PersonName::parse(r, field).map(PersonName::into_inner))
                .transpose()
                .map_err(ApiError::from)
        };
        let first_name = name(&input.first_name, "input.firstName")?;
        let last_name = name(&input.last_name, "input.lastName")?;
        let home = input
            .home_location
            .map(|p| p.parse("input.homeLocation"))
            .transpose()?
            .map(|p| (p.lat(), p.lon()));
        let action_radius_km = input
            .action_radius_km
            .map(|r| ActionRadiusKm::parse(r, "input.actionRadiusKm").map(ActionRadiusKm::get))
            .transpose()?;
        let place = match &input.postcode {
            Some(raw) => Some(place_of_postcode(state, raw, "input.postcode").await?),
            None => None,
        };
        let update = ProfileUpdate {
            first_name,
            last_name,
            home: home.or(place.as_ref().map(|p| p.2)),
            place: place.map(|p| (p.0, p.1)),
            action_radius_km,
        };
        cortege_db::people::update_profile(&state.pool, id, &update).await?;
        load_viewer(state, id).await
    }

    /// GraphQL multipart request; JPEG/PNG/WebP up to 5 MB; re-encoded,
    /// metadata stripped, stored in square sizes.
    async fn upload_photo(&self, ctx: &Context<'_>, file: Upload) -> ApiResult<Person> {
        let id = require_person(ctx)?;
        let state = ctx.state();
        let photo = read_photo(ctx, &file, "file").await?;
        let key = state.media.store(&photo).await?;
        match cortege_db::people::set_photo(&state.pool, id, &key).await {
            Ok(Some(old)) => state.media.remove(&old).await,
            Ok(None) => {}
            Err(e) => {
                state.media.remove(&key).await;
                return Err(e.into());
            }
        }
        let viewer = load_viewer(state, id).await?;
        Ok(Person {
            row: viewer.0,
            is_self: true,
        })
    }
}
