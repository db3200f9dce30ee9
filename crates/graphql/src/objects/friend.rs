//! Friendships and friend requests.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use cortege_db::friendships::{self as db_friends, RequestOutcome};

use crate::access::require_member;
use crate::auth::require_person;
use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult};
use crate::ids::{self, Kind};
use crate::objects::person::Person;
use crate::objects::person::visible_person;

db_enum! {
    FriendshipStatus {
        /// Waiting for the addressee's answer.
        Pending = "PENDING",
        Accepted = "ACCEPTED",
        Declined = "DECLINED",
    }
}

/// A friend request and, once accepted, the friendship.
pub struct Friendship(pub Arc<db_friends::Friendship>);

async fn person(ctx: &Context<'_>, id: uuid::Uuid) -> ApiResult<Person> {
    let row = crate::loaders::of(ctx)
        .person
        .load_one(id)
        .await?
        .ok_or_else(|| ApiError::internal("friendship without person", &id))?;
    Ok(Person::new(row, ctx))
}

#[Object]
impl Friendship {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Friendship, self.0.id)
    }
    /// Who asked.
    async fn from(&self, ctx: &Context<'_>) -> ApiResult<Person> {
        person(ctx, self.0.requester_id).await
    }
    /// Who was asked.
    async fn to(&self, ctx: &Context<'_>) -> ApiResult<Person> {
        person(ctx, self.0.addressee_id).await
    }
    async fn status(&self) -> FriendshipStatus {
        FriendshipStatus::from_db(&self.0.status).unwrap_or(FriendshipStatus::Declined)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(Default)]
pub struct FriendMutation;

#[Object]
impl FriendMutation {
    /// Asks a person to be friends. A request to oneself is BAD_USER_INPUT; a
    /// second pending request, or one to a friend, is CONFLICT; a request to
    /// someone whose request to you is pending accepts theirs.
    async fn send_friend_request(&self, ctx: &Context<'_>, person_id: ID) -> ApiResult<Friendship> {
        let me = require_member(ctx).await?;
        ctx.state()
            .limits
            .check(crate::throttle::Action::FriendRequest, me.id)
            .await?;
        let other = ids::decode(Kind::Person, &person_id, "personId")?;
        if other == me.id {
            return Err(ApiError::bad_input(
                "personId",
                "you cannot befriend yourself",
            ));
        }
        if visible_person(ctx, other).await?.is_none() {
            return Err(ApiError::NotFound("no such person".to_owned()));
        }
        match db_friends::request(&ctx.state().pool, me.person_id(), other).await? {
            RequestOutcome::Sent(f) | RequestOutcome::AcceptedTheirs(f) => {
                Ok(Friendship(Arc::new(f)))
            }
            RequestOutcome::AlreadyFriends => {
                Err(ApiError::Conflict("you are already friends".to_owned()))
            }
            RequestOutcome::AlreadyPending => Err(ApiError::Conflict(
                "your request is already waiting for an answer".to_owned(),
            )),
        }
    }

    /// The addressee accepts or declines a pending request.
    async fn respond_to_friend_request(
        &self,
        ctx: &Context<'_>,
        friendship_id: ID,
        accept: bool,
    ) -> ApiResult<Friendship> {
        let me = require_person(ctx)?;
        let id = ids::decode(Kind::Friendship, &friendship_id, "friendshipId")?;
        db_friends::respond(&ctx.state().pool, id, me, accept)
            .await?
            .map(|f| Friendship(Arc::new(f)))
            .ok_or_else(|| ApiError::NotFound("no pending request to you with this ID".to_owned()))
    }

    /// Ends a friendship or withdraws a pending request; false when there was none.
    async fn remove_friend(&self, ctx: &Context<'_>, person_id: ID) -> ApiResult<bool> {
        let me = require_person(ctx)?;
        let other = ids::decode(Kind::Person, &person_id, "personId")?;
        Ok(db_friends::remove(&ctx.state().pool, me, other).await?)
    }
}
