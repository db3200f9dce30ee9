//! The daily rollup: one `stats_daily` row per (commune, Europe/Paris day,
//! kind) holding counted events, their seats, outcome sums, attended seats
//! and an hll sketch of the GOING people.
//!
//! Writers only append a mark to `stats_dirty` (triggers on events, RSVPs
//! and outcomes), which never makes two transactions wait on each other.
//! [`flush`] rebuilds each marked bucket whole from its events, so once the
//! marks are flushed the rollup equals a direct count, whatever happened
//! (creations, RSVPs, cancellations, moves, removals, deletions). Readers
//! flush first, so statistics are never stale; the server also flushes on
//! a timer so that reads find little to do.

use sqlx::PgPool;

use crate::Result;

/// Whether the rollup keeps hll sketches of distinct participants: the
/// hll extension was installed when the database was migrated. Without
/// them participants are counted exactly from the RSVPs, which is slow on
/// a large movement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sketches(pub bool);

pub async fn sketches(pool: &PgPool) -> Result<Sketches> {
    let on: bool = sqlx::query_scalar(
        "SELECT format_type(atttypid, NULL) = 'hll' FROM pg_attribute
             WHERE attrelid = 'stats_daily'::regclass AND attname = 'participants'",
    )
    .fetch_one(pool)
    .await?;
    Ok(Sketches(on))
}

/// Marks taken per statement: bounded, so that a backlog (the first
/// build after the migration, a bulk import) flushes in steps that each
/// hold their locks briefly.
const BATCH: i64 = 20_000;

/// Only one flush runs at a time across every replica: two flushes of one
/// bucket from different snapshots could otherwise write the older last.
const FLUSH_LOCK: i64 = 0x5374_6174_7346_6c75; // "StatsFlu"

/// A backlog larger than this (a seed, a bulk import, the first build
/// after the migration) is cheaper to answer with one rebuild of every
/// bucket than bucket by bucket.
const REBUILD_ABOVE: i64 = 200_000;

/// Rebuilds every marked bucket; returns how many marks it took.
pub async fn flush(pool: &PgPool, sketches: Sketches) -> Result<u64> {
    flush_or_rebuild(pool, sketches, false).await
}

/// Rebuilds every bucket, marked or not (what a large backlog gets).
pub async fn rebuild(pool: &PgPool, sketches: Sketches) -> Result<u64> {
    flush_or_rebuild(pool, sketches, true).await
}

async fn flush_or_rebuild(pool: &PgPool, sketches: Sketches, mut whole: bool) -> Result<u64> {
    let mut total = 0u64;
    loop {
        let mut tx = pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(FLUSH_LOCK)
            .execute(&mut *tx)
            .await?;
        let backlog: i64 =
            sqlx::query_scalar("SELECT COALESCE(max(id) - min(id) + 1, 0) FROM stats_dirty")
                .fetch_one(&mut *tx)
                .await?;
        if backlog == 0 && !whole {
            return Ok(total);
        }
        whole |= backlog > REBUILD_ABOVE;
        let sql = rebuild_sql(whole, sketches);
        let taken: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(BATCH)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        total += u64::try_from(taken).unwrap_or(0);
        if !whole && taken < BATCH {
            return Ok(total);
        }
        whole = false;
    }
}

/// The statement that takes marks and rebuilds buckets: the buckets of a
/// batch of marks, or (`whole`) every bucket, taking every mark.
fn rebuild_sql(whole: bool, sketches: Sketches) -> String {
    let (head, gone) = if whole {
        (EVERY_BUCKET, GONE_EVERYWHERE)
    } else {
        (MARKED_BUCKETS, GONE_MARKED)
    };
    let tail = if sketches.0 {
        REBUILD
            .replace("{sketches}", HLL_SKETCHES)
            .replace(
                "{join_sketches}",
                "LEFT JOIN hl USING (commune_code, day, kind)",
            )
            .replace("{participants}", "hl.people")
    } else {
        REBUILD
            .replace("{sketches}", "")
            .replace("{join_sketches}", "")
            .replace("{participants}", "NULL")
    };
    format!("{head}{}", tail.replace("{gone}", gone))
}

/// The sketch of each bucket's GOING people; hll's defaults (log2m 11,
/// explicit storage for small sets) count up to a few hundred people
/// exactly and beyond that within about 2.3 % (one standard error).
const HLL_SKETCHES: &str = ", hl AS (
    SELECT ev.commune_code, ev.day, ev.kind,
           hll_add_agg(hll_hash_bytea(uuid_send(r.person_id))) AS people
    FROM ev JOIN rsvps r ON r.event_id = ev.id AND r.status = 'GOING'
    GROUP BY 1, 2, 3
)";

/// A batch of marks, the buckets they name and those buckets' events.
const MARKED_BUCKETS: &str = "
WITH taken AS (
    DELETE FROM stats_dirty
    WHERE id IN (SELECT id FROM stats_dirty ORDER BY id LIMIT $1)
    RETURNING commune_code, day, kind
), k AS (
    SELECT DISTINCT commune_code, day, kind FROM taken
), ev AS (
    SELECT k.commune_code, k.day, k.kind, e.id, e.seats_taken
    FROM k
    JOIN events e ON e.commune_code = k.commune_code AND e.kind = k.kind
        AND e.starts_at >= (k.day::timestamp AT TIME ZONE 'Europe/Paris')
        AND e.starts_at < ((k.day + 1)::timestamp AT TIME ZONE 'Europe/Paris')
        AND e.cancelled_at IS NULL AND e.removed_at IS NULL
)";

/// Every mark, and every counted event. ($1, the batch, is unused.)
const EVERY_BUCKET: &str = "
WITH taken AS (
    DELETE FROM stats_dirty WHERE $1::int8 IS NOT NULL RETURNING 1
), ev AS (
    SELECT e.commune_code, (e.starts_at AT TIME ZONE 'Europe/Paris')::date AS day, e.kind, e.id,
           e.seats_taken
    FROM events e WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL
)";

/// Marked buckets left with no counted event.
const GONE_MARKED: &str = "DELETE FROM stats_daily s USING k
    WHERE (s.commune_code, s.day, s.kind) = (k.commune_code, k.day, k.kind)
      AND NOT EXISTS (SELECT 1 FROM b WHERE (b.commune_code, b.day, b.kind) = (k.commune_code, k.day, k.kind))";

/// Any bucket left with no counted event.
const GONE_EVERYWHERE: &str = "DELETE FROM stats_daily s
    WHERE NOT EXISTS (SELECT 1 FROM b WHERE (b.commune_code, b.day, b.kind) = (s.commune_code, s.day, s.kind))";

/// The buckets of `ev`, rebuilt whole.
const REBUILD: &str = ", b AS (
    SELECT ev.commune_code, ev.day, ev.kind, count(*)::int4 AS events,
           COALESCE(sum(ev.seats_taken), 0)::int8 AS seats,
           sum(o.leaflets)::int8 AS leaflets, sum(o.doors_knocked)::int8 AS doors_knocked,
           sum(o.conversations)::int8 AS conversations, sum(o.posters)::int8 AS posters,
           sum(o.signatures)::int8 AS signatures, sum(att.seats)::int8 AS attended
    FROM ev
    LEFT JOIN event_outcomes o ON o.event_id = ev.id
    LEFT JOIN LATERAL (
        SELECT sum(CASE WHEN r.attended THEN 1 + r.guests ELSE 0 END) AS seats
        FROM rsvps r WHERE r.event_id = ev.id AND r.attended IS NOT NULL
    ) att ON true
    GROUP BY 1, 2, 3
){sketches}, gone AS (
    {gone}
), put AS (
    INSERT INTO stats_daily AS s (commune_code, day, kind, events, seats, participants, leaflets,
                                  doors_knocked, conversations, posters, signatures, attended)
    SELECT b.commune_code, b.day, b.kind, b.events, b.seats, {participants}, b.leaflets,
           b.doors_knocked, b.conversations, b.posters, b.signatures, b.attended
    FROM b {join_sketches}
    ON CONFLICT (commune_code, day, kind) DO UPDATE SET
        events = EXCLUDED.events, seats = EXCLUDED.seats, participants = EXCLUDED.participants,
        leaflets = EXCLUDED.leaflets, doors_knocked = EXCLUDED.doors_knocked,
        conversations = EXCLUDED.conversations, posters = EXCLUDED.posters,
        signatures = EXCLUDED.signatures, attended = EXCLUDED.attended
)
SELECT count(*) FROM taken";
