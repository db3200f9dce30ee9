//! Running an event with others: co-hosts, attendance and check-in.

use async_graphql::{Context, ID, Object};
use cortege_app::hosts;

use crate::access::require_member;
use crate::context::ContextExt;
use crate::error::ApiResult;
use crate::ids::{self, Kind};
use crate::objects::event::Event;

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
}
