//! Connections nested in a list's items: an event's attendees, a group's
//! members and join requests. A list reads them for all its items in one
//! statement per way the query asks them, right after its own page, so
//! that asking them of 100 events costs what asking them of 5 does. The
//! nested field takes its page from there, or reads it alone where no
//! list read it (the event's own page, a mutation's answer, a
//! subscription). A group's events, an events listing of their own, are
//! read ahead beside the other listings (`event_list::preload_group_events`).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_graphql::Context;
use cortege_db::events::Event as EventRow;
use cortege_db::memberships::{self as db_memberships, MemberKey, Membership};
use cortege_db::rsvps::{self as db_rsvps, AttendeeKey, Rsvp};
use cortege_domain::MembershipStatus;
use uuid::Uuid;

use crate::access;
use crate::context::ContextExt;
use crate::error::ApiResult;
use crate::loaders::{self, NodeFields, PageArgs, selection_nodes_ask};
use crate::objects::pagination::Page;

/// The group fields that list a roster, and which.
pub const ROSTERS: [(&str, MembershipStatus); 2] = [
    ("members", MembershipStatus::Active),
    ("joinRequests", MembershipStatus::Pending),
];

/// One event's attendees page, in order, each with their key.
pub async fn attendee_page(
    ctx: &Context<'_>,
    event: Uuid,
    page: &Page<AttendeeKey>,
    args: PageArgs,
) -> ApiResult<Arc<[(AttendeeKey, Arc<Rsvp>)]>> {
    let loaders = loaders::of(ctx);
    let with_people = loaders::nodes_ask(ctx, "person");
    if let Some(page) = loaders.attendees.get(&(event, args, with_people)) {
        return Ok(page);
    }
    let rows =
        db_rsvps::of_event(ctx.reads(), event, page.after, page.limit(), with_people).await?;
    Ok(split_attendees(ctx, rows).await.into())
}

/// Reads, for each of `events` whose attendees the viewer may see, the
/// pages `asked` (the events' fields) asks of them.
pub async fn preload_attendees<'e>(
    ctx: &Context<'_>,
    asked: &NodeFields<'_>,
    events: impl Iterator<Item = &'e EventRow>,
) -> ApiResult<()> {
    let store = &loaders::of(ctx).attendees;
    let asks = asked.nested("attendees");
    if !store.keeps() || asks.is_empty() {
        return Ok(());
    }
    // The rule reads what the list preloaded for its hosts' fields. A
    // feed names an event once per item: each is read once, or its rows
    // would come once per time it is named.
    let mut visible = Vec::new();
    let mut named = HashSet::new();
    for event in events {
        if named.insert(event.id) && access::may_see_attendees(ctx, event).await? {
            visible.push(event.id);
        }
    }
    if visible.is_empty() {
        return Ok(());
    }
    let mut read = HashSet::new();
    for (args, selection) in asks {
        let with_people = selection_nodes_ask(selection, "person");
        let Ok(page) = Page::<AttendeeKey>::parse(args.first, args.after.clone()) else {
            continue;
        };
        if !read.insert((args.clone(), with_people)) {
            continue;
        }
        let rows =
            db_rsvps::of_events(ctx.reads(), &visible, page.after, page.limit(), with_people)
                .await?;
        let items = split_attendees(ctx, rows).await;
        let items = items.into_iter().map(|(k, r)| (r.event_id, (k, r)));
        store.put_each(&visible, items, |e| (e, args.clone(), with_people));
    }
    Ok(())
}

/// The page's RSVPs; their people, when read with them, go to the
/// request's people loader.
async fn split_attendees(
    ctx: &Context<'_>,
    rows: Vec<db_rsvps::Attendee>,
) -> Vec<(AttendeeKey, Arc<Rsvp>)> {
    let mut items = Vec::with_capacity(rows.len());
    let mut people = Vec::new();
    for a in rows {
        people.extend(a.person.map(|p| (p.id, Arc::new(p))));
        items.push((a.key, Arc::new(a.rsvp)));
    }
    if !people.is_empty() {
        loaders::of(ctx).person.feed_many(people).await;
    }
    items
}

/// One group's roster page of `status`, in order.
pub async fn roster_page(
    ctx: &Context<'_>,
    group: Uuid,
    status: MembershipStatus,
    page: &Page<MemberKey>,
    args: PageArgs,
) -> ApiResult<Arc<[Arc<Membership>]>> {
    let loaders = loaders::of(ctx);
    if let Some(page) = loaders.rosters.get(&(group, status, args)) {
        return Ok(page);
    }
    let rows =
        db_memberships::members(ctx.reads(), group, status, page.after, page.limit()).await?;
    if loaders::nodes_ask(ctx, "person") {
        loaders::preload(&loaders.person, rows.iter().map(|m| m.person_id)).await?;
    }
    Ok(rows.into_iter().map(Arc::new).collect())
}

/// Reads ahead what `asked` (the groups' fields) asks of each of a page
/// of `groups`: its rosters ([`preload_rosters`], whose rule needs the
/// viewer's memberships preloaded) and its events.
pub async fn preload_group_pages(
    ctx: &Context<'_>,
    asked: &NodeFields<'_>,
    groups: &[Uuid],
) -> ApiResult<()> {
    preload_rosters(ctx, asked, groups).await?;
    crate::objects::event_list::preload_group_events(ctx, asked, groups).await
}

/// Whether `asked` (the groups' fields) asks a roster.
pub fn asks_rosters(asked: &NodeFields<'_>) -> bool {
    ROSTERS.iter().any(|(field, _)| asked.has(field))
}

/// Reads, for each of `groups` whose rosters the viewer may see, the
/// pages `asked` (the groups' fields) asks of them, and the people on
/// them where asked. The viewer's memberships in the groups must be
/// preloaded: the rule reads them.
async fn preload_rosters(
    ctx: &Context<'_>,
    asked: &NodeFields<'_>,
    groups: &[Uuid],
) -> ApiResult<()> {
    let loaders = loaders::of(ctx);
    if !loaders.rosters.keeps() {
        return Ok(());
    }
    let mut people = Vec::new();
    for (field, status) in ROSTERS {
        let asks = asked.nested(field);
        if asks.is_empty() {
            continue;
        }
        let mut visible = Vec::new();
        for group in groups {
            if access::may_see_roster(ctx, *group, status).await? {
                visible.push(*group);
            }
        }
        if visible.is_empty() {
            continue;
        }
        // Aliases asking the same page share it; the people are read if
        // any of them asks.
        let mut pages_asked: HashMap<PageArgs, bool> = HashMap::new();
        for (args, selection) in asks {
            *pages_asked.entry(args).or_default() |= selection_nodes_ask(selection, "person");
        }
        for (args, with_people) in pages_asked {
            let Ok(page) = Page::<MemberKey>::parse(args.first, args.after.clone()) else {
                continue;
            };
            let rows = db_memberships::members_of_groups(
                ctx.reads(),
                &visible,
                status,
                page.after,
                page.limit(),
            )
            .await?;
            if with_people {
                people.extend(rows.iter().map(|m| m.person_id));
            }
            let rows = rows.into_iter().map(|m| (m.group_id, Arc::new(m)));
            loaders
                .rosters
                .put_each(&visible, rows, |g| (g, status, args.clone()));
        }
    }
    loaders::preload(&loaders.person, people).await
}
