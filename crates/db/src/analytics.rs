//! Logins for analysts: PostgreSQL roles in cortege_analyst, which may
//! read the analytics views and nothing else.

use rand::distr::{Alphanumeric, SampleString};

use crate::{PgPool, Result};

/// Creates a login role `name` with a random password, member of
/// cortege_analyst; returns the password. The statement is built by
/// PostgreSQL's format() (%I, %L), which quotes the name and password.
pub async fn create_login(pool: &PgPool, name: &str) -> Result<String> {
    let password = Alphanumeric.sample_string(&mut rand::rng(), 24);
    let statement: String = sqlx::query_scalar(
        "SELECT format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE cortege_analyst', $1::text, $2::text)",
    )
    .bind(name)
    .bind(&password)
    .fetch_one(pool)
    .await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
        .execute(pool)
        .await?;
    Ok(password)
}
