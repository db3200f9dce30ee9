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
    flush_or_rebuild(pool, sketches, Work::Marked).await
}

/// What a reader does before it reads: the whole backlog when it is one
/// batch or less (what live use leaves between two timer flushes, so the
/// answer counts every committed write), nothing otherwise. A reader never
/// waits for a backlog to drain (an import, a burst): the server's timer
/// works through it and the answer is as of the last flush.
pub async fn flush_small(pool: &PgPool, sketches: Sketches) -> Result<u64> {
    flush_or_rebuild(pool, sketches, Work::OneBatch).await
}

/// Rebuilds every bucket, marked or not (what a large backlog gets).
pub async fn rebuild(pool: &PgPool, sketches: Sketches) -> Result<u64> {
    flush_or_rebuild(pool, sketches, Work::Whole).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Work {
    /// Every marked bucket, batch after batch.
    Marked,
    /// The marked buckets if they fit in one batch.
    OneBatch,
    /// Every bucket.
    Whole,
}

async fn flush_or_rebuild(pool: &PgPool, sketches: Sketches, work: Work) -> Result<u64> {
    let mut whole = work == Work::Whole;
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
        if !whole && (backlog == 0 || (work == Work::OneBatch && backlog > BATCH)) {
            return Ok(total);
        }
        whole |= backlog > REBUILD_ABOVE;
        let taken: Taken = sqlx::query_as(sqlx::AssertSqlSafe(rebuild_sql(whole, sketches)))
            .bind(BATCH)
            .fetch_one(&mut *tx)
            .await?;
        // The coarser rollups, from the rows just written (a later
        // statement of the same transaction sees them).
        if whole {
            for sql in [
                "DELETE FROM stats_department_daily",
                DEPARTMENTS_WHOLE,
                "DELETE FROM stats_commune_total",
                COMMUNES_WHOLE,
            ] {
                sqlx::query(sqlx::AssertSqlSafe(with_sketches(sql, sketches)))
                    .execute(&mut *tx)
                    .await?;
            }
        } else if !taken.communes.is_empty() {
            sqlx::query(sqlx::AssertSqlSafe(with_sketches(
                DERIVED_TOUCHED,
                sketches,
            )))
            .bind(&taken.communes)
            .bind(&taken.days)
            .bind(&taken.kinds)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        total += u64::try_from(taken.marks).unwrap_or(0);
        if work == Work::OneBatch || (!whole && taken.marks < BATCH) {
            return Ok(total);
        }
        whole = false;
    }
}

/// What a statement took: its marks, and the buckets they named (none
/// listed for a whole rebuild).
#[derive(sqlx::FromRow)]
struct Taken {
    marks: i64,
    communes: Vec<String>,
    days: Vec<chrono::NaiveDate>,
    kinds: Vec<cortege_domain::EventKind>,
}

/// Sums a rollup's rows into a coarser one's: `{union}` merges sketches,
/// `{count}` counts the people of the merged sketch.
fn with_sketches(sql: &str, sketches: Sketches) -> String {
    if sketches.0 {
        sql.replace("{union}", "hll_union_agg(s.participants)")
            .replace(
                "{count}",
                "round(hll_cardinality(hll_union_agg(s.participants)))::int8",
            )
    } else {
        sql.replace("{union}", "NULL::bytea")
            .replace("{count}", "NULL::int8")
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
            .replace("{sketch}", HLL_SKETCH)
            .replace("{join_sketch}", HLL_JOIN)
            .replace("{participants}", "b.people")
    } else {
        REBUILD
            .replace("{sketch}", "")
            .replace("{join_sketch}", "")
            .replace("{participants}", "NULL")
    };
    let last = if whole { EVERY_TAKEN } else { MARKED_TAKEN };
    format!("{head}{}{last}", tail.replace("{gone}", gone))
}

/// The sketch of each bucket's GOING people, the union of its events'
/// sketches; hll's defaults (log2m 11, explicit storage for small sets)
/// count up to a few hundred people exactly and beyond that within about
/// 2.3 % (one standard error). Built per event inside the bucket's own
/// aggregate rather than as a second CTE joined to it: the planner cannot
/// estimate the CTEs, guessed one bucket on each side and re-aggregated
/// the sketches once per bucket, 24 s for the 4,000 events of a seed.
const HLL_SKETCH: &str = ",
           hll_union_agg(going.people) AS people";

/// Each event's GOING people, hashed (NULL when nobody goes, as the union
/// of nothing is).
const HLL_JOIN: &str = "
    LEFT JOIN LATERAL (
        SELECT hll_add_agg(hll_hash_bytea(uuid_send(r.person_id))) AS people
        FROM rsvps r WHERE r.event_id = ev.id AND r.status = 'GOING'
    ) going ON true";

/// A batch of marks, the buckets they name and those buckets' events.
const MARKED_BUCKETS: &str = "
WITH taken AS (
    DELETE FROM stats_dirty
    WHERE id IN (SELECT id FROM stats_dirty ORDER BY id LIMIT $1)
    RETURNING commune_code, day, kind
), k AS (
    SELECT DISTINCT commune_code, day, kind FROM taken
), ev AS (
    SELECT k.commune_code, cm.department_code, k.day, k.kind, e.id, e.seats_taken
    FROM k
    JOIN communes cm ON cm.code = k.commune_code
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
    SELECT e.commune_code, cm.department_code, (e.starts_at AT TIME ZONE 'Europe/Paris')::date AS day,
           e.kind, e.id, e.seats_taken
    FROM events e JOIN communes cm ON cm.code = e.commune_code
    WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL
)";

/// Marked buckets left with no counted event. An EXCEPT rather than NOT
/// EXISTS: the planner cannot estimate the CTEs and chose a nested anti
/// join, 200 million comparisons (48 s) for a batch of 20,000 marks.
const GONE_MARKED: &str = "DELETE FROM stats_daily s
    USING (SELECT commune_code, day, kind FROM k EXCEPT SELECT commune_code, day, kind FROM b) g
    WHERE (s.commune_code, s.day, s.kind) = (g.commune_code, g.day, g.kind)";

/// Any bucket left with no counted event.
const GONE_EVERYWHERE: &str = "DELETE FROM stats_daily s
    WHERE NOT EXISTS (SELECT 1 FROM b WHERE (b.commune_code, b.day, b.kind) = (s.commune_code, s.day, s.kind))";

/// The buckets of `ev`, rebuilt whole.
const REBUILD: &str = ", b AS (
    SELECT ev.commune_code, ev.day, ev.kind, min(ev.department_code) AS department_code,
           count(*)::int4 AS events,
           COALESCE(sum(ev.seats_taken), 0)::int8 AS seats,
           sum(o.leaflets)::int8 AS leaflets, sum(o.doors_knocked)::int8 AS doors_knocked,
           sum(o.conversations)::int8 AS conversations, sum(o.posters)::int8 AS posters,
           sum(o.signatures)::int8 AS signatures, sum(att.seats)::int8 AS attended{sketch}
    FROM ev
    LEFT JOIN event_outcomes o ON o.event_id = ev.id
    LEFT JOIN LATERAL (
        SELECT sum(CASE WHEN r.attended THEN 1 + r.guests ELSE 0 END) AS seats
        FROM rsvps r WHERE r.event_id = ev.id AND r.attended IS NOT NULL
    ) att ON true{join_sketch}
    GROUP BY 1, 2, 3
), gone AS (
    {gone}
), put AS (
    INSERT INTO stats_daily AS s (commune_code, day, kind, department_code, events, seats,
                                  participants, leaflets, doors_knocked, conversations, posters,
                                  signatures, attended)
    SELECT b.commune_code, b.day, b.kind, b.department_code, b.events, b.seats, {participants}, b.leaflets,
           b.doors_knocked, b.conversations, b.posters, b.signatures, b.attended
    FROM b
    ON CONFLICT (commune_code, day, kind) DO UPDATE SET
        events = EXCLUDED.events, seats = EXCLUDED.seats, participants = EXCLUDED.participants,
        leaflets = EXCLUDED.leaflets, doors_knocked = EXCLUDED.doors_knocked,
        conversations = EXCLUDED.conversations, posters = EXCLUDED.posters,
        signatures = EXCLUDED.signatures, attended = EXCLUDED.attended
)
";

/// What an incremental statement returns: its marks and their buckets.
const MARKED_TAKEN: &str = "SELECT (SELECT count(*) FROM taken) AS marks,
       COALESCE(array_agg(commune_code), '{}') AS communes, COALESCE(array_agg(day), '{}') AS days,
       COALESCE(array_agg(kind), '{}') AS kinds
FROM k";

/// What a whole rebuild returns: its marks.
const EVERY_TAKEN: &str =
    "SELECT count(*) AS marks, '{}'::text[] AS communes, '{}'::date[] AS days,
       '{}'::event_kind[] AS kinds
FROM taken";

/// The department and all-time commune rows of the buckets a batch
/// touched ($1, $2, $3: their communes, days and kinds), rebuilt from
/// stats_daily.
const DERIVED_TOUCHED: &str = "
WITH k AS (
    SELECT * FROM unnest($1::text[], $2::date[], $3::event_kind[]) AS k(commune_code, day, kind)
), dk AS (
    SELECT DISTINCT c.department_code, k.day, k.kind FROM k JOIN communes c ON c.code = k.commune_code
), ck AS (
    SELECT DISTINCT COALESCE(cm.parent_code, cm.code) AS commune_code
    FROM k JOIN communes cm ON cm.code = k.commune_code
), d AS (
    SELECT dk.department_code, dk.day, dk.kind, sum(s.events)::int4 AS events,
           sum(s.seats)::int8 AS seats, {union} AS participants, sum(s.leaflets)::int8 AS leaflets,
           sum(s.doors_knocked)::int8 AS doors_knocked, sum(s.conversations)::int8 AS conversations,
           sum(s.posters)::int8 AS posters, sum(s.signatures)::int8 AS signatures,
           sum(s.attended)::int8 AS attended
    FROM dk JOIN stats_daily s USING (department_code, day, kind)
    GROUP BY 1, 2, 3
), c AS (
    SELECT ck.commune_code, sum(s.events)::int4 AS events, sum(s.seats)::int8 AS seats,
           {count} AS participants, sum(s.leaflets)::int8 AS leaflets,
           sum(s.doors_knocked)::int8 AS doors_knocked, sum(s.conversations)::int8 AS conversations,
           sum(s.posters)::int8 AS posters, sum(s.signatures)::int8 AS signatures,
           sum(s.attended)::int8 AS attended
    FROM ck
    JOIN communes cm ON cm.code = ck.commune_code OR cm.parent_code = ck.commune_code
    JOIN stats_daily s ON s.commune_code = cm.code
    GROUP BY 1
), d_gone AS (
    DELETE FROM stats_department_daily t USING dk
    WHERE (t.department_code, t.day, t.kind) = (dk.department_code, dk.day, dk.kind)
      AND NOT EXISTS (SELECT 1 FROM d WHERE (d.department_code, d.day, d.kind) = (dk.department_code, dk.day, dk.kind))
), c_gone AS (
    DELETE FROM stats_commune_total t USING ck
    WHERE t.commune_code = ck.commune_code AND NOT EXISTS (SELECT 1 FROM c WHERE c.commune_code = ck.commune_code)
), d_put AS (
    INSERT INTO stats_department_daily SELECT * FROM d
    ON CONFLICT (department_code, day, kind) DO UPDATE SET
        events = EXCLUDED.events, seats = EXCLUDED.seats, participants = EXCLUDED.participants,
        leaflets = EXCLUDED.leaflets, doors_knocked = EXCLUDED.doors_knocked,
        conversations = EXCLUDED.conversations, posters = EXCLUDED.posters,
        signatures = EXCLUDED.signatures, attended = EXCLUDED.attended
)
INSERT INTO stats_commune_total SELECT * FROM c
ON CONFLICT (commune_code) DO UPDATE SET
    events = EXCLUDED.events, seats = EXCLUDED.seats, participants = EXCLUDED.participants,
    leaflets = EXCLUDED.leaflets, doors_knocked = EXCLUDED.doors_knocked,
    conversations = EXCLUDED.conversations, posters = EXCLUDED.posters,
    signatures = EXCLUDED.signatures, attended = EXCLUDED.attended";

/// The department rollup rebuilt whole (once emptied).
const DEPARTMENTS_WHOLE: &str = "
INSERT INTO stats_department_daily
SELECT s.department_code, s.day, s.kind, sum(s.events)::int4, sum(s.seats)::int8, {union},
       sum(s.leaflets)::int8, sum(s.doors_knocked)::int8, sum(s.conversations)::int8,
       sum(s.posters)::int8, sum(s.signatures)::int8, sum(s.attended)::int8
FROM stats_daily s GROUP BY 1, 2, 3";

/// The all-time city rollup rebuilt whole (once emptied).
const COMMUNES_WHOLE: &str = "
INSERT INTO stats_commune_total
SELECT COALESCE(cm.parent_code, cm.code), sum(s.events)::int4, sum(s.seats)::int8, {count},
       sum(s.leaflets)::int8, sum(s.doors_knocked)::int8, sum(s.conversations)::int8,
       sum(s.posters)::int8, sum(s.signatures)::int8, sum(s.attended)::int8
FROM stats_daily s JOIN communes cm ON cm.code = s.commune_code GROUP BY 1";
