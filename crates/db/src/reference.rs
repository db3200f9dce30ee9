//! The French administrative reference data, committed as TSV files (see
//! reference/README.md) and loaded with COPY.

use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::Result;

const REGIONS: &str = include_str!("../reference/regions.tsv");
const DEPARTMENTS: &str = include_str!("../reference/departments.tsv");
const COMMUNES: &str = include_str!("../reference/communes.tsv");

/// An arbitrary constant that only serialises concurrent reference loads.
const LOAD_LOCK: i64 = 0x636f_7274_6567_6501;

pub(crate) fn digest() -> String {
    let mut h = Sha256::new();
    for file in [REGIONS, DEPARTMENTS, COMMUNES] {
        h.update(file.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Strips the header line: the files carry one for people reading them.
fn body(tsv: &str) -> &str {
    tsv.split_once('\n').map_or("", |(_, rest)| rest)
}

/// Loads the reference tables unless this exact data is already there.
/// Rows are upserted, never deleted, since people and events refer to them.
pub async fn load(pool: &PgPool) -> Result<()> {
    let digest = digest();
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(LOAD_LOCK)
        .execute(&mut *tx)
        .await?;
    let current: Option<String> =
        sqlx::query_scalar("SELECT digest FROM reference_data WHERE name = 'communes'")
            .fetch_optional(&mut *tx)
            .await?;
    if current.as_deref() == Some(digest.as_str()) {
        return Ok(());
    }
    tracing::info!("loading the French administrative reference data");

    sqlx::query(
        "CREATE TEMP TABLE ref_communes (code text, name text, department text, region text,
             parent text, population integer, lat double precision, lon double precision,
             postcodes text) ON COMMIT DROP",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "CREATE TEMP TABLE ref_departments (code text, name text, region text) ON COMMIT DROP",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query("CREATE TEMP TABLE ref_regions (code text, name text) ON COMMIT DROP")
        .execute(&mut *tx)
        .await?;

    for (statement, data) in [
        ("COPY ref_regions FROM STDIN", body(REGIONS)),
        ("COPY ref_departments FROM STDIN", body(DEPARTMENTS)),
        ("COPY ref_communes FROM STDIN", body(COMMUNES)),
    ] {
        let mut copy = tx.copy_in_raw(statement).await?;
        copy.send(data.as_bytes()).await?;
        copy.finish().await?;
    }

    sqlx::query(
        "INSERT INTO regions (code, name) SELECT code, name FROM ref_regions
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO departments (code, name, region_code) SELECT code, name, region FROM ref_departments
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, region_code = EXCLUDED.region_code",
    )
    .execute(&mut *tx)
    .await?;
    // Parents first (their parent is null), so the self-reference holds.
    sqlx::query(
        "INSERT INTO communes (code, name, department_code, region_code, parent_code,
                               population, lat, lon)
         SELECT code, name, department, region, NULLIF(parent, ''), population, lat, lon
         FROM ref_communes ORDER BY (parent <> '') , code
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name,
             department_code = EXCLUDED.department_code, region_code = EXCLUDED.region_code,
             parent_code = EXCLUDED.parent_code, population = EXCLUDED.population,
             lat = EXCLUDED.lat, lon = EXCLUDED.lon",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM commune_postcodes")
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO commune_postcodes (postcode, commune_code)
         SELECT DISTINCT p, code FROM ref_communes,
             unnest(string_to_array(NULLIF(postcodes, ''), ' ')) AS p",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO reference_data (name, digest) VALUES ('communes', $1)
         ON CONFLICT (name) DO UPDATE SET digest = EXCLUDED.digest, loaded_at = now()",
    )
    .bind(&digest)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A commune with its department and region, as the API shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Commune {
    pub code: String,
    pub name: String,
    pub department_code: String,
    pub department_name: String,
    pub region_code: String,
    pub region_name: String,
    pub lat: f64,
    pub lon: f64,
}

/// The commune columns the API shows, with a WHERE clause appended at
/// compile time (sqlx wants `&'static str`).
macro_rules! commune_select {
    ($($tail:literal),*) => {
        concat!(
            "SELECT c.code, c.name, c.department_code, d.name AS department_name,
                    c.region_code, r.name AS region_name, c.lat, c.lon
             FROM communes c
             JOIN departments d ON d.code = c.department_code
             JOIN regions r ON r.code = c.region_code ",
            $($tail),*
        )
    };
}

/// Communes by code, for a DataLoader.
pub async fn communes_by_code(pool: &PgPool, codes: &[String]) -> Result<Vec<Commune>> {
    const SQL: &str = commune_select!("WHERE c.code = ANY($1)");
    Ok(sqlx::query_as(SQL).bind(codes).fetch_all(pool).await?)
}

/// The communes a postcode serves, the main one first: a city before its
/// arrondissements, then by population. A postcode alone places a member
/// at the first one's centre.
pub async fn communes_for_postcode(pool: &PgPool, postcode: &str) -> Result<Vec<Commune>> {
    const SQL: &str = commune_select!(
        "JOIN commune_postcodes p ON p.commune_code = c.code WHERE p.postcode = $1
         ORDER BY (c.parent_code IS NOT NULL), c.population DESC, c.code"
    );
    Ok(sqlx::query_as(SQL).bind(postcode).fetch_all(pool).await?)
}
