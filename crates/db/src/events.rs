//! Events: creation, changes, listing and search.

use chrono::{DateTime, Utc};
use cortege_domain::{EventId, EventKind, GeoPoint, PersonId, PostalAddress, Visibility};
use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use crate::activities::{self, Activity, Happening};
use crate::{Result, geo, keyset};

pub use cortege_domain::events::Event;

/// The columns of [`Event`], for queries that add their own distance.
macro_rules! event_columns {
    () => {
        "e.id, e.organiser_id, e.group_id, e.kind, e.visibility,
         e.title, e.description, e.starts_at, e.ends_at, e.lat, e.lon, e.street, e.postcode,
         e.city, e.commune_code, e.capacity, e.seats_taken, e.cancelled_at, e.removed_at,
         e.created_at"
    };
}

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
}

pub async fn create(pool: &PgPool, e: &NewEvent) -> Result<EventId> {
    let id = EventId::new();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO events (id, organiser_id, group_id, kind, visibility, title, description,
             starts_at, ends_at, lat, lon, earth, street, postcode, city, commune_code, capacity)
         VALUES ($1, $2, $3, $4::event_kind, $5::visibility, $6, $7, $8, $9, $10, $11,
             ll_to_earth($10, $11), $12, $13, $14, $15, $16)",
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
             earth = CASE WHEN $7::float8 IS NULL THEN earth ELSE ll_to_earth($7, $8) END,
             street = CASE WHEN $10::text IS NULL THEN street ELSE $9 END,
             postcode = COALESCE($10, postcode),
             city = COALESCE($11, city),
             commune_code = COALESCE($12, commune_code),
             capacity = COALESCE($13, capacity),
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

/// Where a listing resumes: after the last item of the previous page, by
/// the listing's own order. Keyset cursors stay stable under inserts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum After {
    Time(DateTime<Utc>, Uuid),
    Distance(f64, Uuid),
}

/// A listing of events. Visibility is applied here: UNLISTED never, GROUP
/// only to the group's active members, cancelled and removed never.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub viewer: Option<Uuid>,
    /// Centre and radius (km): nearest first.
    pub near: Option<geo::Near>,
    pub kinds: Option<Vec<EventKind>>,
    pub starts_after: Option<DateTime<Utc>>,
    pub starts_before: Option<DateTime<Utc>>,
    pub search: Option<String>,
    pub group: Option<Uuid>,
    pub after: Option<After>,
    /// Rows to fetch (the page size plus one, to know if more follow).
    pub limit: i64,
}

/// Most events sharing one exact distance that a page can complete.
const MAX_TIES: i64 = 10_000;

/// The listing's page (`l.limit` rows at most), in order: soonest first, or
/// nearest first by (distance, id).
///
/// Nearest first walks the GiST index in distance order (KNN), so a page
/// costs the same at 5 km as at 500 km. The KNN order is exact for the key:
/// `earth_distance` is `sec_to_gc(cube_distance(..))`, a non-decreasing
/// function of the very distance `<->` orders by, so no unfetched event is
/// nearer than the last fetched one. But KNN orders by distance alone: when
/// the page ends inside a group of events at exactly the same distance (same
/// address), the whole group is fetched and ordered by id, so keyset pages
/// never skip nor repeat one (given a cursor that holds the distance bit for
/// bit: see the GraphQL layer's `exact_f64`).
pub async fn list(pool: &PgPool, l: &Listing) -> Result<Vec<Event>> {
    let mut rows = query("", l, None)
        .build_query_as::<Event>()
        .fetch_all(pool)
        .await?;
    if l.near.is_none() {
        return Ok(rows);
    }
    let key = |e: &Event| (e.distance_km.unwrap_or(f64::INFINITY), e.id);
    rows.sort_by(|a, b| {
        key(a)
            .partial_cmp(&key(b))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let n = rows.len();
    let limit = usize::try_from(l.limit).unwrap_or(usize::MAX);
    if n == limit && n >= 2 && rows[n - 1].distance_km == rows[n - 2].distance_km {
        let tie = rows[n - 1].distance_km.unwrap_or_default();
        let group = query("", l, Some(tie))
            .build_query_as::<Event>()
            .fetch_all(pool)
            .await?;
        rows.retain(|e| e.distance_km != Some(tie));
        rows.extend(group);
        rows.sort_by(|a, b| {
            key(a)
                .partial_cmp(&key(b))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        rows.truncate(limit);
    }
    Ok(rows)
}

/// The plan PostgreSQL chooses for the listing's page (`EXPLAIN (FORMAT
/// JSON)`), for the test that keeps every listing bounded by its page.
pub async fn plan(pool: &PgPool, l: &Listing) -> Result<serde_json::Value> {
    let mut q = query("EXPLAIN (FORMAT JSON) ", l, None);
    Ok(q.build_query_scalar().fetch_one(pool).await?)
}

/// The listing's SQL after `prefix` (empty, or EXPLAIN); with `tie`, only
/// the events at exactly that distance.
fn query(prefix: &'static str, l: &Listing, tie: Option<f64>) -> QueryBuilder<Postgres> {
    let mut q: QueryBuilder<Postgres> = QueryBuilder::new(prefix);
    let upcoming = l.near.is_none() && l.starts_after.is_none() && l.starts_before.is_none();
    if upcoming {
        // Upcoming = running now ∪ starting later, each part bounded by its
        // own index and the page; a walk over every event that started
        // before now (most of them over by now) is what this avoids.
        q.push("SELECT * FROM ((");
        push_select(&mut q, l);
        // Unordered on purpose: the few events running at this instant come
        // from the range index; ordering them here would tempt the planner
        // to walk the time index from the start instead.
        q.push(" AND tstzrange(e.starts_at, e.ends_at) @> now()");
        if let Some(After::Time(t, id)) = l.after {
            keyset::push_after(&mut q, "e.starts_at", "e.id", t, id);
        }
        q.push(") UNION ALL (");
        push_select(&mut q, l);
        q.push(" AND e.starts_at > now()");
        push_page(&mut q, l);
        q.push(")) e ORDER BY e.starts_at, e.id LIMIT ")
            .push_bind(l.limit);
        return q;
    }
    push_select(&mut q, l);
    if let Some(t) = l.starts_after {
        q.push(" AND e.starts_at >= ").push_bind(t);
    }
    if let Some(t) = l.starts_before {
        q.push(" AND e.starts_at < ").push_bind(t);
    }
    if let (Some(After::Distance(d, id)), Some(near)) = (l.after, l.near) {
        geo::push_after(&mut q, "e", near, d, id);
    }
    match (l.near, tie) {
        (Some(near), Some(d)) => {
            q.push(" AND ");
            geo::push_distance_km(&mut q, "e", near);
            q.push(" = ")
                .push_bind(d)
                .push(" LIMIT ")
                .push_bind(MAX_TIES);
        }
        (Some(near), None) => {
            geo::push_knn_order(&mut q, "e", near);
            q.push(" LIMIT ").push_bind(l.limit);
        }
        (None, _) => push_page(&mut q, l),
    }
    q
}

/// `SELECT <columns> FROM events e WHERE` the filters every listing shares:
/// listed to the viewer, kinds, search, group.
fn push_select(q: &mut QueryBuilder<Postgres>, l: &Listing) {
    q.push(concat!("SELECT ", event_columns!(), ", "));
    match l.near {
        Some(near) => {
            geo::push_distance_km(q, "e", near);
            q.push(" AS distance_km");
        }
        None => {
            q.push("NULL::float8 AS distance_km");
        }
    }
    // These two predicates repeat the partial indexes' own condition.
    q.push(" FROM events e WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL");
    q.push(" AND e.visibility <> 'UNLISTED'");
    match l.viewer {
        Some(viewer) => {
            q.push(
                " AND (e.visibility = 'PUBLIC' OR e.group_id IN (SELECT m.group_id FROM memberships m
                   WHERE m.person_id = ",
            )
            .push_bind(viewer)
            .push(" AND m.status = 'ACTIVE'))");
        }
        None => {
            q.push(" AND e.visibility = 'PUBLIC'");
        }
    }
    if let Some(near) = l.near {
        geo::push_within(q, "e", near);
        if l.starts_after.is_none() && l.starts_before.is_none() {
            // Near lists what has not ended; an event lasts at most
            // MAX_EVENT_DAYS, which bounds the scan's window.
            q.push(" AND e.ends_at > now() AND e.starts_at > now() - interval '")
                .push(cortege_domain::MAX_EVENT_DAYS)
                .push(" days'");
        }
    }
    if let Some(kinds) = &l.kinds {
        q.push(" AND e.kind = ANY(")
            .push_bind(kinds.clone())
            .push("::event_kind[])");
    }
    if let Some(text) = &l.search {
        crate::push_text_search(q, "e", text);
    }
    if let Some(group) = l.group {
        q.push(" AND e.group_id = ").push_bind(group);
    }
}

/// The soonest-first page: after the cursor, in order, `limit` rows.
fn push_page(q: &mut QueryBuilder<Postgres>, l: &Listing) {
    if let Some(After::Time(t, id)) = l.after {
        keyset::push_after(q, "e.starts_at", "e.id", t, id);
    }
    q.push(" ORDER BY e.starts_at, e.id LIMIT ")
        .push_bind(l.limit);
}

/// Events organised by a person (all states but removed), soonest first.
pub async fn organised_by(
    pool: &PgPool,
    person: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<Event>> {
    Ok(sqlx::query_as(concat!(
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
    .fetch_all(pool)
    .await?)
}
