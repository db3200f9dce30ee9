//! The viewer's own lists: events organised, RSVPs, groups, friends, requests.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use cortege_db::people::Person as PersonRow;
use uuid::Uuid;

use cortege_domain::PersonId;
use tokio::sync::OnceCell;

use crate::context::ContextExt;
use crate::error::ApiResult;
use crate::objects::event::{Event, Rsvp};
use crate::objects::friend::Friendship;
use crate::objects::group::Membership;
use crate::objects::nested_pages::{asks_rosters, preload_group_pages};
use crate::objects::pagination::{Cursor, Page, connection};
use crate::objects::person::{GeoPoint, Person, Role};

type TimeCursor = (DateTime<Utc>, Uuid);

/// The signed-in person's own account: everything they may see of themselves.
pub struct Viewer {
    id: PersonId,
    /// Read when a field needs it: the viewer's lists (the feed first) need
    /// only the id, and a statement less is a round trip less.
    row: OnceCell<Arc<PersonRow>>,
}

impl Viewer {
    /// The viewer `id`, whose row is read on first need.
    pub fn of(id: PersonId) -> Self {
        Viewer {
            id,
            row: OnceCell::new(),
        }
    }

    /// A viewer whose row is at hand (a mutation just wrote it).
    pub fn with_row(row: PersonRow) -> Self {
        Viewer {
            id: row.person_id(),
            row: OnceCell::new_with(Some(Arc::new(row))),
        }
    }

    async fn row(&self, ctx: &Context<'_>) -> ApiResult<&Arc<PersonRow>> {
        self.row
            .get_or_try_init(|| async {
                Ok(Arc::new(
                    cortege_app::accounts::person(ctx.app(), self.id).await?,
                ))
            })
            .await
    }
}

#[Object]
impl Viewer {
    async fn person(&self, ctx: &Context<'_>) -> ApiResult<Person> {
        Ok(Person {
            row: Arc::new(PersonRow::clone(self.row(ctx).await?).into()),
            is_self: true,
        })
    }

    async fn email(&self, ctx: &Context<'_>) -> ApiResult<String> {
        Ok(self.row(ctx).await?.email.clone().unwrap_or_default())
    }

    async fn roles(&self, ctx: &Context<'_>) -> ApiResult<Vec<Role>> {
        Ok(self.row(ctx).await?.roles.clone())
    }

    /// False for members imported from the existing file until they accept (acceptPledge).
    async fn has_accepted_pledge(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(self.row(ctx).await?.pledge_accepted_at.is_some())
    }

    /// Centre of the viewer's area of action, used for suggestions and the live feed.
    async fn home_location(&self, ctx: &Context<'_>) -> ApiResult<Option<GeoPoint>> {
        let row = self.row(ctx).await?;
        Ok(row
            .home_lat
            .zip(row.home_lon)
            .map(|(lat, lon)| GeoPoint { lat, lon }))
    }

    /// How far from home the viewer wants to hear of new actions, in kilometres.
    async fn action_radius_km(&self, ctx: &Context<'_>) -> ApiResult<f64> {
        Ok(f64::from(self.row(ctx).await?.action_radius_km))
    }

    /// The postcode the viewer gave, if any.
    async fn postcode(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        Ok(self.row(ctx).await?.postcode.clone())
    }

    /// Events the viewer organises (upcoming and past), soonest first.
    async fn events(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<Cursor, Event>> {
        let page: Page<TimeCursor> = Page::parse(first, after)?;
        let had = page.after.is_some();
        let rows =
            cortege_db::events::organised_by(ctx.reads(), self.id.0, page.after, page.limit())
                .await?;
        let asked = crate::loaders::NodeFields::of(ctx);
        let joined = cortege_db::events::With::default();
        crate::objects::event_list::preload_relations(ctx, &asked, joined, rows.iter()).await?;
        let items = rows
            .into_iter()
            .map(|e| ((e.starts_at, e.id), Event(Arc::new(e))))
            .collect();
        Ok(connection(items, page.first, had))
    }

    /// The viewer's RSVPs (GOING and WAITLISTED), by event start.
    async fn rsvps(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<Cursor, Rsvp>> {
        let page: Page<TimeCursor> = Page::parse(first, after)?;
        let had = page.after.is_some();
        let rows =
            cortege_db::rsvps::of_person(ctx.reads(), self.id.0, page.after, page.limit()).await?;
        let rows: Vec<_> = rows.into_iter().map(|(t, r)| (t, Arc::new(r))).collect();
        let loaders = crate::loaders::of(ctx);
        if crate::loaders::nodes_ask(ctx, "event") && loaders.event.keeps() {
            let ids: Vec<Uuid> = rows.iter().map(|(_, r)| r.event_id).collect();
            crate::loaders::preload(&loaders.event, ids.iter().copied()).await?;
            // The events' relations, as an events page reads them; the
            // viewer's RSVP to each is the page's own row.
            let mut joined = cortege_db::events::With::default();
            if let Some(viewer) = &loaders.viewer {
                let mine = rows.iter().map(|(_, r)| (r.event_id, Some(r.clone())));
                viewer.rsvp.feed_many(mine).await;
                joined.viewer_rsvp = true;
            }
            let events = loaders.event.load_many(ids).await?;
            let asked = crate::loaders::NodeFields::of_relation(ctx, "event");
            let events = events.values().map(|e| &**e);
            crate::objects::event_list::preload_relations(ctx, &asked, joined, events).await?;
        }
        let items = rows
            .into_iter()
            .map(|(t, r)| ((t, r.id), Rsvp(r)))
            .collect();
        Ok(connection(items, page.first, had))
    }

    /// The viewer's groups, active and pending, in joining order.
    async fn groups(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<Cursor, Membership>> {
        let page: Page<TimeCursor> = Page::parse(first, after)?;
        let had = page.after.is_some();
        let rows =
            cortege_db::memberships::of_person(ctx.reads(), self.id.0, page.after, page.limit())
                .await?;
        let loaders = crate::loaders::of(ctx);
        if crate::loaders::nodes_ask(ctx, "group") {
            let groups = rows.iter().map(|m| m.group_id);
            crate::loaders::preload(&loaders.group, groups).await?;
        }
        let rows: Vec<Arc<_>> = rows.into_iter().map(Arc::new).collect();
        let asked = crate::loaders::NodeFields::of_relation(ctx, "group");
        let groups: Vec<Uuid> = rows.iter().map(|m| m.group_id).collect();
        if let (true, Some(viewer)) = (asks_rosters(&asked), &loaders.viewer) {
            // The rosters' rule asks what the viewer is in each group:
            // these very rows.
            let mine = rows.iter().map(|m| (m.group_id, Some(m.clone())));
            viewer.membership.feed_many(mine).await;
        }
        preload_group_pages(ctx, &asked, &groups).await?;
        let items = rows
            .into_iter()
            .map(|m| ((m.created_at, m.group_id), Membership(m)))
            .collect();
        Ok(connection(items, page.first, had))
    }

    /// The viewer's activity feed, newest first. Who receives what is judged
    /// on the viewer's state now (home, radius, groups, friends, RSVPs).
    async fn feed(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<Cursor, crate::objects::live::Activity>> {
        crate::objects::live::viewer_feed(ctx, self.id.0, first, after).await
    }

    /// The viewer's friends, in order of friendship.
    async fn friends(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<Cursor, Person>> {
        let page: Page<TimeCursor> = Page::parse(first, after)?;
        let had = page.after.is_some();
        let rows =
            cortege_db::friendships::friends_of(ctx.reads(), self.id.0, page.after, page.limit())
                .await?;
        let loaders = crate::loaders::of(ctx);
        crate::loaders::preload(&loaders.person, rows.iter().map(|r| r.2)).await?;
        let people = loaders.person.load_many(rows.iter().map(|r| r.2)).await?;
        let items = rows
            .into_iter()
            .filter_map(|(since, fid, friend)| {
                let row = people.get(&friend)?.clone();
                Some(((since, fid), Person::new(row, ctx)))
            })
            .collect();
        Ok(connection(items, page.first, had))
    }

    /// How each kind of activity reaches the viewer away from the app, one
    /// entry per ActivityKind.
    async fn notification_preferences(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Vec<crate::objects::notifications::NotificationPreference>> {
        crate::objects::notifications::preferences(ctx, self.id).await
    }

    /// How often the viewer gets the summary of new PUBLIC events within
    /// their action radius (WEEKLY unless they chose).
    async fn digest(&self, ctx: &Context<'_>) -> ApiResult<cortege_domain::DigestFrequency> {
        Ok(cortege_app::notify::settings::digest(ctx.app(), self.id).await?)
    }

    /// The viewer's private calendar feed (RFC 5545): the events they are
    /// GOING to and their groups' events. Anyone with the URL can read it:
    /// `resetCalendarFeedUrl` replaces it.
    async fn calendar_feed_url(&self, ctx: &Context<'_>) -> ApiResult<String> {
        Ok(cortege_app::notify::settings::calendar_feed_url(ctx.app(), self.id).await?)
    }

    /// The viewer's devices registered for Web Push, oldest first.
    async fn push_subscriptions(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Vec<crate::objects::notifications::PushSubscription>> {
        crate::objects::notifications::push_subscriptions(ctx, self.id).await
    }

    /// Friend requests waiting for the viewer's answer, oldest first.
    async fn friend_requests(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<Cursor, Friendship>> {
        let page: Page<TimeCursor> = Page::parse(first, after)?;
        let had = page.after.is_some();
        let rows =
            cortege_db::friendships::requests_to(ctx.reads(), self.id.0, page.after, page.limit())
                .await?;
        if crate::loaders::nodes_ask(ctx, "from") {
            let senders = rows.iter().map(|f| f.requester_id);
            crate::loaders::preload(&crate::loaders::of(ctx).person, senders).await?;
        }
        let items = rows
            .into_iter()
            .map(|f| ((f.created_at, f.id), Friendship(Arc::new(f))))
            .collect();
        Ok(connection(items, page.first, had))
    }
}
