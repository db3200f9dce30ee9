//! Statistics for the national team: events, seats and participants per
//! commune, department, region, kind, day or week.

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

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Bucket {
    pub key: String,
    pub label: String,
    pub events: i64,
    /// Seats of GOING RSVPs (1 + guests each).
    pub rsvps: i64,
    /// Distinct people with a GOING RSVP.
    pub participants: i64,
    /// Sums of the reported outcomes; None when no event of the bucket
    /// reported that figure (or outcomes were not asked for).
    pub leaflets: Option<i64>,
    pub doors_knocked: Option<i64>,
    pub conversations: Option<i64>,
    pub posters: Option<i64>,
    pub signatures: Option<i64>,
    /// Seats of the parties marked as having come; None when no event of
    /// the bucket had attendance taken (or it was not asked for).
    pub attended: Option<i64>,
}

/// What to compute beyond events and seats, each costing a pass of its own.
#[derive(Debug, Clone, Copy, Default)]
pub struct Extras {
    /// Distinct participants: a pass over the RSVPs.
    pub participants: bool,
    /// Sums of reported outcomes: a join with them.
    pub outcomes: bool,
    /// Attended seats: a pass over the RSVPs marked (rsvps_attended_idx).
    pub attended: bool,
}

/// The outcome figures summed per bucket, in order.
const OUTCOME_FIGURES: [&str; 5] = [
    "leaflets",
    "doors_knocked",
    "conversations",
    "posters",
    "signatures",
];

/// Events counted are neither cancelled nor removed; buckets come largest
/// first (events, then seats), then by key. Distinct participants and
/// outcomes are computed only when `extras` asks for them (else 0 and
/// None).
pub async fn activity(
    pool: &PgPool,
    dimension: Dimension,
    f: &Filter,
    extras: Extras,
) -> Result<Vec<Bucket>> {
    let participants = extras.participants;
    // `raw` is what the events are first grouped by besides their commune
    // (an index-only scan of events_stats_idx); `key` then maps each
    // (commune, raw) group to its bucket, so the join with communes handles
    // thousands of groups rather than a million events.
    let (raw, key, label_join, label) = match dimension {
        Dimension::Commune => (
            "''",
            "COALESCE(c.parent_code, c.code)",
            " JOIN communes l ON l.code = a.key",
            "l.name",
        ),
        Dimension::Department => (
            "''",
            "c.department_code",
            " JOIN departments l ON l.code = a.key",
            "l.name",
        ),
        Dimension::Region => (
            "''",
            "c.region_code",
            " JOIN regions l ON l.code = a.key",
            "l.name",
        ),
        Dimension::Kind => ("e.kind::text", "g.raw", "", "a.key"),
        Dimension::Day => (
            "to_char(e.starts_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD')",
            "g.raw",
            "",
            "a.key",
        ),
        Dimension::Week => (
            "to_char(e.starts_at AT TIME ZONE 'Europe/Paris', 'IYYY-\"W\"IW')",
            "g.raw",
            "",
            "a.key",
        ),
    };
    let mut q: QueryBuilder<Postgres> = QueryBuilder::new("WITH ");
    if extras.attended {
        // Per event that took attendance: the seats that came (0 when
        // everyone marked was absent); events that took none stay out.
        q.push(
            "att AS (SELECT event_id, sum(CASE WHEN attended THEN 1 + guests ELSE 0 END) AS seats
             FROM rsvps WHERE attended IS NOT NULL GROUP BY event_id), ",
        );
    }
    q.push("g AS (SELECT e.commune_code, ");
    q.push(raw)
        .push(" AS raw, count(*) AS events, COALESCE(sum(e.seats_taken), 0)::int8 AS seats");
    if extras.attended {
        q.push(", sum(att.seats)::int8 AS attended");
    } else {
        q.push(", NULL::int8 AS attended");
    }
    for figure in OUTCOME_FIGURES {
        if extras.outcomes {
            q.push(format_args!(", sum(o.{figure})::int8 AS {figure}"));
        } else {
            q.push(format_args!(", NULL::int8 AS {figure}"));
        }
    }
    q.push(" FROM events e");
    if extras.outcomes {
        // One row per event at most: the outcome's key is the event.
        q.push(" LEFT JOIN event_outcomes o ON o.event_id = e.id");
    }
    if extras.attended {
        q.push(" LEFT JOIN att ON att.event_id = e.id");
    }
    q.push(" WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL");
    push_event_filters(&mut q, f);
    q.push(" GROUP BY 1, 2), a AS (SELECT ")
        .push(key)
        .push(" AS key, sum(g.events)::int8 AS events, sum(g.seats)::int8 AS rsvps")
        .push(", sum(g.attended)::int8 AS attended");
    for figure in OUTCOME_FIGURES {
        q.push(format_args!(", sum(g.{figure})::int8 AS {figure}"));
    }
    q.push(" FROM g JOIN communes c ON c.code = g.commune_code WHERE true");
    push_place_filters(&mut q, f);
    q.push(" GROUP BY 1)");
    if participants {
        // Distinct people need the RSVP rows, per event.
        q.push(", p AS (SELECT key, count(*) AS participants FROM (SELECT DISTINCT ");
        q.push(key.replace("g.raw", raw)).push(
            " AS key, r.person_id FROM events e JOIN communes c ON c.code = e.commune_code
             JOIN rsvps r ON r.event_id = e.id AND r.status = 'GOING'
             WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL",
        );
        push_event_filters(&mut q, f);
        push_place_filters(&mut q, f);
        q.push(") d GROUP BY key)");
    } else {
        q.push(", p AS (SELECT NULL::text AS key, 0::int8 AS participants WHERE false)");
    }
    q.push(" SELECT a.key, ");
    q.push(label).push(
        " AS label, a.events, a.rsvps, COALESCE(p.participants, 0) AS participants,
         a.leaflets, a.doors_knocked, a.conversations, a.posters, a.signatures, a.attended
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

fn push_event_filters(q: &mut QueryBuilder<Postgres>, f: &Filter) {
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
}

fn push_place_filters(q: &mut QueryBuilder<Postgres>, f: &Filter) {
    if let Some(d) = &f.department {
        q.push(" AND c.department_code = ").push_bind(d.clone());
    }
    if let Some(r) = &f.region {
        q.push(" AND c.region_code = ").push_bind(r.clone());
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
