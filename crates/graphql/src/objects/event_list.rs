//! Listing events: the filters, nearest-first or soonest-first keyset
//! pages, and the relations a page needs loaded in one batch each.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, SelectionField};
use chrono::{DateTime, Utc};
use cortege_db::events::{self as db_events, After, Listing};
use cortege_domain::ActionRadiusKm;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::auth;
use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult};
use crate::ids::{self, Kind};
use crate::loaders::{NodeFields, PageArgs};
use crate::objects::event::{Event, EventKind};
use crate::objects::nested_pages::preload_attendees;
use crate::objects::pagination::{Cursor, Page, connection};
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

/// Fields whose rule asks whether the viewer hosts the event or is GOING
/// (`access::is_host_or_going`).
const HOST_OR_GOING_RULED: &[&str] = &["location", "address", "instructions", "onlineUrl"];

/// Fields whose rule asks whether the viewer hosts the event
/// (`access::is_event_host`).
const HOST_RULED: &[&str] = &[
    "viewerIsHost",
    "attendees",
    "attendedCount",
    "checkInCode",
    "attendeesCsvUrl",
];

/// The relations the query asks of a page of events: they are read in the
/// page's own statement.
fn asked_relations(asked: &NodeFields<'_>) -> db_events::With {
    db_events::With {
        organiser: asked.has("organiser"),
        group: asked.has("group"),
        viewer_rsvp: asked.has("viewerRsvp") || asked.any(HOST_OR_GOING_RULED),
    }
}

/// Hands the relations read with the page to the request's loaders, where
/// the fields' resolvers find them: the statement count does not depend on
/// the page size nor on how the resolvers' futures happen to interleave.
async fn prefetch(ctx: &Context<'_>, with: db_events::With, rows: &mut [db_events::Listed]) {
    let loaders = loaders(ctx);
    if with.organiser {
        let organisers = rows.iter_mut().filter_map(|r| r.organiser.take());
        loaders
            .person
            .feed_many(organisers.map(|p| (p.id, p)))
            .await;
    }
    if with.group {
        let groups = rows.iter_mut().filter_map(|r| r.group.take());
        loaders.group.feed_many(groups.map(|g| (g.id, g))).await;
    }
    if let (true, Some(viewer)) = (with.viewer_rsvp, &loaders.viewer) {
        // Every event gets an answer, none included, so that no resolver
        // asks again for an RSVP that does not exist.
        let rsvps = rows.iter_mut().map(|r| (r.event.id, r.viewer_rsvp.take()));
        viewer.rsvp.feed_many(rsvps).await;
    }
}

/// Loads, one statement each, the relations of a page of events that the
/// query asks for and that `joined` did not read with the page, and the
/// viewer's part in each event that its rules need: no resolver's load
/// then depends on which of its siblings' loads a delayed batch happened
/// to gather. (Loaders that do not keep what they read, as in a
/// mutation, are left to their resolvers.)
pub(crate) async fn preload_relations<'e>(
    ctx: &Context<'_>,
    asked: &NodeFields<'_>,
    joined: db_events::With,
    events: impl Iterator<Item = &'e db_events::Event> + Clone,
) -> ApiResult<()> {
    use crate::loaders::preload;
    let loaders = loaders(ctx);
    let ids = || events.clone().map(|e| e.id);
    let group_ids = || events.clone().filter_map(|e| e.group_id);
    if asked.has("outcome") {
        preload(&loaders.outcome, ids()).await?;
    }
    let hosts = asked.has("hosts") && loaders.hosts.keeps();
    let mut people: Vec<Uuid> = Vec::new();
    if hosts {
        preload(&loaders.hosts, ids()).await?;
        let co_hosts = loaders.hosts.load_many(ids()).await?;
        people.extend(co_hosts.values().flat_map(|h| h.iter().copied()));
    }
    if (hosts || asked.has("organiser")) && !joined.organiser {
        people.extend(events.clone().map(|e| e.organiser_id));
    }
    preload(&loaders.person, people).await?;
    if asked.has("group") && !joined.group {
        preload(&loaders.group, group_ids()).await?;
    }
    let Some(viewer) = &loaders.viewer else {
        return Ok(());
    };
    let going_ruled = asked.any(HOST_OR_GOING_RULED);
    if (asked.has("viewerRsvp") || going_ruled) && !joined.viewer_rsvp {
        preload(&viewer.rsvp, ids()).await?;
    }
    if asked.has("friendsGoing") {
        preload(&viewer.friends_going, ids()).await?;
    }
    if asked.any(HOST_RULED) || going_ruled {
        preload(&viewer.membership, group_ids()).await?;
        preload(&viewer.hosting, ids()).await?;
    }
    if asked.has("attendees") {
        preload_attendees(ctx, asked, events).await?;
    }
    Ok(())
}

/// A group's events, soonest first: the page a list of groups read ahead
/// for it, or read now.
pub async fn group_events(
    ctx: &Context<'_>,
    group: Uuid,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<Connection<Cursor, Event>> {
    let args = PageArgs {
        first,
        after: after.clone(),
    };
    let Some(events) = loaders(ctx).group_events.get(&(group, args)) else {
        return list_events(ctx, EventFilter::default(), Some(group), first, after).await;
    };
    let page: Page<EventCursor> = Page::parse(first, after)?;
    let items = events
        .iter()
        .map(|e| (EventCursor::T(e.starts_at, e.id), Event(e.clone())))
        .collect();
    Ok(connection(items, page.first, page.after.is_some()))
}

/// Reads the pages of events `asked` (the groups' fields) asks of each of
/// `groups`, one statement per way it asks them, with their relations.
pub async fn preload_group_events(
    ctx: &Context<'_>,
    asked: &NodeFields<'_>,
    groups: &[Uuid],
) -> ApiResult<()> {
    let store = &loaders(ctx).group_events;
    if !store.keeps() || groups.is_empty() {
        return Ok(());
    }
    // Aliases asking the same page share it, read with what any of them
    // asks of its events.
    let mut pages_asked: HashMap<PageArgs, Vec<SelectionField<'_>>> = HashMap::new();
    for (args, selection) in asked.nested("events") {
        pages_asked.entry(args).or_default().push(selection);
    }
    for (args, selections) in pages_asked {
        let Ok(page) = Page::<EventCursor>::parse(args.first, args.after.clone()) else {
            continue;
        };
        let after = match page.after {
            None => None,
            Some(EventCursor::T(t, id)) => Some(After::Time(t, id)),
            // Not a cursor of this list: the field says so itself.
            Some(EventCursor::D(..)) => continue,
        };
        let nodes = NodeFields::of_selections(&selections);
        let listing = Listing {
            viewer: auth(ctx).person().map(|p| p.0),
            after,
            limit: page.limit(),
            with: asked_relations(&nodes),
            skip_description: !nodes.has("description"),
            ..Listing::default()
        };
        let mut rows = db_events::list_per_group(ctx.reads(), &listing, groups).await?;
        prefetch(ctx, listing.with, &mut rows).await;
        preload_relations(ctx, &nodes, listing.with, rows.iter().map(|r| &r.event)).await?;
        let rows = rows
            .into_iter()
            .filter_map(|r| Some((r.event.group_id?, Arc::new(r.event))));
        store.put_each(groups, rows, |g| (g, args.clone()));
    }
    Ok(())
}

/// Lists events visible to the viewer, as a connection.
pub async fn list_events(
    ctx: &Context<'_>,
    filter: EventFilter,
    group: Option<Uuid>,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<Connection<Cursor, Event>> {
    let page: Page<EventCursor> = Page::parse(first, after)?;
    let asked = NodeFields::of(ctx);
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
        with: asked_relations(&asked),
        skip_description: !asked.has("description"),
    };
    let mut rows = db_events::list(ctx.reads(), &listing).await?;
    prefetch(ctx, listing.with, &mut rows).await;
    let events = rows.iter().map(|r| &r.event);
    preload_relations(ctx, &asked, listing.with, events).await?;
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
