//! Statistics for the national team: activity (events, seats, distinct
//! participants, outcomes) by place, kind and period, read from the
//! maintained daily rollup (`rollup`), and members by place of residence or
//! over time (`members`, from daily snapshots).

mod breakdown;
mod members;
mod rollup;

pub use breakdown::{Figures, Row, breakdown};
pub use members::{MemberRow, MembersFilter, members_by_period, members_by_place, snapshot};
pub use rollup::{Sketches, flush, flush_small, rebuild, sketches};

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, QueryBuilder};

use crate::Result;

/// How buckets are keyed.
pub use cortege_domain::StatsDimension as Dimension;

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Inclusive, on startsAt.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive, on startsAt.
    pub to: Option<DateTime<Utc>>,
    pub kinds: Option<Vec<cortege_domain::EventKind>>,
    pub department: Option<String>,
    pub region: Option<String>,
}

/// What to compute beyond events and seats.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras {
    /// Distinct participants.
    pub participants: bool,
    /// Sums of reported outcomes.
    pub outcomes: bool,
    /// Attended seats.
    pub attended: bool,
    /// The population of the bucket's place, for per-capita figures.
    pub population: bool,
}

/// The SQL key of a dimension over a relation `s` with `day` (the Europe/
/// Paris date) and `kind`, joined with `communes c`.
fn key_sql(d: Dimension) -> &'static str {
    match d {
        Dimension::Commune => "COALESCE(c.parent_code, c.code)",
        Dimension::Department => "c.department_code",
        Dimension::Region => "c.region_code",
        Dimension::Kind => "s.kind::text",
        Dimension::Day => "to_char(s.day, 'YYYY-MM-DD')",
        Dimension::Week => "to_char(s.day, 'IYYY-\"W\"IW')",
        Dimension::Month => "to_char(s.day, 'YYYY-MM')",
    }
}

/// The table naming the places of a dimension, for labels.
fn label_table(d: Dimension) -> Option<&'static str> {
    match d {
        Dimension::Commune => Some("communes"),
        Dimension::Department => Some("departments"),
        Dimension::Region => Some("regions"),
        _ => None,
    }
}

/// Inhabitants per place of a dimension (INSEE populations; a city's
/// arrondissements are counted in the city's own row).
fn population_sql(d: Dimension) -> Option<&'static str> {
    match d {
        Dimension::Commune => {
            Some("SELECT code AS key, population::int8 AS population FROM communes")
        }
        Dimension::Department => Some(
            "SELECT department_code AS key, sum(population)::int8 AS population FROM communes
             WHERE parent_code IS NULL GROUP BY 1",
        ),
        Dimension::Region => Some(
            "SELECT region_code AS key, sum(population)::int8 AS population FROM communes
             WHERE parent_code IS NULL GROUP BY 1",
        ),
        _ => None,
    }
}

/// A transaction whose statements are planned for their arguments. The
/// pools keep one generic plan per statement (see [`crate::connect`]),
/// right for pages, not for statistics: a week of events is read by index,
/// a year by a scan. Statistics run rarely, so planning each costs little.
async fn custom_plans(pool: &PgPool) -> Result<crate::Tx<'static>> {
    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL plan_cache_mode = force_custom_plan")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Runs `q` with custom plans (see [`custom_plans`]).
async fn fetch_custom_planned<T>(pool: &PgPool, mut q: QueryBuilder<Postgres>) -> Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
{
    let mut tx = custom_plans(pool).await?;
    let rows = q.build_query_as().fetch_all(&mut *tx).await?;
    tx.commit().await?;
    Ok(rows)
}

/// Filters on the place table `c`, whose department code is in
/// `department_column`.
fn push_place_filters(
    q: &mut QueryBuilder<Postgres>,
    department_column: &str,
    department: Option<&str>,
    region: Option<&str>,
) {
    if let Some(d) = department {
        q.push(format_args!(" AND {department_column} = "))
            .push_bind(d.to_owned());
    }
    if let Some(r) = region {
        q.push(" AND c.region_code = ").push_bind(r.to_owned());
    }
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Totals {
    /// Accounts neither deleted nor banned.
    pub people: i64,
    /// Neither cancelled nor removed.
    pub events: i64,
    pub upcoming_events: i64,
    /// Seats of GOING RSVPs on counted events.
    pub rsvps: i64,
    pub groups: i64,
    pub open_reports: i64,
}

/// Read from the rollups where they hold the answer: events and seats in
/// all, and upcoming events starting after today; only today's and the
/// running ones are counted from the events.
pub async fn totals(pool: &PgPool) -> Result<Totals> {
    Ok(sqlx::query_as(
        "WITH tomorrow AS (
             SELECT ((now() AT TIME ZONE 'Europe/Paris')::date + 1) AS day
         )
         SELECT
             (SELECT count(*) FROM people WHERE deleted_at IS NULL AND banned_at IS NULL) AS people,
             (SELECT COALESCE(sum(events), 0)::int8 FROM stats_commune_total) AS events,
             (SELECT COALESCE(sum(events), 0) FROM stats_department_daily
                  WHERE day >= (SELECT day FROM tomorrow))::int8
             -- Running now or later today: the range index finds the few
             -- thousand; the start time index took ~50,000 heap reads for
             -- the week's events (2.9 s cold at 1M events).
             + (SELECT count(*) FROM events WHERE cancelled_at IS NULL AND removed_at IS NULL
                  AND tstzrange(starts_at, ends_at) && tstzrange(now(),
                      (SELECT day FROM tomorrow)::timestamp AT TIME ZONE 'Europe/Paris'))
                 AS upcoming_events,
             (SELECT COALESCE(sum(seats), 0)::int8 FROM stats_commune_total) AS rsvps,
             (SELECT count(*) FROM groups WHERE removed_at IS NULL) AS groups,
             (SELECT count(*) FROM reports WHERE status = 'OPEN') AS open_reports",
    )
    .fetch_one(pool)
    .await?)
}
