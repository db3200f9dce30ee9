//! SQL fragments for radius search over an `earth` cube column (GiST
//! indexed): earth_box prunes with the index, earth_distance's expression
//! gives the exact great-circle distance. Shared by every listing that
//! searches by place.
//!
//! The centre and the distance are earthdistance's own expressions, in
//! forms the planner inlines (`earth_point`, [`push_distance_km`]): its
//! functions are SQL functions that, under the pools' generic plans, ran
//! the SQL function machinery at every call.

use std::cmp::Ordering;

use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

/// A centre (lat, lon) and a radius in kilometres.
pub type Near = (f64, f64, f64);

/// The centre as a sub-select: PostgreSQL computes it once per statement
/// (an InitPlan). Written plainly, the pools' generic plans (see
/// `crate::connect`), which cannot fold a bound point into a constant,
/// would compute it again for every row they filter or measure. And
/// `earth_point`, not `ll_to_earth`: the same point, but inlined rather
/// than run as a SQL function (migration 0014).
fn push_point(q: &mut QueryBuilder<Postgres>, lat: f64, lon: f64) {
    q.push("(SELECT earth_point(")
        .push_bind(lat)
        .push(", ")
        .push_bind(lon)
        .push("))");
}

/// `earth_distance(a, b)`, metres, written out around `{chord}`, which
/// stands for `cube_distance(a, b)`: earthdistance's `sec_to_gc` with
/// `earth()`'s value, the same operations in the same order, so the same
/// float to the bit (tests/api/geo.rs). `sec_to_gc` is a SQL function the
/// planner does not inline (a CASE inside a STRICT function), so every row
/// measured ran the SQL function machinery: the near page's statement ran
/// 30 % faster written out, a feed page's 10 %.
const METRES: &str = "(CASE WHEN {chord} < 0 THEN 0::float8 \
    WHEN {chord} / (2 * '6378168'::float8) > 1 THEN pi() * '6378168'::float8 \
    ELSE 2 * '6378168'::float8 * asin({chord} / (2 * '6378168'::float8)) END)";

/// `earth_distance(a, b)` in metres, for SQL operands `a` and `b` (see
/// [`METRES`]).
pub(crate) fn metres_sql(a: &str, b: &str) -> String {
    METRES.replace("{chord}", &format!("cube_distance({a}, {b})"))
}

/// The distance from the centre to `<alias>.earth`, in metres (see
/// [`METRES`]).
fn push_metres(q: &mut QueryBuilder<Postgres>, alias: &'static str, near: Near) {
    for (i, piece) in METRES.split("{chord}").enumerate() {
        if i > 0 {
            q.push("cube_distance(");
            push_point(q, near.0, near.1);
            q.push(", ").push(alias).push(".earth)");
        }
        q.push(piece);
    }
}

/// The distance from the centre to `<alias>.earth`, in kilometres.
pub fn push_distance_km(q: &mut QueryBuilder<Postgres>, alias: &'static str, near: Near) {
    push_metres(q, alias, near);
    q.push(" / 1000.0");
}

/// ` AND <alias>.earth within the radius`, index-assisted.
pub fn push_within(q: &mut QueryBuilder<Postgres>, alias: &'static str, near: Near) {
    let metres = near.2 * 1000.0;
    q.push(" AND earth_box(");
    push_point(q, near.0, near.1);
    q.push(", ")
        .push_bind(metres)
        .push(") @> ")
        .push(alias)
        .push(".earth AND ");
    push_metres(q, alias, near);
    q.push(" <= ").push_bind(metres);
}

/// ` AND (distance, id) > (d, id)`: the keyset of a nearest-first listing.
pub fn push_after(
    q: &mut QueryBuilder<Postgres>,
    alias: &'static str,
    near: Near,
    d: f64,
    id: uuid::Uuid,
) {
    q.push(" AND (");
    push_distance_km(q, alias, near);
    q.push(", ")
        .push(alias)
        .push(".id) > (")
        .push_bind(d)
        .push(", ")
        .push_bind(id)
        .push(")");
}

/// ` ORDER BY <alias>.earth <-> centre`: the GiST index returns rows
/// nearest first (the cube's Euclidean distance orders like the great
/// circle), so a LIMIT stops the scan early.
pub fn push_knn_order(q: &mut QueryBuilder<Postgres>, alias: &'static str, near: Near) {
    q.push(" ORDER BY ").push(alias).push(".earth <-> ");
    push_point(q, near.0, near.1);
}

/// Most rows sharing one exact distance that a page can complete.
pub(crate) const MAX_TIES: i64 = 10_000;

/// Orders a nearest-first page read in KNN order ([`push_knn_order`]) by
/// its key (distance, id), and completes it when it ends inside a group of
/// rows at exactly the same distance (one address). KNN orders by distance
/// alone, so that group is read whole by `ties` (the rows at that distance,
/// at most [`MAX_TIES`]) and ordered by id: keyset pages then never skip
/// nor repeat a row (given a cursor that holds the distance bit for bit).
pub(crate) async fn nearest_first<T, Fut>(
    mut rows: Vec<T>,
    limit: i64,
    key: impl Fn(&T) -> (f64, Uuid),
    ties: impl FnOnce(f64) -> Fut,
) -> crate::Result<Vec<T>>
where
    Fut: Future<Output = crate::Result<Vec<T>>>,
{
    let by_key = |a: &T, b: &T| key(a).partial_cmp(&key(b)).unwrap_or(Ordering::Equal);
    rows.sort_by(by_key);
    let n = rows.len();
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if n == limit && n >= 2 && key(&rows[n - 1]).0 == key(&rows[n - 2]).0 {
        let tie = key(&rows[n - 1]).0;
        let group = ties(tie).await?;
        rows.retain(|r| key(r).0 != tie);
        rows.extend(group);
        rows.sort_by(by_key);
        rows.truncate(limit);
    }
    Ok(rows)
}
