//! Senders: on every replica, one per channel, claim due deliveries
//! (`FOR UPDATE SKIP LOCKED`, see `cortege_db::notify::deliveries`), send
//! them several at a time and mark each as soon as it is done. Failures
//! are tried again with exponential backoff; after [`MAX_ATTEMPTS`] the
//! delivery is dead, counted in /metrics. The hourly mail cap
//! (CORTEGE_MAIL_PER_HOUR) counts what the whole cluster sent in the last
//! hour, so replicas share it.

use std::sync::Arc;
use std::time::Duration;

use cortege_db::notify::deliveries::{self, Claimed};
use cortege_db::notify::{digests, push};
use cortege_domain::{ActivityKind, DeliveryChannel, PersonId};
use futures_util::StreamExt;

use super::render::{self, Notice};
use super::webpush::{Outcome, Payload, Pusher};
use super::{Unsubscribe, settings};
use crate::App;

/// Most deliveries one sender claims at once: also the most that may go
/// out twice if the process dies mid-batch.
pub const BATCH: i64 = 64;
/// Attempts before a delivery is given up (dead).
pub const MAX_ATTEMPTS: i32 = 8;
/// Mails and pushes in flight at once per process.
const MAIL_CONCURRENCY: usize = crate::mail::SMTP_CONNECTIONS as usize;
const PUSH_CONCURRENCY: usize = 64;
/// How often a sender looks without being woken.
const POLL: Duration = Duration::from_secs(1);
/// Most digest entries.
const DIGEST_EVENTS: i64 = 20;

/// The wait before attempt `attempts + 1`: 30 s, 1 min, 2 min, … 6 h at most.
pub fn backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    Duration::from_secs((30u64 << exp).min(6 * 3600))
}

/// What one delivery came to.
enum Done {
    Sent,
    Dropped(&'static str),
    Failed(String),
    Rejected(String),
}

/// Sends until nothing is due; returns how many it handled.
pub async fn drain(
    app: &App,
    pusher: &Pusher,
    channel: DeliveryChannel,
) -> Result<usize, cortege_db::Error> {
    let mut handled = 0;
    loop {
        let mut max = BATCH;
        if channel == DeliveryChannel::Email && app.notify.settings.mail_per_hour > 0 {
            let cap = i64::from(app.notify.settings.mail_per_hour);
            let (sent, _) = deliveries::sent_last_hour(&app.pool, channel).await?;
            if sent >= cap {
                return Ok(handled);
            }
            max = max.min(cap - sent);
        }
        let claimed =
            deliveries::claim(&app.pool, channel, max, app.notify.settings.delivery_lease).await?;
        if claimed.is_empty() {
            return Ok(handled);
        }
        handled += claimed.len();
        let concurrency = match channel {
            DeliveryChannel::Email => MAIL_CONCURRENCY,
            DeliveryChannel::Push => PUSH_CONCURRENCY,
        };
        futures_util::stream::iter(claimed)
            .for_each_concurrent(concurrency, |c| async move {
                let done = send_one(app, pusher, &c).await;
                if let Err(e) = record(app, &c, done).await {
                    tracing::warn!(delivery = c.id, error = %e, "could not record a delivery; it will be tried again");
                }
            })
            .await;
    }
}

async fn record(app: &App, c: &Claimed, done: Done) -> Result<(), cortege_db::Error> {
    let channel = c.channel.as_str();
    match done {
        Done::Sent => {
            metrics::counter!("cortege_notifications_sent_total", "channel" => channel)
                .increment(1);
            deliveries::mark_sent(&app.pool, c.id).await
        }
        Done::Dropped(why) => {
            metrics::counter!("cortege_notifications_dropped_total", "channel" => channel)
                .increment(1);
            deliveries::mark_dropped(&app.pool, c.id, why).await
        }
        Done::Failed(error) | Done::Rejected(error) if c.attempts >= MAX_ATTEMPTS => {
            tracing::warn!(
                delivery = c.id,
                channel,
                attempts = c.attempts,
                error,
                "notification given up"
            );
            metrics::counter!("cortege_notifications_failed_total", "channel" => channel)
                .increment(1);
            deliveries::mark_failed(&app.pool, c.id, &error, None).await
        }
        Done::Rejected(error) => {
            tracing::warn!(
                delivery = c.id,
                channel,
                error,
                "notification refused for good"
            );
            metrics::counter!("cortege_notifications_failed_total", "channel" => channel)
                .increment(1);
            deliveries::mark_failed(&app.pool, c.id, &error, None).await
        }
        Done::Failed(error) => {
            tracing::info!(
                delivery = c.id,
                channel,
                attempts = c.attempts,
                error,
                "notification failed; will retry"
            );
            metrics::counter!("cortege_notifications_retried_total", "channel" => channel)
                .increment(1);
            deliveries::mark_failed(&app.pool, c.id, &error, Some(backoff(c.attempts))).await
        }
    }
}

async fn notice(app: &App, c: &Claimed) -> Result<Option<Notice>, cortege_db::Error> {
    match c.kind {
        Some(ActivityKind::EventReminder) if c.event_cancelled => Ok(None),
        Some(kind) => Ok(render::activity(c, kind, &app.public_url)),
        None => {
            let (Some(lat), Some(lon), Some(since)) = (c.home_lat, c.home_lon, c.digest_since)
            else {
                return Ok(None);
            };
            let events = digests::events_near(
                &app.pool,
                lat,
                lon,
                f64::from(c.action_radius_km),
                since,
                DIGEST_EVENTS,
            )
            .await?;
            Ok(render::digest(&events, &app.public_url))
        }
    }
}

async fn send_one(app: &App, pusher: &Pusher, c: &Claimed) -> Done {
    if !c.reachable {
        return Done::Dropped("the recipient can no longer be reached");
    }
    let notice = match notice(app, c).await {
        Ok(Some(n)) => n,
        Ok(None) => return Done::Dropped("nothing to say any more"),
        Err(e) => return Done::Failed(format!("reading the notification: {e}")),
    };
    match c.channel {
        DeliveryChannel::Email => {
            let Some(to) = &c.email else {
                return Done::Dropped("no email address");
            };
            let person = PersonId(c.person_id);
            let unsubscribe = match c.kind {
                Some(k) if k.email_is_mandatory() => None,
                Some(k) => Some(settings::unsubscribe_url(app, person, Unsubscribe::Kind(k))),
                None => Some(settings::unsubscribe_url(app, person, Unsubscribe::Digest)),
            };
            let (text, html) =
                render::mail_bodies(&notice, c.first_name.as_deref(), unsubscribe.as_deref());
            match app
                .mailer
                .send_notification(to, &notice.subject, text, html, unsubscribe.as_deref())
                .await
            {
                Ok(()) => Done::Sent,
                Err(e) => Done::Failed(e),
            }
        }
        DeliveryChannel::Push => {
            let subs = match push::of_people(&app.pool, &[c.person_id]).await {
                Ok(s) => s,
                Err(e) => return Done::Failed(format!("reading the devices: {e}")),
            };
            if subs.is_empty() {
                return Done::Dropped("no device");
            }
            let payload = Payload {
                title: notice.subject.clone(),
                body: notice.text.clone(),
                url: notice.url.clone(),
                tag: notice.tag.clone(),
            };
            let mut delivered = false;
            let mut failure = None;
            for s in &subs {
                match pusher.send(&s.endpoint, &s.p256dh, &s.auth, &payload).await {
                    Outcome::Delivered => {
                        delivered = true;
                        push::succeeded(&app.pool, s.id).await.ok();
                    }
                    Outcome::Gone => {
                        tracing::info!(subscription = %s.id, "push subscription gone; removed");
                        push::forget(&app.pool, s.id).await.ok();
                    }
                    Outcome::Failed(e) => failure = Some(Done::Failed(e)),
                    Outcome::Rejected(e) => {
                        failure.get_or_insert(Done::Rejected(e));
                    }
                }
            }
            match (delivered, failure) {
                (true, _) => Done::Sent,
                (false, Some(f)) => f,
                (false, None) => Done::Dropped("every device is gone"),
            }
        }
    }
}

/// One sender per channel, until `stopping`.
pub fn spawn(
    app: Arc<App>,
    pusher: Pusher,
    channel: DeliveryChannel,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut wakeups = None;
        loop {
            if *stopping.borrow() {
                return;
            }
            if wakeups.is_none() {
                wakeups = cortege_db::outbox::Wakeups::listen_on(&app.pool, deliveries::CHANNEL)
                    .await
                    .ok();
            }
            if let Err(e) = drain(&app, &pusher, channel).await
                && !e.is_unavailable()
            {
                tracing::error!(channel = channel.as_str(), error = %e, "notification sender failed; retrying");
            }
            match &mut wakeups {
                Some(w) => tokio::select! {
                    r = w.recv() => { if r.is_err() { wakeups = None; } }
                    () = tokio::time::sleep(POLL) => {}
                    Ok(()) = stopping.changed() => {}
                },
                None => tokio::select! {
                    () = tokio::time::sleep(POLL) => {}
                    Ok(()) = stopping.changed() => {}
                },
            }
        }
    })
}
