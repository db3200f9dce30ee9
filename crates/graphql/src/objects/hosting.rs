//! Running an event with others: co-hosts, attendance and check-in.

use async_graphql::{Context, ID, Object};
use cortege_app::{attendance, hosts};

use crate::access::require_member;
use crate::context::ContextExt;
use crate::error::ApiResult;
use crate::ids::{self, Kind};
use crate::objects::event::{Event, Rsvp};

#[derive(Default)]
pub struct HostingMutation;

#[Object]
impl HostingMutation {
    /// Makes a person a co-host of the event: they see its attendees,
    /// receive NEW_ATTENDEE and rsvpChanged, and may change and cancel it,
    /// mark attendance and report the outcome; they hear of it in their
    /// feed (EVENT_HOST_ADDED). The organiser, the group's managers and
    /// admins only (FORBIDDEN). BAD_USER_INPUT (field personId) for the
    /// organiser, someone who is not an active member of the movement, or
    /// for a GROUP event someone who is not an active member of its group.
    /// Idempotent.
    async fn add_event_host(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        person_id: ID,
    ) -> ApiResult<Event> {
        let me = require_member(ctx).await?;
        let event = ids::decode(Kind::Event, &event_id, "eventId")?;
        let person = ids::decode(Kind::Person, &person_id, "personId")?;
        Ok(Event::new(hosts::add(ctx.app(), &me, event, person).await?))
    }

    /// Removes a co-host, who hears of it (EVENT_HOST_REMOVED). Those who
    /// may add co-hosts, or the co-host stepping down; the organiser
    /// cannot be removed (BAD_USER_INPUT, field personId). Idempotent.
    async fn remove_event_host(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        person_id: ID,
    ) -> ApiResult<Event> {
        let me = require_member(ctx).await?;
        let event = ids::decode(Kind::Event, &event_id, "eventId")?;
        let person = ids::decode(Kind::Person, &person_id, "personId")?;
        Ok(Event::new(
            hosts::remove(ctx.app(), &me, event, person).await?,
        ))
    }

    /// A host (or an admin) marks whether a party came, from an hour
    /// before the start to 14 days after (CONFLICT outside, or for a
    /// cancelled event or RSVP). attendedCount follows.
    async fn mark_attendance(
        &self,
        ctx: &Context<'_>,
        rsvp_id: ID,
        attended: bool,
    ) -> ApiResult<Rsvp> {
        let me = require_member(ctx).await?;
        let rsvp = ids::decode(Kind::Rsvp, &rsvp_id, "rsvpId")?;
        Ok(Rsvp::new(
            attendance::mark(ctx.app(), &me, rsvp, attended).await?,
        ))
    }

    /// The viewer checks in at an event they RSVPed to, with the code its
    /// hosts show (checkInCode; case and spaces do not matter), from an
    /// hour before the start to six hours after it (or its end): CONFLICT
    /// outside; BAD_USER_INPUT (field code) for a wrong code, RATE_LIMITED
    /// after 20 attempts in an hour; NOT_FOUND without an RSVP.
    async fn check_in(&self, ctx: &Context<'_>, event_id: ID, code: String) -> ApiResult<Rsvp> {
        let me = require_member(ctx).await?;
        let event = ids::decode(Kind::Event, &event_id, "eventId")?;
        Ok(Rsvp::new(
            attendance::check_in(ctx.app(), &me, event, &code).await?,
        ))
    }
}
