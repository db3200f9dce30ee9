//! What an operator checks a database by: every table's row count and a
//! checksum of its rows, so that a restored copy can be compared with the
//! original (the restore drill in scripts/test, and docs/operations.md).

use sqlx::PgPool;

use crate::Result;

/// One table, as compared between two copies of a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableChecksum {
    /// Schema-qualified and quoted, as PostgreSQL's `format('%I.%I')` writes it.
    pub table: String,
    pub rows: i64,
    /// The MD5 of the sorted MD5s of the rows' text forms: independent of
    /// physical order, so a dump restored elsewhere compares equal.
    pub checksum: String,
}

/// Every ordinary table of the database outside PostgreSQL's own schemas,
/// in name order.
pub async fn table_checksums(pool: &PgPool) -> Result<Vec<TableChecksum>> {
    // The names come quoted by PostgreSQL itself (format's %I), so they
    // can stand in the statement below as identifiers.
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT format('%I.%I', n.nspname, c.relname)
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
           AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname NOT LIKE 'pg\\_%'
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(tables.len());
    for table in tables {
        // Safe: `table` is an identifier quoted by PostgreSQL (above).
        let (rows, checksum): (i64, String) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT count(*), md5(coalesce(string_agg(h, '' ORDER BY h), ''))
             FROM (SELECT md5(t::text) AS h FROM {table} t) rows"
        )))
        .fetch_one(pool)
        .await?;
        out.push(TableChecksum {
            table,
            rows,
            checksum,
        });
    }
    Ok(out)
}

/// Whether the database holds no table of its own yet (a new database,
/// where a restore may go).
pub async fn is_empty(pool: &PgPool) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT NOT EXISTS (
             SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p')
               AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg\\_%')",
    )
    .fetch_one(pool)
    .await?)
}
