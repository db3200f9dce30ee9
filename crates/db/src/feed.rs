//! Feeds, derived at read time: an activity is stored once, and who
//! receives it, with which kind, is decided here from the recipient's state
//! now (home, radius, groups, friends, RSVPs). The same query serves a
//! person's feed page, a replay after a cursor, and the live delivery to
//! every feed subscriber of a server process at once.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::Result;
use crate::events::{self, Event};
use crate::people::{self, Profile};
use crate::statement::Statement;

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
///
/// Every branch starts from the window's few activities (`new`, with
/// their events' fields), never from events or from the listeners: the
/// listeners are thousands per server, and the planner cannot tell from an
/// array parameter, nor from the statistics of a table that grew since it
/// was last analysed, so a plan free to join events itself crossed every
/// public event with every listener (3.7 million rows for 751 events and
/// 5,000 listeners). `hits` is materialised too: estimated at one row,
/// the window was the outer side of a nested loop that ran every branch
/// again for each of its activities (1.8 s for 34 activities and 10,000
/// listeners). Near a new event, only homes in its band of latitude are
/// measured.
const OLDEST_FIRST: &str = "WITH me AS MATERIALIZED (
                SELECT p.id, p.home_lat, p.home_lon, p.action_radius_km,
                       earth_point(p.home_lat, p.home_lon) AS home
                FROM people p
                WHERE p.id = ANY($1) AND p.deleted_at IS NULL AND p.banned_at IS NULL
            ), new AS MATERIALIZED (
                SELECT a.*, latitude(a.earth) AS lat, e.id IS NOT NULL AS e_exists,
                       e.group_id AS e_group_id, e.visibility AS e_visibility,
                       e.removed_at AS e_removed_at, e.online AS e_online
                FROM activities a LEFT JOIN events e ON e.id = a.event_id
                WHERE a.seq > $2 AND a.seq <= $3
            ), hits AS MATERIALIZED (
                SELECT a.seq, me.id AS person,
                       CASE a.kind WHEN 'RSVP_CHANGED' THEN 'NEW_ATTENDEE' ELSE a.kind::text END AS kind
                FROM new a JOIN me ON me.id = a.recipient_id
                WHERE (a.kind IN ('FRIEND_REQUEST', 'FRIEND_ACCEPTED', 'MODERATION_WARNING', 'EVENT_REMINDER',
                                    'EVENT_HOST_ADDED', 'EVENT_HOST_REMOVED', 'GROUP_MEMBER_REMOVED')
                       OR (a.kind = 'RSVP_CHANGED' AND a.payload->>'status' = 'GOING'
                           AND a.payload->>'previous' IS DISTINCT FROM 'GOING'))
              UNION ALL
                SELECT a.seq, me.id, 'NEW_ATTENDEE'
                FROM new a
                JOIN event_hosts h ON h.event_id = a.event_id
                JOIN me ON me.id = h.person_id
                WHERE a.kind = 'RSVP_CHANGED'
                  AND a.payload->>'status' = 'GOING' AND a.payload->>'previous' IS DISTINCT FROM 'GOING'
                  AND a.recipient_id IS DISTINCT FROM me.id
              UNION ALL
                SELECT a.seq, me.id, 'NEW_GROUP_MEMBER'
                FROM new a
                JOIN memberships m ON m.group_id = a.group_id AND m.role = 'MANAGER' AND m.status = 'ACTIVE'
                JOIN me ON me.id = m.person_id
                WHERE a.kind = 'GROUP_MEMBER_JOINED'
              UNION ALL
                SELECT a.seq, me.id, 'EVENT_CREATED_IN_GROUP'
                FROM new a
                JOIN memberships m ON m.group_id = a.e_group_id AND m.status = 'ACTIVE'
                JOIN me ON me.id = m.person_id
                WHERE a.kind = 'EVENT_CREATED' AND a.e_exists
                  AND a.e_visibility <> 'UNLISTED' AND a.e_removed_at IS NULL
              UNION ALL
                SELECT a.seq, me.id, 'EVENT_CREATED_NEARBY'
                FROM new a
                -- A degree of latitude is over 110 km: the band holds every
                -- home within reach, and spares the others the distance.
                JOIN me ON me.home_lat BETWEEN a.lat - me.action_radius_km / 110.0
                                           AND a.lat + me.action_radius_km / 110.0
                   AND {me_to_activity_m} <= me.action_radius_km * 1000.0
                WHERE a.kind = 'EVENT_CREATED' AND a.e_exists
                  AND a.e_visibility = 'PUBLIC' AND a.e_removed_at IS NULL AND NOT a.e_online
                  AND NOT EXISTS (SELECT 1 FROM memberships m
                                  WHERE m.group_id = a.e_group_id AND m.person_id = me.id AND m.status = 'ACTIVE')
              UNION ALL
                SELECT a.seq, me.id, a.kind::text
                FROM new a
                JOIN rsvps r ON r.event_id = a.event_id AND r.status IN ('GOING', 'WAITLISTED')
                JOIN me ON me.id = r.person_id
                WHERE a.kind IN ('EVENT_UPDATED', 'EVENT_CANCELLED', 'EVENT_REMINDER')
                  AND a.e_exists AND a.e_removed_at IS NULL AND a.recipient_id IS NULL
              UNION ALL
                SELECT a.seq, me.id, 'FRIEND_GOING'
                FROM new a
                JOIN friendships f ON f.status = 'ACCEPTED'
                   AND (f.requester_id = a.actor_id OR f.addressee_id = a.actor_id)
                JOIN me ON me.id = CASE WHEN f.requester_id = a.actor_id THEN f.addressee_id ELSE f.requester_id END
                WHERE a.kind = 'RSVP_CHANGED'
                  AND a.payload->>'status' = 'GOING' AND a.payload->>'previous' IS DISTINCT FROM 'GOING'
                  AND a.e_exists AND a.e_visibility = 'PUBLIC' AND a.e_removed_at IS NULL
                  AND a.recipient_id IS DISTINCT FROM me.id
                  AND NOT EXISTS (SELECT 1 FROM event_hosts h
                                  WHERE h.event_id = a.event_id AND h.person_id = me.id)
            )
            SELECT h.seq, h.person, h.kind, a.id, a.actor_id, a.event_id, a.group_id, a.created_at
            FROM hits h JOIN new a ON a.seq = h.seq
            WHERE a.actor_id IS DISTINCT FROM h.person
            ORDER BY h.seq, h.person LIMIT $4";

/// One person's feed page: the activities numbered before $2 that reach
/// the person $1, newest first, at most $3. The same recipient rules as
/// [`OLDEST_FIRST`], but each source is read newest first from its own
/// index and cut at the page size (per group, per RSVP, per friend), so a
/// page costs the page times the person's sources, never the whole log.
/// The actor's own activities are left out in each source, before the cut.
const NEWEST_FIRST: &str = "WITH me AS MATERIALIZED (
        SELECT p.id, p.home_lat, p.home_lon, p.action_radius_km,
               -- Once here, not once per activity the nearby walk meets.
               earth_point(p.home_lat, p.home_lon) AS home,
               -- Where newest first starts from: the GiST distance is a
               -- float8, exact between seqs but not from i64::MAX.
               (SELECT LEAST($2, o.last_seq + 1) FROM outbox_state o) AS top
        FROM people p
        WHERE p.id = $1 AND p.deleted_at IS NULL AND p.banned_at IS NULL
    ), hits AS (
        (SELECT a.seq, CASE a.kind WHEN 'RSVP_CHANGED' THEN 'NEW_ATTENDEE' ELSE a.kind::text END AS kind
         FROM me JOIN activities a ON a.recipient_id = me.id
         WHERE a.seq < $2 AND a.actor_id IS DISTINCT FROM me.id
           AND (a.kind IN ('FRIEND_REQUEST', 'FRIEND_ACCEPTED', 'MODERATION_WARNING', 'EVENT_REMINDER',
                                    'EVENT_HOST_ADDED', 'EVENT_HOST_REMOVED', 'GROUP_MEMBER_REMOVED')
                OR (a.kind = 'RSVP_CHANGED' AND a.payload->>'status' = 'GOING'
                    AND a.payload->>'previous' IS DISTINCT FROM 'GOING'))
         ORDER BY a.seq DESC LIMIT $3)
      UNION ALL
        SELECT t.seq, 'NEW_ATTENDEE'
        FROM me JOIN event_hosts h ON h.person_id = me.id
        CROSS JOIN LATERAL (
            SELECT a.seq FROM activities a
            WHERE a.event_id = h.event_id AND a.kind = 'RSVP_CHANGED' AND a.seq < $2
              AND a.payload->>'status' = 'GOING' AND a.payload->>'previous' IS DISTINCT FROM 'GOING'
              AND a.actor_id IS DISTINCT FROM me.id AND a.recipient_id IS DISTINCT FROM me.id
            ORDER BY a.seq DESC LIMIT $3) t
      UNION ALL
        SELECT t.seq, 'NEW_GROUP_MEMBER'
        FROM me JOIN memberships m ON m.person_id = me.id AND m.role = 'MANAGER' AND m.status = 'ACTIVE'
        CROSS JOIN LATERAL (
            SELECT a.seq FROM activities a
            WHERE a.group_id = m.group_id AND a.kind = 'GROUP_MEMBER_JOINED' AND a.seq < $2
              AND a.actor_id IS DISTINCT FROM me.id
            ORDER BY a.seq DESC LIMIT $3) t
      UNION ALL
        SELECT t.seq, 'EVENT_CREATED_IN_GROUP'
        FROM me JOIN memberships m ON m.person_id = me.id AND m.status = 'ACTIVE'
        CROSS JOIN LATERAL (
            SELECT a.seq FROM activities a JOIN events e ON e.id = a.event_id
            WHERE a.group_id = m.group_id AND a.kind = 'EVENT_CREATED' AND a.seq < $2
              AND e.group_id = m.group_id AND e.visibility <> 'UNLISTED' AND e.removed_at IS NULL
              AND a.actor_id IS DISTINCT FROM me.id
            ORDER BY a.seq DESC LIMIT $3) t
      UNION ALL
        SELECT t.seq, 'EVENT_CREATED_NEARBY'
        FROM me CROSS JOIN LATERAL (
            SELECT a.seq FROM activities a JOIN events e ON e.id = a.event_id
            WHERE me.home_lat IS NOT NULL AND a.kind = 'EVENT_CREATED' AND a.seq < $2
              AND earth_box(me.home, me.action_radius_km * 1000.0) @> a.earth
              AND {me_to_activity_m} <= me.action_radius_km * 1000.0
              AND e.visibility = 'PUBLIC' AND e.removed_at IS NULL AND NOT e.online
              AND a.actor_id IS DISTINCT FROM me.id
              AND NOT EXISTS (SELECT 1 FROM memberships m
                              WHERE m.group_id = e.group_id AND m.person_id = me.id AND m.status = 'ACTIVE')
            -- Nearest to the top from below: newest first, along activities_nearby_idx.
            ORDER BY a.seq <-> me.top LIMIT $3) t
      UNION ALL
        SELECT t.seq, t.kind
        FROM me JOIN rsvps r ON r.person_id = me.id AND r.status IN ('GOING', 'WAITLISTED')
        CROSS JOIN LATERAL (
            SELECT a.seq, a.kind::text AS kind FROM activities a
            WHERE a.event_id = r.event_id AND a.kind IN ('EVENT_UPDATED', 'EVENT_CANCELLED', 'EVENT_REMINDER')
              AND a.recipient_id IS NULL AND a.seq < $2 AND a.actor_id IS DISTINCT FROM me.id
              AND EXISTS (SELECT 1 FROM events e WHERE e.id = r.event_id AND e.removed_at IS NULL)
            ORDER BY a.seq DESC LIMIT $3) t
      UNION ALL
        SELECT t.seq, 'FRIEND_GOING'
        FROM me JOIN friendships f ON f.status = 'ACCEPTED'
           AND (f.requester_id = me.id OR f.addressee_id = me.id)
        CROSS JOIN LATERAL (
            SELECT a.seq FROM activities a JOIN events e ON e.id = a.event_id
            WHERE a.actor_id = CASE WHEN f.requester_id = me.id THEN f.addressee_id ELSE f.requester_id END
              AND a.kind = 'RSVP_CHANGED' AND a.seq < $2
              AND a.payload->>'status' = 'GOING' AND a.payload->>'previous' IS DISTINCT FROM 'GOING'
              AND e.visibility = 'PUBLIC' AND e.removed_at IS NULL
              AND a.recipient_id IS DISTINCT FROM me.id
              AND NOT EXISTS (SELECT 1 FROM event_hosts h
                              WHERE h.event_id = a.event_id AND h.person_id = me.id)
            ORDER BY a.seq DESC LIMIT $3) t
    )
    SELECT h.seq, me.id AS person, h.kind, a.id, a.actor_id, a.event_id, a.group_id, a.created_at
    FROM hits h JOIN activities a ON a.seq = h.seq CROSS JOIN me
    ORDER BY h.seq DESC LIMIT $3";

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
    Ok(sqlx::query_as(OLDEST_FIRST_SQL.as_str())
        .bind(people)
        .bind(after)
        .bind(upto)
        .bind(limit)
        .fetch_all(pool)
        .await?)
}

/// An item of a feed page, with the event and the actor it names when the
/// page was asked with them.
#[derive(Debug)]
pub struct PageItem {
    pub item: FeedItem,
    pub event: Option<Event>,
    pub actor: Option<Profile>,
}

impl crate::ReadRow for PageItem {
    fn read_row(row: &sqlx::postgres::PgRow, types: crate::Types) -> sqlx::Result<Self> {
        use sqlx::{FromRow, Row};
        let joined = row.try_column("ev_id").is_ok();
        Ok(PageItem {
            item: FeedItem::from_row(row)?,
            event: match joined {
                true => events::joined(row, types)?,
                false => None,
            },
            actor: match joined {
                true => people::joined(row, types)?,
                false => None,
            },
        })
    }
}

/// The statements with the distance from `me`'s home to an activity
/// written out: `{me_to_activity_m}` in their text stands for
/// `earth_distance(me.home, a.earth)`, which runs as a SQL function per
/// row (`geo::METRES`). bench/peer/run.sh fills it in the same way.
fn with_distances(sql: &str) -> String {
    sql.replace(
        "{me_to_activity_m}",
        &crate::geo::metres_sql("me.home", "a.earth"),
    )
}
static OLDEST_FIRST_SQL: LazyLock<String> = LazyLock::new(|| with_distances(OLDEST_FIRST));
static NEWEST_FIRST_SQL: LazyLock<String> = LazyLock::new(|| with_distances(NEWEST_FIRST));

/// The page with the events and actors its items name: one statement.
fn with_relations(event_columns: &str) -> String {
    format!(
        "SELECT f.*, {}, {} FROM ({}) f
         LEFT JOIN events ev ON ev.id = f.event_id
         LEFT JOIN people o ON o.id = f.actor_id
         ORDER BY f.seq DESC",
        event_columns,
        people::JOINED_COLUMNS,
        NEWEST_FIRST_SQL.as_str(),
    )
}
static NEWEST_FIRST_WITH_RELATIONS: LazyLock<String> =
    LazyLock::new(|| with_relations(events::JOINED_COLUMNS));
/// The same, with an empty description in place of each event's own
/// (which can be 10 kB) when the query does not ask for it.
static NEWEST_FIRST_WITH_BRIEF_RELATIONS: LazyLock<String> = LazyLock::new(|| {
    with_relations(&events::JOINED_COLUMNS.replace(
        "ev.description AS ev_description",
        "''::text AS ev_description",
    ))
});

/// What a feed page reads with its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relations {
    /// The items alone.
    None,
    /// The events and actors the items name, without the events'
    /// descriptions.
    Brief,
    /// The events, descriptions included, and the actors.
    Full,
}

/// One page of a person's feed, newest first, strictly before `before`,
/// with the relations asked.
pub async fn page(
    pool: &PgPool,
    person: Uuid,
    before: i64,
    limit: i64,
    relations: Relations,
) -> Result<Vec<PageItem>> {
    page_statement(person, before, limit, relations)
        .read_all(pool)
        .await
}

/// The statement of [`page`].
pub fn page_statement(person: Uuid, before: i64, limit: i64, relations: Relations) -> Statement {
    let sql: &'static str = match relations {
        Relations::None => NEWEST_FIRST_SQL.as_str(),
        Relations::Brief => NEWEST_FIRST_WITH_BRIEF_RELATIONS.as_str(),
        Relations::Full => NEWEST_FIRST_WITH_RELATIONS.as_str(),
    };
    Statement::new(sql).bind(person).bind(before).bind(limit)
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

#[cfg(test)]
mod tests {
    use super::{Relations, page_statement};

    fn sql(relations: Relations) -> String {
        page_statement(uuid::Uuid::nil(), i64::MAX, 21, relations)
            .sql()
            .to_owned()
    }

    #[test]
    fn a_page_reads_descriptions_only_when_asked() {
        assert!(!sql(Relations::None).contains("ev."));
        let brief = sql(Relations::Brief);
        assert!(brief.contains("ev.title AS ev_title"), "{brief}");
        assert!(brief.contains("o.first_name AS o_first_name"), "{brief}");
        assert!(!brief.contains("ev.description"), "{brief}");
        assert!(brief.contains("''::text AS ev_description"), "{brief}");
        assert!(sql(Relations::Full).contains("ev.description AS ev_description"));
    }
}
