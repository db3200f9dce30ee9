//! Accounts: sign-up, login by emailed codes, the profile and its photo,
//! and the member's rights over their data (export, deletion).

use std::io::Read;
use std::net::IpAddr;

use cortege_db::people::{NewPerson, Person, ProfileUpdate};
use cortege_domain::{ActionRadiusKm, Email, GeoPoint, PersonId, PersonName};
use sha2::{Digest, Sha256};

use crate::mail::CodeMail;
use crate::media::{self, Photo};
use crate::{App, Error, Result, login_codes, places, sessions};

/// A sign-up, its values checked (the pledge accepted).
#[derive(Debug, Clone)]
pub struct SignUp {
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub email: Email,
    pub home: Option<GeoPoint>,
    pub postcode: Option<String>,
}

/// Profile changes; None leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub postcode: Option<String>,
    pub home: Option<GeoPoint>,
    pub action_radius_km: Option<ActionRadiusKm>,
}

/// What refuses a sign-up without the pledge.
pub const PLEDGE_REFUSED: &str =
    "membership means supporting the movement's candidate: the pledge must be accepted";

pub fn email_hash(email: &str) -> Vec<u8> {
    Sha256::digest(email.as_bytes()).to_vec()
}

/// Reads an upload (at most the photo limit) and re-encodes it, off the
/// async threads.
pub async fn read_photo(source: impl Read + Send + 'static, field: &str) -> Result<Photo> {
    let field = field.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut bytes = Vec::new();
        source
            .take(media::MAX_PHOTO_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|_| Error::invalid(&field, "the upload could not be read"))?;
        media::process(&bytes, &field)
    })
    .await
    .map_err(|e| Error::internal("photo task", &e))?
}

/// Accepts a sign-up. The answer is the same for a new and an existing
/// email; the account is created (or the member told they have one) after
/// it, so neither its timing nor its content tells which.
pub async fn sign_up(
    app: &std::sync::Arc<App>,
    s: SignUp,
    photo: Option<Photo>,
    from: IpAddr,
) -> Result<()> {
    let place = match &s.postcode {
        Some(raw) => Some(places::place_of_postcode(app, raw, "input.postcode").await?),
        None => None,
    };
    app.throttles.check_send(s.email.as_str(), from).await?;
    let new = NewPerson {
        id: PersonId::new(),
        first_name: s.first_name.into_inner(),
        last_name: s.last_name.into_inner(),
        email: s.email.as_str().to_owned(),
        home: s
            .home
            .map(|p| (p.lat(), p.lon()))
            .or(place.as_ref().map(|p| p.centre)),
        postcode: place.as_ref().map(|p| p.postcode.clone()),
        commune_code: place.map(|p| p.commune_code),
        photo_key: None,
        pledge_accepted: true,
    };
    let app = app.clone();
    tokio::spawn(async move {
        if let Err(e) = complete_sign_up(&app, new, photo).await {
            tracing::error!(error = %e, "completing a sign-up");
        }
    });
    Ok(())
}

/// What a sign-up does once it has been answered.
async fn complete_sign_up(app: &App, new: NewPerson, photo: Option<Photo>) -> Result<(), String> {
    let db = |e: cortege_db::Error| e.to_string();
    if cortege_db::people::email_is_banned(&app.pool, &new.email, &email_hash(&new.email))
        .await
        .map_err(db)?
    {
        return Ok(());
    }
    if let Some(existing) = cortege_db::people::by_email(&app.pool, &new.email)
        .await
        .map_err(db)?
    {
        if existing.is_active() {
            let id = existing.person_id();
            login_codes::send(app, id, &new.email, CodeMail::AlreadyMember).await?;
        }
        return Ok(());
    }
    let mut new = new;
    if let Some(photo) = &photo {
        new.photo_key = Some(app.media.store(photo).await.map_err(|e| e.to_string())?);
    }
    let mut tx = cortege_db::begin(&app.pool).await.map_err(db)?;
    let created = cortege_db::people::insert(&mut tx, &new)
        .await
        .map_err(db)?;
    cortege_db::commit(tx).await.map_err(db)?;
    match created {
        Some(id) => login_codes::send(app, id, &new.email, CodeMail::Welcome).await,
        None => {
            // Lost a race with another sign-up for the same email.
            if let Some(key) = &new.photo_key {
                app.media.remove(key).await;
            }
            match cortege_db::people::by_email(&app.pool, &new.email)
                .await
                .map_err(db)?
            {
                Some(p) if p.is_active() => {
                    login_codes::send(app, p.person_id(), &new.email, CodeMail::AlreadyMember).await
                }
                _ => Ok(()),
            }
        }
    }
}

/// Mails a login code to the email if it has an active account; the same
/// answer either way (no enumeration), or RATE_LIMITED.
pub async fn request_login_code(
    app: &std::sync::Arc<App>,
    email: Email,
    from: IpAddr,
) -> Result<()> {
    app.throttles.check_send(email.as_str(), from).await?;
    let app = app.clone();
    tokio::spawn(async move {
        let result = match cortege_db::people::by_email(&app.pool, email.as_str()).await {
            Ok(Some(p)) if p.is_active() => {
                login_codes::send(&app, p.person_id(), email.as_str(), CodeMail::Login).await
            }
            Ok(_) => Ok(()),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = result {
            tracing::error!(error = %e, "sending a login code");
        }
    });
    Ok(())
}

/// Signs in with a code: single use; a wrong, expired or used code is
/// invalid on "code". Returns the session token and the person.
pub async fn verify_login_code(
    app: &App,
    email: Email,
    code: &str,
    from: IpAddr,
) -> Result<(String, Person)> {
    app.throttles.check_guess(email.as_str(), from).await?;
    let person = cortege_db::people::by_email(&app.pool, email.as_str())
        .await?
        .filter(Person::is_active);
    let used =
        login_codes::consume(app, person.as_ref().map(Person::person_id), code, None).await?;
    match person {
        Some(person) if used => {
            let token = sessions::open(&app.pool, person.person_id()).await?;
            Ok((token, person))
        }
        _ => Err(Error::invalid(
            "code",
            "this code is wrong, expired or already used",
        )),
    }
}

/// Deletes the person's account, given a login code requested in the last
/// 10 minutes: name, email, phone, photo and location are removed, sessions
/// end (live sockets too), anonymous counts stay.
pub async fn delete_account(app: &App, id: PersonId, code: &str, from: IpAddr) -> Result<()> {
    let person = cortege_db::people::by_id(&app.pool, id)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let email = person.email.clone().unwrap_or_default();
    app.throttles.check_guess(&email, from).await?;
    if !login_codes::consume(app, Some(id), code, Some(10)).await? {
        return Err(Error::invalid(
            "code",
            "this code is wrong, expired, already used or older than 10 minutes",
        ));
    }
    if let Some(photo) = cortege_db::privacy::delete_account(&app.pool, id).await? {
        app.media.remove(&photo).await;
    }
    crate::sessions::ended(app, id, None).await;
    Ok(())
}

/// The person as stored now; UNAUTHENTICATED when gone.
pub async fn person(app: &App, id: PersonId) -> Result<Person> {
    cortege_db::people::by_id(&app.pool, id)
        .await?
        .ok_or(Error::Unauthenticated)
}

/// For members imported from the existing file: accept the pledge.
pub async fn accept_pledge(app: &App, id: PersonId) -> Result<Person> {
    cortege_db::people::accept_pledge(&app.pool, id).await?;
    person(app, id).await
}

/// Changes the person's names, place and action radius.
pub async fn update_profile(app: &App, id: PersonId, c: ProfileChanges) -> Result<Person> {
    let place = match &c.postcode {
        Some(raw) => Some(places::place_of_postcode(app, raw, "input.postcode").await?),
        None => None,
    };
    let update = ProfileUpdate {
        first_name: c.first_name.map(PersonName::into_inner),
        last_name: c.last_name.map(PersonName::into_inner),
        home: c
            .home
            .map(|p| (p.lat(), p.lon()))
            .or(place.as_ref().map(|p| p.centre)),
        place: place.map(|p| (p.postcode, p.commune_code)),
        action_radius_km: c.action_radius_km.map(ActionRadiusKm::get),
    };
    cortege_db::people::update_profile(&app.pool, id, &update).await?;
    person(app, id).await
}

/// Stores a new photo for the person, removing the old one.
pub async fn set_photo(app: &App, id: PersonId, photo: Photo) -> Result<Person> {
    let key = app.media.store(&photo).await?;
    match cortege_db::people::set_photo(&app.pool, id, &key).await {
        Ok(Some(old)) => app.media.remove(&old).await,
        Ok(None) => {}
        Err(e) => {
            app.media.remove(&key).await;
            return Err(e.into());
        }
    }
    person(app, id).await
}

/// Every row that refers to the person, as one JSON document.
pub async fn export(app: &App, id: PersonId) -> Result<serde_json::Value> {
    Ok(cortege_db::privacy::export(&app.pool, id).await?)
}
