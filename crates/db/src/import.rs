//! Merging a staged member file into people: de-duplicated by email (the
//! last row of the file wins), idempotent (a row equal to the stored person
//! changes nothing), new members imported without the pledge accepted.

use uuid::Uuid;

use crate::{PgPool, Result};

/// What a merge did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Merge {
    pub inserted: u64,
    pub updated: u64,
    /// (line, email, reason) of rows refused at merge time.
    pub rejected: Vec<(i64, String, &'static str)>,
}

pub async fn merge(pool: &PgPool, import: Uuid) -> Result<Merge> {
    let mut tx = pool.begin().await?;
    let mut out = Merge::default();
    let unknown: Vec<(i64, String)> = sqlx::query_as(
        "SELECT line, email FROM import_staging s
         WHERE import_id = $1 AND postcode IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM commune_postcodes p WHERE p.postcode = s.postcode)
         ORDER BY line",
    )
    .bind(import)
    .fetch_all(&mut *tx)
    .await?;
    out.rejected
        .extend(unknown.into_iter().map(|(l, e)| (l, e, "unknown postcode")));
    let banned: Vec<(i64, String)> = sqlx::query_as(
        "SELECT s.line, s.email FROM import_staging s
         WHERE s.import_id = $1 AND EXISTS (SELECT 1 FROM people b
             WHERE (b.email = s.email AND b.banned_at IS NOT NULL)
                OR b.banned_email_hash = sha256(convert_to(s.email, 'UTF8')))
         ORDER BY s.line",
    )
    .bind(import)
    .fetch_all(&mut *tx)
    .await?;
    out.rejected.extend(
        banned
            .into_iter()
            .map(|(l, e)| (l, e, "banned from the movement")),
    );

    // xmax = 0 tells an inserted row from an updated one.
    let merged: Vec<bool> = sqlx::query_scalar(
        "WITH latest AS (
             SELECT DISTINCT ON (email) * FROM import_staging
             WHERE import_id = $1 ORDER BY email, line DESC
         ), placed AS (
             SELECT l.*, c.code AS commune_code, c.lat, c.lon FROM latest l
             LEFT JOIN LATERAL (
                 SELECT c.code, c.lat, c.lon FROM commune_postcodes p JOIN communes c ON c.code = p.commune_code
                 WHERE p.postcode = l.postcode
                 ORDER BY (c.parent_code IS NOT NULL), c.population DESC, c.code LIMIT 1
             ) c ON true
             WHERE (l.postcode IS NULL OR c.code IS NOT NULL)
               AND NOT EXISTS (SELECT 1 FROM people b
                   WHERE (b.email = l.email AND b.banned_at IS NOT NULL)
                      OR b.banned_email_hash = sha256(convert_to(l.email, 'UTF8')))
         )
         INSERT INTO people AS p (id, first_name, last_name, email, postcode, commune_code,
                                  home_lat, home_lon, phone, tags, imported_at)
         SELECT gen_random_uuid(), first_name, last_name, email, postcode, commune_code, lat, lon,
                phone, COALESCE(string_to_array(tags, '|'), '{}'), now()
         FROM placed
         ON CONFLICT (email) DO UPDATE SET
             first_name = EXCLUDED.first_name,
             last_name = EXCLUDED.last_name,
             postcode = COALESCE(EXCLUDED.postcode, p.postcode),
             commune_code = COALESCE(EXCLUDED.commune_code, p.commune_code),
             home_lat = CASE WHEN EXCLUDED.postcode IS DISTINCT FROM p.postcode AND EXCLUDED.postcode IS NOT NULL
                             THEN EXCLUDED.home_lat ELSE p.home_lat END,
             home_lon = CASE WHEN EXCLUDED.postcode IS DISTINCT FROM p.postcode AND EXCLUDED.postcode IS NOT NULL
                             THEN EXCLUDED.home_lon ELSE p.home_lon END,
             phone = COALESCE(EXCLUDED.phone, p.phone),
             tags = CASE WHEN cardinality(EXCLUDED.tags) = 0 THEN p.tags ELSE EXCLUDED.tags END,
             updated_at = now()
         WHERE p.deleted_at IS NULL AND p.banned_at IS NULL
           AND (p.first_name, p.last_name, p.postcode, p.phone, p.tags)
               IS DISTINCT FROM (EXCLUDED.first_name, EXCLUDED.last_name,
                                 COALESCE(EXCLUDED.postcode, p.postcode), COALESCE(EXCLUDED.phone, p.phone),
                                 CASE WHEN cardinality(EXCLUDED.tags) = 0 THEN p.tags ELSE EXCLUDED.tags END)
         RETURNING (xmax = 0)",
    )
    .bind(import)
    .fetch_all(&mut *tx)
    .await?;
    out.inserted = merged.iter().filter(|i| **i).count() as u64;
    out.updated = merged.len() as u64 - out.inserted;
    sqlx::query("DELETE FROM import_staging WHERE import_id = $1")
        .bind(import)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(out)
}

/// Forgets a staged import that will not be merged.
pub async fn discard(pool: &PgPool, import: Uuid) -> Result<()> {
    sqlx::query("DELETE FROM import_staging WHERE import_id = $1")
        .bind(import)
        .execute(pool)
        .await?;
    Ok(())
}
