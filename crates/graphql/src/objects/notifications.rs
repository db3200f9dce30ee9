//! Notifications away from the app: preferences, the digest, push
//! devices, calendar links and the server's VAPID key.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use cortege_app::notify::settings::{self, Preference, PreferenceChange};
use cortege_db::notify::push::Subscription;
use cortege_domain::{ActivityKind, DigestFrequency, PersonId};

use crate::auth::require_person;
use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult};
use crate::ids::{self, Kind};
use crate::objects::viewer::Viewer;

/// Whether one kind of activity reaches the viewer by mail and by push.
/// In the app's feed, every kind always appears.
pub struct NotificationPreference(pub Preference);

#[Object]
impl NotificationPreference {
    async fn kind(&self) -> ActivityKind {
        self.0.kind
    }

    /// By mail. Always true for MODERATION_WARNING; always false for
    /// EVENT_CREATED_NEARBY, which comes in the digest.
    async fn email(&self) -> bool {
        self.0.channels.email
    }

    /// By Web Push, to every device in `pushSubscriptions`.
    async fn push(&self) -> bool {
        self.0.channels.push
    }
}

/// A change to one kind's channels; an omitted channel stays as it is.
#[derive(InputObject)]
pub struct NotificationPreferenceInput {
    pub kind: ActivityKind,
    pub email: Option<bool>,
    pub push: Option<bool>,
}

/// A device that receives Web Push notifications (a browser, or an
/// Android phone through a UnifiedPush distributor).
pub struct PushSubscription(pub Arc<Subscription>);

#[Object]
impl PushSubscription {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::PushSubscription, self.0.id)
    }

    /// The push service URL the device gave.
    async fn endpoint(&self) -> &str {
        &self.0.endpoint
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When a notification last reached the push service for this device.
    async fn last_success_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_success_at
    }
}

/// A device's subscription, as `PushManager.subscribe()` returns it
/// (`endpoint`, `keys.p256dh`, `keys.auth`).
#[derive(InputObject)]
pub struct PushSubscriptionInput {
    /// An https URL on the public Internet.
    pub endpoint: String,
    /// The device's P-256 public key, URL-safe base64.
    #[graphql(name = "p256dh")]
    pub p256dh: String,
    /// The device's auth secret, URL-safe base64.
    pub auth: String,
}

pub async fn preferences(
    ctx: &Context<'_>,
    person: PersonId,
) -> ApiResult<Vec<NotificationPreference>> {
    Ok(settings::preferences(ctx.app(), person)
        .await?
        .into_iter()
        .map(NotificationPreference)
        .collect())
}

pub async fn push_subscriptions(
    ctx: &Context<'_>,
    person: PersonId,
) -> ApiResult<Vec<PushSubscription>> {
    Ok(settings::push_subscriptions(ctx.app(), person)
        .await?
        .into_iter()
        .map(|s| PushSubscription(Arc::new(s)))
        .collect())
}

/// A push subscription by ID, for `node`: its owner's only.
pub async fn push_subscription_by_id(
    ctx: &Context<'_>,
    id: uuid::Uuid,
) -> ApiResult<Option<PushSubscription>> {
    let me = require_person(ctx)?;
    Ok(push_subscriptions(ctx, me)
        .await?
        .into_iter()
        .find(|s| s.0.id == id))
}

#[derive(Default)]
pub struct NotificationQuery;

#[Object]
impl NotificationQuery {
    /// The server's VAPID public key (URL-safe base64): the
    /// `applicationServerKey` to subscribe devices with.
    async fn vapid_public_key(&self, ctx: &Context<'_>) -> String {
        ctx.app().notify.keys.vapid_public_key().to_owned()
    }
}

#[derive(Default)]
pub struct NotificationMutation;

async fn viewer(ctx: &Context<'_>, me: PersonId) -> ApiResult<Viewer> {
    Ok(Viewer::with_row(
        cortege_app::accounts::person(ctx.app(), me).await?,
    ))
}

#[Object]
impl NotificationMutation {
    /// Changes how kinds of activity reach the viewer, and the digest
    /// frequency, all or nothing. BAD_USER_INPUT for switching off the
    /// mail of MODERATION_WARNING, or asking EVENT_CREATED_NEARBY by mail
    /// or push (it comes in the digest).
    async fn set_notification_preferences(
        &self,
        ctx: &Context<'_>,
        input: Vec<NotificationPreferenceInput>,
        digest: Option<DigestFrequency>,
    ) -> ApiResult<Viewer> {
        let me = require_person(ctx)?;
        if input.len() > ActivityKind::ALL.len() * 2 {
            return Err(ApiError::bad_input("input", "one entry per kind"));
        }
        let person = cortege_app::accounts::person(ctx.app(), me).await?;
        let changes: Vec<PreferenceChange> = input
            .into_iter()
            .map(|i| PreferenceChange {
                kind: i.kind,
                email: i.email,
                push: i.push,
            })
            .collect();
        settings::set(ctx.app(), &person, &changes, digest).await?;
        viewer(ctx, me).await
    }

    /// Registers a device for Web Push; registering the same endpoint
    /// again updates it and returns the same subscription. BAD_USER_INPUT
    /// for an endpoint that is not https on the public Internet, malformed
    /// keys, or more than 10 devices.
    async fn register_push_subscription(
        &self,
        ctx: &Context<'_>,
        input: PushSubscriptionInput,
    ) -> ApiResult<PushSubscription> {
        let me = require_person(ctx)?;
        let person = cortege_app::accounts::person(ctx.app(), me).await?;
        let s = settings::register_push(
            ctx.app(),
            &person,
            &input.endpoint,
            &input.p256dh,
            &input.auth,
        )
        .await?;
        Ok(PushSubscription(Arc::new(s)))
    }

    /// Removes one of the viewer's devices; false when there is no such one.
    async fn remove_push_subscription(&self, ctx: &Context<'_>, id: ID) -> ApiResult<bool> {
        let me = require_person(ctx)?;
        let id = ids::decode(Kind::PushSubscription, &id, "id")?;
        Ok(settings::remove_push(ctx.app(), me, id).await?)
    }

    /// Gives the private calendar feed a new URL: the old one stops working.
    async fn reset_calendar_feed_url(&self, ctx: &Context<'_>) -> ApiResult<Viewer> {
        let me = require_person(ctx)?;
        cortege_app::notify::calendar::reset(ctx.app(), me).await?;
        viewer(ctx, me).await
    }
}
