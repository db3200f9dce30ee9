//! SQL fragments for radius search over an `earth` cube column (GiST
//! indexed): earth_box prunes with the index, earth_distance gives the exact
//! great-circle distance. Shared by every listing that searches by place.

use sqlx::{Postgres, QueryBuilder};

/// A centre (lat, lon) and a radius in kilometres.
pub type Near = (f64, f64, f64);

fn push_point(q: &mut QueryBuilder<Postgres>, lat: f64, lon: f64) {
    q.push("ll_to_earth(")
        .push_bind(lat)
        .push(", ")
        .push_bind(lon)
        .push(")");
}

/// `earth_distance(centre, <alias>.earth) / 1000.0`: kilometres.
pub fn push_distance_km(q: &mut QueryBuilder<Postgres>, alias: &'static str, near: Near) {
    q.push("earth_distance(");
    push_point(q, near.0, near.1);
    q.push(", ").push(alias).push(".earth) / 1000.0");
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
        .push(".earth AND earth_distance(");
    push_point(q, near.0, near.1);
    q.push(", ")
        .push(alias)
        .push(".earth) <= ")
        .push_bind(metres);
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
