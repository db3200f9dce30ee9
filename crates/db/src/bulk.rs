//! Bulk loading with COPY, for seeding and imports: rows arrive as
//! tab-separated text chunks from a producer running beside the copy.

use sqlx::PgPool;
use tokio::sync::mpsc::Receiver;

use crate::Result;

/// Streams chunks of COPY text (tab-separated, `\N` for null) into
/// `statement` (a `COPY … FROM STDIN`) until the channel closes; returns
/// the rows copied.
pub async fn copy_from(
    pool: &PgPool,
    statement: &'static str,
    mut chunks: Receiver<Vec<u8>>,
) -> Result<u64> {
    let mut conn = pool.acquire().await?;
    let mut copy = conn.copy_in_raw(statement).await?;
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
