//! Logins for analysts: PostgreSQL roles in cortege_analyst, which may
//! read the analytics views and nothing else, each with a statement
//! timeout, a connection limit and read-only transactions (settings of a
//! group role are not inherited by its members, so each login gets them).

use rand::distr::{Alphanumeric, SampleString};

use crate::{PgPool, Result};

/// What an analyst's login may use.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub statement_timeout_seconds: u32,
    pub connection_limit: u32,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            statement_timeout_seconds: 60,
            connection_limit: 5,
        }
    }
}

/// Creates a login role `name` with a random password, member of
/// cortege_analyst, and returns the password; for an existing login,
/// applies `limits` and returns None (the password is kept). Statements
/// are built by PostgreSQL's format() (%I, %L), which quotes names and
/// values.
pub async fn create_login(
    pool: &PgPool,
    name: &str,
    limits: LoginLimits,
) -> Result<Option<String>> {
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
            .bind(name)
            .fetch_one(pool)
            .await?;
    let password = (!exists).then(|| Alphanumeric.sample_string(&mut rand::rng(), 24));
    let statements: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT unnest(ARRAY[
             CASE WHEN $2::text IS NOT NULL
                  THEN format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE cortege_analyst', $1::text, $2::text)
             END,
             format('ALTER ROLE %I CONNECTION LIMIT %s', $1::text, $3::int4),
             format('ALTER ROLE %I SET statement_timeout = %L', $1::text, $4::int4 || 's'),
             format('ALTER ROLE %I SET default_transaction_read_only = on', $1::text)
         ]) AS s",
    )
    .bind(name)
    .bind(password.as_deref())
    .bind(i32::try_from(limits.connection_limit).unwrap_or(i32::MAX))
    .bind(i32::try_from(limits.statement_timeout_seconds).unwrap_or(i32::MAX))
    .fetch_all(pool)
    .await?;
    let mut tx = pool.begin().await?;
    for statement in statements.into_iter().flatten() {
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(password)
}

/// The small-cell threshold the analytics views apply, set by the server
/// from CORTEGE_STATS_MIN_CELL at start.
pub async fn set_min_cell(pool: &PgPool, min_cell: u32) -> Result<()> {
    sqlx::query("UPDATE analytics_settings SET min_cell = $1 WHERE min_cell <> $1")
        .bind(i32::try_from(min_cell).unwrap_or(i32::MAX))
        .execute(pool)
        .await?;
    Ok(())
}

/// Creates the analysts' role when the cluster lacks it (a database
/// restored into a new cluster: roles are the cluster's, not the dump's).
pub async fn ensure_analyst_role(pool: &PgPool) -> Result<()> {
    sqlx::query(
        "DO $$
         BEGIN
             CREATE ROLE cortege_analyst NOLOGIN;
         EXCEPTION WHEN duplicate_object OR unique_violation THEN
             NULL;
         END
         $$",
    )
    .execute(pool)
    .await?;
    Ok(())
}
