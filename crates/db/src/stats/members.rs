//! Members by place of residence (now) or over time (daily snapshots).
//!
//! Counted members are accounts neither deleted nor banned, as in totals.
//! A snapshot row holds one department on one day (members with no known
//! commune in a row of their own, counted nationally only); the server takes
//! today's every hour (`snapshot`, idempotent per day: a later run of the
//! same day refreshes it), and the first run rebuilds the days since
//! launch from sign-up, deletion and ban dates, with no active count for
//! them (session activity has no history before it). Rebuilt days never
//! overwrite a snapshot that was taken.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgPool, Postgres, QueryBuilder};

use super::{Dimension, key_sql, label_table, population_sql, push_place_filters};
use crate::Result;

#[derive(Debug, Clone, Default)]
pub struct MembersFilter {
    pub department: Option<String>,
    pub region: Option<String>,
    /// Sign-ups counted as new from (inclusive) and to (exclusive); for
    /// periods, the days shown.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MemberRow {
    pub key: String,
    pub label: String,
    pub members: i64,
    pub new_members: i64,
    /// None for periods before the first snapshot was taken.
    pub active_30d: Option<i64>,
    pub population: Option<i64>,
}

/// Members now, per place of residence (or one national row when
/// `dimension` is None), largest first.
pub async fn members_by_place(
    pool: &PgPool,
    dimension: Option<Dimension>,
    f: &MembersFilter,
    new_from: DateTime<Utc>,
    new_to: DateTime<Utc>,
) -> Result<Vec<MemberRow>> {
    // Grouped by the stored commune first (an index-only scan of
    // people_stats_idx), then by place: the join handles thousands of
    // groups rather than a million people.
    let mut q: QueryBuilder<Postgres> = QueryBuilder::new(
        "WITH g AS (SELECT p.commune_code, count(*) AS members, count(*) FILTER (WHERE p.created_at >= ",
    );
    q.push_bind(new_from)
        .push(" AND p.created_at < ")
        .push_bind(new_to)
        .push(
            ") AS new_members, count(*) FILTER (WHERE p.last_active_on >= current_date - 30) AS active
             FROM people p WHERE p.deleted_at IS NULL AND p.banned_at IS NULL GROUP BY 1)",
        );
    let key = dimension.map_or("'FR'", key_sql);
    let national = dimension.is_none() && f.department.is_none() && f.region.is_none();
    q.push(", a AS (SELECT ").push(key).push(
        " AS key, sum(g.members)::int8 AS members, sum(g.new_members)::int8 AS new_members,
         sum(g.active)::int8 AS active_30d FROM g ",
    );
    // Members with no known commune count nationally only.
    q.push(if national { "LEFT JOIN" } else { "JOIN" })
        .push(" communes c ON c.code = g.commune_code WHERE true");
    push_place_filters(
        &mut q,
        "c.department_code",
        f.department.as_deref(),
        f.region.as_deref(),
    );
    q.push(" GROUP BY 1) SELECT a.key, ");
    match dimension.and_then(label_table) {
        Some(table) => {
            q.push("COALESCE(l.name, a.key) AS label, a.members, a.new_members, a.active_30d, ");
            q.push(format_args!(
                "pop.population FROM a LEFT JOIN {table} l ON l.code = a.key"
            ));
        }
        None => {
            q.push(
                "'France' AS label, a.members, a.new_members, a.active_30d, pop.population FROM a",
            );
        }
    }
    match dimension.and_then(population_sql) {
        Some(sql) => {
            q.push(format_args!(" LEFT JOIN ({sql}) pop ON pop.key = a.key"));
        }
        None => push_area_population(&mut q, f),
    }
    q.push(" ORDER BY a.members DESC, a.key");
    super::fetch_custom_planned(pool, q).await
}

/// Members over time, one row per day, ISO week or month of the
/// snapshots, oldest first: members and active at the period's last
/// snapshot, new members summed over it.
pub async fn members_by_period(
    pool: &PgPool,
    dimension: Dimension,
    f: &MembersFilter,
) -> Result<Vec<MemberRow>> {
    let mut q: QueryBuilder<Postgres> = QueryBuilder::new(
        "WITH d AS (SELECT s.day, sum(s.members)::int8 AS members, sum(s.new_members)::int8 AS new_members,
                           sum(s.active_30d)::int8 AS active, bool_or(s.active_30d IS NULL) AS unknown
                    FROM member_snapshots s LEFT JOIN departments c ON c.code = s.department_code
                    WHERE true",
    );
    if let Some(d) = &f.department {
        q.push(" AND c.code = ").push_bind(d.clone());
    }
    if let Some(r) = &f.region {
        q.push(" AND c.region_code = ").push_bind(r.clone());
    }
    if let Some(t) = f.from {
        q.push(" AND s.day >= (")
            .push_bind(t)
            .push(" AT TIME ZONE 'Europe/Paris')::date");
    }
    if let Some(t) = f.to {
        q.push(" AND s.day < (")
            .push_bind(t)
            .push(" AT TIME ZONE 'Europe/Paris')::date");
    }
    q.push(" GROUP BY s.day) SELECT ")
        .push(key_sql(dimension).replace("s.day", "d.day"))
        .push(
            " AS key, ",
        )
        .push(key_sql(dimension).replace("s.day", "d.day"))
        .push(
            " AS label, (array_agg(d.members ORDER BY d.day DESC))[1] AS members,
             sum(d.new_members)::int8 AS new_members,
             (array_agg(CASE WHEN d.unknown THEN NULL ELSE d.active END ORDER BY d.day DESC))[1] AS active_30d,
             max(pop.population) AS population FROM d",
        );
    push_area_population(&mut q, f);
    q.push(" GROUP BY 1 ORDER BY 1");
    super::fetch_custom_planned(pool, q).await
}

/// Joins `pop`: the population of France, or of the filtered department
/// or region.
fn push_area_population(q: &mut QueryBuilder<Postgres>, f: &MembersFilter) {
    q.push(
        " CROSS JOIN (SELECT sum(population)::int8 AS population FROM communes c
          WHERE parent_code IS NULL",
    );
    push_place_filters(
        q,
        "c.department_code",
        f.department.as_deref(),
        f.region.as_deref(),
    );
    q.push(") pop");
}

/// Takes (or refreshes) the snapshot of `day`, and rebuilds the days
/// before the first snapshot from sign-up, deletion and ban dates.
/// Returns the number of rows written.
pub async fn snapshot(pool: &PgPool, day: NaiveDate) -> Result<u64> {
    let mut tx = pool.begin().await?;
    // The past is rebuilt while someone signed up before the earliest
    // snapshot: on the first run, and after an import of older members.
    let behind: bool = sqlx::query_scalar(
        "SELECT COALESCE((SELECT min(created_at AT TIME ZONE 'Europe/Paris')::date FROM people)
                         < COALESCE((SELECT min(day) FROM member_snapshots), $1), false)",
    )
    .bind(day)
    .fetch_one(&mut *tx)
    .await?;
    let backfilled = if !behind {
        0
    } else {
        sqlx::query(
        "WITH first AS (
             SELECT COALESCE((SELECT min(day) FROM member_snapshots WHERE active_30d IS NOT NULL), $1)
                 AS day
         ), moves AS (
             SELECT c.department_code, (p.created_at AT TIME ZONE 'Europe/Paris')::date AS day,
                    1 AS joined, 0 AS gone
             FROM people p LEFT JOIN communes c ON c.code = p.commune_code
             UNION ALL
             SELECT c.department_code,
                    (LEAST(p.deleted_at, p.banned_at) AT TIME ZONE 'Europe/Paris')::date, 0, 1
             FROM people p LEFT JOIN communes c ON c.code = p.commune_code
             WHERE p.deleted_at IS NOT NULL OR p.banned_at IS NOT NULL
         ), per_day AS (
             SELECT department_code, day, sum(joined) AS joined, sum(gone) AS gone
             FROM moves GROUP BY 1, 2
         ), days AS (
             SELECT generate_series((SELECT min(day) FROM per_day), (SELECT day FROM first) - 1,
                                    interval '1 day')::date AS day
         ), grid AS (
             SELECT d.code AS department_code, days.day,
                    COALESCE(pd.joined, 0) AS joined, COALESCE(pd.gone, 0) AS gone
             FROM (SELECT code FROM departments UNION ALL SELECT NULL) d CROSS JOIN days
             LEFT JOIN per_day pd ON pd.department_code IS NOT DISTINCT FROM d.code AND pd.day = days.day
         ), running AS (
             SELECT department_code, day, joined, gone,
                    sum(joined - gone) OVER (PARTITION BY department_code ORDER BY day) AS members
             FROM grid
         )
         INSERT INTO member_snapshots (day, department_code, members, new_members, removed, active_30d)
         SELECT day, department_code, members, joined, gone, NULL FROM running
         WHERE members > 0 OR joined > 0 OR gone > 0
         ON CONFLICT (day, COALESCE(department_code, '')) DO NOTHING",
    )
        .bind(day)
        .execute(&mut *tx)
        .await?
        .rows_affected()
    };
    let today = sqlx::query(
        "INSERT INTO member_snapshots (day, department_code, members, new_members, removed, active_30d)
         SELECT $1, c.department_code,
                count(*) FILTER (WHERE p.deleted_at IS NULL AND p.banned_at IS NULL),
                count(*) FILTER (WHERE (p.created_at AT TIME ZONE 'Europe/Paris')::date = $1),
                count(*) FILTER (WHERE (LEAST(p.deleted_at, p.banned_at) AT TIME ZONE 'Europe/Paris')::date = $1),
                count(*) FILTER (WHERE p.deleted_at IS NULL AND p.banned_at IS NULL
                                   AND p.last_active_on >= $1 - 30)
         FROM people p LEFT JOIN communes c ON c.code = p.commune_code
         GROUP BY c.department_code
         ON CONFLICT (day, COALESCE(department_code, '')) DO UPDATE SET
             members = EXCLUDED.members, new_members = EXCLUDED.new_members,
             removed = EXCLUDED.removed, active_30d = EXCLUDED.active_30d, taken_at = now()",
    )
    .bind(day)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(backfilled + today)
}
