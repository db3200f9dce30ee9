//! Local groups and memberships.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use cortege_db::groups::{self as db_groups, After, Listing};
use cortege_db::memberships::MemberKey;
use cortege_domain::PostalAddress;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access;
use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult};
use crate::ids::{self, Kind};
use crate::loaders::{Loaders, PageArgs};
use crate::objects::address::Address;
use crate::objects::event::Event;
use crate::objects::event_list::{group_events, parse_near, parse_search};
use crate::objects::nested_pages::{asks_rosters, preload_group_pages, roster_page};
use crate::objects::pagination::{Cursor, Page, connection};
use crate::objects::person::{GeoPoint, GeoPointInput, Person};

pub use cortege_domain::{GroupRole, JoinPolicy, MembershipStatus};

fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    crate::loaders::of(ctx)
}

/// A local group: a committee of the movement in a town or neighbourhood.
pub struct Group(pub Arc<db_groups::Group>);

impl Group {
    pub fn new(row: db_groups::Group) -> Self {
        Group(Arc::new(row))
    }
}

#[Object]
impl Group {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Group, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    async fn location(&self) -> Option<GeoPoint> {
        Some(GeoPoint {
            lat: self.0.lat?,
            lon: self.0.lon?,
        })
    }
    async fn address(&self) -> Option<Address> {
        Some(Address(PostalAddress {
            street: self.0.street.clone(),
            postcode: self.0.postcode.clone()?,
            city: self.0.city.clone()?,
            commune_code: self.0.commune_code.clone()?,
        }))
    }
    /// Distance from filter.near, in kilometres, when found by location.
    async fn distance_km(&self) -> Option<f64> {
        self.0.distance_km
    }
    /// Active members.
    /// The group's events as a calendar (RFC 5545). A member's URL is
    /// their own (it carries their calendar token) and includes the
    /// group's GROUP events.
    async fn ics_url(&self, ctx: &Context<'_>) -> ApiResult<String> {
        Ok(cortege_app::notify::settings::group_calendar_url(
            ctx.app(),
            crate::auth::auth(ctx).person(),
            self.0.id,
        )
        .await?)
    }

    async fn member_count(&self) -> i32 {
        self.0.member_count
    }
    async fn join_policy(&self) -> JoinPolicy {
        self.0.join_policy
    }
    /// The viewer's membership, pending or active, or null.
    async fn viewer_membership(&self, ctx: &Context<'_>) -> ApiResult<Option<Membership>> {
        let Some(v) = &loaders(ctx).viewer else {
            return Ok(None);
        };
        Ok(v.membership
            .load_one(self.0.id)
            .await?
            .flatten()
            .map(Membership))
    }
    /// The group's events the viewer may see, soonest first (upcoming by default).
    async fn events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<Cursor, Event>> {
        group_events(ctx, self.0.id, first, after).await
    }
    /// Active members, managers first. Managers, moderators and admins;
    /// null with FORBIDDEN for anyone else.
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Option<Connection<Cursor, Membership>>> {
        if !access::may_see_roster(ctx, self.0.id, MembershipStatus::Active).await? {
            return Err(ApiError::Forbidden(
                "only the group's managers, moderators and admins see its members".to_owned(),
            ));
        }
        self.list(ctx, MembershipStatus::Active, first, after)
            .await
            .map(Some)
    }
    /// Managers only: people waiting for approval, oldest first.
    async fn join_requests(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Option<Connection<Cursor, Membership>>> {
        if !access::may_see_roster(ctx, self.0.id, MembershipStatus::Pending).await? {
            return Err(ApiError::Forbidden(
                "only the group's managers see join requests".to_owned(),
            ));
        }
        self.list(ctx, MembershipStatus::Pending, first, after)
            .await
            .map(Some)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

impl Group {
    async fn list(
        &self,
        ctx: &Context<'_>,
        status: MembershipStatus,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<Cursor, Membership>> {
        let page: Page<MemberKey> = Page::parse(first, after.clone())?;
        let rows = roster_page(ctx, self.0.id, status, &page, PageArgs { first, after }).await?;
        let items = rows
            .iter()
            .map(|m| ((m.role, m.created_at, m.person_id), Membership(m.clone())))
            .collect();
        Ok(connection(items, page.first, page.after.is_some()))
    }
}

/// A person's place in a group.
pub struct Membership(pub Arc<cortege_db::memberships::Membership>);

impl Membership {
    pub fn new(row: cortege_db::memberships::Membership) -> Self {
        Membership(Arc::new(row))
    }
}

#[Object]
impl Membership {
    async fn group(&self, ctx: &Context<'_>) -> ApiResult<Group> {
        loaders(ctx)
            .group
            .load_one(self.0.group_id)
            .await?
            .map(Group)
            .ok_or_else(|| ApiError::internal("membership without group", &self.0.group_id))
    }
    async fn person(&self, ctx: &Context<'_>) -> ApiResult<Person> {
        let row = loaders(ctx)
            .person
            .load_one(self.0.person_id)
            .await?
            .ok_or_else(|| ApiError::internal("membership without person", &self.0.person_id))?;
        Ok(Person::new(row, ctx))
    }
    async fn role(&self) -> GroupRole {
        self.0.role
    }
    async fn status(&self) -> MembershipStatus {
        self.0.status
    }
    /// When the person joined (or asked to).
    async fn joined_at(&self) -> DateTime<Utc> {
        self.0.activated_at.unwrap_or(self.0.created_at)
    }
}

#[derive(InputObject, Default)]
pub struct GroupFilter {
    pub near: Option<GeoPointInput>,
    /// Required with near; 0 < radiusKm <= 500.
    pub radius_km: Option<f64>,
    /// Accent- and case-insensitive text search over name and description.
    pub search: Option<String>,
}

#[derive(Serialize, Deserialize)]
enum GroupCursor {
    N(String, Uuid),
    D(#[serde(with = "super::pagination::exact_f64")] f64, Uuid),
}

/// The group by id; removed groups stay readable by id, like events, but
/// are never listed. A lookup at the root reads the same ([`lookup_group`]).
pub async fn visible_group(
    ctx: &Context<'_>,
    id: Uuid,
) -> ApiResult<Option<Arc<db_groups::Group>>> {
    loaders(ctx).group.load_one(id).await
}

/// A group asked by its id at the root of a query (`group`, `node`), as
/// [`visible_group`], read on the request's own task
/// (`loaders::load_now`): there is nothing to batch it with.
pub async fn lookup_group(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Arc<db_groups::Group>>> {
    crate::loaders::load_now(&loaders(ctx).group, id).await
}

#[derive(Default)]
pub struct GroupQuery;

#[Object]
impl GroupQuery {
    async fn group(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Group>> {
        let uuid = ids::decode(Kind::Group, &id, "id")?;
        Ok(lookup_group(ctx, uuid).await?.map(Group))
    }

    /// Groups, nearest first with `near`, else by name.
    async fn groups(
        &self,
        ctx: &Context<'_>,
        filter: Option<GroupFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<Cursor, Group>> {
        let filter = filter.unwrap_or_default();
        let page: Page<GroupCursor> = Page::parse(first, after)?;
        let asked = crate::loaders::NodeFields::of(ctx);
        let near = parse_near(filter.near, filter.radius_km, "filter")?;
        let after = match (page.after, near) {
            (None, _) => None,
            (Some(GroupCursor::D(d, id)), Some(_)) => Some(After::Distance(d, id)),
            (Some(GroupCursor::N(n, id)), None) => Some(After::Name(n, id)),
            _ => return Err(ApiError::bad_input("after", "is not a cursor of this list")),
        };
        let had = after.is_some();
        let listing = Listing {
            near,
            search: parse_search(filter.search, "filter.search")?,
            after,
            limit: page.first + 1,
            skip_description: !asked.has("description"),
        };
        let rows = db_groups::list(ctx.reads(), &listing).await?;
        let rosters = asks_rosters(&asked);
        let memberships = asked.has("viewerMembership") || rosters;
        if let (true, Some(viewer)) = (memberships, &loaders(ctx).viewer) {
            crate::loaders::preload(&viewer.membership, rows.iter().map(|g| g.id)).await?;
        }
        let ids: Vec<Uuid> = rows.iter().map(|g| g.id).collect();
        preload_group_pages(ctx, &asked, &ids).await?;
        let items = rows
            .into_iter()
            .map(|g| {
                let cursor = match g.distance_km {
                    Some(d) => GroupCursor::D(d, g.id),
                    None => GroupCursor::N(g.name.clone(), g.id),
                };
                (cursor, Group(Arc::new(g)))
            })
            .collect();
        Ok(connection(items, page.first, had))
    }
}
