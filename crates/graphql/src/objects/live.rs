//! The live side of the API: the activity feed (Viewer.feed and
//! Subscription.feed), events appearing nearby, and RSVPs arriving.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use cortege_db::feed::{self, FeedItem};
use cortege_domain::GeoPoint as DomainPoint;
use cortege_realtime::{Channel, Message, cells_covering};
use futures_util::{Stream, StreamExt};

use crate::access;
use crate::auth::require_person;
use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult};
use crate::ids::{self, Kind};
use crate::loaders::{NodeFields, nodes_ask};
use crate::objects::event::{Event, Rsvp, event_by_id, visible_event};
use crate::objects::event_list::preload_relations;
use crate::objects::group::{Group, visible_group};
use crate::objects::pagination::{Cursor, Page, connection, encode};
use crate::objects::person::visible_person;
use crate::objects::person::{GeoPointInput, Person};
use crate::state::SharedState;

/// Tells the WebSocket, if any, that this subscription now listens.
fn ready(ctx: &Context<'_>) {
    if let Some(r) = ctx.data_opt::<crate::ready::SubscribeReady>() {
        r.fire();
    }
}

pub use cortege_domain::ActivityKind;

/// Something that happened, as the viewer receives it: one per happening,
/// with the most specific kind when the viewer qualifies twice.
pub struct Activity {
    item: FeedItem,
    /// Its event, when the feed page read it in the same statement.
    event: Option<Arc<cortege_db::events::Event>>,
}

impl From<FeedItem> for Activity {
    fn from(item: FeedItem) -> Self {
        Activity { item, event: None }
    }
}

/// The feed cursor of a sequence number; Subscription.feed(after:) and
/// Viewer.feed(after:) both take it.
pub fn feed_cursor(seq: i64) -> String {
    encode(&seq)
}

#[Object]
impl Activity {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Activity, self.item.id)
    }
    /// Cursor for resuming: Subscription.feed(after:) replays from here.
    async fn cursor(&self) -> String {
        feed_cursor(self.item.seq)
    }
    async fn kind(&self) -> ActivityKind {
        self.item.kind
    }
    /// Who did it; null once they are banned or deleted.
    async fn actor(&self, ctx: &Context<'_>) -> ApiResult<Option<Person>> {
        match self.item.actor_id {
            Some(id) => visible_person(ctx, id).await,
            None => Ok(None),
        }
    }
    async fn event(&self, ctx: &Context<'_>) -> ApiResult<Option<Event>> {
        match (&self.event, self.item.event_id) {
            (Some(event), _) => visible_event(ctx, event.clone()).await,
            (None, Some(id)) => event_by_id(ctx, id).await,
            (None, None) => Ok(None),
        }
    }
    async fn group(&self, ctx: &Context<'_>) -> ApiResult<Option<Group>> {
        match self.item.group_id {
            Some(id) => Ok(visible_group(ctx, id).await?.map(Group)),
            None => Ok(None),
        }
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.item.created_at
    }
}

/// The activity `id` as the viewer receives it, if they do.
pub async fn activity_by_id(ctx: &Context<'_>, id: uuid::Uuid) -> ApiResult<Option<Activity>> {
    let me = require_person(ctx)?;
    Ok(feed::one(&ctx.state().pool, me.0, id)
        .await?
        .map(Activity::from))
}

/// The viewer's feed, newest first.
pub async fn viewer_feed(
    ctx: &Context<'_>,
    person: uuid::Uuid,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<Connection<Cursor, Activity>> {
    let page: Page<i64> = Page::parse(first, after)?;
    let before = page.after.unwrap_or(i64::MAX);
    // What the items' events are asked, read from the look-ahead once.
    let asked = nodes_ask(ctx, "event").then(|| NodeFields::of_relation(ctx, "event"));
    // The events and actors named, in the page's own statement.
    let relations = match &asked {
        None if !nodes_ask(ctx, "actor") => feed::Relations::None,
        // The items' events are theirs alone (no loader keeps them), so
        // an empty description cannot answer another field.
        Some(event) if event.has("description") => feed::Relations::Full,
        _ => feed::Relations::Brief,
    };
    let rows = feed::page(ctx.reads(), person, before, page.limit(), relations).await?;
    let mut items = Vec::with_capacity(rows.len());
    let mut actors = Vec::new();
    for row in rows {
        actors.extend(row.actor.map(|p| (p.id, Arc::new(p))));
        let activity = Activity {
            item: row.item,
            event: row.event.map(Arc::new),
        };
        items.push((activity.item.seq, activity));
    }
    crate::loaders::of(ctx).person.feed_many(actors).await;
    if let Some(asked) = &asked {
        // Read for the page at once, as an events page reads them (their
        // attendees included).
        let events = items.iter().filter_map(|(_, a)| a.event.as_deref());
        preload_relations(ctx, asked, Default::default(), events).await?;
    }
    Ok(connection(items, page.first, page.after.is_some()))
}

/// One RSVP created, changed or cancelled.
#[derive(SimpleObject)]
pub struct RsvpChange {
    rsvp: Rsvp,
    event: Event,
    /// attendeeCount after this change.
    attendee_count: i32,
}

#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription(name = "Subscription")]
impl SubscriptionRoot {
    /// Events published from now on whose location is within radiusKm of near (0 < radiusKm <= 500); PUBLIC ones only.
    async fn events_nearby(
        &self,
        ctx: &Context<'_>,
        near: GeoPointInput,
        radius_km: f64,
    ) -> Result<impl Stream<Item = Event> + use<>, ApiError> {
        let centre = near.parse("near")?;
        let radius_km = cortege_domain::ActionRadiusKm::parse(radius_km, "radiusKm")?.get();
        let channels: Vec<Channel> = cells_covering(centre.lat(), centre.lon(), radius_km)
            .into_iter()
            .map(Channel::cell)
            .collect();
        let subscription = ctx.state().bus.subscribe(&channels).await;
        ready(ctx);
        Ok(messages(subscription).filter_map(move |message| {
            let pushed = match &*message {
                Message::EventCreated { event, .. } => {
                    // Where searches place it: rounded for a private address.
                    let (lat, lon) = event.public_location();
                    let within = DomainPoint::parse(lat, lon)
                        .is_ok_and(|p| centre.distance_km(&p) <= radius_km);
                    (within && event.is_announced()).then(|| Event(event.clone()))
                }
                _ => None,
            };
            std::future::ready(pushed)
        }))
    }

    /// Every RSVP created, changed or cancelled on the event. Its organisers, moderators and admins only.
    async fn rsvp_changed(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
    ) -> Result<impl Stream<Item = RsvpChange> + use<>, ApiError> {
        require_person(ctx)?;
        let id = ids::decode(Kind::Event, &event_id, "eventId")?;
        let event = event_by_id(ctx, id)
            .await?
            .ok_or_else(|| ApiError::NotFound("no such event".to_owned()))?;
        if !access::may_see_attendees(ctx, &event.0).await? {
            return Err(ApiError::Forbidden(
                "only the event's organisers, moderators and admins follow its RSVPs".to_owned(),
            ));
        }
        let state = ctx.state().clone();
        let subscription = state.bus.subscribe(&[Channel::event(id)]).await;
        ready(ctx);
        Ok(messages(subscription).filter_map(move |message| {
            let state = state.clone();
            async move {
                let Message::RsvpChanged {
                    event,
                    rsvp,
                    attendee_count,
                    ..
                } = *message
                else {
                    return None;
                };
                load_change(&state, event, rsvp, attendee_count)
                    .await
                    .unwrap_or_else(|e| {
                        tracing::warn!(error = %e, "rsvpChanged: loading the change failed");
                        None
                    })
            }
        }))
    }

    /// Reports as members file them, for the moderators' queue to update
    /// live. Moderators and admins only.
    #[graphql(
        guard = "crate::guard::RoleGuard::any(&[cortege_domain::Role::Moderator, cortege_domain::Role::Admin])"
    )]
    async fn report_created(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = crate::objects::report::Report> + use<>, ApiError> {
        let state = ctx.state().clone();
        let subscription = state.bus.subscribe(&[Channel::moderation()]).await;
        ready(ctx);
        Ok(messages(subscription).filter_map(move |message| {
            let state = state.clone();
            async move {
                let Message::ReportCreated { report } = *message else {
                    return None;
                };
                match cortege_db::reports::by_ids(&state.pool, &[report]).await {
                    Ok(rows) => rows
                        .into_iter()
                        .next()
                        .map(|row| crate::objects::report::Report(Arc::new(row))),
                    Err(e) => {
                        tracing::warn!(error = %e, "reportCreated: loading the report failed");
                        None
                    }
                }
            }
        }))
    }

    /// The viewer's activity feed, live. With after, first replays every activity after that cursor, in order, then goes live: nothing missed, nothing twice.
    async fn feed(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = ApiResult<Activity>> + use<>, ApiError> {
        let me = require_person(ctx)?;
        let after = Page::<i64>::parse(Some(1), after)?.after;
        let stream = ctx.state().feeds.subscribe(me.0, after).await;
        ready(ctx);
        Ok(stream.map(|item| item.map(Activity::from).map_err(ApiError::from)))
    }
}

/// The messages of a bus subscription as a stream. Messages dropped while
/// the subscriber lagged are gone: these pushes are "from now on" streams,
/// and the feed, which must not lose any, follows PostgreSQL instead.
fn messages(
    subscription: cortege_realtime::Subscription,
) -> impl Stream<Item = Arc<Message>> + Send + 'static {
    futures_util::stream::unfold(subscription, |mut subscription| async move {
        loop {
            match subscription.recv().await {
                Ok(message) => return Some((message, subscription)),
                Err(_) => tracing::debug!("a live subscriber lagged; some pushes skipped"),
            }
        }
    })
}

async fn load_change(
    state: &SharedState,
    event: uuid::Uuid,
    rsvp: uuid::Uuid,
    attendee_count: i32,
) -> Result<Option<RsvpChange>, cortege_db::Error> {
    let (event, rsvp) = ([event], [rsvp]);
    let (events, rsvps) = tokio::try_join!(
        cortege_db::events::by_ids(&state.pool, &event),
        cortege_db::rsvps::by_ids(&state.pool, &rsvp),
    )?;
    let (Some(event), Some(rsvp)) = (events.into_iter().next(), rsvps.into_iter().next()) else {
        return Ok(None);
    };
    Ok(Some(RsvpChange {
        rsvp: Rsvp(Arc::new(rsvp)),
        event: Event(Arc::new(event)),
        attendee_count,
    }))
}
