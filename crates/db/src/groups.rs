//! Local groups and their memberships.

use chrono::{DateTime, Utc};
use cortege_domain::JoinPolicy;
use cortege_domain::{GroupId, PersonId};
use sqlx::{PgPool, Postgres, QueryBuilder, Transaction};
use uuid::Uuid;

use crate::{Result, geo, keyset};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Group {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    pub join_policy: JoinPolicy,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub street: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub commune_code: Option<String>,
    pub member_count: i32,
    pub removed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub distance_km: Option<f64>,
}

/// The columns of [`Group`]; with an argument, that expression stands in
/// for the description.
macro_rules! group_columns {
    () => {
        group_columns!("g.description")
    };
    ($description:literal) => {
        concat!(
            "g.id, g.name, ",
            $description,
            ", g.join_policy, g.lat, g.lon, g.street,
         g.postcode, g.city, g.commune_code, g.member_count, g.removed_at, g.created_at"
        )
    };
}

joined!(Group as "g": JOINED_COLUMNS, joined {
    id,
    name,
    description,
    join_policy,
    lat,
    lon,
    street,
    postcode,
    city,
    commune_code,
    member_count,
    removed_at,
    created_at,
}; distance_km: None);

pub async fn by_ids(pool: &PgPool, ids: &[Uuid]) -> Result<Vec<Group>> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        group_columns!(),
        ", NULL::float8 AS distance_km FROM groups g WHERE g.id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(pool)
    .await?)
}

#[derive(Debug, Clone)]
pub struct NewGroup {
    pub name: String,
    pub description: String,
    pub join_policy: JoinPolicy,
    pub location: Option<(f64, f64)>,
    pub address: Option<cortege_domain::PostalAddress>,
}

/// Creates the group with its creator as its first (active) manager.
pub async fn create(pool: &PgPool, creator: PersonId, g: &NewGroup) -> Result<GroupId> {
    let id = GroupId::new();
    let mut tx = pool.begin().await?;
    let address = g.address.as_ref();
    sqlx::query(
        "INSERT INTO groups (id, name, description, join_policy, lat, lon, earth, street, postcode,
             city, commune_code, created_by, member_count)
         VALUES ($1, $2, $3, $4::join_policy, $5, $6,
             CASE WHEN $5::float8 IS NULL THEN NULL ELSE ll_to_earth($5, $6) END,
             $7, $8, $9, $10, $11, 1)",
    )
    .bind(id.0)
    .bind(&g.name)
    .bind(&g.description)
    .bind(g.join_policy)
    .bind(g.location.map(|l| l.0))
    .bind(g.location.map(|l| l.1))
    .bind(address.and_then(|a| a.street.clone()))
    .bind(address.map(|a| a.postcode.clone()))
    .bind(address.map(|a| a.city.clone()))
    .bind(address.map(|a| a.commune_code.clone()))
    .bind(creator.0)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO memberships (group_id, person_id, role, status, activated_at)
         VALUES ($1, $2, 'MANAGER', 'ACTIVE', now())",
    )
    .bind(id.0)
    .bind(creator.0)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub(crate) async fn lock(tx: &mut Transaction<'_, Postgres>, group: Uuid) -> Result<Option<Group>> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        group_columns!(),
        ", NULL::float8 AS distance_km FROM groups g WHERE g.id = $1 FOR UPDATE"
    ))
    .bind(group)
    .fetch_optional(&mut **tx)
    .await?)
}

/// Changes a group, with its moderation-log row, in one transaction: the
/// group as it now is, or None when there is no such group.
pub async fn update(
    pool: &PgPool,
    group: Uuid,
    changes: &cortege_domain::groups::GroupChanges,
    actor: PersonId,
) -> Result<Option<Group>> {
    let mut tx = pool.begin().await?;
    if lock(&mut tx, group).await?.is_none() {
        return Ok(None);
    }
    let updated: Group = sqlx::query_as(concat!(
        "UPDATE groups g SET name = COALESCE($2, g.name), description = COALESCE($3, g.description),
                             join_policy = COALESCE($4, g.join_policy), updated_at = now()
         WHERE g.id = $1 RETURNING ",
        group_columns!(),
        ", NULL::float8 AS distance_km"
    ))
    .bind(group)
    .bind(&changes.name)
    .bind(&changes.description)
    .bind(changes.join_policy)
    .fetch_one(&mut *tx)
    .await?;
    // What changed, and only that.
    let mut details = serde_json::Map::new();
    if let Some(name) = &changes.name {
        details.insert("name".into(), name.clone().into());
    }
    if let Some(description) = &changes.description {
        details.insert("description".into(), description.clone().into());
    }
    if let Some(policy) = changes.join_policy {
        details.insert("join_policy".into(), policy.as_str().into());
    }
    crate::moderation_log::record(
        &mut *tx,
        &crate::moderation_log::NewLine {
            actor: actor.0,
            action: cortege_domain::ModerationAction::UpdateGroup,
            target_person: None,
            target: (cortege_domain::SubjectKind::Group, group),
            details: details.into(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(updated))
}

/// Where a group listing resumes.
#[derive(Debug, Clone, PartialEq)]
pub enum After {
    Name(String, Uuid),
    Distance(f64, Uuid),
}

#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub near: Option<geo::Near>,
    pub search: Option<String>,
    pub after: Option<After>,
    pub limit: i64,
    /// The query does not ask for descriptions: the page reads an empty
    /// text in their place.
    pub skip_description: bool,
}

/// Groups, nearest first with `near` (read in the index's distance order,
/// as events are: see `geo::nearest_first`), else by name.
pub async fn list(pool: &PgPool, l: &Listing) -> Result<Vec<Group>> {
    let rows = fetch(pool, l, None).await?;
    match l.near {
        None => Ok(rows),
        Some(_) => {
            geo::nearest_first(
                rows,
                l.limit,
                |g: &Group| (g.distance_km.unwrap_or(f64::INFINITY), g.id),
                |tie| fetch(pool, l, Some(tie)),
            )
            .await
        }
    }
}

/// The listing's rows; with `tie`, only the groups at exactly that
/// distance.
async fn fetch(pool: &PgPool, l: &Listing, tie: Option<f64>) -> Result<Vec<Group>> {
    Ok(query(l, tie).build_query_as().fetch_all(pool).await?)
}

/// The plan of [`list`]'s statement, for the bounded-listing test.
pub async fn plan(pool: &PgPool, l: &Listing) -> Result<serde_json::Value> {
    crate::statement::generic_plan(pool, &query(l, None).into_string()).await
}

fn query(l: &Listing, tie: Option<f64>) -> QueryBuilder<Postgres> {
    let mut q: QueryBuilder<Postgres> = QueryBuilder::new("");
    q.push("SELECT ").push(match l.skip_description {
        true => group_columns!("''::text AS description"),
        false => group_columns!(),
    });
    q.push(", ");
    match l.near {
        Some(near) => {
            geo::push_distance_km(&mut q, "g", near);
            q.push(" AS distance_km");
        }
        None => {
            q.push("NULL::float8 AS distance_km");
        }
    }
    q.push(" FROM groups g WHERE g.removed_at IS NULL");
    if let Some(near) = l.near {
        geo::push_within(&mut q, "g", near);
    }
    if let Some(text) = &l.search {
        crate::push_text_search(&mut q, "g", text);
    }
    match (&l.after, l.near) {
        (Some(After::Distance(d, id)), Some(near)) => {
            geo::push_after(&mut q, "g", near, *d, *id);
        }
        (Some(After::Name(name, id)), None) => {
            keyset::push_after(&mut q, "g.name", "g.id", name.clone(), *id);
        }
        _ => {}
    }
    match (l.near, tie) {
        (Some(near), Some(d)) => {
            q.push(" AND ");
            geo::push_distance_km(&mut q, "g", near);
            q.push(" = ").push_bind(d);
            crate::push_limit(&mut q, geo::MAX_TIES);
        }
        (Some(near), None) => {
            geo::push_knn_order(&mut q, "g", near);
            crate::push_limit(&mut q, l.limit);
        }
        (None, _) => {
            q.push(" ORDER BY g.name, g.id");
            crate::push_limit(&mut q, l.limit);
        }
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_reads_descriptions_only_when_asked() {
        let brief = Listing {
            limit: 21,
            skip_description: true,
            ..Listing::default()
        };
        let sql = query(&brief, None).into_string();
        assert!(!sql.contains("g.description"), "{sql}");
        let full = Listing {
            skip_description: false,
            ..brief
        };
        assert!(query(&full, None).into_string().contains("g.description"));
    }
}
