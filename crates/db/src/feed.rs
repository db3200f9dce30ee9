//! Feeds, derived at read time: an activity is stored once, and who
//! receives it, with which kind, is decided here from the recipient's state
//! now (home, radius, groups, friends, RSVPs). The same query serves a
//! person's feed page, a replay after a cursor, and the live delivery to
//! every feed subscriber of a server process at once.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::Result;

/// One activity as one recipient receives it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedItem {
    pub seq: i64,
    pub person: Uuid,
    /// The contract's ActivityKind, most specific first.
    #[sqlx(try_from = "String")]
    pub kind: cortege_domain::ActivityKind,
    pub id: Uuid,
    pub actor_id: Option<Uuid>,
    pub event_id: Option<Uuid>,
    pub group_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

/// The recipients of activities numbered in ($2, $3], among the people $1,
/// at most $4 rows. One branch per rule of the contract's "Feed
/// recipients"; the branches exclude each other where a person could
/// qualify twice, so everyone gets one item per activity, the most specific.
macro_rules! feed_query {
    ($order:literal) => {
        concat!(
            "WITH me AS MATERIALIZED (
                SELECT p.id, p.home_lat, p.home_lon, p.action_radius_km
                FROM people p
                WHERE p.id = ANY($1) AND p.deleted_at IS NULL AND p.banned_at IS NULL
            ), hits AS (
                SELECT a.seq, me.id AS person,
                       CASE a.kind WHEN 'RSVP_CHANGED' THEN 'NEW_ATTENDEE' ELSE a.kind::text END AS kind
                FROM activities a JOIN me ON me.id = a.recipient_id
                WHERE a.seq > $2 AND a.seq <= $3
                  AND (a.kind IN ('FRIEND_REQUEST', 'FRIEND_ACCEPTED', 'MODERATION_WARNING')
                       OR (a.kind = 'RSVP_CHANGED' AND a.payload->>'status' = 'GOING'
                           AND a.payload->>'previous' IS DISTINCT FROM 'GOING'))
              UNION ALL
                SELECT a.seq, me.id, 'NEW_GROUP_MEMBER'
                FROM activities a
                JOIN memberships m ON m.group_id = a.group_id AND m.role = 'MANAGER' AND m.status = 'ACTIVE'
                JOIN me ON me.id = m.person_id
                WHERE a.kind = 'GROUP_MEMBER_JOINED' AND a.seq > $2 AND a.seq <= $3
              UNION ALL
                SELECT a.seq, me.id, 'EVENT_CREATED_IN_GROUP'
                FROM activities a
                JOIN events e ON e.id = a.event_id
                JOIN memberships m ON m.group_id = e.group_id AND m.status = 'ACTIVE'
                JOIN me ON me.id = m.person_id
                WHERE a.kind = 'EVENT_CREATED' AND a.seq > $2 AND a.seq <= $3
                  AND e.visibility <> 'UNLISTED' AND e.removed_at IS NULL
              UNION ALL
                SELECT a.seq, me.id, 'EVENT_CREATED_NEARBY'
                FROM activities a
                JOIN events e ON e.id = a.event_id
                JOIN me ON me.home_lat IS NOT NULL
                   AND earth_box(ll_to_earth(me.home_lat, me.home_lon), me.action_radius_km * 1000.0) @> e.earth
                   AND earth_distance(ll_to_earth(me.home_lat, me.home_lon), e.earth) <= me.action_radius_km * 1000.0
                WHERE a.kind = 'EVENT_CREATED' AND a.seq > $2 AND a.seq <= $3
                  AND e.visibility = 'PUBLIC' AND e.removed_at IS NULL
                  AND NOT EXISTS (SELECT 1 FROM memberships m
                                  WHERE m.group_id = e.group_id AND m.person_id = me.id AND m.status = 'ACTIVE')
              UNION ALL
                SELECT a.seq, me.id, a.kind::text
                FROM activities a
                JOIN events e ON e.id = a.event_id AND e.removed_at IS NULL
                JOIN rsvps r ON r.event_id = a.event_id AND r.status IN ('GOING', 'WAITLISTED')
                JOIN me ON me.id = r.person_id
                WHERE a.kind IN ('EVENT_UPDATED', 'EVENT_CANCELLED') AND a.seq > $2 AND a.seq <= $3
              UNION ALL
                SELECT a.seq, me.id, 'FRIEND_GOING'
                FROM activities a
                JOIN events e ON e.id = a.event_id
                JOIN friendships f ON f.status = 'ACCEPTED'
                   AND (f.requester_id = a.actor_id OR f.addressee_id = a.actor_id)
                JOIN me ON me.id = CASE WHEN f.requester_id = a.actor_id THEN f.addressee_id ELSE f.requester_id END
                WHERE a.kind = 'RSVP_CHANGED' AND a.seq > $2 AND a.seq <= $3
                  AND a.payload->>'status' = 'GOING' AND a.payload->>'previous' IS DISTINCT FROM 'GOING'
                  AND e.visibility = 'PUBLIC' AND e.removed_at IS NULL
                  AND a.recipient_id IS DISTINCT FROM me.id
            )
            SELECT h.seq, h.person, h.kind, a.id, a.actor_id, a.event_id, a.group_id, a.created_at
            FROM hits h JOIN activities a ON a.seq = h.seq
            WHERE a.actor_id IS DISTINCT FROM h.person
            ORDER BY h.seq ",
            $order,
            ", h.person LIMIT $4"
        )
    };
}

const OLDEST_FIRST: &str = feed_query!("ASC");
const NEWEST_FIRST: &str = feed_query!("DESC");

/// What the people receive of the activities numbered after `after` up to
/// `upto`, oldest first.
pub async fn deliveries(
    pool: &PgPool,
    people: &[Uuid],
    after: i64,
    upto: i64,
    limit: i64,
) -> Result<Vec<FeedItem>> {
    if people.is_empty() || upto <= after {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_as(OLDEST_FIRST)
        .bind(people)
        .bind(after)
        .bind(upto)
        .bind(limit)
        .fetch_all(pool)
        .await?)
}

/// One page of a person's feed, newest first, strictly before `before`.
pub async fn page(pool: &PgPool, person: Uuid, before: i64, limit: i64) -> Result<Vec<FeedItem>> {
    Ok(sqlx::query_as(NEWEST_FIRST)
        .bind([person].as_slice())
        .bind(0_i64)
        .bind(before - 1)
        .bind(limit)
        .fetch_all(pool)
        .await?)
}

/// The activity as this person receives it, if they do.
pub async fn one(pool: &PgPool, person: Uuid, activity: Uuid) -> Result<Option<FeedItem>> {
    let seq: Option<i64> =
        sqlx::query_scalar("SELECT seq FROM activities WHERE id = $1 AND seq IS NOT NULL")
            .bind(activity)
            .fetch_optional(pool)
            .await?;
    let Some(seq) = seq else {
        return Ok(None);
    };
    Ok(deliveries(pool, &[person], seq - 1, seq, 1).await?.pop())
}

/// The last sequence number handed out: what "from now on" starts after.
pub async fn last_seq(pool: &PgPool) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT last_seq FROM outbox_state")
        .fetch_one(pool)
        .await?)
}
