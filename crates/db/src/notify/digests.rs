//! Digests: new PUBLIC events near home since a member's last digest,
//! written as deliveries (one per member and period) and composed when
//! sent.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use cortege_domain::DigestFrequency;
use sqlx::PgPool;
use uuid::Uuid;

use crate::Result;

/// Writes one digest delivery per member who takes `frequency` digests,
/// for `period`, unless they have one for it already: running this twice
/// in a period sends nothing more. A digest covers what appeared since the
/// member's last digest sent, or since `fallback_since`.
pub async fn schedule(
    pool: &PgPool,
    frequency: DigestFrequency,
    period: &str,
    fallback_since: DateTime<Utc>,
) -> Result<u64> {
    let done = sqlx::query(
        "INSERT INTO deliveries (person_id, channel, digest_period, digest_since)
         SELECT p.id, 'EMAIL', $2,
                coalesce((SELECT max(d.sent_at) FROM deliveries d
                          WHERE d.person_id = p.id AND d.digest_period IS NOT NULL AND d.state = 'SENT'),
                         $3)
         FROM people p
         WHERE p.digest = $1 AND p.email IS NOT NULL AND p.home_lat IS NOT NULL
           AND p.pledge_accepted_at IS NOT NULL AND p.deleted_at IS NULL AND p.banned_at IS NULL
         ON CONFLICT (person_id, digest_period) WHERE digest_period IS NOT NULL DO NOTHING",
    )
    .bind(frequency)
    .bind(period)
    .bind(fallback_since)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// One event of a digest.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DigestEvent {
    pub id: Uuid,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub city: String,
    pub distance_km: f64,
}

/// The statement of [`events_near`]. The centre is a sub-select, computed
/// once: under the pools' generic plans a bound point is not folded into a
/// constant, and was computed again for every event in the box (188 ms
/// instead of 33 ms for a 30 km digest around Marseille on the
/// 300,000-event seed). The distance is `earth_distance`'s expression,
/// written out (`geo::metres_sql`).
static EVENTS_NEAR: LazyLock<String> = LazyLock::new(|| {
    let metres = crate::geo::metres_sql("(SELECT earth_point($1, $2))", "e.earth");
    format!(
        "SELECT e.id, e.title, e.starts_at, e.city, {metres} / 1000.0 AS distance_km
         FROM events e
         WHERE earth_box((SELECT earth_point($1, $2)), $3 * 1000.0) @> e.earth
           AND {metres} <= $3 * 1000.0
           AND e.cancelled_at IS NULL AND e.removed_at IS NULL
           AND e.visibility = 'PUBLIC' AND NOT e.online AND e.created_at > $4 AND e.starts_at > now()
         ORDER BY distance_km, e.starts_at, e.id
         LIMIT $5"
    )
});

/// New PUBLIC events announced since `since`, still to come, within
/// `radius_km` of (lat, lon), nearest first, at most `limit`.
pub async fn events_near(
    pool: &PgPool,
    lat: f64,
    lon: f64,
    radius_km: f64,
    since: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<DigestEvent>> {
    Ok(sqlx::query_as(EVENTS_NEAR.as_str())
        .bind(lat)
        .bind(lon)
        .bind(radius_km)
        .bind(since)
        .bind(limit)
        .fetch_all(pool)
        .await?)
}
