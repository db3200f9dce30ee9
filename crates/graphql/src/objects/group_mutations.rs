//! Creating, joining, leaving and running local groups: the inputs parse
//! into domain drafts, and each mutation is one call into `cortege_app`.

use async_graphql::{Context, ID, InputObject, Object};
use cortege_app::groups;
use cortege_domain::events::MAX_DESCRIPTION;
use cortege_domain::groups::GroupDraft;
use cortege_domain::{JoinPolicy, ValidationError, parse_text, parse_title};

use crate::access::require_member;
use crate::context::ContextExt;
use crate::error::ApiResult;
use crate::ids::{self, Kind};
use crate::objects::address::AddressInput;
use crate::objects::group::{Group, Membership};
use crate::objects::person::GeoPointInput;

#[derive(InputObject)]
pub struct CreateGroupInput {
    /// 3 to 120 characters.
    pub name: String,
    /// At most 10,000 characters.
    pub description: String,
    /// OPEN when omitted.
    pub join_policy: Option<JoinPolicy>,
    pub location: Option<GeoPointInput>,
    pub address: Option<AddressInput>,
}

/// Changes to a group; omitted fields stay as they are.
#[derive(InputObject, Default)]
pub struct UpdateGroupInput {
    /// 3 to 120 characters.
    pub name: Option<String>,
    /// At most 10,000 characters.
    pub description: Option<String>,
    pub join_policy: Option<JoinPolicy>,
}

impl TryFrom<UpdateGroupInput> for cortege_domain::groups::GroupChanges {
    type Error = ValidationError;

    fn try_from(input: UpdateGroupInput) -> Result<Self, ValidationError> {
        let under = |e: ValidationError| e.under("input");
        Ok(Self {
            name: input
                .name
                .map(|n| parse_title(&n, "name"))
                .transpose()
                .map_err(under)?,
            description: input
                .description
                .map(|d| parse_text(&d, MAX_DESCRIPTION, "description"))
                .transpose()
                .map_err(under)?,
            join_policy: input.join_policy,
        })
    }
}

#[derive(Default)]
pub struct GroupMutation;

#[Object]
impl GroupMutation {
    /// Creates a group; the viewer becomes its first manager.
    async fn create_group(&self, ctx: &Context<'_>, input: CreateGroupInput) -> ApiResult<Group> {
        let me = require_member(ctx).await?;
        let draft = GroupDraft::try_from(input)?;
        Ok(Group::new(groups::create(ctx.app(), &me, draft).await?))
    }

    /// ACTIVE at once under OPEN, PENDING under APPROVAL. Someone the
    /// managers removed may not join an OPEN group for 30 days (FORBIDDEN).
    async fn join_group(&self, ctx: &Context<'_>, group_id: ID) -> ApiResult<Membership> {
        let me = require_member(ctx).await?;
        let id = ids::decode(Kind::Group, &group_id, "groupId")?;
        Ok(Membership::new(groups::join(ctx.app(), &me, id).await?))
    }

    /// Leaves a group (or withdraws a request). The last manager cannot
    /// leave: CONFLICT.
    async fn leave_group(&self, ctx: &Context<'_>, group_id: ID) -> ApiResult<bool> {
        let me = crate::auth::require_person(ctx)?;
        let id = ids::decode(Kind::Group, &group_id, "groupId")?;
        Ok(groups::leave(ctx.app(), me, id).await?)
    }

    /// Managers only. A refused request is deleted and returned as it was
    /// (PENDING).
    async fn respond_to_join_request(
        &self,
        ctx: &Context<'_>,
        group_id: ID,
        person_id: ID,
        accept: bool,
    ) -> ApiResult<Membership> {
        let me = require_member(ctx).await?;
        let group = ids::decode(Kind::Group, &group_id, "groupId")?;
        let person = ids::decode(Kind::Person, &person_id, "personId")?;
        let m = groups::respond(ctx.app(), &me, group, person, accept).await?;
        Ok(Membership::new(m))
    }

    /// Managers (and admins) only: makes an active member a MANAGER (a
    /// group may have several), or a manager a MEMBER again. NOT_FOUND for
    /// someone who is not an active member; CONFLICT when the last manager
    /// would step down. Logged for moderators.
    async fn set_member_role(
        &self,
        ctx: &Context<'_>,
        group_id: ID,
        person_id: ID,
        role: cortege_domain::GroupRole,
    ) -> ApiResult<Membership> {
        let me = require_member(ctx).await?;
        let group = ids::decode(Kind::Group, &group_id, "groupId")?;
        let person = ids::decode(Kind::Person, &person_id, "personId")?;
        let m = groups::set_role(ctx.app(), &me, group, person, role).await?;
        Ok(Membership::new(m))
    }

    /// Managers (and admins) only: removes an active member, who hears of
    /// it (GROUP_MEMBER_REMOVED). False when the person is not an active
    /// member (a pending request is answered with respondToJoinRequest).
    /// CONFLICT for the last manager; BAD_USER_INPUT (personId) for the
    /// viewer themselves (leaveGroup). Under OPEN the person may not join
    /// again for 30 days (FORBIDDEN); under APPROVAL they may ask. Logged
    /// for moderators.
    async fn remove_member(
        &self,
        ctx: &Context<'_>,
        group_id: ID,
        person_id: ID,
    ) -> ApiResult<bool> {
        let me = require_member(ctx).await?;
        let group = ids::decode(Kind::Group, &group_id, "groupId")?;
        let person = ids::decode(Kind::Person, &person_id, "personId")?;
        Ok(groups::remove_member(ctx.app(), &me, group, person).await?)
    }

    /// Managers (and admins) only: changes the group's name, description
    /// or join policy. Logged for moderators. Requests already pending
    /// stay pending when the policy becomes OPEN.
    async fn update_group(
        &self,
        ctx: &Context<'_>,
        group_id: ID,
        input: UpdateGroupInput,
    ) -> ApiResult<Group> {
        let me = require_member(ctx).await?;
        let id = ids::decode(Kind::Group, &group_id, "groupId")?;
        let changes = cortege_domain::groups::GroupChanges::try_from(input)?;
        Ok(Group::new(
            groups::update(ctx.app(), &me, id, changes).await?,
        ))
    }
}

impl TryFrom<CreateGroupInput> for GroupDraft {
    type Error = ValidationError;

    fn try_from(input: CreateGroupInput) -> Result<Self, ValidationError> {
        let under = |e: ValidationError| e.under("input");
        Ok(GroupDraft {
            name: parse_title(&input.name, "name").map_err(under)?,
            description: parse_text(&input.description, MAX_DESCRIPTION, "description")
                .map_err(under)?,
            join_policy: input.join_policy.unwrap_or(JoinPolicy::Open),
            location: input
                .location
                .map(|l| l.point().map_err(|e| e.under("input.location")))
                .transpose()?,
            address: input.address.map(Into::into),
        })
    }
}
