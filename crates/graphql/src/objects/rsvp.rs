//! One person's answer to an event, as the hosts and the person see it.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use cortege_db::rsvps as db_rsvps;
use cortege_domain::RsvpStatus;

use crate::error::{ApiError, ApiResult};
use crate::ids::{self, Kind};
use crate::objects::event::Event;
use crate::objects::person::Person;

fn loaders<'a>(ctx: &Context<'a>) -> &'a crate::loaders::Loaders {
    crate::loaders::of(ctx)
}

/// One person's answer to an event.
pub struct Rsvp(pub Arc<db_rsvps::Rsvp>);

impl Rsvp {
    pub fn new(row: db_rsvps::Rsvp) -> Self {
        Rsvp(Arc::new(row))
    }
}

impl Rsvp {
    /// The attendee's contact, when they share it and the viewer hosts
    /// the event.
    async fn contact(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<Arc<cortege_db::rsvps::Contact>>> {
        if !self.0.share_contact {
            return Ok(None);
        }
        let Some(event) = loaders(ctx).event.load_one(self.0.event_id).await? else {
            return Ok(None);
        };
        if !crate::access::is_event_host(ctx, &event).await? {
            return Ok(None);
        }
        loaders(ctx).contact.load_one(self.0.person_id).await
    }
}

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
        self.0.status
    }
    /// People coming along, 0 to 10.
    async fn guests(&self) -> i32 {
        i32::from(self.0.guests)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Whether the party came, as the hosts marked it or the attendee
    /// checked in; null until then.
    async fn attended(&self) -> Option<bool> {
        self.0.attended
    }
    /// Whether the attendee lets the event's hosts see their email and
    /// phone.
    async fn share_contact(&self) -> bool {
        self.0.share_contact
    }
    /// The attendee's email: the event's hosts only, and only when the
    /// attendee shares it; null otherwise.
    async fn contact_email(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        Ok(self.contact(ctx).await?.and_then(|c| c.email.clone()))
    }
    /// The attendee's phone, under the same rule as contactEmail.
    async fn contact_phone(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        Ok(self.contact(ctx).await?.and_then(|c| c.phone.clone()))
    }
}
