//! Friendships and friend requests.

use std::sync::Arc;

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use cortege_app::friends;
use cortege_db::friendships as db_friends;

use crate::access::require_member;
use crate::auth::require_person;
use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult};
use crate::ids::{self, Kind};
use crate::objects::person::Person;

pub use cortege_domain::FriendshipStatus;

/// A friend request and, once accepted, the friendship.
pub struct Friendship(pub Arc<db_friends::Friendship>);

impl Friendship {
    pub fn new(row: db_friends::Friendship) -> Self {
        Friendship(Arc::new(row))
    }
}

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
        self.0.status
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
        let other = ids::decode(Kind::Person, &person_id, "personId")?;
        Ok(Friendship::new(
            friends::request(ctx.app(), &me, other).await?,
        ))
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
        Ok(Friendship::new(
            friends::respond(ctx.app(), me, id, accept).await?,
        ))
    }

    /// Ends a friendship or withdraws a pending request; false when there was none.
    async fn remove_friend(&self, ctx: &Context<'_>, person_id: ID) -> ApiResult<bool> {
        let me = require_person(ctx)?;
        let other = ids::decode(Kind::Person, &person_id, "personId")?;
        Ok(friends::remove(ctx.app(), me, other).await?)
    }
}
