//! What an action achieved (issue 16): the figures its organisers report
//! after the fact, public on the event once reported, and summed in stats.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use cortege_db::events::outcomes::Reported;
use cortege_domain::ValidationError;
use cortege_domain::outcomes::Outcome;

use crate::access::require_member;
use crate::context::ContextExt;
use crate::error::ApiResult;
use crate::ids::{self, Kind};
use crate::objects::event::Event;
use crate::objects::person::Person;

/// What an action achieved, as its organisers reported it. Figures they
/// did not count are null.
pub struct EventOutcome(pub Arc<Reported>);

#[Object]
impl EventOutcome {
    async fn leaflets(&self) -> Option<i32> {
        self.0.outcome.leaflets
    }
    async fn doors_knocked(&self) -> Option<i32> {
        self.0.outcome.doors_knocked
    }
    async fn conversations(&self) -> Option<i32> {
        self.0.outcome.conversations
    }
    async fn posters(&self) -> Option<i32> {
        self.0.outcome.posters
    }
    async fn signatures(&self) -> Option<i32> {
        self.0.outcome.signatures
    }
    /// People who left their contact to hear from the movement again.
    async fn contacts(&self) -> Option<i32> {
        self.0.outcome.contacts
    }
    async fn notes(&self) -> Option<&str> {
        self.0.outcome.notes.as_deref()
    }
    /// When the last report was made (a new report replaces the last).
    async fn reported_at(&self) -> DateTime<Utc> {
        self.0.reported_at
    }
    /// Who made it; null once their account is gone.
    async fn reported_by(&self, ctx: &Context<'_>) -> ApiResult<Option<Person>> {
        let Some(id) = self.0.reported_by else {
            return Ok(None);
        };
        Ok(crate::loaders::of(ctx)
            .person
            .load_one(id)
            .await?
            .map(|p| Person::new(p, ctx)))
    }
}

/// A report of what an action achieved; omitted figures were not counted.
#[derive(InputObject)]
pub struct EventOutcomeInput {
    /// 0 to 1,000,000, as every figure.
    pub leaflets: Option<i32>,
    pub doors_knocked: Option<i32>,
    pub conversations: Option<i32>,
    pub posters: Option<i32>,
    pub signatures: Option<i32>,
    pub contacts: Option<i32>,
    /// At most 2,000 characters.
    pub notes: Option<String>,
}

impl TryFrom<EventOutcomeInput> for Outcome {
    type Error = ValidationError;

    fn try_from(i: EventOutcomeInput) -> Result<Self, ValidationError> {
        Outcome {
            leaflets: i.leaflets,
            doors_knocked: i.doors_knocked,
            conversations: i.conversations,
            posters: i.posters,
            signatures: i.signatures,
            contacts: i.contacts,
            notes: i.notes,
        }
        .parse("input")
    }
}

#[derive(Default)]
pub struct OutcomeMutation;

#[Object]
impl OutcomeMutation {
    /// Reports what the action achieved, replacing any earlier report: its
    /// organisers only (FORBIDDEN otherwise), from its start to 14 days
    /// after, and never for a cancelled one (CONFLICT). The outcome is
    /// then public on the event and counted in stats.
    async fn report_outcome(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        input: EventOutcomeInput,
    ) -> ApiResult<Event> {
        let me = require_member(ctx).await?;
        let id = ids::decode(Kind::Event, &event_id, "eventId")?;
        let outcome = Outcome::try_from(input)?;
        Ok(Event::new(
            cortege_app::events::report_outcome(ctx.app(), &me, id, outcome).await?,
        ))
    }
}
