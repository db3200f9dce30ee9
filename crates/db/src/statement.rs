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

    /// The plan PostgreSQL chooses for it (`EXPLAIN (FORMAT JSON)`).
    pub async fn plan(self, pool: &PgPool) -> Result<serde_json::Value> {
        let sql = format!("EXPLAIN (FORMAT JSON) {}", self.sql);
        let args = self.args.map_err(sqlx::Error::Encode)?;
        Ok(sqlx::query_scalar_with(sqlx::AssertSqlSafe(sql), args)
            .fetch_one(pool)
            .await?)
    }
}
