//! Every SQL statement of Cortège lives in this crate, one module per
//! aggregate; rows come out as plain structs for the API layer.

/// Reads a `$ty` from the same row as what points to it, so that a page and
/// its relations cost one statement instead of a page and a batch after it.
/// A statement that joins the table as `$alias` selects `$columns` (each
/// column named `<alias>_<column>`); `$read` reads them back, None when an
/// outer join found nothing (the first field must be the table's key).
/// Listing every field makes a field added to `$ty` a compile error here.
macro_rules! joined {
    ($ty:ident as $alias:literal: $columns:ident, $read:ident {
        $first:ident $(, $field:ident)* $(,)?
    } $(; $extra:ident: $value:expr)*) => {
        /// The table's columns, joined under its alias, each named
        /// `<alias>_<column>`.
        pub const $columns: &str = concat!(
            $alias, ".", stringify!($first), " AS ", $alias, "_", stringify!($first)
            $(, ", ", $alias, ".", stringify!($field), " AS ", $alias, "_", stringify!($field))*
        );

        impl crate::ReadAt for $ty {
            fn read_at(
                row: &sqlx::postgres::PgRow,
                first: usize,
                types: crate::Types,
            ) -> sqlx::Result<Self> {
                let mut at = first;
                Ok($ty {
                    $first: types.get(row, first)?,
                    $($field: {
                        at += 1;
                        types.get(row, at)?
                    },)*
                    $($extra: $value,)*
                })
            }
        }

        /// The row those columns hold in this one, if the join found one.
        pub fn $read(
            row: &sqlx::postgres::PgRow,
            types: crate::Types,
        ) -> sqlx::Result<Option<$ty>> {
            use sqlx::{Column, Row, ValueRef};
            let first = row
                .try_column(concat!($alias, "_", stringify!($first)))?
                .ordinal();
            if row.try_get_raw(first)?.is_null() {
                return Ok(None);
            }
            <$ty as crate::ReadAt>::read_at(row, first, types).map(Some)
        }
    };
}

/// A row struct read from consecutive columns, the first at `first`, in
/// the order of its `joined!` list. Only the first column is found by
/// name, if at all: a lookup by name per column and row was a sixth of the
/// time spent reading a page.
pub trait ReadAt: Sized {
    fn read_at(row: &sqlx::postgres::PgRow, first: usize, types: Types) -> sqlx::Result<Self>;
}

/// A row struct that a statement's rows are read into, checking the
/// columns' types as [`Types`] says (see `Statement::read_all`).
pub trait ReadRow: Sized {
    fn read_row(row: &sqlx::postgres::PgRow, types: Types) -> sqlx::Result<Self>;
}

/// Whether a reader checks each column's type against its field's. sqlx
/// checks on every read (type names compared, type infos cloned and
/// dropped: about 3 % of a listing's CPU), but the rows of one statement
/// share their columns' types: checking the first row's is enough. A
/// trusted read still decodes with the field's own checks (lengths, UTF-8,
/// enum labels, NULL), so a wrong type fails, it is only not named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Types {
    Check,
    Trust,
}

impl Types {
    /// Check the first row of a statement's result, trust the others.
    pub fn of_row(index: usize) -> Types {
        match index {
            0 => Types::Check,
            _ => Types::Trust,
        }
    }

    fn get<'r, T>(self, row: &'r sqlx::postgres::PgRow, at: usize) -> sqlx::Result<T>
    where
        T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
    {
        use sqlx::Row;
        match self {
            Types::Check => row.try_get(at),
            Types::Trust => row.try_get_unchecked(at),
        }
    }
}

pub mod keyset;
pub mod login_codes;
pub mod maintenance;
pub mod memberships;
pub mod moderation_log;
pub mod notify;
pub mod people;
pub mod reads;
pub mod reference;
pub mod sessions;
pub mod statement;

use std::time::Duration;

pub use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// A database failure. Constraint violations the API turns into user errors
/// are matched by constraint name with [`Error::constraint`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl Error {
    /// The name of the constraint this error violated, if any.
    pub fn constraint(&self) -> Option<&str> {
        match self {
            Error::Sqlx(sqlx::Error::Database(e)) => e.constraint(),
            _ => None,
        }
    }

    /// Whether the database is out of reach (down, restarting, or no
    /// connection free in time) rather than refusing this statement: the
    /// caller may try again shortly.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::Sqlx(
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::WorkerCrashed,
            ) => true,
            // SQLSTATE class 08 (connection exception), and 57P01-57P03:
            // the server is shutting down or not accepting connections yet.
            Error::Sqlx(sqlx::Error::Database(e)) => e
                .code()
                .is_some_and(|c| c.starts_with("08") || matches!(&*c, "57P01" | "57P02" | "57P03")),
            _ => false,
        }
    }
}

/// How long a request waits for a free connection before it is answered
/// UNAVAILABLE: short, so that an outage fails fast instead of holding
/// every request (and a load balancer's probes) for seconds.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A transaction, as the service layer holds one across several writes.
pub type Tx<'c> = sqlx::Transaction<'c, sqlx::Postgres>;

/// Opens a transaction.
pub async fn begin(pool: &PgPool) -> Result<Tx<'static>> {
    Ok(pool.begin().await?)
}

/// Commits a transaction.
pub async fn commit(tx: Tx<'_>) -> Result<()> {
    Ok(tx.commit().await?)
}

/// Creates the database `name` through a connection to another database
/// of the cluster (`admin`), unless it exists: for the embedded cluster's
/// first start. `name` is a plain lower-case identifier of our own.
pub async fn create_database_if_missing(
    admin: &PgConnectOptions,
    name: &'static str,
) -> Result<()> {
    use sqlx::Connection;
    debug_assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    let mut conn = sqlx::PgConnection::connect_with(admin).await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(name)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await?;
    }
    conn.close().await?;
    Ok(())
}

/// Opens the pool. `max` is the number of connections this process may hold.
pub async fn connect(options: PgConnectOptions, max: u32) -> Result<PgPool> {
    Ok(pool_options(max).connect_with(options).await?)
}

/// A pool that connects on first use: for a replica that may be down when
/// the server starts.
pub fn connect_lazy(options: PgConnectOptions, max: u32) -> PgPool {
    pool_options(max).connect_lazy_with(options)
}

/// Every connection plans each statement once, at its first run, and
/// keeps that generic plan for any arguments. Left to choose, PostgreSQL
/// re-plans a listing at every run: a page's bounded `LIMIT` makes the
/// generic plan look dearer than a custom one, though both walk the same
/// index; planning then cost more than running (0.5 ms against 0.4 ms for
/// an events page with its organisers). The bounded-listing test checks
/// these generic plans (`statement::generic_plan`).
fn pool_options(max: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::Executor::execute(conn, statement::GENERIC_PLANS).await?;
                Ok(())
            })
        })
        // sqlx pings a connection when it goes back to the pool and, by
        // default, again when it is taken out: two round trips to
        // PostgreSQL around every statement's one, each waking it up. A
        // connection back moments ago passed the first; one idle longer is
        // pinged again, as PostgreSQL may have restarted meanwhile (a ping
        // that fails drops it, and another connection is tried).
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= RETEST_AFTER_IDLE {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
}

/// How long a connection may sit in the pool and still be handed out
/// without a ping.
const RETEST_AFTER_IDLE: Duration = Duration::from_secs(1);

/// A page's `LIMIT`, written into the statement rather than bound: the
/// pools' generic plans (see [`connect`]) plan a bound `LIMIT` as a tenth
/// of the table, and may then join a small page by scanning a whole table.
/// A listing has a few page sizes, so a few statements.
pub(crate) fn push_limit(q: &mut sqlx::QueryBuilder<sqlx::Postgres>, limit: i64) {
    q.push(" LIMIT ").push(limit);
}

/// The embedded migrations (the repository's migrations/ folder).
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// Brings the schema up to date and loads the reference data when the
/// committed files changed. Safe to run concurrently: sqlx takes an advisory
/// lock, and the reference load takes its own.
pub async fn migrate(pool: &PgPool) -> Result<()> {
    MIGRATOR.run(pool).await?;
    reference::load(pool).await?;
    Ok(())
}

/// True when the database answers; what /health/ready reports.
pub async fn ping(pool: &PgPool) -> Result<()> {
    sqlx::query("SELECT 1").execute(pool).await?;
    Ok(())
}

pub mod friendships;
pub mod geo;

/// Identifies the schema the migrations and reference files produce: test
/// harnesses name their migrated template database after it.
pub fn schema_fingerprint() -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for m in MIGRATOR.iter() {
        h.update(m.version.to_le_bytes());
        h.update(&*m.checksum);
    }
    h.update(reference::digest().as_bytes());
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
pub mod activities;
pub mod analytics;
pub mod bulk;
pub mod events;
pub mod feed;
pub mod groups;
pub mod import;
pub mod rsvps;
pub mod stats;

/// ` AND <alias>.search matches text`: French, accent- and case-insensitive
/// (the `french_unaccent` configuration over a GIN-indexed tsvector).
pub(crate) fn push_text_search(
    q: &mut sqlx::QueryBuilder<sqlx::Postgres>,
    alias: &'static str,
    text: &str,
) {
    q.push(" AND ")
        .push(alias)
        .push(".search @@ websearch_to_tsquery('french_unaccent', ")
        .push_bind(text.to_owned())
        .push(")");
}
pub mod outbox;
pub mod privacy;
pub mod reports;
