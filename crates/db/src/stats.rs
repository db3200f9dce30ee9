//! Statistics for the national team: events, seats and participants per
//! commune, department, region, kind, day or week.

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, QueryBuilder};

use crate::Result;

/// How buckets are keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dimension {
    /// The commune of the address, arrondissements rolled up into their city.
    Commune,
    Department,
    Region,
    Kind,
    /// Europe/Paris calendar day, "2026-11-23".
    Day,
    /// Europe/Paris ISO week, "2026-W48".
    Week,
}

#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Inclusive, on startsAt.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive, on startsAt.
    pub to: Option<DateTime<Utc>>,
    pub kinds: Option<Vec<&'static str>>,
    pub department: Option<String>,
    pub region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Bucket {
    pub key: String,
    pub label: String,
    pub events: i64,
    /// Seats of GOING RSVPs (1 + guests each).
    pub rsvps: i64,
    /// Distinct people with a GOING RSVP.
    pub participants: i64,
}

/// Events counted are neither cancelled nor removed; buckets come largest
/// first (events, then seats), then by key. Distinct participants cost a
/// pass over the RSVPs: only when `participants` is asked for (else 0).
pub async fn activity(
    pool: &PgPool,
    dimension: Dimension,
    f: &Filter,
    participants: bool,
) -> Result<Vec<Bucket>> {
    let (key, label_join, label) = match dimension {
        Dimension::Commune => (
            "COALESCE(c.parent_code, c.code)",
            " JOIN communes l ON l.code = a.key",
            "l.name",
        ),
        Dimension::Department => (
            "c.department_code",
            " JOIN departments l ON l.code = a.key",
            "l.name",
        ),
        Dimension::Region => (
            "c.region_code",
            " JOIN regions l ON l.code = a.key",
            "l.name",
        ),
        Dimension::Kind => ("e.kind::text", "", "a.key"),
        Dimension::Day => (
            "to_char(e.starts_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD')",
            "",
            "a.key",
        ),
        Dimension::Week => (
            "to_char(e.starts_at AT TIME ZONE 'Europe/Paris', 'IYYY-\"W\"IW')",
            "",
            "a.key",
        ),
    };
    let mut q: QueryBuilder<Postgres> =
        QueryBuilder::new("WITH ev AS (SELECT e.id, e.seats_taken, ");
    q.push(key).push(
        " AS key FROM events e JOIN communes c ON c.code = e.commune_code
         WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL",
    );
    if let Some(t) = f.from {
        q.push(" AND e.starts_at >= ").push_bind(t);
    }
    if let Some(t) = f.to {
        q.push(" AND e.starts_at < ").push_bind(t);
    }
    if let Some(kinds) = &f.kinds {
        q.push(" AND e.kind = ANY(")
            .push_bind(kinds.clone())
            .push("::event_kind[])");
    }
    if let Some(d) = &f.department {
        q.push(" AND c.department_code = ").push_bind(d.clone());
    }
    if let Some(r) = &f.region {
        q.push(" AND c.region_code = ").push_bind(r.clone());
    }
    // Seats come from the exact per-event counter; distinct participants
    // need the RSVP rows.
    q.push(
        "), a AS (SELECT key, count(*) AS events, COALESCE(sum(seats_taken), 0)::int8 AS rsvps
                  FROM ev GROUP BY key),
            p AS (SELECT key, count(*) AS participants FROM (
                      SELECT DISTINCT ev.key, r.person_id
                      FROM ev JOIN rsvps r ON r.event_id = ev.id AND r.status = 'GOING'",
    );
    if !participants {
        q.push(" AND false");
    }
    q.push(
        ") d GROUP BY key)
         SELECT a.key, ",
    );
    q.push(label).push(
        " AS label, a.events, a.rsvps, COALESCE(p.participants, 0) AS participants
         FROM a LEFT JOIN p ON p.key = a.key",
    );
    q.push(label_join);
    q.push(" ORDER BY a.events DESC, a.rsvps DESC, a.key");
    // Distinct participants hash millions of (bucket, person) pairs: give
    // this one query the memory to do it without spilling to disk.
    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL work_mem = '256MB'")
        .execute(&mut *tx)
        .await?;
    let buckets = q.build_query_as::<Bucket>().fetch_all(&mut *tx).await?;
    tx.commit().await?;
    Ok(buckets)
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

pub async fn totals(pool: &PgPool) -> Result<Totals> {
    Ok(sqlx::query_as(
        "SELECT
             (SELECT count(*) FROM people WHERE deleted_at IS NULL AND banned_at IS NULL) AS people,
             (SELECT count(*) FROM events WHERE cancelled_at IS NULL AND removed_at IS NULL) AS events,
             (SELECT count(*) FROM events WHERE cancelled_at IS NULL AND removed_at IS NULL
                  AND ends_at > now()) AS upcoming_events,
             (SELECT COALESCE(sum(seats_taken), 0)::int8 FROM events
                  WHERE cancelled_at IS NULL AND removed_at IS NULL) AS rsvps,
             (SELECT count(*) FROM groups WHERE removed_at IS NULL) AS groups,
             (SELECT count(*) FROM reports WHERE status = 'OPEN') AS open_reports",
    )
    .fetch_one(pool)
    .await?)
}
