//! Sign-up, passwordless login by emailed codes, sessions and the profile.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, SimpleObject, Upload};
use cortege_app::accounts;
use cortege_app::media::Photo;
use cortege_domain::{ActionRadiusKm, Email, PersonName, ValidationError};

use crate::auth::{self, Auth, require_person};
use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult};
use crate::ids::{self, Kind};
use crate::objects::person::lookup_person;
use crate::objects::person::{GeoPointInput, Person};
use crate::objects::viewer::Viewer;
use crate::state::ClientAddr;

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

/// Reads an upload and re-encodes it (cortege_app::accounts::read_photo).
async fn read_photo(ctx: &Context<'_>, upload: &Upload, field: &str) -> ApiResult<Photo> {
    let value = upload
        .value(ctx)
        .map_err(|_| ApiError::bad_input(field, "the upload could not be read"))?;
    Ok(accounts::read_photo(value.into_read(), field).await?)
}

fn viewer(row: cortege_db::people::Person) -> Viewer {
    Viewer::with_row(row)
}

impl TryFrom<SignUpInput> for accounts::SignUp {
    type Error = ValidationError;

    fn try_from(input: SignUpInput) -> Result<Self, ValidationError> {
        if !input.accepts_pledge {
            return Err(ValidationError::new(
                "input.acceptsPledge",
                accounts::PLEDGE_REFUSED,
            ));
        }
        let under = |e: ValidationError| e.under("input");
        Ok(accounts::SignUp {
            first_name: PersonName::parse(&input.first_name, "firstName").map_err(under)?,
            last_name: PersonName::parse(&input.last_name, "lastName").map_err(under)?,
            email: Email::parse(&input.email, "email").map_err(under)?,
            home: input
                .home_location
                .map(|p| p.point().map_err(|e| e.under("input.homeLocation")))
                .transpose()?,
            postcode: input.postcode,
        })
    }
}

impl TryFrom<UpdateProfileInput> for accounts::ProfileChanges {
    type Error = ValidationError;

    fn try_from(input: UpdateProfileInput) -> Result<Self, ValidationError> {
        let under = |e: ValidationError| e.under("input");
        let name = |raw: &Option<String>, field: &str| {
            raw.as_deref()
                .map(|r| PersonName::parse(r, field))
                .transpose()
                .map_err(under)
        };
        Ok(accounts::ProfileChanges {
            first_name: name(&input.first_name, "firstName")?,
            last_name: name(&input.last_name, "lastName")?,
            home: input
                .home_location
                .map(|p| p.point().map_err(|e| e.under("input.homeLocation")))
                .transpose()?,
            action_radius_km: input
                .action_radius_km
                .map(|r| ActionRadiusKm::parse(r, "actionRadiusKm"))
                .transpose()
                .map_err(under)?,
            postcode: input.postcode,
        })
    }
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The signed-in person, or null.
    async fn viewer(&self, ctx: &Context<'_>) -> ApiResult<Option<Viewer>> {
        match auth::auth(ctx).person() {
            None => Ok(None),
            Some(id) => Ok(Some(Viewer::of(id))),
        }
    }

    /// A member by ID; null when there is none (or it was banned or deleted).
    /// Needs a session.
    async fn person(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Person>> {
        require_person(ctx)?;
        let uuid = ids::decode(Kind::Person, &id, "id")?;
        lookup_person(ctx, uuid).await
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
        let mut input = input;
        let upload = input.photo.take();
        let sign_up = accounts::SignUp::try_from(input)?;
        let photo = match &upload {
            Some(upload) => Some(read_photo(ctx, upload, "input.photo").await?),
            None => None,
        };
        accounts::sign_up(&ctx.state().app, sign_up, photo, client_addr(ctx)).await?;
        Ok(SignUpPayload {
            login_code_sent: true,
        })
    }

    /// For members imported from the existing file: accept the pledge.
    async fn accept_pledge(&self, ctx: &Context<'_>) -> ApiResult<Viewer> {
        let id = require_person(ctx)?;
        Ok(viewer(accounts::accept_pledge(ctx.app(), id).await?))
    }

    /// Mails a login code. Answers true whether or not the email has an
    /// account (no enumeration), or RATE_LIMITED.
    async fn request_login_code(&self, ctx: &Context<'_>, email: String) -> ApiResult<bool> {
        let email = Email::parse(&email, "email")?;
        accounts::request_login_code(&ctx.state().app, email, client_addr(ctx)).await?;
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
        let email = Email::parse(&email, "email")?;
        let (token, person) =
            accounts::verify_login_code(ctx.app(), email, &code, client_addr(ctx)).await?;
        ctx.append_http_header(
            "Set-Cookie",
            auth::session_cookie(&token, ctx.state().config.secure_cookies()),
        );
        Ok(AuthPayload {
            token,
            viewer: viewer(person),
        })
    }

    /// Ends the current session on the server and clears the cookie.
    async fn logout(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        let Auth::Session { person, session } = auth::auth(ctx) else {
            return Err(ApiError::Unauthenticated);
        };
        let state = ctx.state();
        let session = cortege_app::sessions::Session { person, session };
        cortege_app::sessions::close(ctx.app(), session).await?;
        ctx.append_http_header(
            "Set-Cookie",
            auth::clear_cookie(state.config.secure_cookies()),
        );
        Ok(true)
    }

    /// Every row that refers to the viewer, as one JSON document.
    async fn export_my_data(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let id = require_person(ctx)?;
        Ok(accounts::export(ctx.app(), id).await?.to_string())
    }

    /// Deletes the viewer's account. Needs a login code requested in the
    /// last 10 minutes and not yet used (BAD_USER_INPUT on "code"
    /// otherwise): name, email, phone, photo and location are removed,
    /// sessions end, anonymous counts stay.
    async fn delete_my_account(&self, ctx: &Context<'_>, code: String) -> ApiResult<bool> {
        let id = require_person(ctx)?;
        let state = ctx.state();
        accounts::delete_account(&state.app, id, &code, client_addr(ctx)).await?;
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
        let changes = accounts::ProfileChanges::try_from(input)?;
        Ok(viewer(
            accounts::update_profile(ctx.app(), id, changes).await?,
        ))
    }

    /// GraphQL multipart request; JPEG/PNG/WebP up to 5 MB; re-encoded,
    /// metadata stripped, stored in square sizes.
    async fn upload_photo(&self, ctx: &Context<'_>, file: Upload) -> ApiResult<Person> {
        let id = require_person(ctx)?;
        let photo = read_photo(ctx, &file, "file").await?;
        let row = accounts::set_photo(ctx.app(), id, photo).await?;
        Ok(Person {
            row: Arc::new(row.into()),
            is_self: true,
        })
    }
}
