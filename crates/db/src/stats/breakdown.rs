//! Activity per bucket of one or more dimensions.
//!
//! The daily rollup answers whenever the period's bounds are Europe/Paris
//! midnights (or absent), which is every question the web client and the
//! analysts' tools ask; a bound inside a day is answered from the events
//! themselves, exactly and more slowly.

use chrono::NaiveDate;
use sqlx::{PgPool, Postgres, QueryBuilder};

use super::{
    Dimension, Extras, Filter, Sketches, key_sql, label_table, population_sql, push_place_filters,
};
use crate::Result;

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Row {
    /// One per dimension, in the order asked.
    pub keys: Vec<String>,
    pub labels: Vec<String>,
    pub events: i64,
    /// Seats of GOING RSVPs.
    pub rsvps: i64,
    /// Distinct GOING people; None unless asked.
    pub participants: Option<i64>,
    #[sqlx(flatten)]
    pub figures: Figures,
    /// Inhabitants of the finest place among the keys, when asked.
    pub population: Option<i64>,
}

/// Reported outcomes and attended seats summed over a bucket's events;
/// each None when no event of the bucket reported it.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Figures {
    pub leaflets: Option<i64>,
    pub doors_knocked: Option<i64>,
    pub conversations: Option<i64>,
    pub posters: Option<i64>,
    pub signatures: Option<i64>,
    pub attended: Option<i64>,
}

/// Where the counts come from.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// A rollup, over whole Europe/Paris days.
    Rollup {
        table: Rollup,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    },
    /// The events themselves.
    Events,
}

/// The rollups, finest first: each question reads the coarsest that can
/// answer it, so that it reads a few hundred thousand rows at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rollup {
    /// Commune, day and kind.
    Daily,
    /// Department, day and kind: every question without communes.
    Departments,
    /// City over all time, one row each: communes with no dates, kinds
    /// or periods (departments and regions are the city's).
    CommuneTotals,
}

impl Rollup {
    fn for_question(dimensions: &[Dimension], f: &Filter) -> Self {
        if !dimensions.contains(&Dimension::Commune) {
            Rollup::Departments
        } else if f.from.is_none()
            && f.to.is_none()
            && f.kinds.is_none()
            && dimensions.iter().all(|d| d.is_place())
        {
            Rollup::CommuneTotals
        } else {
            Rollup::Daily
        }
    }

    /// Its table, and the place table `c` it joins.
    fn tables(self) -> (&'static str, &'static str) {
        match self {
            Rollup::Daily => ("stats_daily", "communes c ON c.code = s.commune_code"),
            Rollup::Departments => (
                "stats_department_daily",
                "departments c ON c.code = s.department_code",
            ),
            Rollup::CommuneTotals => (
                "stats_commune_total",
                "communes c ON c.code = s.commune_code",
            ),
        }
    }

    /// The column of `c` that holds the department code.
    fn department_column(self) -> &'static str {
        match self {
            Rollup::Departments => "c.code",
            _ => "c.department_code",
        }
    }
}

/// Buckets largest first (events, then seats), then by keys; at most
/// `limit`. `place` is the dimension whose population is returned.
pub async fn breakdown(
    pool: &PgPool,
    dimensions: &[Dimension],
    place: Option<Dimension>,
    f: &Filter,
    extras: Extras,
    sketches: Sketches,
    limit: i64,
) -> Result<Vec<Row>> {
    let midnight = |t: Option<chrono::DateTime<chrono::Utc>>| match t {
        None => Some(None),
        Some(t) => cortege_domain::stats::paris_midnight(t).map(Some),
    };
    let source = match (midnight(f.from), midnight(f.to)) {
        (Some(from), Some(to)) => Source::Rollup {
            table: Rollup::for_question(dimensions, f),
            from,
            to,
        },
        _ => Source::Events,
    };
    let (place_join, department_column) = match source {
        Source::Rollup { table, .. } => (table.tables().1, table.department_column()),
        Source::Events => ("communes c ON c.code = s.commune_code", "c.department_code"),
    };
    let sketched = sketches.0 && matches!(source, Source::Rollup { .. });
    let keys: Vec<String> = dimensions
        .iter()
        .map(|d| match d {
            Dimension::Department => department_column.to_owned(),
            d => key_sql(*d).to_owned(),
        })
        .collect();
    let n = keys.len();

    let mut q: QueryBuilder<Postgres> = QueryBuilder::new("WITH s AS (");
    push_source(&mut q, source, f, extras);
    q.push("), b AS (SELECT ");
    for (i, k) in keys.iter().enumerate() {
        q.push(format_args!("{k} AS k{i}, "));
    }
    q.push("sum(s.events)::int8 AS events, COALESCE(sum(s.seats), 0)::int8 AS rsvps");
    if sketched && extras.participants {
        if matches!(
            source,
            Source::Rollup {
                table: Rollup::CommuneTotals,
                ..
            }
        ) {
            // One row per city, its people already counted.
            q.push(", COALESCE(max(s.participants), 0)::int8 AS participants");
        } else {
            q.push(
                ", COALESCE(round(hll_cardinality(hll_union_agg(s.participants::hll))), 0)::int8 \
                 AS participants",
            );
        }
    }
    for figure in FIGURES {
        q.push(format_args!(", sum(s.{figure})::int8 AS {figure}"));
    }
    q.push(" FROM s JOIN ").push(place_join).push(" WHERE true");
    push_place_filters(
        &mut q,
        department_column,
        f.department.as_deref(),
        f.region.as_deref(),
    );
    q.push(" GROUP BY ").push(group_by(n)).push(")");
    let exact_participants = extras.participants && !sketched;
    if exact_participants {
        // Distinct people need the RSVP rows, per event.
        q.push(", p AS (SELECT ");
        for (i, k) in dimensions.iter().map(|d| key_sql(*d)).enumerate() {
            q.push(format_args!("{k} AS k{i}, "));
        }
        q.push(
            "count(DISTINCT r.person_id) AS participants
             FROM (SELECT e.id, e.commune_code, (e.starts_at AT TIME ZONE 'Europe/Paris')::date AS day,
                          e.kind
                   FROM events e WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL",
        );
        push_event_filters(&mut q, f);
        q.push(
            ") s JOIN communes c ON c.code = s.commune_code
             JOIN rsvps r ON r.event_id = s.id AND r.status = 'GOING' WHERE true",
        );
        push_place_filters(
            &mut q,
            "c.department_code",
            f.department.as_deref(),
            f.region.as_deref(),
        );
        q.push(" GROUP BY ").push(group_by(n)).push(")");
    }

    q.push(" SELECT ARRAY[");
    push_list(&mut q, n, |i| format!("b.k{i}"));
    q.push("]::text[] AS keys, ARRAY[");
    push_list(&mut q, n, |i| match label_table(dimensions[i]) {
        Some(_) => format!("COALESCE(l{i}.name, b.k{i})"),
        None => format!("b.k{i}"),
    });
    q.push("]::text[] AS labels, b.events, b.rsvps, ");
    if sketched && extras.participants {
        q.push("b.participants");
    } else if exact_participants {
        q.push("COALESCE(p.participants, 0)::int8");
    } else {
        q.push("NULL::int8");
    }
    q.push(" AS participants");
    for figure in FIGURES {
        q.push(format_args!(", b.{figure}"));
    }
    let population = place.filter(|_| extras.population).and_then(|p| {
        dimensions
            .iter()
            .position(|d| *d == p)
            .zip(population_sql(p))
    });
    match population {
        Some(_) => q.push(", pop.population"),
        None => q.push(", NULL::int8 AS population"),
    };
    q.push(" FROM b");
    if exact_participants {
        q.push(" LEFT JOIN p ON ");
        push_list_sep(&mut q, n, " AND ", |i| format!("p.k{i} = b.k{i}"));
    }
    for (i, d) in dimensions.iter().enumerate() {
        if let Some(table) = label_table(*d) {
            q.push(format_args!(
                " LEFT JOIN {table} l{i} ON l{i}.code = b.k{i}"
            ));
        }
    }
    if let Some((i, sql)) = population {
        q.push(format_args!(" LEFT JOIN ({sql}) pop ON pop.key = b.k{i}"));
    }
    q.push(" ORDER BY b.events DESC, b.rsvps DESC, keys LIMIT ")
        .push_bind(limit);

    // Exact distinct participants hash millions of (bucket, person) pairs:
    // give that query the memory to do it without spilling to disk.
    let mut tx = super::custom_plans(pool).await?;
    if exact_participants {
        sqlx::query("SET LOCAL work_mem = '256MB'")
            .execute(&mut *tx)
            .await?;
    }
    let rows = q.build_query_as::<Row>().fetch_all(&mut *tx).await?;
    tx.commit().await?;
    Ok(rows)
}

/// The outcome figures and attended seats, summed per bucket.
const FIGURES: [&str; 6] = [
    "leaflets",
    "doors_knocked",
    "conversations",
    "posters",
    "signatures",
    "attended",
];

fn push_source(q: &mut QueryBuilder<Postgres>, source: Source, f: &Filter, extras: Extras) {
    match source {
        Source::Rollup { table, from, to } => {
            let (place, period) = match table {
                Rollup::Daily => ("commune_code", "day, kind"),
                Rollup::Departments => ("department_code", "day, kind"),
                Rollup::CommuneTotals => (
                    "commune_code",
                    "NULL::date AS day, NULL::event_kind AS kind",
                ),
            };
            q.push(format_args!(
                "SELECT {place}, {period}, events, seats, participants, leaflets, doors_knocked,
                        conversations, posters, signatures, attended
                 FROM {} s WHERE true",
                table.tables().0
            ));
            if let Some(d) = from {
                q.push(" AND s.day >= ").push_bind(d);
            }
            if let Some(d) = to {
                q.push(" AND s.day < ").push_bind(d);
            }
            if let Some(kinds) = &f.kinds {
                q.push(" AND s.kind = ANY(")
                    .push_bind(kinds.clone())
                    .push("::event_kind[])");
            }
        }
        Source::Events => {
            q.push(
                "SELECT e.commune_code, (e.starts_at AT TIME ZONE 'Europe/Paris')::date AS day, e.kind,
                        1 AS events, e.seats_taken AS seats",
            );
            if extras.outcomes {
                q.push(", o.leaflets, o.doors_knocked, o.conversations, o.posters, o.signatures");
            } else {
                q.push(
                    ", NULL::int8 AS leaflets, NULL::int8 AS doors_knocked, NULL::int8 AS conversations,
                     NULL::int8 AS posters, NULL::int8 AS signatures",
                );
            }
            if extras.attended {
                q.push(", att.seats AS attended");
            } else {
                q.push(", NULL::int8 AS attended");
            }
            q.push(" FROM events e");
            if extras.outcomes {
                q.push(" LEFT JOIN event_outcomes o ON o.event_id = e.id");
            }
            if extras.attended {
                q.push(
                    " LEFT JOIN LATERAL (
                        SELECT sum(CASE WHEN r.attended THEN 1 + r.guests ELSE 0 END) AS seats
                        FROM rsvps r WHERE r.event_id = e.id AND r.attended IS NOT NULL
                    ) att ON true",
                );
            }
            q.push(" WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL");
            push_event_filters(q, f);
        }
    }
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

fn group_by(n: usize) -> String {
    (1..=n)
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn push_list(q: &mut QueryBuilder<Postgres>, n: usize, item: impl Fn(usize) -> String) {
    push_list_sep(q, n, ", ", item);
}

fn push_list_sep(
    q: &mut QueryBuilder<Postgres>,
    n: usize,
    sep: &str,
    item: impl Fn(usize) -> String,
) {
    for i in 0..n {
        if i > 0 {
            q.push(sep);
        }
        q.push(item(i));
    }
}
