//! Durable deliveries. The notifier fans the activity sequence out into
//! rows, one per (activity, recipient, channel), under a unique key and
//! before anything is sent; senders on every replica then claim due rows
//! with `FOR UPDATE SKIP LOCKED`, moving their due time past a lease, so
//! that a sender that dies mid-send leaves its rows to be claimed again
//! when the lease runs out. A row is only ever sent twice when its sender
//! died between sending and marking it sent.

use std::time::Duration;

use chrono::{DateTime, Utc};
use cortege_domain::{ActivityKind, DeliveryChannel, Happening};
use sqlx::PgPool;
use uuid::Uuid;

use crate::{Result, Tx};

/// The notification channel the notifier signals once it wrote deliveries.
pub const CHANNEL: &str = "cortege_delivery";

/// Takes the notifier's cursor for this transaction (serialising the
/// replicas' notifiers) and tells how far it may go: (cursor, last
/// numbered activity).
pub async fn lock_cursor(tx: &mut Tx<'_>) -> Result<(i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT n.last_seq, o.last_seq FROM notifier_state n, outbox_state o FOR UPDATE OF n",
    )
    .fetch_one(&mut **tx)
    .await?)
}

pub async fn advance_cursor(tx: &mut Tx<'_>, upto: i64) -> Result<()> {
    sqlx::query("UPDATE notifier_state SET last_seq = $1")
        .bind(upto)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A person who may be notified of something in the window, and how.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Reachable {
    pub id: Uuid,
    pub has_email: bool,
    pub has_push: bool,
}

/// Everyone the feed rules could make a recipient of an activity numbered
/// in (after, upto], among those who can be reached at all: members who
/// accepted the pledge (imported members who have not get login codes
/// only), neither banned nor deleted, with an address or a device. A
/// superset of each rule's recipients, cheap to find; the feed's own
/// query then decides ([`crate::feed::deliveries`]). New events near home
/// are left out: they only go in the digest.
pub async fn reachable(pool: &PgPool, after: i64, upto: i64) -> Result<Vec<Reachable>> {
    Ok(sqlx::query_as(
        "WITH a AS MATERIALIZED (
             SELECT * FROM activities WHERE seq > $1 AND seq <= $2
         ), candidates AS (
             SELECT recipient_id AS id FROM a WHERE recipient_id IS NOT NULL
           UNION
             SELECT h.person_id FROM a JOIN event_hosts h ON h.event_id = a.event_id
             WHERE a.kind = 'RSVP_CHANGED'
           UNION
             SELECT m.person_id FROM a JOIN memberships m ON m.group_id = a.group_id
             WHERE a.kind = 'GROUP_MEMBER_JOINED' AND m.role = 'MANAGER' AND m.status = 'ACTIVE'
           UNION
             SELECT m.person_id FROM a JOIN events e ON e.id = a.event_id
             JOIN memberships m ON m.group_id = e.group_id AND m.status = 'ACTIVE'
             WHERE a.kind = 'EVENT_CREATED'
           UNION
             SELECT r.person_id FROM a JOIN rsvps r ON r.event_id = a.event_id
             WHERE a.kind IN ('EVENT_UPDATED', 'EVENT_CANCELLED', 'EVENT_REMINDER')
               AND r.status IN ('GOING', 'WAITLISTED')
           UNION
             SELECT CASE WHEN f.requester_id = a.actor_id THEN f.addressee_id ELSE f.requester_id END
             FROM a JOIN friendships f ON f.status = 'ACCEPTED'
                AND (f.requester_id = a.actor_id OR f.addressee_id = a.actor_id)
             WHERE a.kind = 'RSVP_CHANGED'
         )
         SELECT p.id, p.email IS NOT NULL AS has_email,
                EXISTS (SELECT 1 FROM push_subscriptions s WHERE s.person_id = p.id) AS has_push
         FROM candidates c JOIN people p ON p.id = c.id
         WHERE p.pledge_accepted_at IS NOT NULL AND p.deleted_at IS NULL AND p.banned_at IS NULL",
    )
    .bind(after)
    .bind(upto)
    .fetch_all(pool)
    .await?)
}

/// A delivery to write.
#[derive(Debug, Clone, Copy)]
pub struct NewDelivery {
    pub activity: Uuid,
    pub person: Uuid,
    pub channel: DeliveryChannel,
    pub kind: ActivityKind,
}

/// Writes the deliveries; those written already (a notifier that died
/// after writing, before moving its cursor) are left as they are.
pub async fn insert(tx: &mut Tx<'_>, rows: &[NewDelivery]) -> Result<u64> {
    if rows.is_empty() {
        return Ok(0);
    }
    let activity: Vec<Uuid> = rows.iter().map(|r| r.activity).collect();
    let person: Vec<Uuid> = rows.iter().map(|r| r.person).collect();
    let channel: Vec<DeliveryChannel> = rows.iter().map(|r| r.channel).collect();
    let kind: Vec<ActivityKind> = rows.iter().map(|r| r.kind).collect();
    let done = sqlx::query(
        "INSERT INTO deliveries (activity_id, person_id, channel, kind)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::delivery_channel[], $4::notification_kind[])
         ON CONFLICT (activity_id, person_id, channel) WHERE activity_id IS NOT NULL DO NOTHING",
    )
    .bind(&activity)
    .bind(&person)
    .bind(&channel)
    .bind(&kind)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Wakes the senders once the transaction commits.
pub async fn signal(tx: &mut Tx<'_>) -> Result<()> {
    sqlx::query("SELECT pg_notify($1, '')")
        .bind(CHANNEL)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A claimed delivery with what it takes to write it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub person_id: Uuid,
    pub channel: DeliveryChannel,
    pub kind: Option<ActivityKind>,
    pub attempts: i32,
    pub digest_period: Option<String>,
    pub digest_since: Option<DateTime<Utc>>,
    /// The recipient can still be reached: not deleted, banned, or gone
    /// back on the pledge.
    pub reachable: bool,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub home_lat: Option<f64>,
    pub home_lon: Option<f64>,
    pub action_radius_km: f32,
    pub happening: Option<Happening>,
    pub actor_name: Option<String>,
    pub event_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    pub payload: Option<serde_json::Value>,
    pub event_title: Option<String>,
    pub event_starts_at: Option<DateTime<Utc>>,
    pub event_street: Option<String>,
    pub event_address_visibility: Option<cortege_domain::AddressVisibility>,
    pub event_postcode: Option<String>,
    pub event_city: Option<String>,
    pub event_cancelled: bool,
    pub event_removed: bool,
    pub group_name: Option<String>,
}

/// Claims up to `max` due deliveries of `channel` for `lease`: until then
/// no other sender takes them.
pub async fn claim(
    pool: &PgPool,
    channel: DeliveryChannel,
    max: i64,
    lease: Duration,
) -> Result<Vec<Claimed>> {
    Ok(sqlx::query_as(
        "WITH due AS (
             SELECT id FROM deliveries
             WHERE state = 'PENDING' AND channel = $1 AND due_at <= now()
             ORDER BY due_at, id LIMIT $2
             FOR UPDATE SKIP LOCKED
         ), claimed AS (
             UPDATE deliveries d
             SET due_at = now() + make_interval(secs => $3), attempts = d.attempts + 1
             FROM due WHERE d.id = due.id
             RETURNING d.*
         )
         SELECT c.id, c.person_id, c.channel, c.kind, c.attempts, c.digest_period, c.digest_since,
                (p.pledge_accepted_at IS NOT NULL AND p.deleted_at IS NULL AND p.banned_at IS NULL)
                    AS reachable,
                p.email, p.first_name, p.home_lat, p.home_lon, p.action_radius_km,
                a.kind AS happening,
                nullif(concat_ws(' ', actor.first_name, actor.last_name), '') AS actor_name,
                a.event_id, coalesce(a.group_id, e.group_id) AS group_id,
                a.payload,
                e.title AS event_title, e.starts_at AS event_starts_at, e.street AS event_street,
                e.address_visibility AS event_address_visibility, e.postcode AS event_postcode, e.city AS event_city,
                coalesce(e.cancelled_at IS NOT NULL, false) AS event_cancelled,
                coalesce(e.removed_at IS NOT NULL, false) AS event_removed,
                g.name AS group_name
         FROM claimed c
         JOIN people p ON p.id = c.person_id
         LEFT JOIN activities a ON a.id = c.activity_id
         LEFT JOIN people actor ON actor.id = a.actor_id
         LEFT JOIN events e ON e.id = a.event_id
         LEFT JOIN groups g ON g.id = coalesce(a.group_id, e.group_id)
         ORDER BY c.id",
    )
    .bind(channel)
    .bind(max)
    .bind(lease.as_secs_f64())
    .fetch_all(pool)
    .await?)
}

/// Deliveries that went out; one statement for however many finished
/// together.
pub async fn mark_sent(pool: &PgPool, ids: &[i64]) -> Result<()> {
    sqlx::query(
        "UPDATE deliveries SET state = 'SENT', sent_at = now(), last_error = NULL WHERE id = ANY($1)",
    )
    .bind(ids)
    .execute(pool)
    .await?;
    Ok(())
}

/// No longer needed (see `DeliveryState::Dropped`).
pub async fn mark_dropped(pool: &PgPool, id: i64, why: &str) -> Result<()> {
    sqlx::query("UPDATE deliveries SET state = 'DROPPED', last_error = $2 WHERE id = $1")
        .bind(id)
        .bind(why)
        .execute(pool)
        .await?;
    Ok(())
}

/// A failed attempt: tried again after `retry_in`, or dead without one.
pub async fn mark_failed(
    pool: &PgPool,
    id: i64,
    error: &str,
    retry_in: Option<Duration>,
) -> Result<()> {
    sqlx::query(
        "UPDATE deliveries
         SET last_error = $2,
             state = CASE WHEN $3::float8 IS NULL THEN 'DEAD'::delivery_state ELSE state END,
             due_at = CASE WHEN $3::float8 IS NULL THEN due_at ELSE now() + make_interval(secs => $3) END
         WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .bind(retry_in.map(|d| d.as_secs_f64()))
    .execute(pool)
    .await?;
    Ok(())
}

/// Gives claimed deliveries back untried (the hourly cap is reached): due
/// again at `at`, the attempt not counted.
pub async fn postpone(pool: &PgPool, ids: &[i64], at: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE deliveries SET due_at = $2, attempts = attempts - 1 WHERE id = ANY($1)")
        .bind(ids)
        .bind(at)
        .execute(pool)
        .await?;
    Ok(())
}

/// How many of `channel` were sent in the last hour, and when the oldest
/// of them was (the cap frees a place an hour after it).
pub async fn sent_last_hour(
    pool: &PgPool,
    channel: DeliveryChannel,
) -> Result<(i64, Option<DateTime<Utc>>)> {
    Ok(sqlx::query_as(
        "SELECT count(*), min(sent_at) FROM deliveries
         WHERE state = 'SENT' AND channel = $1 AND sent_at > now() - interval '1 hour'",
    )
    .bind(channel)
    .fetch_one(pool)
    .await?)
}

/// The queue of one channel, for /metrics.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Queue {
    pub channel: DeliveryChannel,
    pub pending: i64,
    pub oldest_seconds: f64,
    pub dead: i64,
}

pub async fn queues(pool: &PgPool) -> Result<Vec<Queue>> {
    Ok(sqlx::query_as(
        "SELECT c.channel,
                (SELECT count(*) FROM deliveries d WHERE d.state = 'PENDING' AND d.channel = c.channel) AS pending,
                coalesce((SELECT extract(epoch FROM now() - min(d.created_at))::float8 FROM deliveries d
                          WHERE d.state = 'PENDING' AND d.channel = c.channel), 0) AS oldest_seconds,
                (SELECT count(*) FROM deliveries d WHERE d.state = 'DEAD' AND d.channel = c.channel) AS dead
         FROM unnest(enum_range(NULL::delivery_channel)) AS c(channel)",
    )
    .fetch_all(pool)
    .await?)
}

/// The deliveries of an event's activities per channel and state, for
/// tests and the benchmark: (channel, state, count).
pub async fn of_event(
    pool: &PgPool,
    event: Uuid,
) -> Result<Vec<(DeliveryChannel, cortege_domain::DeliveryState, i64)>> {
    Ok(sqlx::query_as(
        "SELECT d.channel, d.state, count(*) FROM deliveries d JOIN activities a ON a.id = d.activity_id
         WHERE a.event_id = $1 GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .bind(event)
    .fetch_all(pool)
    .await?)
}
