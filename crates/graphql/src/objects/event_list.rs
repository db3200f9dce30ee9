//! Listing events: the filters, nearest-first or soonest-first keyset
//! pages, and the relations a page needs loaded in one batch each.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject};
use chrono::{DateTime, Utc};
use cortege_db::events::{self as db_events, After, Listing};
use cortege_domain::ActionRadiusKm;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::auth;
use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult};
use crate::ids::{self, Kind};
use crate::objects::event::{Event, EventKind};
use crate::objects::pagination::{Page, connection};
use crate::objects::person::GeoPointInput;

fn loaders<'a>(ctx: &Context<'a>) -> &'a crate::loaders::Loaders {
    crate::loaders::of(ctx)
}

/// Filters of events(); they combine.
#[derive(InputObject, Default)]
pub struct EventFilter {
    pub near: Option<GeoPointInput>,
    /// Required with near; 0 < radiusKm <= 500.
    pub radius_km: Option<f64>,
    pub kinds: Option<Vec<EventKind>>,
    /// Inclusive.
    pub starts_after: Option<DateTime<Utc>>,
    /// Exclusive.
    pub starts_before: Option<DateTime<Utc>>,
    /// Accent- and case-insensitive text search over title and description (French).
    pub search: Option<String>,
    pub group_id: Option<ID>,
    /// With near: online actions too (placed at their commune's centre).
    /// Without near they are always listed.
    pub include_online: Option<bool>,
}

/// A centre and radius, checked: errors name `<prefix>.near…`/`<prefix>.radiusKm`.
pub fn parse_near(
    near: Option<GeoPointInput>,
    radius_km: Option<f64>,
    prefix: &str,
) -> ApiResult<Option<(f64, f64, f64)>> {
    match (near, radius_km) {
        (None, None) => Ok(None),
        (None, Some(_)) => Err(ApiError::bad_input(
            format!("{prefix}.near"),
            "is required with radiusKm",
        )),
        (Some(_), None) => Err(ApiError::bad_input(
            format!("{prefix}.radiusKm"),
            "is required with near",
        )),
        (Some(p), Some(r)) => {
            let p = p.parse(&format!("{prefix}.near"))?;
            let r = ActionRadiusKm::parse(r, &format!("{prefix}.radiusKm"))?;
            Ok(Some((p.lat(), p.lon(), r.get())))
        }
    }
}

/// A search string, or None when blank; bounded so it stays cheap.
pub fn parse_search(raw: Option<String>, field: &str) -> ApiResult<Option<String>> {
    match raw.as_deref().map(str::trim) {
        Some(s) if s.chars().count() > 200 => {
            Err(ApiError::bad_input(field, "must be at most 200 characters"))
        }
        Some(s) if !s.is_empty() => Ok(Some(s.to_owned())),
        _ => Ok(None),
    }
}

/// The cursor of an event listing: its sort key.
#[derive(Serialize, Deserialize)]
enum EventCursor {
    T(DateTime<Utc>, Uuid),
    D(#[serde(with = "super::pagination::exact_f64")] f64, Uuid),
}

/// Whether the query asks for the organisers of a page of events: they are
/// then read in the page's own statement.
fn asks_organisers(ctx: &Context<'_>) -> bool {
    let node = ctx.look_ahead().field("edges").field("node");
    node.field("organiser").exists()
}

/// Loads, in one statement each and side by side, the other relations the
/// query asks of a page of events, so the statement count does not depend
/// on the page size nor on how the resolvers' futures happen to interleave.
async fn prefetch(ctx: &Context<'_>, rows: &[db_events::Listed]) -> ApiResult<()> {
    use crate::loaders::preload;
    let node = ctx.look_ahead().field("edges").field("node");
    let loaders = loaders(ctx);
    let organisers = rows
        .iter()
        .filter_map(|r| r.organiser.clone())
        .map(|p| (p.id, Arc::new(p)));
    loaders.person.feed_many(organisers).await;
    let groups = async {
        match node.field("group").exists() {
            true => preload(&loaders.group, rows.iter().filter_map(|r| r.event.group_id)).await,
            false => Ok(()),
        }
    };
    let rsvps = async {
        match (node.field("viewerRsvp").exists(), &loaders.viewer) {
            (true, Some(v)) => preload(&v.rsvp, rows.iter().map(|r| r.event.id)).await,
            _ => Ok(()),
        }
    };
    futures_util::try_join!(groups, rsvps)?;
    Ok(())
}

/// Lists events visible to the viewer, as a connection.
pub async fn list_events(
    ctx: &Context<'_>,
    filter: EventFilter,
    group: Option<Uuid>,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<Connection<String, Event>> {
    let page: Page<EventCursor> = Page::parse(first, after)?;
    let near = parse_near(filter.near, filter.radius_km, "filter")?;
    let group = match (&filter.group_id, group) {
        (_, Some(g)) => Some(g),
        (Some(id), None) => Some(ids::decode(Kind::Group, id, "filter.groupId")?),
        (None, None) => None,
    };
    let after = match (page.after.as_ref(), near) {
        (None, _) => None,
        (Some(EventCursor::D(d, id)), Some(_)) => Some(After::Distance(*d, *id)),
        (Some(EventCursor::T(t, id)), None) => Some(After::Time(*t, *id)),
        _ => return Err(ApiError::bad_input("after", "is not a cursor of this list")),
    };
    let listing = Listing {
        viewer: auth(ctx).person().map(|p| p.0),
        near,
        kinds: filter.kinds,
        starts_after: filter.starts_after,
        starts_before: filter.starts_before,
        search: parse_search(filter.search, "filter.search")?,
        group,
        include_online: filter.include_online.unwrap_or(false),
        after,
        limit: page.limit(),
        with_organisers: asks_organisers(ctx),
    };
    let rows = db_events::list(ctx.reads(), &listing).await?;
    prefetch(ctx, &rows).await?;
    let items = rows
        .into_iter()
        .map(|db_events::Listed { event: e, .. }| {
            let cursor = match e.distance_km {
                Some(d) => EventCursor::D(d, e.id),
                None => EventCursor::T(e.starts_at, e.id),
            };
            (cursor, Event(Arc::new(e)))
        })
        .collect();
    Ok(connection(items, page.first, listing.after.is_some()))
}
