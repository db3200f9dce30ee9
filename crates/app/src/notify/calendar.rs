//! Calendars (RFC 5545) of one event, a group, and a member's private
//! feed: UIDs stable across changes, SEQUENCE the event's revision,
//! STATUS:CANCELLED once cancelled, times in UTC. Who may read what is
//! the events' own rule (`Visibility::is_readable_by`): a GROUP event is in
//! no calendar whose reader may not open it.

use cortege_db::notify::calendar::{self as db_calendar, Entry};
use cortege_db::people::Person;
use cortege_domain::{PersonId, Reader};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use uuid::Uuid;

use crate::{App, Error, Result, rights};

/// A calendar, with what HTTP caching needs.
#[derive(Debug, Clone)]
pub struct Ics {
    pub body: String,
    /// Changes whenever an entry does.
    pub etag: String,
}

/// The reader a calendar URL stands for: its token's owner, or nobody.
pub async fn reader(app: &App, token: Option<&str>) -> Result<Option<Person>> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let Some(owner) = db_calendar::owner(&app.pool, token).await? else {
        return Err(Error::not_found("calendar"));
    };
    Ok(cortege_db::people::by_id(&app.pool, owner).await?)
}

async fn readable(app: &App, reader: Option<&Person>, e: &Entry) -> Result<bool> {
    if e.removed_at.is_some() {
        return Ok(false);
    }
    let who = match reader {
        None => Reader::default(),
        Some(p) => Reader {
            group_member: match e.group_id {
                Some(g) => rights::is_group_member(app, p.id, g, false).await?,
                None => false,
            },
            organiser: e.organiser_id == p.id,
            staff: p.has_any_role(cortege_domain::Role::STAFF),
        },
    };
    Ok(e.visibility.is_readable_by(who))
}

/// One event's calendar, if `reader` may open the event.
pub async fn of_event(app: &App, reader: Option<&Person>, id: Uuid) -> Result<Ics> {
    let entry = db_calendar::entry(&app.pool, id)
        .await?
        .ok_or_else(|| Error::not_found("event"))?;
    if !readable(app, reader, &entry).await? {
        return Err(Error::not_found("event"));
    }
    Ok(render(app, &entry.title.clone(), &[entry]))
}

/// A group's events that `reader` may open.
pub async fn of_group(app: &App, reader: Option<&Person>, id: Uuid) -> Result<Ics> {
    let group = cortege_db::groups::by_ids(&app.pool, &[id])
        .await?
        .into_iter()
        .next()
        .filter(|g| g.removed_at.is_none())
        .ok_or_else(|| Error::not_found("group"))?;
    let mut entries = Vec::new();
    for e in db_calendar::of_group(&app.pool, id).await? {
        if readable(app, reader, &e).await? {
            entries.push(e);
        }
    }
    Ok(render(app, &group.name, &entries))
}

/// The member's private feed: events they are going to and their groups'.
pub async fn of_member(app: &App, member: &Person) -> Result<Ics> {
    let mut entries = Vec::new();
    for e in db_calendar::of_member(&app.pool, member.person_id()).await? {
        if readable(app, Some(member), &e).await? {
            entries.push(e);
        }
    }
    Ok(render(app, "Mes actions Cortège", &entries))
}

/// The member's feed token, made on first use.
pub async fn token(app: &App, person: PersonId) -> Result<String> {
    Ok(db_calendar::token(&app.pool, person, &fresh_token()).await?)
}

/// Replaces the member's feed token: the old URL stops working.
pub async fn reset(app: &App, person: PersonId) -> Result<()> {
    Ok(db_calendar::reset(&app.pool, person, &fresh_token()).await?)
}

fn fresh_token() -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 24]>())
}

fn render(app: &App, name: &str, entries: &[Entry]) -> Ics {
    let host = app
        .public_url
        .split("://")
        .nth(1)
        .unwrap_or("cortege")
        .split(['/', ':'])
        .next()
        .unwrap_or("cortege");
    let mut calendar = Calendar::new();
    calendar.name(name);
    calendar.append_property(("PRODID", "-//Cortège//Cortège//FR"));
    let mut etag_input = String::new();
    for e in entries {
        // A calendar file travels (links are shared, agendas synced): a
        // private address never goes in one, whoever asks. The commune
        // and the rounded point do; the app shows the rest to those coming.
        let private = e.address_visibility.is_private();
        let place = match &e.street {
            Some(s) if !s.is_empty() && !private => format!("{s}, {} {}", e.postcode, e.city),
            _ => format!("{} {}", e.postcode, e.city),
        };
        let (lat, lon) = match cortege_domain::GeoPoint::parse(e.lat, e.lon) {
            Ok(p) => {
                let p = e.address_visibility.public_point(p);
                (p.lat(), p.lon())
            }
            Err(_) => (e.lat, e.lon),
        };
        let mut event = Event::new();
        event
            .uid(&format!("{}@{host}", e.id))
            .summary(&e.title)
            .description(&e.description)
            .location(&place)
            .starts(e.starts_at)
            .ends(e.ends_at)
            .sequence(u32::try_from(e.revision).unwrap_or(0))
            .timestamp(e.updated_at)
            .created(e.created_at)
            .last_modified(e.updated_at)
            .url(&crate::links::event(&app.public_url, e.id))
            .append_property(("GEO", format!("{lat:.6};{lon:.6}").as_str()))
            .status(if e.cancelled_at.is_some() {
                EventStatus::Cancelled
            } else {
                EventStatus::Confirmed
            });
        calendar.push(event.done());
        etag_input.push_str(&format!("{}:{};", e.id, e.revision));
    }
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("{name}|{etag_input}").as_bytes());
    Ics {
        body: calendar.done().to_string(),
        etag: format!(
            "\"{}\"",
            digest[..12]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        ),
    }
}
