//! Senders: on every replica, one per channel, claim due deliveries
//! (`FOR UPDATE SKIP LOCKED`, see `cortege_db::notify::deliveries`) as
//! room frees up, send them several at a time and mark each sent as soon
//! as it is: the marks of sends that finish together are written in one
//! statement, so a replica killed mid-send repeats only the sends in
//! flight and those answered in the last few milliseconds. Failures
//! are tried again with exponential backoff; after [`MAX_ATTEMPTS`] the
//! delivery is dead, counted in /metrics. The hourly mail cap
//! (CORTEGE_MAIL_PER_HOUR) counts what the whole cluster sent in the last
//! hour, so replicas share it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use cortege_db::notify::deliveries::{self, Claimed};
use cortege_db::notify::push::Subscription;
use cortege_db::notify::{digests, push};
use cortege_domain::{ActivityKind, DeliveryChannel, PersonId};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::render::{self, Notice};
use super::webpush::{Outcome, Payload, Pusher};
use super::{Unsubscribe, settings};
use crate::App;

/// Attempts before a delivery is given up (dead).
pub const MAX_ATTEMPTS: i32 = 8;
/// Mails and pushes in flight at once per sender: also about the most that
/// may go out twice if the process dies mid-send.
const MAIL_CONCURRENCY: usize = crate::mail::SMTP_CONNECTIONS as usize;
const PUSH_CONCURRENCY: usize = 64;
/// How often a sender looks without being woken.
const POLL: Duration = Duration::from_secs(1);
/// Most sent marks written in one statement.
const MARKS_AT_ONCE: usize = 512;
/// Most digest entries.
const DIGEST_EVENTS: i64 = 20;

/// The wait before attempt `attempts + 1`: 30 s, 1 min, 2 min, … 6 h at most.
pub fn backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
    Duration::from_secs((30u64 << exp).min(6 * 3600))
}

/// What one delivery came to.
enum Done {
    /// Sent; for a push, to these devices.
    Sent(Vec<Uuid>),
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
    let (marks, written) = mpsc::unbounded_channel();
    let (handled, ()) = tokio::join!(
        send_due(app, pusher, channel, marks),
        write_marks(app, written)
    );
    handled
}

/// How many more may be claimed now: `room`, or less under the hourly cap.
async fn allowance(
    app: &App,
    channel: DeliveryChannel,
    room: i64,
) -> Result<i64, cortege_db::Error> {
    let cap = app.notify.settings.mail_per_hour;
    if channel != DeliveryChannel::Email || cap == 0 {
        return Ok(room);
    }
    let (sent, _) = deliveries::sent_last_hour(&app.pool, channel).await?;
    Ok(room.min(i64::from(cap) - sent).max(0))
}

/// Claims as room frees up (half the concurrency at a time, so sends never
/// wait for the slowest of a batch) and sends; sent marks go to `marks`.
async fn send_due(
    app: &App,
    pusher: &Pusher,
    channel: DeliveryChannel,
    marks: mpsc::UnboundedSender<(i64, Vec<Uuid>)>,
) -> Result<usize, cortege_db::Error> {
    let concurrency = match channel {
        DeliveryChannel::Email => MAIL_CONCURRENCY,
        DeliveryChannel::Push => PUSH_CONCURRENCY,
    };
    let mut handled = 0;
    let mut in_flight = FuturesUnordered::new();
    let mut exhausted = false;
    loop {
        if !exhausted && in_flight.len() <= concurrency / 2 {
            let room = i64::try_from(concurrency - in_flight.len()).unwrap_or(0);
            let want = allowance(app, channel, room).await?;
            let claimed = if want > 0 {
                deliveries::claim(&app.pool, channel, want, app.notify.settings.delivery_lease)
                    .await?
            } else {
                Vec::new()
            };
            exhausted = i64::try_from(claimed.len()).unwrap_or(0) < want || want == 0;
            handled += claimed.len();
            let mut devices = devices_of(app, channel, &claimed).await?;
            for c in claimed {
                let subs = devices.remove(&c.person_id).unwrap_or_default();
                in_flight.push(async move {
                    let done = send_one(app, pusher, &c, subs).await;
                    (c, done)
                });
            }
        }
        let Some((c, done)) = in_flight.next().await else {
            if exhausted {
                return Ok(handled);
            }
            continue;
        };
        if let Err(e) = record(app, &c, done, &marks).await {
            tracing::warn!(delivery = c.id, error = %e, "could not record a delivery; it will be tried again");
        }
    }
}

/// The push devices of everyone in `claimed`, in one query.
async fn devices_of(
    app: &App,
    channel: DeliveryChannel,
    claimed: &[Claimed],
) -> Result<HashMap<Uuid, Vec<Subscription>>, cortege_db::Error> {
    let mut by_person: HashMap<Uuid, Vec<Subscription>> = HashMap::new();
    if channel != DeliveryChannel::Push || claimed.is_empty() {
        return Ok(by_person);
    }
    let people: Vec<Uuid> = claimed.iter().map(|c| c.person_id).collect();
    for s in push::of_people(&app.pool, &people).await? {
        by_person.entry(s.person_id).or_default().push(s);
    }
    Ok(by_person)
}

/// Writes sent marks as they come, many in one statement when they come
/// together; ends when the sending does.
async fn write_marks(app: &App, mut marks: mpsc::UnboundedReceiver<(i64, Vec<Uuid>)>) {
    while let Some((first, mut devices)) = marks.recv().await {
        let mut ids = vec![first];
        while ids.len() < MARKS_AT_ONCE {
            let Ok((id, more)) = marks.try_recv() else {
                break;
            };
            ids.push(id);
            devices.extend(more);
        }
        if let Err(e) = deliveries::mark_sent(&app.pool, &ids).await {
            tracing::warn!(count = ids.len(), error = %e, "could not mark deliveries sent; they will go out again");
        }
        if !devices.is_empty()
            && let Err(e) = push::succeeded(&app.pool, &devices).await
        {
            tracing::warn!(error = %e, "could not note the devices' last push");
        }
    }
}

/// Records what a send came to: a sent one through `marks` (written with
/// the others that finish with it), the rest at once.
async fn record(
    app: &App,
    c: &Claimed,
    done: Done,
    marks: &mpsc::UnboundedSender<(i64, Vec<Uuid>)>,
) -> Result<(), cortege_db::Error> {
    let channel = c.channel.as_str();
    match done {
        Done::Sent(devices) => {
            metrics::counter!("cortege_notifications_sent_total", "channel" => channel)
                .increment(1);
            // The writer lives as long as the sending (both in `drain`).
            marks.send((c.id, devices)).ok();
            Ok(())
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

async fn send_one(app: &App, pusher: &Pusher, c: &Claimed, subs: Vec<Subscription>) -> Done {
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
                Ok(()) => Done::Sent(Vec::new()),
                Err(e) => Done::Failed(e),
            }
        }
        DeliveryChannel::Push => {
            if subs.is_empty() {
                return Done::Dropped("no device");
            }
            let payload = Payload {
                title: notice.subject.clone(),
                body: notice.text.clone(),
                url: notice.url.clone(),
                tag: notice.tag.clone(),
            };
            let mut delivered = Vec::new();
            let mut failure = None;
            for s in &subs {
                match pusher.send(&s.endpoint, &s.p256dh, &s.auth, &payload).await {
                    Outcome::Delivered => delivered.push(s.id),
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
            match failure {
                _ if !delivered.is_empty() => Done::Sent(delivered),
                Some(f) => f,
                None => Done::Dropped("every device is gone"),
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
                wakeups = cortege_db::outbox::Wakeups::listen_on(&app.direct, deliveries::CHANNEL)
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
