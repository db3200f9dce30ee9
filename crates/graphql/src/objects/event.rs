//! Events and RSVPs.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use cortege_db::events::{self as db_events, After, EventUpdate, Listing, NewEvent};
use cortege_db::rsvps::{self as db_rsvps, Refusal};
use cortege_domain::{PersonId, check_schedule, parse_text, parse_title};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::{self, require_member};
use crate::auth::auth;
use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult};
use crate::ids::{self, Kind};
use crate::loaders::Loaders;
use crate::objects::address::{self, Address, AddressInput};
use crate::objects::group::Group;
use crate::objects::pagination::{Page, connection};
use crate::objects::person::{GeoPoint, GeoPointInput, Person};

db_enum! {
    /// What an event is for. The field actions of a campaign first.
    EventKind {
        Leafleting = "LEAFLETING",
        DoorToDoor = "DOOR_TO_DOOR",
        Postering = "POSTERING",
        StreetStall = "STREET_STALL",
        Caravan = "CARAVAN",
        PhoneBank = "PHONE_BANK",
        SignatureGathering = "SIGNATURE_GATHERING",
        GroupMeeting = "GROUP_MEETING",
        PublicMeeting = "PUBLIC_MEETING",
        Rally = "RALLY",
        Training = "TRAINING",
        Carpool = "CARPOOL",
        OnlineMeeting = "ONLINE_MEETING",
        Other = "OTHER",
    }
}

db_enum! {
    /// Who sees an event.
    Visibility {
        /// Listed to everyone, anonymous visitors included.
        Public = "PUBLIC",
        /// Listed to members of the organising group only.
        Group = "GROUP",
        /// Reachable by link only; never listed or pushed.
        Unlisted = "UNLISTED",
    }
}

db_enum! {
    /// Where an RSVP stands.
    RsvpStatus {
        /// Has seats (1 + guests).
        Going = "GOING",
        /// The party did not fit; promoted in waiting order when seats free up.
        Waitlisted = "WAITLISTED",
        Cancelled = "CANCELLED",
    }
}

/// Most guests one RSVP may bring.
pub const MAX_GUESTS: i32 = 10;
/// Largest capacity an event may announce.
const MAX_CAPACITY: i32 = 1_000_000;
const MAX_DESCRIPTION: usize = 10_000;

fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    crate::loaders::of(ctx)
}

/// A field action or meeting.
pub struct Event(pub Arc<db_events::Event>);

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
        EventKind::from_db(&self.0.kind).unwrap_or(EventKind::Other)
    }
    async fn visibility(&self) -> Visibility {
        Visibility::from_db(&self.0.visibility).unwrap_or(Visibility::Unlisted)
    }
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }
    /// Where it happens: public, since the event is.
    async fn location(&self) -> GeoPoint {
        GeoPoint {
            lat: self.0.lat,
            lon: self.0.lon,
        }
    }
    async fn address(&self) -> Address {
        Address {
            street: self.0.street.clone(),
            postcode: self.0.postcode.clone(),
            city: self.0.city.clone(),
            commune_code: self.0.commune_code.clone(),
        }
    }
    /// Distance from filter.near, in kilometres (great circle), when the
    /// event was found by location.
    async fn distance_km(&self) -> Option<f64> {
        self.0.distance_km
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
        let Some(me) = crate::auth::auth(ctx).person() else {
            return Ok(Vec::new());
        };
        if self.0.visibility != "PUBLIC" {
            return Ok(Vec::new());
        }
        let rows = cortege_db::people::friends_going(&ctx.state().pool, me.0, self.0.id).await?;
        Ok(rows
            .into_iter()
            .map(|row| Person::new(Arc::new(row), ctx))
            .collect())
    }
    /// GOING parties, then the waitlist in waiting order. The event's
    /// organisers, moderators and admins only; null with FORBIDDEN for anyone else.
    async fn attendees(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Option<Connection<String, Rsvp>>> {
        if !access::may_see_attendees(ctx, &self.0).await? {
            return Err(ApiError::Forbidden(
                "only the event's organisers, moderators and admins see its attendees".to_owned(),
            ));
        }
        let page: Page<(i64, Uuid)> = Page::parse(first, after)?;
        let had = page.after.is_some();
        let rows =
            db_rsvps::of_event(&ctx.state().pool, self.0.id, page.after, page.limit()).await?;
        let items = rows
            .into_iter()
            .map(|(pos, r)| ((pos, r.id), Rsvp(Arc::new(r))))
            .collect();
        Ok(Some(connection(items, page.first, had)))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// One person's answer to an event.
pub struct Rsvp(pub Arc<db_rsvps::Rsvp>);

#[Object]
impl Rsvp {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Rsvp, self.0.id)
    }
    async fn event(&self, ctx: &Context<'_>) -> ApiResult<Event> {
        loaders(ctx)
            .event
            .load_one(self.0.event_id)
            .await?
            .map(Event)
            .ok_or_else(|| ApiError::internal("RSVP without event", &self.0.id))
    }
    async fn person(&self, ctx: &Context<'_>) -> ApiResult<Person> {
        let row = loaders(ctx)
            .person
            .load_one(self.0.person_id)
            .await?
            .ok_or_else(|| ApiError::internal("RSVP without person", &self.0.id))?;
        Ok(Person::new(row, ctx))
    }
    async fn status(&self) -> RsvpStatus {
        RsvpStatus::from_db(&self.0.status).unwrap_or(RsvpStatus::Cancelled)
    }
    /// People coming along, 0 to 10.
    async fn guests(&self) -> i32 {
        i32::from(self.0.guests)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
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
            if !(r.is_finite() && r > 0.0 && r <= 500.0) {
                return Err(ApiError::bad_input(
                    format!("{prefix}.radiusKm"),
                    "must be greater than 0 and at most 500",
                ));
            }
            Ok(Some((p.lat(), p.lon(), r)))
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

/// Loads, in one batch each, the relations the query asks of a page of
/// events, so the statement count does not depend on the page size nor on
/// how the resolvers' futures happen to interleave.
async fn prefetch(ctx: &Context<'_>, rows: &[db_events::Event]) -> ApiResult<()> {
    let node = ctx.look_ahead().field("edges").field("node");
    let loaders = loaders(ctx);
    if node.field("organiser").exists() {
        loaders
            .person
            .load_many(rows.iter().map(|e| e.organiser_id))
            .await?;
    }
    if node.field("group").exists() {
        loaders
            .group
            .load_many(rows.iter().filter_map(|e| e.group_id))
            .await?;
    }
    if node.field("viewerRsvp").exists()
        && let Some(v) = &loaders.viewer
    {
        v.rsvp.load_many(rows.iter().map(|e| e.id)).await?;
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
        kinds: filter
            .kinds
            .map(|k| k.into_iter().map(EventKind::as_db).collect()),
        starts_after: filter.starts_after,
        starts_before: filter.starts_before,
        search: parse_search(filter.search, "filter.search")?,
        group,
        after,
        limit: page.limit(),
    };
    let rows = db_events::list(&ctx.state().pool, &listing).await?;
    prefetch(ctx, &rows).await?;
    let items = rows
        .into_iter()
        .map(|e| {
            let cursor = match e.distance_km {
                Some(d) => EventCursor::D(d, e.id),
                None => EventCursor::T(e.starts_at, e.id),
            };
            (cursor, Event(Arc::new(e)))
        })
        .collect();
    Ok(connection(items, page.first, listing.after.is_some()))
}

/// A new event.
#[derive(InputObject)]
pub struct CreateEventInput {
    /// 3 to 120 characters.
    pub title: String,
    /// At most 10,000 characters.
    pub description: String,
    pub kind: EventKind,
    /// PUBLIC when omitted. GROUP needs groupId.
    pub visibility: Option<Visibility>,
    /// Not in the past.
    pub starts_at: DateTime<Utc>,
    /// After startsAt, within 7 days of it.
    pub ends_at: DateTime<Utc>,
    pub location: GeoPointInput,
    pub address: AddressInput,
    /// At least 1; omit for no limit.
    pub capacity: Option<i32>,
    /// A group the viewer is an active member of.
    pub group_id: Option<ID>,
}

/// Changes to an event; omitted fields stay as they are.
#[derive(InputObject, Default)]
pub struct UpdateEventInput {
    pub title: Option<String>,
    pub description: Option<String>,
    pub kind: Option<EventKind>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub location: Option<GeoPointInput>,
    pub address: Option<AddressInput>,
    /// Never below attendeeCount; a larger capacity promotes waitlisted parties.
    pub capacity: Option<i32>,
}

/// PostgreSQL keeps microseconds: compare and store what will be kept, or a
/// check that passes here could fail in the database.
fn micros(t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::SubsecRound;
    t.trunc_subsecs(6)
}

fn check_capacity(capacity: Option<i32>, field: &str) -> ApiResult<()> {
    match capacity {
        Some(c) if !(1..=MAX_CAPACITY).contains(&c) => Err(ApiError::bad_input(
            field,
            format!("must be between 1 and {MAX_CAPACITY}"),
        )),
        _ => Ok(()),
    }
}

/// The event by id if the viewer may see it; NOT_FOUND otherwise (a GROUP
/// event is not revealed to strangers).
async fn visible_event(ctx: &Context<'_>, id: Uuid) -> ApiResult<Arc<db_events::Event>> {
    let not_found = || ApiError::NotFound("no such event".to_owned());
    let event = loaders(ctx)
        .event
        .load_one(id)
        .await?
        .ok_or_else(not_found)?;
    if access::may_see_event(ctx, &event).await? {
        Ok(event)
    } else {
        Err(not_found())
    }
}

fn refusal(r: Refusal) -> ApiError {
    match r {
        Refusal::NoSuchEvent => ApiError::NotFound("no such event".to_owned()),
        Refusal::Closed(why) => ApiError::bad_input("eventId", why),
        Refusal::NoRsvp => ApiError::NotFound("you have no RSVP to this event".to_owned()),
    }
}

/// The event if the viewer may see it, else None.
pub async fn event_by_id(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Event>> {
    match visible_event(ctx, id).await {
        Ok(e) => Ok(Some(Event(e))),
        Err(ApiError::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// An event by ID; null when it does not exist or the viewer may not see
    /// it. Cancelled and UNLISTED events stay readable by ID.
    async fn event(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Event>> {
        event_by_id(ctx, ids::decode(Kind::Event, &id, "id")?).await
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
    ) -> ApiResult<Connection<String, Event>> {
        list_events(ctx, filter.unwrap_or_default(), None, first, after).await
    }
}

#[derive(Default)]
pub struct EventMutation;

#[Object]
impl EventMutation {
    /// Creates an event; the viewer is its organiser.
    async fn create_event(&self, ctx: &Context<'_>, input: CreateEventInput) -> ApiResult<Event> {
        let me = require_member(ctx).await?;
        ctx.state()
            .limits
            .check(crate::throttle::Action::CreateEvent, me.id)
            .await?;
        let title = parse_title(&input.title, "input.title")?;
        let description = parse_text(&input.description, MAX_DESCRIPTION, "input.description")?;
        if input.starts_at < Utc::now() {
            return Err(ApiError::bad_input(
                "input.startsAt",
                "must not be in the past",
            ));
        }
        check_schedule(input.starts_at, input.ends_at, "input.endsAt")?;
        let location = input.location.parse("input.location")?;
        check_capacity(input.capacity, "input.capacity")?;
        let visibility = input.visibility.unwrap_or(Visibility::Public);
        let group = match &input.group_id {
            Some(id) => {
                let g = ids::decode(Kind::Group, id, "input.groupId")?;
                let exists = loaders(ctx)
                    .group
                    .load_one(g)
                    .await?
                    .is_some_and(|g| g.removed_at.is_none());
                if !exists || !access::is_group_member(ctx, g, false).await? {
                    return Err(ApiError::bad_input(
                        "input.groupId",
                        "you are not an active member of this group",
                    ));
                }
                Some(g)
            }
            None if visibility == Visibility::Group => {
                return Err(ApiError::bad_input(
                    "input.visibility",
                    "GROUP visibility needs a groupId",
                ));
            }
            None => None,
        };
        let (street, postcode, city, commune_code) =
            address::resolve(ctx.state(), &input.address, "input.address").await?;
        let id = db_events::create(
            &ctx.state().pool,
            &NewEvent {
                organiser: PersonId(me.id),
                group,
                kind: input.kind.as_db(),
                visibility: visibility.as_db(),
                title,
                description,
                starts_at: input.starts_at,
                ends_at: input.ends_at,
                lat: location.lat(),
                lon: location.lon(),
                street,
                postcode,
                city,
                commune_code,
                capacity: input.capacity,
            },
        )
        .await?;
        fresh_event(ctx, id.0).await
    }

    /// Changes an event. Its organisers and admins only.
    async fn update_event(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateEventInput,
    ) -> ApiResult<Event> {
        let me = require_member(ctx).await?;
        let uuid = ids::decode(Kind::Event, &id, "id")?;
        let current = visible_event(ctx, uuid).await?;
        if !access::may_edit_event(ctx, &current).await? {
            return Err(ApiError::Forbidden(
                "only the event's organisers may change it".to_owned(),
            ));
        }
        let title = input
            .title
            .as_deref()
            .map(|t| parse_title(t, "input.title"))
            .transpose()?;
        let description = input
            .description
            .as_deref()
            .map(|d| parse_text(d, MAX_DESCRIPTION, "input.description"))
            .transpose()?;
        let location = input
            .location
            .map(|l| l.parse("input.location"))
            .transpose()?;
        check_capacity(input.capacity, "input.capacity")?;
        let address = match &input.address {
            Some(a) => Some(address::resolve(ctx.state(), a, "input.address").await?),
            None => None,
        };
        let update = EventUpdate {
            title,
            description,
            kind: input.kind.map(EventKind::as_db),
            starts_at: input.starts_at.map(micros),
            ends_at: input.ends_at.map(micros),
            location: location.map(|l| (l.lat(), l.lon())),
            address,
            capacity: input.capacity,
        };
        let pool = &ctx.state().pool;
        let mut tx = pool.begin().await.map_err(cortege_db::Error::from)?;
        let mut event = db_events::lock(&mut tx, uuid)
            .await?
            .ok_or_else(|| ApiError::NotFound("no such event".to_owned()))?;
        if event.cancelled_at.is_some() {
            return Err(ApiError::bad_input("id", "the event is cancelled"));
        }
        let starts = update.starts_at.unwrap_or(event.starts_at);
        let ends = update.ends_at.unwrap_or(event.ends_at);
        let ends_field = if update.ends_at.is_some() {
            "input.endsAt"
        } else {
            "input.startsAt"
        };
        check_schedule(starts, ends, ends_field)?;
        if let Some(c) = update.capacity
            && c < event.seats_taken
        {
            return Err(ApiError::bad_input(
                "input.capacity",
                format!(
                    "must not be below the {} seats already taken",
                    event.seats_taken
                ),
            ));
        }
        let grew = match (update.capacity, event.capacity) {
            (Some(new), Some(old)) => new > old,
            _ => false,
        };
        db_events::update(&mut tx, uuid, PersonId(me.id), &update).await?;
        if grew {
            event.capacity = update.capacity;
            db_rsvps::promote(&mut tx, &mut event).await?;
        }
        tx.commit().await.map_err(cortege_db::Error::from)?;
        fresh_event(ctx, uuid).await
    }

    /// Cancels an event: it leaves every listing but stays readable by ID.
    /// Its organisers and admins only.
    async fn cancel_event(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Event> {
        let me = require_member(ctx).await?;
        let uuid = ids::decode(Kind::Event, &id, "id")?;
        let current = visible_event(ctx, uuid).await?;
        if !access::may_edit_event(ctx, &current).await? {
            return Err(ApiError::Forbidden(
                "only the event's organisers may cancel it".to_owned(),
            ));
        }
        db_events::cancel(&ctx.state().pool, uuid, PersonId(me.id)).await?;
        fresh_event(ctx, uuid).await
    }

    /// Idempotent: a second call updates the same RSVP. GOING while the
    /// party (1 + guests) fits, else WAITLISTED whole. Without guests, an
    /// existing RSVP keeps its guests.
    async fn rsvp(&self, ctx: &Context<'_>, event_id: ID, guests: Option<i32>) -> ApiResult<Rsvp> {
        let me = require_member(ctx).await?;
        let uuid = ids::decode(Kind::Event, &event_id, "eventId")?;
        let guests = match guests {
            Some(g) if !(0..=MAX_GUESTS).contains(&g) => {
                return Err(ApiError::bad_input(
                    "guests",
                    format!("must be between 0 and {MAX_GUESTS}"),
                ));
            }
            g => g.and_then(|g| i16::try_from(g).ok()),
        };
        let event = visible_event(ctx, uuid).await?;
        let rsvp = db_rsvps::rsvp(&ctx.state().pool, event.id, PersonId(me.id), guests)
            .await?
            .map_err(refusal)?;
        Ok(Rsvp(Arc::new(rsvp)))
    }

    /// Cancels the viewer's RSVP; its seats go to the waitlist.
    async fn cancel_rsvp(&self, ctx: &Context<'_>, event_id: ID) -> ApiResult<Rsvp> {
        let me = require_member(ctx).await?;
        let uuid = ids::decode(Kind::Event, &event_id, "eventId")?;
        let event = visible_event(ctx, uuid).await?;
        let rsvp = db_rsvps::cancel(&ctx.state().pool, event.id, PersonId(me.id))
            .await?
            .map_err(refusal)?;
        Ok(Rsvp(Arc::new(rsvp)))
    }
}

/// The event as it is now (bypassing the request's loader cache, which may
/// hold it from before the change).
async fn fresh_event(ctx: &Context<'_>, id: Uuid) -> ApiResult<Event> {
    cortege_db::events::by_ids(&ctx.state().pool, &[id])
        .await?
        .into_iter()
        .next()
        .map(|e| Event(Arc::new(e)))
        .ok_or_else(|| ApiError::internal("event vanished", &id))
}
