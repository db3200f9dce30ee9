//! Creating, changing and cancelling events, and answering them: the
//! inputs parse into domain drafts, and each mutation is one call into
//! `cortege_app`.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use cortege_app::{events, rsvps};
use cortege_domain::events::{
    EventChanges, EventDraft, MAX_DESCRIPTION, MAX_INSTRUCTIONS, check_capacity, check_place,
    check_start, check_visibility, parse_online_url,
};
use cortege_domain::{AddressVisibility, ValidationError, check_schedule, parse_text, parse_title};

use crate::access::require_member;
use crate::context::ContextExt;
use crate::error::ApiResult;
use crate::ids::{self, Kind};
use crate::objects::address::AddressInput;
use crate::objects::event::{Event, EventKind, Rsvp, Visibility};
use crate::objects::person::GeoPointInput;

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
    /// Required in person; an online action without one sits at its
    /// commune's centre.
    pub location: Option<GeoPointInput>,
    /// Required in person; an online action without one sits in its
    /// group's commune, else its organiser's.
    pub address: Option<AddressInput>,
    /// At least 1; omit for no limit.
    pub capacity: Option<i32>,
    /// A group the viewer is an active member of.
    pub group_id: Option<ID>,
    /// PUBLIC when omitted. ATTENDEES: only the hosts and GOING attendees
    /// see the street and the exact location; everyone else sees the
    /// commune and a location rounded to about 1 km.
    pub address_visibility: Option<AddressVisibility>,
    /// Practical details for those coming (door code, floor, whom to
    /// call), at most 2,000 characters: shown to the hosts and GOING
    /// attendees only.
    pub instructions: Option<String>,
    /// An online action: no place to go. It is listed in `events`, but
    /// near searches skip it unless filter.includeOnline.
    pub online: Option<bool>,
    /// Where to join it, an http(s) link (online actions only): shown to
    /// the hosts and GOING attendees only.
    pub online_url: Option<String>,
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
    pub address_visibility: Option<AddressVisibility>,
    /// An empty text removes them.
    pub instructions: Option<String>,
    /// Online actions only; an empty text removes it.
    pub online_url: Option<String>,
}

/// An optional text as given: None when not given, `Some(None)` when
/// blank (removed), else the trimmed text as `parse` takes it.
fn clearable(
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<String, ValidationError>,
) -> Result<Option<Option<String>>, ValidationError> {
    match raw.map(str::trim) {
        None => Ok(None),
        Some("") => Ok(Some(None)),
        Some(text) => parse(text).map(|t| Some(Some(t))),
    }
}

/// Instructions: at most [`MAX_INSTRUCTIONS`] characters.
fn parse_instructions(raw: Option<&str>) -> Result<Option<Option<String>>, ValidationError> {
    clearable(raw, |t| parse_text(t, MAX_INSTRUCTIONS, "instructions"))
}

/// The link of an online action ([`parse_online_url`]).
fn parse_link(raw: Option<&str>) -> Result<Option<Option<String>>, ValidationError> {
    clearable(raw, |u| parse_online_url(u, "onlineUrl"))
}

impl TryFrom<CreateEventInput> for EventDraft {
    type Error = ValidationError;

    fn try_from(input: CreateEventInput) -> Result<Self, ValidationError> {
        let under = |e: ValidationError| e.under("input");
        let title = parse_title(&input.title, "title").map_err(under)?;
        let description =
            parse_text(&input.description, MAX_DESCRIPTION, "description").map_err(under)?;
        check_start(input.starts_at, Utc::now(), "startsAt").map_err(under)?;
        check_schedule(input.starts_at, input.ends_at, "endsAt").map_err(under)?;
        let online = input.online.unwrap_or(false);
        let online_url = parse_link(input.online_url.as_deref())
            .map_err(under)?
            .flatten();
        check_place(
            online,
            input.location.is_some(),
            input.address.is_some(),
            online_url.is_some(),
        )
        .map_err(under)?;
        let location = input
            .location
            .map(|l| l.point().map_err(|e| e.under("input.location")))
            .transpose()?;
        check_capacity(input.capacity, "capacity").map_err(under)?;
        let visibility = input.visibility.unwrap_or(Visibility::Public);
        let group = input
            .group_id
            .as_ref()
            .map(|id| ids::decode(Kind::Group, id, "input.groupId"))
            .transpose()?;
        check_visibility(visibility, group, "visibility").map_err(under)?;
        Ok(EventDraft {
            title,
            description,
            kind: input.kind,
            visibility,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            location,
            address: input.address.map(Into::into),
            capacity: input.capacity,
            group,
            address_visibility: input
                .address_visibility
                .unwrap_or(AddressVisibility::Public),
            instructions: parse_instructions(input.instructions.as_deref())
                .map_err(under)?
                .flatten(),
            online,
            online_url,
        })
    }
}

impl TryFrom<UpdateEventInput> for EventChanges {
    type Error = ValidationError;

    fn try_from(input: UpdateEventInput) -> Result<Self, ValidationError> {
        let under = |e: ValidationError| e.under("input");
        check_capacity(input.capacity, "capacity").map_err(under)?;
        Ok(EventChanges {
            title: input
                .title
                .as_deref()
                .map(|t| parse_title(t, "title"))
                .transpose()
                .map_err(under)?,
            description: input
                .description
                .as_deref()
                .map(|d| parse_text(d, MAX_DESCRIPTION, "description"))
                .transpose()
                .map_err(under)?,
            kind: input.kind,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            location: input
                .location
                .map(|l| l.point().map_err(|e| e.under("input.location")))
                .transpose()?,
            address: input.address.map(Into::into),
            capacity: input.capacity,
            address_visibility: input.address_visibility,
            instructions: parse_instructions(input.instructions.as_deref()).map_err(under)?,
            online_url: parse_link(input.online_url.as_deref()).map_err(under)?,
        })
    }
}

#[derive(Default)]
pub struct EventMutation;

#[Object]
impl EventMutation {
    /// Creates an event; the viewer is its organiser.
    async fn create_event(&self, ctx: &Context<'_>, input: CreateEventInput) -> ApiResult<Event> {
        let me = require_member(ctx).await?;
        let draft = EventDraft::try_from(input)?;
        Ok(Event::new(events::create(ctx.app(), &me, draft).await?))
    }

    /// Changes an event. Its organisers and admins only.
    async fn update_event(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateEventInput,
    ) -> ApiResult<Event> {
        let me = require_member(ctx).await?;
        let id = ids::decode(Kind::Event, &id, "id")?;
        let changes = EventChanges::try_from(input)?;
        Ok(Event::new(
            events::update(ctx.app(), &me, id, changes).await?,
        ))
    }

    /// Cancels an event: it leaves every listing but stays readable by ID.
    /// Its organisers and admins only.
    async fn cancel_event(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Event> {
        let me = require_member(ctx).await?;
        let id = ids::decode(Kind::Event, &id, "id")?;
        Ok(Event::new(events::cancel(ctx.app(), &me, id).await?))
    }

    /// The same action again at a new start: every field copied, the same
    /// duration and capacity, no RSVPs; organised by the viewer, who must
    /// be one of those who may change the original (FORBIDDEN otherwise).
    /// BAD_USER_INPUT for a start in the past.
    async fn duplicate_event(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        starts_at: DateTime<Utc>,
    ) -> ApiResult<Event> {
        let me = require_member(ctx).await?;
        let id = ids::decode(Kind::Event, &event_id, "eventId")?;
        Ok(Event::new(
            events::duplicate(ctx.app(), &me, id, starts_at).await?,
        ))
    }

    /// Idempotent: a second call updates the same RSVP. GOING while the
    /// party (1 + guests) fits, else WAITLISTED whole. Without guests, an
    /// existing RSVP keeps its guests. shareContact: whether the event's
    /// hosts may see the viewer's email and phone (omitted: the RSVP's
    /// current choice, false for a new one).
    async fn rsvp(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        guests: Option<i32>,
        share_contact: Option<bool>,
    ) -> ApiResult<Rsvp> {
        let me = require_member(ctx).await?;
        let id = ids::decode(Kind::Event, &event_id, "eventId")?;
        let answer = rsvps::Answer {
            guests: rsvps::parse_guests(guests, "guests")?,
            share_contact,
        };
        Ok(Rsvp::new(rsvps::rsvp(ctx.app(), &me, id, answer).await?))
    }

    /// Cancels the viewer's RSVP; its seats go to the waitlist.
    async fn cancel_rsvp(&self, ctx: &Context<'_>, event_id: ID) -> ApiResult<Rsvp> {
        let me = require_member(ctx).await?;
        let id = ids::decode(Kind::Event, &event_id, "eventId")?;
        Ok(Rsvp::new(rsvps::cancel(ctx.app(), &me, id).await?))
    }
}
