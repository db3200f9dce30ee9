//! Keyset pagination: a page resumes strictly after the last row's sort
//! key, with the id as tie-breaker, so pages neither skip nor repeat rows
//! while others are inserted. (Nearest-first pages resume by exact
//! distance: `geo::push_after`.)

use sqlx::{Encode, Postgres, QueryBuilder, Type};
use uuid::Uuid;

/// Appends ` AND (<key>, <id>) > (value, id)`; `key` and `id_column` are
/// column names of our own queries, never input.
pub fn push_after<T>(
    q: &mut QueryBuilder<Postgres>,
    key: &'static str,
    id_column: &'static str,
    value: T,
    id: Uuid,
) where
    T: 'static + for<'q> Encode<'q, Postgres> + Type<Postgres> + Send,
{
    q.push(" AND (")
        .push(key)
        .push(", ")
        .push(id_column)
        .push(") > (")
        .push_bind(value)
        .push(", ")
        .push_bind(id)
        .push(")");
}
