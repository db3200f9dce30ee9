use async_graphql::{Context, ID, Interface, Object};

use crate::auth::require_person;
use crate::context::ContextExt;
use crate::error::ApiResult;
use crate::ids::{self, Kind};
use crate::objects::event::{Event, Rsvp, lookup_event};
use crate::objects::friend::Friendship;
use crate::objects::group::{Group, lookup_group};
use crate::objects::person::{Person, lookup_person};
use crate::objects::report::Report;
use cortege_domain::Role;

/// An object with a global ID, refetchable with `node(id:)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Person(Person),
    Event(Event),
    Group(Group),
    Rsvp(Rsvp),
    Friendship(Friendship),
    Report(Report),
    Activity(crate::objects::live::Activity),
    PushSubscription(crate::objects::notifications::PushSubscription),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global ID; null when it does not exist or the viewer
    /// may not see it.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Node>> {
        let Some((kind, uuid)) = ids::decode_any(&id) else {
            return Ok(None);
        };
        let loaders = crate::loaders::of(ctx);
        match kind {
            Kind::Person => {
                require_person(ctx)?;
                Ok(lookup_person(ctx, uuid).await?.map(Node::Person))
            }
            Kind::Event => Ok(lookup_event(ctx, uuid).await?.map(Node::Event)),
            Kind::Group => Ok(lookup_group(ctx, uuid)
                .await?
                .map(|g| Node::Group(Group(g)))),
            Kind::Rsvp => {
                let me = require_person(ctx)?;
                let Some(rsvp) = loaders.rsvp.load_one(uuid).await? else {
                    return Ok(None);
                };
                // Visible to its person and to whoever may see the event's attendees.
                let event = loaders.event.load_one(rsvp.event_id).await?;
                let allowed = rsvp.person_id == me.0
                    || match &event {
                        Some(e) => crate::access::may_see_attendees(ctx, e).await?,
                        None => false,
                    };
                Ok(allowed.then_some(Node::Rsvp(Rsvp(rsvp))))
            }
            Kind::Friendship => {
                let me = require_person(ctx)?;
                Ok(loaders
                    .friendship
                    .load_one(uuid)
                    .await?
                    .filter(|f| f.requester_id == me.0 || f.addressee_id == me.0)
                    .map(|f| Node::Friendship(Friendship(f))))
            }
            Kind::Report => {
                require_person(ctx)?;
                if !crate::access::has_any_role(ctx, &[Role::Moderator, Role::Admin]).await? {
                    return Ok(None);
                }
                let rows = cortege_db::reports::by_ids(&ctx.state().pool, &[uuid]).await?;
                Ok(rows
                    .into_iter()
                    .next()
                    .map(|r| Node::Report(Report(std::sync::Arc::new(r)))))
            }
            Kind::Activity => Ok(crate::objects::live::activity_by_id(ctx, uuid)
                .await?
                .map(Node::Activity)),
            Kind::PushSubscription => Ok(crate::objects::notifications::push_subscription_by_id(
                ctx, uuid,
            )
            .await?
            .map(Node::PushSubscription)),
        }
    }
}
