//! The member's notification settings, as the API changes them: choices
//! per kind of activity, the digest, push devices, the calendar link,
//! and the one-click unsubscribe of mail links.

use cortege_db::notify::{preferences, push};
use cortege_db::people::Person;
use cortege_domain::{ActivityKind, Channels, DigestFrequency, PersonId};
use uuid::Uuid;

use super::{Unsubscribe, webpush};
use crate::{App, Error, Result};

/// Most push devices one member holds.
pub const MAX_PUSH_SUBSCRIPTIONS: i64 = 10;

/// One kind's channels as the member gets them now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preference {
    pub kind: ActivityKind,
    pub channels: Channels,
}

/// A change asked for one kind; `None` leaves a channel as it is.
#[derive(Debug, Clone, Copy)]
pub struct PreferenceChange {
    pub kind: ActivityKind,
    pub email: Option<bool>,
    pub push: Option<bool>,
}

/// One preference per ActivityKind, in the enumeration's order.
pub async fn preferences(app: &App, person: PersonId) -> Result<Vec<Preference>> {
    let chosen = preferences::of_people(&app.pool, &[person.0]).await?;
    Ok(ActivityKind::ALL
        .iter()
        .map(|&kind| Preference {
            kind,
            channels: kind.channels(chosen.iter().find(|c| c.kind == kind).map(|c| c.channels())),
        })
        .collect())
}

pub async fn digest(app: &App, person: PersonId) -> Result<DigestFrequency> {
    Ok(preferences::digest(&app.pool, person).await?)
}

/// Applies the changes (all or none): BAD_USER_INPUT for a choice the
/// rules do not allow — switching off the mail of a moderator's warning,
/// or asking for new events nearby one by one (they come in the digest).
pub async fn set(
    app: &App,
    person: &Person,
    changes: &[PreferenceChange],
    digest: Option<DigestFrequency>,
) -> Result<()> {
    let now = preferences(app, person.person_id()).await?;
    let mut choices = Vec::new();
    for (i, change) in changes.iter().enumerate() {
        let current = now
            .iter()
            .find(|p| p.kind == change.kind)
            .map(|p| p.channels)
            .unwrap_or_else(|| change.kind.default_channels());
        let wanted = Channels {
            email: change.email.unwrap_or(current.email),
            push: change.push.unwrap_or(current.push),
        };
        if change.kind.email_is_mandatory() && !wanted.email {
            return Err(Error::invalid(
                format!("input.{i}.email"),
                "a moderator's warning always comes by mail",
            ));
        }
        if change.kind.is_digest_only() && (wanted.email || wanted.push) {
            return Err(Error::invalid(
                format!("input.{i}.kind"),
                "new events nearby come in the digest: choose its frequency with `digest`",
            ));
        }
        choices.retain(|(k, _): &(ActivityKind, Channels)| *k != change.kind);
        choices.push((change.kind, wanted));
    }
    let mut tx = cortege_db::begin(&app.pool).await?;
    preferences::save(&mut tx, person.person_id(), &choices).await?;
    if let Some(d) = digest {
        preferences::set_digest(&mut tx, person.person_id(), d).await?;
    }
    cortege_db::commit(tx).await?;
    Ok(())
}

pub async fn push_subscriptions(app: &App, person: PersonId) -> Result<Vec<push::Subscription>> {
    Ok(push::of_person(&app.pool, person).await?)
}

/// Registers a device (idempotent per endpoint). BAD_USER_INPUT for an
/// endpoint that is not https on the public Internet, keys that are not
/// URL-safe base64 of the right length, or an eleventh device.
pub async fn register_push(
    app: &App,
    person: &Person,
    endpoint: &str,
    p256dh: &str,
    auth: &str,
) -> Result<push::Subscription> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let key_len = |s: &str| b64.decode(s.trim_end_matches('=')).map(|k| k.len()).ok();
    if endpoint.len() > 2_000 {
        return Err(Error::invalid("input.endpoint", "at most 2000 characters"));
    }
    webpush::check_endpoint(endpoint, app.notify.settings.push_allow_private)
        .await
        .map_err(|e| Error::invalid("input.endpoint", e.to_string()))?;
    if key_len(p256dh) != Some(65) {
        return Err(Error::invalid(
            "input.p256dh",
            "must be the subscription's P-256 public key, URL-safe base64 (65 bytes)",
        ));
    }
    if key_len(auth) != Some(16) {
        return Err(Error::invalid(
            "input.auth",
            "must be the subscription's auth secret, URL-safe base64 (16 bytes)",
        ));
    }
    push::register(
        &app.pool,
        person.person_id(),
        endpoint,
        p256dh.trim_end_matches('='),
        auth.trim_end_matches('='),
        MAX_PUSH_SUBSCRIPTIONS,
    )
    .await?
    .ok_or_else(|| {
        Error::invalid(
            "input.endpoint",
            format!("at most {MAX_PUSH_SUBSCRIPTIONS} devices: remove one first"),
        )
    })
}

pub async fn remove_push(app: &App, person: PersonId, id: Uuid) -> Result<bool> {
    Ok(push::remove(&app.pool, person, id).await?)
}

/// The private calendar feed's URL.
pub async fn calendar_feed_url(app: &App, person: PersonId) -> Result<String> {
    let token = super::calendar::token(app, person).await?;
    Ok(format!("{}/calendar/feed/{token}.ics", app.public_url))
}

/// The unsubscribe link of a mail.
pub fn unsubscribe_url(app: &App, person: PersonId, what: Unsubscribe) -> String {
    format!(
        "{}/unsubscribe/{}",
        app.public_url,
        app.notify.keys.unsubscribe_token(person, what)
    )
}

/// Follows an unsubscribe link: that kind's mail, or the digest, off.
/// NOT_FOUND for a token that is not ours.
pub async fn unsubscribe(app: &App, token: &str) -> Result<Unsubscribe> {
    let (person, what) = app
        .notify
        .keys
        .check_unsubscribe(token)
        .ok_or_else(|| Error::not_found("unsubscribe link"))?;
    let mut tx = cortege_db::begin(&app.pool).await?;
    match what {
        Unsubscribe::Digest => {
            preferences::set_digest(&mut tx, person, DigestFrequency::Never).await?;
        }
        Unsubscribe::Kind(kind) if kind.email_is_mandatory() => {}
        Unsubscribe::Kind(kind) => {
            let now = preferences(app, person).await?;
            let push = now
                .iter()
                .find(|p| p.kind == kind)
                .map(|p| p.channels.push)
                .unwrap_or(false);
            preferences::save(&mut tx, person, &[(kind, Channels { email: false, push })]).await?;
        }
    }
    cortege_db::commit(tx).await?;
    Ok(what)
}

/// An event's calendar URL. A GROUP event's carries the viewer's feed
/// token, since calendar apps send no session: only the group may read it.
pub async fn event_calendar_url(
    app: &App,
    viewer: Option<PersonId>,
    event: Uuid,
    visibility: cortege_domain::Visibility,
) -> Result<String> {
    let base = format!("{}/calendar/events/{event}.ics", app.public_url);
    match viewer {
        Some(me) if !visibility.is_readable_by(cortege_domain::Reader::default()) => Ok(format!(
            "{base}?token={}",
            super::calendar::token(app, me).await?
        )),
        _ => Ok(base),
    }
}

/// A group's calendar URL; a member's carries their feed token, so that
/// the group's GROUP events are in it.
pub async fn group_calendar_url(
    app: &App,
    viewer: Option<PersonId>,
    group: Uuid,
) -> Result<String> {
    let base = format!("{}/calendar/groups/{group}.ics", app.public_url);
    match viewer {
        Some(me) if crate::rights::is_group_member(app, me.0, group, false).await? => Ok(format!(
            "{base}?token={}",
            super::calendar::token(app, me).await?
        )),
        _ => Ok(base),
    }
}
