//! Listing events: soonest first (upcoming, or within a window) or nearest
//! first, with the filters every listing shares, in keyset pages.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use cortege_domain::EventKind;
use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use sqlx::Row;

use super::Event;
use crate::groups::{self, Group};
use crate::people::{self, Profile};
use crate::rsvps::{self, Rsvp};
use crate::{ReadAt, Result, Types, geo, keyset};

/// Where a listing resumes: after the last item of the previous page, by
/// the listing's own order. Keyset cursors stay stable under inserts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum After {
    Time(DateTime<Utc>, Uuid),
    Distance(f64, Uuid),
}

/// A listing of events. Visibility is applied here: UNLISTED never, GROUP
/// only to the group's active members, cancelled and removed never.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub viewer: Option<Uuid>,
    /// Centre and radius (km): nearest first.
    pub near: Option<geo::Near>,
    pub kinds: Option<Vec<EventKind>>,
    pub starts_after: Option<DateTime<Utc>>,
    pub starts_before: Option<DateTime<Utc>>,
    pub search: Option<String>,
    pub group: Option<Uuid>,
    /// With `near`: online actions too (they sit at their commune's centre).
    pub include_online: bool,
    pub after: Option<After>,
    /// Rows to fetch (the page size plus one, to know if more follow).
    pub limit: i64,
    /// Relations to read in the same statement as the page.
    pub with: With,
    /// The query does not ask for descriptions, which can be 10 kB each:
    /// the page reads an empty text in their place.
    pub skip_description: bool,
}

/// The event's columns, an empty description in place of its own (in the
/// same position, for the reader).
pub(super) const BRIEF_COLUMNS: &str = event_columns!("''::text AS description");

/// What a listing reads along with each event, in the same statement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct With {
    pub organiser: bool,
    pub group: bool,
    /// The viewer's own RSVP (none without a viewer).
    pub viewer_rsvp: bool,
}

impl Listing {
    /// Whose RSVP the listing reads with each event: the viewer's, when it
    /// asked and there is one.
    fn rsvps_of(&self) -> Option<Uuid> {
        self.viewer.filter(|_| self.with.viewer_rsvp)
    }
}

/// An event of a listing, with the relations the listing asked for. The
/// relations are shared, as the request's loaders keep them: a row is
/// moved by the collect, the sort and the conversion, and held by value
/// they made it 936 bytes (`memmove` was 6.7 % of a page's CPU).
#[derive(Debug, Clone)]
pub struct Listed {
    pub event: Event,
    pub organiser: Option<Arc<Profile>>,
    pub group: Option<Arc<Group>>,
    pub viewer_rsvp: Option<Arc<Rsvp>>,
}

/// The listing's page (`l.limit` rows at most), in order: soonest first, or
/// nearest first by (distance, id).
///
/// Nearest first walks the GiST index in distance order (KNN), so a page
/// costs the same at 5 km as at 500 km. The KNN order is exact for the key:
/// `earth_distance` is `sec_to_gc(cube_distance(..))`, a non-decreasing
/// function of the very distance `<->` orders by, so no unfetched event is
/// nearer than the last fetched one. But KNN orders by distance alone: when
/// the page ends inside a group of events at exactly the same distance (same
/// address), the whole group is fetched and ordered by id, so keyset pages
/// never skip nor repeat one (given a cursor that holds the distance bit for
/// bit: see the GraphQL layer's `exact_f64`).
pub async fn list(pool: &PgPool, l: &Listing) -> Result<Vec<Listed>> {
    let mut rows = fetch(pool, l, None).await?;
    if l.near.is_none() {
        // The join with the organisers may return the page in any order.
        rows.sort_by_key(|r| (r.event.starts_at, r.event.id));
        return Ok(rows);
    }
    geo::nearest_first(
        rows,
        l.limit,
        |r: &Listed| (r.event.distance_km.unwrap_or(f64::INFINITY), r.event.id),
        |tie| fetch(pool, l, Some(tie)),
    )
    .await
}

/// The same page of each of `groups`' events (what [`list`] gives with
/// each as the listing's group), in one statement: per group, a `LATERAL`
/// listing cut at the page size. Soonest first only (a group's events):
/// a listing with `near` gets nothing. In order by group, then as `list`.
pub async fn list_per_group(pool: &PgPool, l: &Listing, groups: &[Uuid]) -> Result<Vec<Listed>> {
    if l.near.is_some() || groups.is_empty() {
        return Ok(Vec::new());
    }
    let rows = per_group_query(l, groups).build().fetch_all(pool).await?;
    let mut rows = read_rows(l, &rows)?;
    rows.sort_by_key(|r| (r.event.group_id, r.event.starts_at, r.event.id));
    Ok(rows)
}

/// The plan of [`list_per_group`]'s statement, for the bounded-listing test.
pub async fn plan_per_group(
    pool: &PgPool,
    l: &Listing,
    groups: &[Uuid],
) -> Result<serde_json::Value> {
    crate::statement::generic_plan(pool, &per_group_query(l, groups).into_string()).await
}

fn per_group_query(l: &Listing, groups: &[Uuid]) -> QueryBuilder<Postgres> {
    let mut q = QueryBuilder::new("SELECT x.* FROM unnest(");
    q.push_bind(groups.to_vec())
        .push("::uuid[]) AS pg(group_id) CROSS JOIN LATERAL (");
    push_query(&mut q, l, None, Scope::EachGroup);
    q.push(") x");
    q
}

/// The listing's rows (with `tie`, only the events at exactly that
/// distance), in no particular order.
async fn fetch(pool: &PgPool, l: &Listing, tie: Option<f64>) -> Result<Vec<Listed>> {
    let mut q = QueryBuilder::new("");
    push_query(&mut q, l, tie, Scope::Listing);
    let rows = q.build().fetch_all(pool).await?;
    read_rows(l, &rows)
}

/// A listing's rows, read with the relations it asked for.
fn read_rows(l: &Listing, rows: &[sqlx::postgres::PgRow]) -> Result<Vec<Listed>> {
    let listed = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let types = Types::of_row(i);
            // The event's columns come first, in the order its reader
            // expects (a test in events/mod.rs holds them equal).
            let mut event = Event::read_at(row, 0, types)?;
            event.distance_km = row.try_get("distance_km")?;
            Ok(Listed {
                event,
                organiser: match l.with.organiser {
                    true => people::joined(row, types)?.map(Arc::new),
                    false => None,
                },
                group: match l.with.group {
                    true => groups::joined(row, types)?.map(Arc::new),
                    false => None,
                },
                viewer_rsvp: match l.rsvps_of() {
                    Some(_) => rsvps::joined(row, types)?.map(Arc::new),
                    None => None,
                },
            })
        })
        .collect::<sqlx::Result<_>>()?;
    Ok(listed)
}

/// The plan PostgreSQL chooses for the listing's page (`EXPLAIN (FORMAT
/// JSON)`), for the test that keeps every listing bounded by its page.
pub async fn plan(pool: &PgPool, l: &Listing) -> Result<serde_json::Value> {
    let mut q = QueryBuilder::new("");
    push_query(&mut q, l, None, Scope::Listing);
    crate::statement::generic_plan(pool, &q.into_string()).await
}

/// Whose events a listing's statement reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// The listing's own: its group's, if it has one.
    Listing,
    /// The group `pg.group_id` of an enclosing `unnest` of groups.
    EachGroup,
}

/// The listing's SQL; with `tie`, only the events at exactly that distance.
fn push_query(q: &mut QueryBuilder<Postgres>, l: &Listing, tie: Option<f64>, scope: Scope) {
    let viewer_rsvp = l.rsvps_of();
    if !(l.with.organiser || l.with.group || viewer_rsvp.is_some()) {
        push_listing(q, l, tie, scope);
        return;
    }
    q.push("SELECT p.*");
    if l.with.organiser {
        q.push(", ").push(people::JOINED_COLUMNS);
    }
    if l.with.group {
        q.push(", ").push(groups::JOINED_COLUMNS);
    }
    if viewer_rsvp.is_some() {
        q.push(", ").push(rsvps::JOINED_COLUMNS);
    }
    q.push(" FROM (");
    push_listing(q, l, tie, scope);
    q.push(") p");
    if l.with.organiser {
        // Every event has its organiser (people are never deleted, only
        // emptied).
        q.push(" JOIN people o ON o.id = p.organiser_id");
    }
    if l.with.group {
        q.push(" LEFT JOIN groups g ON g.id = p.group_id");
    }
    if let Some(viewer) = viewer_rsvp {
        q.push(" LEFT JOIN rsvps r ON r.event_id = p.id AND r.person_id = ")
            .push_bind(viewer);
    }
}

/// The listing's own statement: its events, in order.
fn push_listing(q: &mut QueryBuilder<Postgres>, l: &Listing, tie: Option<f64>, scope: Scope) {
    let upcoming = l.near.is_none() && l.starts_after.is_none() && l.starts_before.is_none();
    if upcoming {
        // Upcoming = running now ∪ starting later, each part bounded by its
        // own index and the page; a walk over every event that started
        // before now (most of them over by now) is what this avoids. The
        // parts select keys alone: the events running now (a few hundred
        // at a campaign's height) are sorted for the page, and sorting
        // them narrow, then reading the page's rows by id, took 7–12 % off
        // the statement (docs/performance.md, "The upcoming page by keys").
        push_columns(q, l);
        q.push(" FROM (SELECT * FROM ((");
        push_select(q, l, Select::Keys, scope);
        // Unordered on purpose: the few events running at this instant come
        // from the range index; ordering them here would tempt the planner
        // to walk the time index from the start instead.
        if scope == Scope::EachGroup || l.group.is_some() {
            // A group's own: its index from the longest an event lasts
            // ago to now, a few rows. The range index would be read
            // whole for each group, every event running in the country.
            q.push(" AND e.starts_at <= now() AND e.ends_at > now() AND e.starts_at > now() - interval '")
                .push(cortege_domain::MAX_EVENT_DAYS)
                .push(" days'");
        } else {
            q.push(" AND tstzrange(e.starts_at, e.ends_at) @> now()");
        }
        if let Some(After::Time(t, id)) = l.after {
            keyset::push_after(q, "e.starts_at", "e.id", t, id);
        }
        q.push(") UNION ALL (");
        push_select(q, l, Select::Keys, scope);
        q.push(" AND e.starts_at > now()");
        push_page(q, l);
        q.push(")) k ORDER BY k.starts_at, k.id");
        crate::push_limit(q, l.limit);
        q.push(") k JOIN events e ON e.id = k.id");
        return;
    }
    push_select(q, l, Select::Rows, scope);
    if let Some(t) = l.starts_after {
        q.push(" AND e.starts_at >= ").push_bind(t);
    }
    if let Some(t) = l.starts_before {
        q.push(" AND e.starts_at < ").push_bind(t);
    }
    if let (Some(After::Distance(d, id)), Some(near)) = (l.after, l.near) {
        geo::push_after(q, "e", near, d, id);
    }
    match (l.near, tie) {
        (Some(near), Some(d)) => {
            q.push(" AND ");
            geo::push_distance_km(q, "e", near);
            q.push(" = ").push_bind(d);
            crate::push_limit(q, geo::MAX_TIES);
        }
        (Some(near), None) => {
            geo::push_knn_order(q, "e", near);
            crate::push_limit(q, l.limit);
        }
        (None, _) => push_page(q, l),
    }
}

/// What a listing's inner statement selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Select {
    /// The events' rows, as the page shows them.
    Rows,
    /// Their keys alone (`id`, `starts_at`), to be joined to the rows.
    Keys,
}

/// The columns of the page's events (`e`), the distance last.
fn push_columns(q: &mut QueryBuilder<Postgres>, l: &Listing) {
    q.push("SELECT ").push(match l.skip_description {
        true => BRIEF_COLUMNS,
        false => event_columns!(),
    });
    q.push(", ");
    match l.near {
        Some(near) => {
            geo::push_distance_km(q, "e", near);
            q.push(" AS distance_km");
        }
        None => {
            q.push("NULL::float8 AS distance_km");
        }
    }
}

/// `SELECT <columns> FROM events e WHERE` the filters every listing shares:
/// listed to the viewer, kinds, search, group.
fn push_select(q: &mut QueryBuilder<Postgres>, l: &Listing, select: Select, scope: Scope) {
    match select {
        Select::Rows => push_columns(q, l),
        Select::Keys => {
            q.push("SELECT e.id, e.starts_at");
        }
    }
    // These two predicates repeat the partial indexes' own condition.
    q.push(" FROM events e WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL");
    q.push(" AND e.visibility <> 'UNLISTED'");
    match l.viewer {
        Some(viewer) => {
            q.push(
                " AND (e.visibility = 'PUBLIC' OR e.group_id IN (SELECT m.group_id FROM memberships m
                   WHERE m.person_id = ",
            )
            .push_bind(viewer)
            .push(" AND m.status = 'ACTIVE'))");
        }
        None => {
            q.push(" AND e.visibility = 'PUBLIC'");
        }
    }
    if let Some(near) = l.near {
        geo::push_within(q, "e", near);
        if !l.include_online {
            q.push(" AND NOT e.online");
        }
        if l.starts_after.is_none() && l.starts_before.is_none() {
            // Near lists what has not ended; an event lasts at most
            // MAX_EVENT_DAYS, which bounds the scan's window.
            q.push(" AND e.ends_at > now() AND e.starts_at > now() - interval '")
                .push(cortege_domain::MAX_EVENT_DAYS)
                .push(" days'");
        }
    }
    if let Some(kinds) = &l.kinds {
        q.push(" AND e.kind = ANY(")
            .push_bind(kinds.clone())
            .push("::event_kind[])");
    }
    if let Some(text) = &l.search {
        crate::push_text_search(q, "e", text);
    }
    match (scope, l.group) {
        (Scope::EachGroup, _) => {
            q.push(" AND e.group_id = pg.group_id");
        }
        (Scope::Listing, Some(group)) => {
            q.push(" AND e.group_id = ").push_bind(group);
        }
        (Scope::Listing, None) => {}
    }
}

/// The soonest-first page: after the cursor, in order, `limit` rows.
fn push_page(q: &mut QueryBuilder<Postgres>, l: &Listing) {
    if let Some(After::Time(t, id)) = l.after {
        keyset::push_after(q, "e.starts_at", "e.id", t, id);
    }
    q.push(" ORDER BY e.starts_at, e.id");
    crate::push_limit(q, l.limit);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sql_of(l: &Listing) -> String {
        let mut q = QueryBuilder::new("");
        push_query(&mut q, l, None, Scope::Listing);
        q.into_string()
    }

    #[test]
    fn a_page_reads_descriptions_only_when_asked() {
        let brief = Listing {
            limit: 21,
            skip_description: true,
            ..Listing::default()
        };
        let sql = sql_of(&brief);
        assert!(!sql.contains("e.description"), "{sql}");
        let full = Listing {
            skip_description: false,
            ..brief
        };
        assert!(sql_of(&full).contains("e.description"));
    }

    #[test]
    fn each_groups_page_is_the_listing_cut_per_group() {
        let upcoming = Listing {
            limit: 21,
            with: With {
                organiser: true,
                ..With::default()
            },
            ..Listing::default()
        };
        let sql = per_group_query(&upcoming, &[Uuid::nil()]).into_string();
        assert!(
            sql.starts_with(
                "SELECT x.* FROM unnest($1::uuid[]) AS pg(group_id) CROSS JOIN LATERAL ("
            ),
            "{sql}"
        );
        // Both parts of the upcoming page (running now, starting later).
        assert_eq!(
            sql.matches("AND e.group_id = pg.group_id").count(),
            2,
            "{sql}"
        );
        assert_eq!(sql.matches("LIMIT").count(), 2, "{sql}");
    }

    #[test]
    fn the_upcoming_page_sorts_keys_and_reads_its_rows_by_id() {
        let upcoming = Listing {
            limit: 21,
            ..Listing::default()
        };
        let sql = sql_of(&upcoming);
        assert_eq!(
            sql.matches("SELECT e.id, e.starts_at FROM events e")
                .count(),
            2,
            "{sql}"
        );
        assert!(sql.ends_with(") k JOIN events e ON e.id = k.id"), "{sql}");
    }
}
