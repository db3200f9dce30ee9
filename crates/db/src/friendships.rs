//! Friendships and friend requests.

use cortege_domain::PersonId;
use sqlx::PgPool;
use uuid::Uuid;

use crate::Result;

/// Accepted friendships per person, for a DataLoader.
pub async fn friend_counts(pool: &PgPool, people: &[Uuid]) -> Result<Vec<(Uuid, i64)>> {
    Ok(sqlx::query_as(
        "SELECT p, count(f.id) FROM unnest($1::uuid[]) AS p
         LEFT JOIN friendships f ON f.status = 'ACCEPTED'
              AND (f.requester_id = p OR f.addressee_id = p)
         GROUP BY p",
    )
    .bind(people)
    .fetch_all(pool)
    .await?)
}

/// Which of `others` are friends of `viewer`, for a DataLoader.
pub async fn friends_among(pool: &PgPool, viewer: PersonId, others: &[Uuid]) -> Result<Vec<Uuid>> {
    Ok(sqlx::query_scalar(
        "SELECT CASE WHEN requester_id = $1 THEN addressee_id ELSE requester_id END
         FROM friendships
         WHERE status = 'ACCEPTED'
           AND ((requester_id = $1 AND addressee_id = ANY($2))
             OR (addressee_id = $1 AND requester_id = ANY($2)))",
    )
    .bind(viewer.0)
    .bind(others)
    .fetch_all(pool)
    .await?)
}
