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
}
