//! Events and RSVPs.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use cortege_db::events as db_events;
use cortege_db::rsvps as db_rsvps;
use cortege_domain::PostalAddress;
use uuid::Uuid;

use crate::access;
use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult};
use crate::ids::{self, Kind};
use crate::loaders::{Loaders, PageArgs};
use crate::objects::address::Address;
use crate::objects::event_list::{EventFilter, list_events};
use crate::objects::group::Group;
use crate::objects::nested_pages::attendee_page;
use crate::objects::pagination::{Cursor, Page, connection};
use crate::objects::person::{GeoPoint, Person};

pub use crate::objects::rsvp::Rsvp;
pub use cortege_domain::seats::MAX_GUESTS;
pub use cortege_domain::{EventKind, RsvpStatus, Visibility};

fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    crate::loaders::of(ctx)
}

/// A field action or meeting.
pub struct Event(pub Arc<db_events::Event>);

impl Event {
    pub fn new(row: db_events::Event) -> Self {
        Event(Arc::new(row))
    }
}

#[Object]
impl Event {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Event, self.0.id)
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn kind(&self) -> EventKind {
        self.0.kind
    }
    async fn visibility(&self) -> Visibility {
        self.0.visibility
    }
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }
    /// Where it happens. With addressVisibility ATTENDEES, everyone but
    /// its hosts and GOING attendees gets the centre of the ~1 km grid
    /// cell that holds it, never the exact point.
    async fn location(&self, ctx: &Context<'_>) -> ApiResult<GeoPoint> {
        let exact = access::sees_exact_place(ctx, &self.0).await?;
        let (lat, lon) = self.0.shown_location(exact);
        Ok(GeoPoint { lat, lon })
    }
    /// The address; with addressVisibility ATTENDEES, street is null for
    /// everyone but its hosts and GOING attendees (the commune stays).
    async fn address(&self, ctx: &Context<'_>) -> ApiResult<Address> {
        let exact = access::sees_exact_place(ctx, &self.0).await?;
        Ok(Address(PostalAddress {
            street: self.0.street.clone().filter(|_| exact),
            postcode: self.0.postcode.clone(),
            city: self.0.city.clone(),
            commune_code: self.0.commune_code.clone(),
        }))
    }
    /// Distance from filter.near, in kilometres (great circle), when the
    /// event was found by location. With a private address, searches
    /// only know the rounded location: the distance is to that point.
    async fn distance_km(&self) -> Option<f64> {
        self.0.distance_km
    }
    /// An online action: its location and address are its commune's,
    /// for the statistics; there is no place to go.
    async fn online(&self) -> bool {
        self.0.online
    }
    /// Where to join an online action: the hosts and GOING attendees only;
    /// null for anyone else.
    async fn online_url(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        if self.0.online_url.is_none() {
            return Ok(None);
        }
        let privileged = access::is_host_or_going(ctx, &self.0).await?;
        Ok(self.0.online_url.clone().filter(|_| privileged))
    }
    /// Who sees the street and the exact location.
    async fn address_visibility(&self) -> cortege_domain::AddressVisibility {
        self.0.address_visibility
    }
    /// Practical details for those coming (door code, floor, whom to
    /// call): the hosts and GOING attendees only; null for anyone else.
    async fn instructions(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        if self.0.instructions.is_none() {
            return Ok(None);
        }
        let privileged = access::is_host_or_going(ctx, &self.0).await?;
        Ok(self.0.instructions.clone().filter(|_| privileged))
    }
    /// Seats available, counting guests; null for no limit.
    async fn capacity(&self) -> Option<i32> {
        self.0.capacity
    }
    /// Seats taken: the sum over GOING RSVPs of 1 + guests.
    async fn attendee_count(&self) -> i32 {
        self.0.seats_taken
    }
    async fn is_full(&self) -> bool {
        self.0.capacity.is_some_and(|c| self.0.seats_taken >= c)
    }
    async fn cancelled(&self) -> bool {
        self.0.cancelled_at.is_some()
    }
    async fn organiser(&self, ctx: &Context<'_>) -> ApiResult<Person> {
        let row = loaders(ctx)
            .person
            .load_one(self.0.organiser_id)
            .await?
            .ok_or_else(|| ApiError::internal("event without organiser", &self.0.id))?;
        Ok(Person::new(row, ctx))
    }
    /// Who runs the action: the organiser first, then the co-hosts in the
    /// order they were added. All of them see the attendees and may
    /// change the event, mark attendance and report its outcome; the
    /// organiser and the group's managers choose the co-hosts.
    async fn hosts(&self, ctx: &Context<'_>) -> ApiResult<Vec<Person>> {
        let co_hosts = loaders(ctx)
            .hosts
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let ids: Vec<Uuid> = std::iter::once(self.0.organiser_id)
            .chain(co_hosts.iter().copied())
            .collect();
        let mut rows = loaders(ctx).person.load_many(ids.iter().copied()).await?;
        Ok(ids
            .iter()
            .filter_map(|id| rows.remove(id))
            .map(|row| Person::new(row, ctx))
            .collect())
    }
    /// Seats (1 + guests) of the parties marked as having come, by the
    /// hosts or by check-in. The hosts, moderators and admins; null for
    /// anyone else.
    async fn attended_count(&self, ctx: &Context<'_>) -> ApiResult<Option<i32>> {
        if !access::may_see_attendees(ctx, &self.0).await? {
            return Ok(None);
        }
        let seats = loaders(ctx)
            .attended
            .load_one(self.0.id)
            .await?
            .unwrap_or(0);
        Ok(Some(i32::try_from(seats).unwrap_or(i32::MAX)))
    }
    /// The code attendees type to check in (checkIn), to show at the
    /// event: six letters and digits, the same for the whole event. Hosts
    /// only; null for anyone else.
    async fn check_in_code(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        Ok(access::is_event_host(ctx, &self.0)
            .await?
            .then(|| cortege_app::attendance::check_in_code(ctx.app(), self.0.id)))
    }
    /// A link to the attendee list as CSV (name, status, guests,
    /// attended, and the email and phone of those who share them), made
    /// for the viewer and working for 10 minutes; each download is logged.
    /// Hosts only; null for anyone else.
    async fn attendees_csv_url(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let Some(me) = crate::auth::auth(ctx).person() else {
            return Ok(None);
        };
        Ok(access::is_event_host(ctx, &self.0)
            .await?
            .then(|| cortege_app::attendance::attendees_csv_url(ctx.app(), me, self.0.id)))
    }
    /// Whether the viewer is one of the hosts (or a manager of the
    /// event's group): what decides the organiser's screens.
    async fn viewer_is_host(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        access::is_event_host(ctx, &self.0).await
    }
    /// The event as a calendar (RFC 5545), to add to any agenda; it
    /// follows changes and cancellation. A GROUP event's URL is the
    /// viewer's own (it carries their calendar token).
    async fn ics_url(&self, ctx: &Context<'_>) -> ApiResult<String> {
        Ok(cortege_app::notify::settings::event_calendar_url(
            ctx.app(),
            crate::auth::auth(ctx).person(),
            self.0.id,
            self.0.visibility,
        )
        .await?)
    }

    /// What the action achieved, once its organisers reported it (public,
    /// as the event is).
    async fn outcome(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<crate::objects::outcome::EventOutcome>> {
        Ok(loaders(ctx)
            .outcome
            .load_one(self.0.id)
            .await?
            .flatten()
            .map(crate::objects::outcome::EventOutcome))
    }

    async fn group(&self, ctx: &Context<'_>) -> ApiResult<Option<Group>> {
        let Some(id) = self.0.group_id else {
            return Ok(None);
        };
        Ok(loaders(ctx).group.load_one(id).await?.map(Group))
    }
    /// The viewer's own RSVP, or null.
    async fn viewer_rsvp(&self, ctx: &Context<'_>) -> ApiResult<Option<Rsvp>> {
        let Some(v) = &loaders(ctx).viewer else {
            return Ok(None);
        };
        Ok(v.rsvp.load_one(self.0.id).await?.flatten().map(Rsvp))
    }
    /// The viewer's friends who are going (at most 50), for PUBLIC events:
    /// what the feed already tells them (FRIEND_GOING). Empty for anonymous
    /// viewers and for other events.
    async fn friends_going(&self, ctx: &Context<'_>) -> ApiResult<Vec<Person>> {
        let Some(viewer) = &loaders(ctx).viewer else {
            return Ok(Vec::new());
        };
        if !self.0.visibility.is_listed() {
            return Ok(Vec::new());
        }
        let friends = viewer
            .friends_going
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(friends
            .iter()
            .map(|row| Person::new(row.clone(), ctx))
            .collect())
    }
    /// GOING parties, then the waitlist in waiting order. The event's
    /// organisers, moderators and admins only; null with FORBIDDEN for anyone else.
    async fn attendees(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Option<Connection<Cursor, Rsvp>>> {
        if !access::may_see_attendees(ctx, &self.0).await? {
            return Err(ApiError::Forbidden(
                "only the event's organisers, moderators and admins see its attendees".to_owned(),
            ));
        }
        let page: Page<db_rsvps::AttendeeKey> = Page::parse(first, after.clone())?;
        let had = page.after.is_some();
        let rows = attendee_page(ctx, self.0.id, &page, PageArgs { first, after }).await?;
        let items = rows
            .iter()
            .map(|(key, rsvp)| (*key, Rsvp(rsvp.clone())))
            .collect();
        Ok(Some(connection(items, page.first, had)))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// The event if the viewer may see it, else None (a GROUP event is not
/// revealed to strangers).
pub async fn event_by_id(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Event>> {
    let Some(event) = loaders(ctx).event.load_one(id).await? else {
        return Ok(None);
    };
    visible_event(ctx, event).await
}

/// An event asked by its id at the root of a query (`event`, `node`), as
/// [`event_by_id`], read on the request's own task (`loaders::load_now`):
/// there is nothing to batch it with.
pub async fn lookup_event(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Event>> {
    match crate::loaders::load_now(&loaders(ctx).event, id).await? {
        Some(event) => visible_event(ctx, event).await,
        None => Ok(None),
    }
}

/// The event if the viewer may see it, else None: for an event already
/// read (with a feed page, say).
pub async fn visible_event(
    ctx: &Context<'_>,
    event: Arc<cortege_db::events::Event>,
) -> ApiResult<Option<Event>> {
    Ok(access::may_see_event(ctx, &event)
        .await?
        .then_some(Event(event)))
}

#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// An event by ID; null when it does not exist or the viewer may not see
    /// it. Cancelled and UNLISTED events stay readable by ID.
    async fn event(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Event>> {
        lookup_event(ctx, ids::decode(Kind::Event, &id, "id")?).await
    }

    /// Upcoming events (end in the future) by default; with startsAfter or
    /// startsBefore, exactly that window. Nearest first when `near` is
    /// given, else soonest first.
    async fn events(
        &self,
        ctx: &Context<'_>,
        filter: Option<EventFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<Cursor, Event>> {
        list_events(ctx, filter.unwrap_or_default(), None, first, after).await
    }
}
