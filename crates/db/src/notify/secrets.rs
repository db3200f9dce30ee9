//! Keys this deployment makes once and keeps in its database, so that
//! every replica uses the same and a restart changes nothing.

use sqlx::PgPool;

use crate::Result;

/// The secret named `name`: the stored one, or `make()`'s, stored now. Two
/// replicas starting at once agree: the first insert wins, both read it.
pub async fn get_or_create(
    pool: &PgPool,
    name: &str,
    make: impl FnOnce() -> String,
) -> Result<String> {
    sqlx::query(
        "INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(make())
    .execute(pool)
    .await?;
    Ok(
        sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(pool)
            .await?,
    )
}
