//! Friendships and friend requests.

use chrono::{DateTime, Utc};
use cortege_domain::FriendshipStatus;
use cortege_domain::{FriendshipId, PersonId};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::Result;
use crate::activities::{self, Activity, Happening};
use crate::statement::Statement;

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

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Friendship {
    pub id: Uuid,
    pub requester_id: Uuid,
    pub addressee_id: Uuid,
    pub status: FriendshipStatus,
    pub created_at: DateTime<Utc>,
}

macro_rules! friendship_columns {
    () => {
        "f.id, f.requester_id, f.addressee_id, f.status, f.created_at"
    };
}

/// What a friend request came to.
#[derive(Debug, Clone)]
pub enum RequestOutcome {
    Sent(Friendship),
    /// Their request to us was pending: it is now accepted.
    AcceptedTheirs(Friendship),
    AlreadyFriends,
    AlreadyPending,
}

pub async fn by_ids(pool: &PgPool, ids: &[Uuid]) -> Result<Vec<Friendship>> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        friendship_columns!(),
        " FROM friendships f WHERE f.id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(pool)
    .await?)
}

/// Sends a request, or accepts theirs when one is pending the other way.
pub async fn request(pool: &PgPool, from: PersonId, to: Uuid) -> Result<RequestOutcome> {
    let mut tx = pool.begin().await?;
    // Serialise the pair so two crossing requests cannot both insert.
    let (a, b) = if from.0 < to {
        (from.0, to)
    } else {
        (to, from.0)
    };
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text || $2::text, 0))")
        .bind(a)
        .bind(b)
        .execute(&mut *tx)
        .await?;
    let live: Option<Friendship> = sqlx::query_as(concat!(
        "SELECT ",
        friendship_columns!(),
        " FROM friendships f WHERE f.status IN ('PENDING', 'ACCEPTED')
           AND ((f.requester_id = $1 AND f.addressee_id = $2) OR (f.requester_id = $2 AND f.addressee_id = $1))"
    ))
    .bind(from.0)
    .bind(to)
    .fetch_optional(&mut *tx)
    .await?;
    let outcome = match live {
        Some(f) if f.status == FriendshipStatus::Accepted => RequestOutcome::AlreadyFriends,
        Some(f) if f.requester_id == from.0 => RequestOutcome::AlreadyPending,
        Some(f) => RequestOutcome::AcceptedTheirs(accept_in(&mut tx, f.id).await?),
        None => {
            let f: Friendship = sqlx::query_as(concat!(
                "INSERT INTO friendships AS f (id, requester_id, addressee_id) VALUES ($1, $2, $3)
                 RETURNING ",
                friendship_columns!()
            ))
            .bind(FriendshipId::new().0)
            .bind(from.0)
            .bind(to)
            .fetch_one(&mut *tx)
            .await?;
            activities::record(
                &mut tx,
                Happening::FriendRequest,
                Activity {
                    actor: Some(from.0),
                    recipient: Some(to),
                    payload: serde_json::json!({ "friendship": f.id }),
                    ..Activity::default()
                },
            )
            .await?;
            RequestOutcome::Sent(f)
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

async fn accept_in(tx: &mut Transaction<'_, Postgres>, id: Uuid) -> Result<Friendship> {
    let f: Friendship = sqlx::query_as(concat!(
        "UPDATE friendships f SET status = 'ACCEPTED', responded_at = now() WHERE f.id = $1 RETURNING ",
        friendship_columns!()
    ))
    .bind(id)
    .fetch_one(&mut **tx)
    .await?;
    activities::record(
        tx,
        Happening::FriendAccepted,
        Activity {
            actor: Some(f.addressee_id),
            recipient: Some(f.requester_id),
            payload: serde_json::json!({ "friendship": f.id }),
            ..Activity::default()
        },
    )
    .await?;
    Ok(f)
}

/// The addressee's answer to a pending request. None: no such pending
/// request addressed to `by`.
pub async fn respond(
    pool: &PgPool,
    id: Uuid,
    by: PersonId,
    accept: bool,
) -> Result<Option<Friendship>> {
    let mut tx = pool.begin().await?;
    let pending: Option<Friendship> = sqlx::query_as(concat!(
        "SELECT ",
        friendship_columns!(),
        " FROM friendships f WHERE f.id = $1 AND f.addressee_id = $2 AND f.status = 'PENDING' FOR UPDATE"
    ))
    .bind(id)
    .bind(by.0)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(pending) = pending else {
        return Ok(None);
    };
    let f = if accept {
        accept_in(&mut tx, pending.id).await?
    } else {
        sqlx::query_as(concat!(
            "UPDATE friendships f SET status = 'DECLINED', responded_at = now() WHERE f.id = $1 RETURNING ",
            friendship_columns!()
        ))
        .bind(pending.id)
        .fetch_one(&mut *tx)
        .await?
    };
    tx.commit().await?;
    Ok(Some(f))
}

/// Ends a friendship (or withdraws a pending request either way); false when
/// there was none.
pub async fn remove(pool: &PgPool, a: PersonId, b: Uuid) -> Result<bool> {
    let done = sqlx::query(
        "DELETE FROM friendships WHERE status IN ('PENDING', 'ACCEPTED')
           AND ((requester_id = $1 AND addressee_id = $2) OR (requester_id = $2 AND addressee_id = $1))",
    )
    .bind(a.0)
    .bind(b)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A person's friends (accepted), by friendship date: (since, friendship id,
/// friend id).
pub async fn friends_of(
    pool: &PgPool,
    person: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<(DateTime<Utc>, Uuid, Uuid)>> {
    friends_page(person, after, limit).fetch_all(pool).await
}

/// The statement of [`friends_of`].
pub fn friends_page(person: Uuid, after: Option<(DateTime<Utc>, Uuid)>, limit: i64) -> Statement {
    // Each side of the pair read off its own index in order, then merged:
    // an OR across the two columns would sort every friendship.
    macro_rules! side {
        ($me:literal, $friend:literal) => {
            concat!(
                "(SELECT COALESCE(f.responded_at, f.created_at) AS since, f.id, f.",
                $friend,
                " AS friend FROM friendships f WHERE f.status = 'ACCEPTED' AND f.",
                $me,
                " = $1 AND ($2::timestamptz IS NULL
                     OR (COALESCE(f.responded_at, f.created_at), f.id) > ($2, $3))
                 ORDER BY COALESCE(f.responded_at, f.created_at), f.id LIMIT $4)"
            )
        };
    }
    Statement::new(concat!(
        "SELECT * FROM (",
        side!("requester_id", "addressee_id"),
        " UNION ALL ",
        side!("addressee_id", "requester_id"),
        ") t ORDER BY t.since, t.id LIMIT $4"
    ))
    .bind(person)
    .bind(after.map(|a| a.0))
    .bind(after.map(|a| a.1))
    .bind(limit)
}

/// Pending requests addressed to a person, oldest first.
pub async fn requests_to(
    pool: &PgPool,
    person: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<Friendship>> {
    requests_page(person, after, limit).fetch_all(pool).await
}

/// The statement of [`requests_to`].
pub fn requests_page(person: Uuid, after: Option<(DateTime<Utc>, Uuid)>, limit: i64) -> Statement {
    Statement::new(concat!(
        "SELECT ",
        friendship_columns!(),
        " FROM friendships f WHERE f.addressee_id = $1 AND f.status = 'PENDING'
           AND ($2::timestamptz IS NULL OR (f.created_at, f.id) > ($2, $3))
         ORDER BY f.created_at, f.id LIMIT $4"
    ))
    .bind(person)
    .bind(after.map(|a| a.0))
    .bind(after.map(|a| a.1))
    .bind(limit)
}
