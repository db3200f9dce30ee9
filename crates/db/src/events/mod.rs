//! Events: creation, changes, listing and search.

use chrono::{DateTime, Utc};
use cortege_domain::{
    AddressVisibility, EventId, EventKind, GeoPoint, PersonId, PostalAddress, Visibility,
};
use sqlx::PgPool;
use uuid::Uuid;

use crate::Result;
use crate::activities::{self, Activity, Happening};
use crate::statement::Statement;

pub use cortege_domain::events::Event;
pub use listing::{After, Listed, Listing, With, list, list_per_group, plan, plan_per_group};

/// The columns of [`Event`], for queries that add their own distance; with
/// an argument, that expression stands in for the description.
macro_rules! event_columns {
    () => {
        event_columns!("e.description")
    };
    ($description:literal) => {
        concat!(
            "e.id, e.organiser_id, e.group_id, e.kind, e.visibility, e.title, ",
            $description,
            ", e.starts_at, e.ends_at, e.lat, e.lon, e.street, e.postcode,
         e.city, e.commune_code, e.capacity, e.seats_taken, e.cancelled_at, e.removed_at,
         e.created_at, e.address_visibility, e.instructions, e.online, e.online_url"
        )
    };
}

joined!(Event as "ev": JOINED_COLUMNS, joined {
    id,
    organiser_id,
    group_id,
    kind,
    visibility,
    title,
    description,
    starts_at,
    ends_at,
    lat,
    lon,
    street,
    postcode,
    city,
    commune_code,
    capacity,
    seats_taken,
    cancelled_at,
    removed_at,
    created_at,
    address_visibility,
    instructions,
    online,
    online_url,
}; distance_km: None);

// After the macro, which it uses.
pub mod hosts;
mod listing;
pub mod outcomes;

/// Events by id, whatever their state (readable by id), for a DataLoader.
pub async fn by_ids(pool: &PgPool, ids: &[Uuid]) -> Result<Vec<Event>> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        event_columns!(),
        ", NULL::float8 AS distance_km FROM events e WHERE e.id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(pool)
    .await?)
}

/// A validated new event.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub organiser: PersonId,
    pub group: Option<Uuid>,
    pub kind: EventKind,
    pub visibility: Visibility,
    pub title: String,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub location: GeoPoint,
    pub address: PostalAddress,
    pub capacity: Option<i32>,
    pub address_visibility: AddressVisibility,
    pub instructions: Option<String>,
    pub online: bool,
    pub online_url: Option<String>,
}

pub async fn create(pool: &PgPool, e: &NewEvent) -> Result<EventId> {
    let id = EventId::new();
    let search = Event::search_point(e.location, e.address_visibility);
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO events (id, organiser_id, group_id, kind, visibility, title, description,
             starts_at, ends_at, lat, lon, earth, street, postcode, city, commune_code, capacity,
             address_visibility, instructions, online, online_url)
         VALUES ($1, $2, $3, $4::event_kind, $5::visibility, $6, $7, $8, $9, $10, $11,
             ll_to_earth($19, $20), $12, $13, $14, $15, $16, $17, $18, $21, $22)",
    )
    .bind(id.0)
    .bind(e.organiser.0)
    .bind(e.group)
    .bind(e.kind)
    .bind(e.visibility)
    .bind(&e.title)
    .bind(&e.description)
    .bind(e.starts_at)
    .bind(e.ends_at)
    .bind(e.location.lat())
    .bind(e.location.lon())
    .bind(&e.address.street)
    .bind(&e.address.postcode)
    .bind(&e.address.city)
    .bind(&e.address.commune_code)
    .bind(e.capacity)
    .bind(e.address_visibility)
    .bind(&e.instructions)
    .bind(search.lat())
    .bind(search.lon())
    .bind(e.online)
    .bind(&e.online_url)
    .execute(&mut *tx)
    .await?;
    activities::record(
        &mut tx,
        Happening::EventCreated,
        Activity {
            actor: Some(e.organiser.0),
            event: Some(id.0),
            group: e.group,
            ..Activity::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The event row, locked for the rest of the transaction: every change to
/// an event's seats goes through this lock.
pub async fn lock(tx: &mut crate::Tx<'_>, id: Uuid) -> Result<Option<Event>> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        event_columns!(),
        ", NULL::float8 AS distance_km FROM events e WHERE e.id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// A change to an event; None leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct EventUpdate {
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: Option<EventKind>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub location: Option<GeoPoint>,
    pub address: Option<cortege_domain::PostalAddress>,
    pub capacity: Option<i32>,
    pub address_visibility: Option<AddressVisibility>,
    /// `Some(None)` clears them.
    pub instructions: Option<Option<String>>,
    /// `Some(None)` clears it.
    pub online_url: Option<Option<String>>,
    /// Where searches place the event now ([`Event::search_point`]), when
    /// its location or address visibility changes.
    pub search_point: Option<GeoPoint>,
}

/// Applies a checked update inside the caller's transaction (which holds
/// the row lock and promotes waitlisted parties if capacity grew).
pub async fn update(
    tx: &mut crate::Tx<'_>,
    id: Uuid,
    actor: PersonId,
    u: &EventUpdate,
) -> Result<()> {
    let address = u.address.as_ref();
    sqlx::query(
        "UPDATE events SET
             title = COALESCE($2, title),
             description = COALESCE($3, description),
             kind = COALESCE($4::event_kind, kind),
             starts_at = COALESCE($5, starts_at),
             ends_at = COALESCE($6, ends_at),
             lat = COALESCE($7, lat),
             lon = COALESCE($8, lon),
             earth = CASE WHEN $17::float8 IS NULL THEN earth ELSE ll_to_earth($17, $18) END,
             street = CASE WHEN $10::text IS NULL THEN street ELSE $9 END,
             postcode = COALESCE($10, postcode),
             city = COALESCE($11, city),
             commune_code = COALESCE($12, commune_code),
             capacity = COALESCE($13, capacity),
             address_visibility = COALESCE($14, address_visibility),
             instructions = CASE WHEN $15 THEN $16 ELSE instructions END,
             online_url = CASE WHEN $19 THEN $20 ELSE online_url END,
             updated_at = now()
         WHERE id = $1",
    )
    .bind(id)
    .bind(&u.title)
    .bind(&u.description)
    .bind(u.kind)
    .bind(u.starts_at)
    .bind(u.ends_at)
    .bind(u.location.map(|l| l.lat()))
    .bind(u.location.map(|l| l.lon()))
    .bind(address.and_then(|a| a.street.clone()))
    .bind(address.map(|a| a.postcode.clone()))
    .bind(address.map(|a| a.city.clone()))
    .bind(address.map(|a| a.commune_code.clone()))
    .bind(u.capacity)
    .bind(u.address_visibility)
    .bind(u.instructions.is_some())
    .bind(u.instructions.clone().flatten())
    .bind(u.search_point.map(|p| p.lat()))
    .bind(u.search_point.map(|p| p.lon()))
    .bind(u.online_url.is_some())
    .bind(u.online_url.clone().flatten())
    .execute(&mut **tx)
    .await?;
    activities::record(
        tx,
        Happening::EventUpdated,
        Activity {
            actor: Some(actor.0),
            event: Some(id),
            ..Activity::default()
        },
    )
    .await
}

pub async fn cancel(pool: &PgPool, id: Uuid, actor: PersonId) -> Result<()> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE events SET cancelled_at = now(), updated_at = now() WHERE id = $1 AND cancelled_at IS NULL",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 1 {
        activities::record(
            &mut tx,
            Happening::EventCancelled,
            Activity {
                actor: Some(actor.0),
                event: Some(id),
                ..Activity::default()
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Events organised by a person (all states but removed), soonest first.
pub async fn organised_by(
    pool: &PgPool,
    person: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<Event>> {
    organised_page(person, after, limit).fetch_all(pool).await
}

/// The statement of [`organised_by`].
pub fn organised_page(person: Uuid, after: Option<(DateTime<Utc>, Uuid)>, limit: i64) -> Statement {
    Statement::new(concat!(
        "SELECT ",
        event_columns!(),
        ", NULL::float8 AS distance_km FROM events e
         WHERE e.organiser_id = $1 AND e.removed_at IS NULL
           AND ($2::timestamptz IS NULL OR (e.starts_at, e.id) > ($2, $3))
         ORDER BY e.starts_at, e.id LIMIT $4"
    ))
    .bind(person)
    .bind(after.map(|a| a.0))
    .bind(after.map(|a| a.1))
    .bind(limit)
}

#[cfg(test)]
mod tests {
    /// Listings read an event's columns by position (`ReadAt`), in the
    /// order of its `joined!` list: `event_columns!` must name them in
    /// that same order.
    #[test]
    fn event_columns_are_in_the_readers_order() {
        let names = |columns: &'static str| -> Vec<&'static str> {
            columns
                .split(',')
                .map(|c| c.split(" AS ").last().unwrap_or(c))
                .map(|c| c.trim().trim_start_matches("e."))
                .collect()
        };
        let joined: Vec<&str> = super::JOINED_COLUMNS
            .split(", ")
            .filter_map(|c| c.split(" AS ").next())
            .map(|c| c.trim_start_matches("ev."))
            .collect();
        assert_eq!(names(event_columns!()), joined);
        assert_eq!(names(super::listing::BRIEF_COLUMNS), joined);
    }
}
