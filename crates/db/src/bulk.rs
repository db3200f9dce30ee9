//! Bulk loading with COPY, for seeding and imports: rows arrive as
//! tab-separated text chunks from a producer running beside the copy.

use sqlx::PgPool;
use tokio::sync::mpsc::Receiver;

use crate::Result;

/// A table bulk loading writes to. Each producer writes its rows' fields
/// in the order [`Table::columns`] lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    People,
    Groups,
    Memberships,
    Events,
    Rsvps,
    Friendships,
    /// The member-file import's staging table (see [`crate::import`]).
    ImportStaging,
}

impl Table {
    /// The columns a row carries, in order.
    pub fn columns(self) -> &'static str {
        match self {
            Table::People => {
                "id, first_name, last_name, email, postcode, commune_code, home_lat, home_lon, \
                 action_radius_km, pledge_accepted_at, created_at"
            }
            Table::Groups => {
                "id, name, description, join_policy, lat, lon, earth, postcode, city, commune_code, \
                 created_by, created_at"
            }
            Table::Memberships => "group_id, person_id, role, status, created_at, activated_at",
            Table::Events => {
                "id, organiser_id, group_id, kind, visibility, title, description, starts_at, \
                 ends_at, lat, lon, earth, street, postcode, city, commune_code, capacity, \
                 seats_taken, created_at"
            }
            Table::Rsvps => "id, event_id, person_id, status, guests, created_at",
            Table::Friendships => {
                "id, requester_id, addressee_id, status, created_at, responded_at"
            }
            Table::ImportStaging => {
                "import_id, line, email, first_name, last_name, postcode, phone, tags"
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Table::People => "people",
            Table::Groups => "groups",
            Table::Memberships => "memberships",
            Table::Events => "events",
            Table::Rsvps => "rsvps",
            Table::Friendships => "friendships",
            Table::ImportStaging => "import_staging",
        }
    }
}

/// Streams chunks of COPY text (tab-separated, `\N` for null) into the
/// table until the channel closes; returns the rows copied.
pub async fn copy_from(pool: &PgPool, table: Table, mut chunks: Receiver<Vec<u8>>) -> Result<u64> {
    let statement = format!("COPY {} ({}) FROM STDIN", table.name(), table.columns());
    let mut conn = pool.acquire().await?;
    let mut copy = conn.copy_in_raw(&statement).await?;
    while let Some(chunk) = chunks.recv().await {
        copy.send(chunk).await?;
    }
    Ok(copy.finish().await?)
}

/// Escapes a value for COPY's text format.
pub fn copy_escape(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// A place to seed around: a commune's code, name, main postcode, centre
/// and population.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SeedCommune {
    pub code: String,
    pub name: String,
    pub postcode: String,
    pub lat: f64,
    pub lon: f64,
    pub population: i32,
}

/// Every commune with a postcode (arrondissements excluded: their city
/// stands for them).
pub async fn seed_communes(pool: &PgPool) -> Result<Vec<SeedCommune>> {
    Ok(sqlx::query_as(
        "SELECT c.code, c.name, min(p.postcode) AS postcode, c.lat, c.lon, c.population
         FROM communes c JOIN commune_postcodes p ON p.commune_code = c.code
         WHERE c.parent_code IS NULL AND c.population > 0
         GROUP BY c.code ORDER BY c.code",
    )
    .fetch_all(pool)
    .await?)
}

/// Recomputes the denormalised counters after a bulk load.
pub async fn refresh_counters(pool: &PgPool) -> Result<()> {
    sqlx::query(
        "UPDATE events e SET seats_taken = s.seats FROM (
             SELECT event_id, sum(1 + guests)::int AS seats FROM rsvps WHERE status = 'GOING' GROUP BY event_id
         ) s WHERE s.event_id = e.id AND e.seats_taken <> s.seats",
    )
    .execute(pool)
    .await?;
    sqlx::query(
        "UPDATE groups g SET member_count = m.n FROM (
             SELECT group_id, count(*)::int AS n FROM memberships WHERE status = 'ACTIVE' GROUP BY group_id
         ) m WHERE m.group_id = g.id AND g.member_count <> m.n",
    )
    .execute(pool)
    .await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}
