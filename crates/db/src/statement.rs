//! A listing's page statement as a value: the API runs it, and the
//! bounded-listing test EXPLAINs the very same text with the very same
//! arguments, so what the test checks is what production executes.

use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::{Arguments, Encode, FromRow, PgPool, Postgres, Type};

use crate::Result;

pub struct Statement {
    sql: &'static str,
    args: Result<PgArguments, BoxDynError>,
}

impl Statement {
    pub(crate) fn new(sql: &'static str) -> Self {
        Statement {
            sql,
            args: Ok(PgArguments::default()),
        }
    }

    /// The statement's text, for the tests that check what it reads.
    #[cfg(test)]
    pub(crate) fn sql(&self) -> &'static str {
        self.sql
    }

    /// Binds the next `$n`. An encoding failure surfaces when the
    /// statement runs.
    pub(crate) fn bind<'t, T: Encode<'t, Postgres> + Type<Postgres>>(mut self, value: T) -> Self {
        if let Ok(args) = &mut self.args
            && let Err(e) = args.add(value)
        {
            self.args = Err(e);
        }
        self
    }

    pub(crate) async fn fetch_all<T>(self, pool: &PgPool) -> Result<Vec<T>>
    where
        T: for<'r> FromRow<'r, PgRow> + Send + Unpin,
    {
        let args = self.args.map_err(sqlx::Error::Encode)?;
        Ok(sqlx::query_as_with(self.sql, args).fetch_all(pool).await?)
    }

    /// Its rows, the first one's column types checked, the others' trusted
    /// to be the same (see [`crate::Types`]).
    pub(crate) async fn read_all<T: crate::ReadRow>(self, pool: &PgPool) -> Result<Vec<T>> {
        let args = self.args.map_err(sqlx::Error::Encode)?;
        let rows = sqlx::query_with(self.sql, args).fetch_all(pool).await?;
        let read = rows
            .iter()
            .enumerate()
            .map(|(i, row)| T::read_row(row, crate::Types::of_row(i)))
            .collect::<sqlx::Result<_>>()?;
        Ok(read)
    }

    /// The plan PostgreSQL runs it with (see [`generic_plan`]).
    pub async fn plan(self, pool: &PgPool) -> Result<serde_json::Value> {
        generic_plan(pool, self.sql).await
    }
}

/// What every connection of the pools sets (see [`crate::connect`]).
pub(crate) const GENERIC_PLANS: &str = "SET plan_cache_mode = force_generic_plan";

/// The plan PostgreSQL runs `sql` with, as `EXPLAIN (FORMAT JSON)` shows
/// it. The pools plan each statement once per connection, for any
/// arguments ([`GENERIC_PLANS`]), so the plan checked is the generic one:
/// the statement prepared with its parameters' types and explained
/// without values.
pub async fn generic_plan(pool: &PgPool, sql: &str) -> Result<serde_json::Value> {
    use sqlx::{Either, Executor, SqlSafeStr, Statement as _, TypeInfo};
    let mut conn = pool.acquire().await?;
    let prepared = conn
        .prepare(sqlx::AssertSqlSafe(sql.to_owned()).into_sql_str())
        .await?;
    let types: Vec<String> = match prepared.parameters() {
        Some(Either::Left(types)) => types.iter().map(|t| t.name().to_owned()).collect(),
        _ => Vec::new(),
    };
    let (types, values) = if types.is_empty() {
        (String::new(), String::new())
    } else {
        let nulls = vec!["NULL"; types.len()].join(", ");
        (format!("({})", types.join(", ")), format!("({nulls})"))
    };
    conn.execute(GENERIC_PLANS).await?;
    // The type names come from the server's catalogue, the text is ours.
    conn.execute(sqlx::AssertSqlSafe(format!(
        "PREPARE cortege_plan{types} AS {sql}"
    )))
    .await?;
    let plan = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "EXPLAIN (FORMAT JSON) EXECUTE cortege_plan{values}"
    )))
    .fetch_one(&mut *conn)
    .await;
    conn.execute("DEALLOCATE cortege_plan").await?;
    Ok(plan?)
}
