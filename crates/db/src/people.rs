//! People (members' accounts).

use chrono::{DateTime, Utc};
use cortege_domain::{PersonId, Role};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::Result;

/// A person as stored. The API layer decides what each viewer may see of it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Person {
    pub id: Uuid,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub photo_key: Option<String>,
    pub postcode: Option<String>,
    pub commune_code: Option<String>,
    pub home_lat: Option<f64>,
    pub home_lon: Option<f64>,
    pub action_radius_km: f32,
    pub roles: Vec<Role>,
    pub pledge_accepted_at: Option<DateTime<Utc>>,
    pub banned_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl Person {
    pub fn person_id(&self) -> PersonId {
        PersonId(self.id)
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Whether the person holds any of these roles.
    pub fn has_any_role(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has_role(*r))
    }

    /// Whether this account may sign in: not banned, not deleted.
    pub fn is_active(&self) -> bool {
        self.banned_at.is_none() && self.deleted_at.is_none()
    }
}

macro_rules! person_select {
    ($($tail:literal),*) => {
        concat!(
            "SELECT id, first_name, last_name, email, photo_key, postcode, commune_code,
                    home_lat, home_lon, action_radius_km, roles,
                    pledge_accepted_at, banned_at, deleted_at, created_at
             FROM people ",
            $($tail),*
        )
    };
}

/// What other people are shown of a person: name, photo, commune, and
/// whether the account still stands. Listings, attendees, feeds and the
/// people loader read these columns only, so that a page of events carries
/// no organiser's email, home or roles through the server (and reads a
/// third of a person's columns: decoding the roles array alone cost more
/// than the name).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Profile {
    pub id: Uuid,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub photo_key: Option<String>,
    pub commune_code: Option<String>,
    pub banned_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Profile {
    pub fn person_id(&self) -> PersonId {
        PersonId(self.id)
    }

    /// Whether the account stands: not banned, not deleted.
    pub fn is_active(&self) -> bool {
        self.banned_at.is_none() && self.deleted_at.is_none()
    }
}

impl From<Person> for Profile {
    fn from(p: Person) -> Self {
        Profile {
            id: p.id,
            first_name: p.first_name,
            last_name: p.last_name,
            photo_key: p.photo_key,
            commune_code: p.commune_code,
            banned_at: p.banned_at,
            deleted_at: p.deleted_at,
        }
    }
}

macro_rules! profile_select {
    ($($tail:literal),*) => {
        concat!(
            "SELECT id, first_name, last_name, photo_key, commune_code, banned_at, deleted_at
             FROM people ",
            $($tail),*
        )
    };
}

joined!(Profile as "o": JOINED_COLUMNS, joined {
    id,
    first_name,
    last_name,
    photo_key,
    commune_code,
    banned_at,
    deleted_at,
});

pub async fn by_id(pool: &PgPool, id: PersonId) -> Result<Option<Person>> {
    Ok(sqlx::query_as(person_select!("WHERE id = $1"))
        .bind(id.0)
        .fetch_optional(pool)
        .await?)
}

/// People by id, in no particular order, for a DataLoader.
pub async fn by_ids(pool: &PgPool, ids: &[Uuid]) -> Result<Vec<Person>> {
    Ok(sqlx::query_as(person_select!("WHERE id = ANY($1)"))
        .bind(ids)
        .fetch_all(pool)
        .await?)
}

/// Profiles by id, in no particular order, for a DataLoader.
pub async fn profiles_by_ids(pool: &PgPool, ids: &[Uuid]) -> Result<Vec<Profile>> {
    Ok(sqlx::query_as(profile_select!("WHERE id = ANY($1)"))
        .bind(ids)
        .fetch_all(pool)
        .await?)
}

/// The account with this normalised email.
pub async fn by_email(pool: &PgPool, email: &str) -> Result<Option<Person>> {
    Ok(sqlx::query_as(person_select!("WHERE email = $1"))
        .bind(email)
        .fetch_optional(pool)
        .await?)
}

/// Whether this normalised email belongs to a banned person, including one
/// whose account was deleted since (only a hash of the address is kept).
pub async fn email_is_banned(pool: &PgPool, email: &str, email_hash: &[u8]) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM people
             WHERE (email = $1 AND banned_at IS NOT NULL) OR banned_email_hash = $2)",
    )
    .bind(email)
    .bind(email_hash)
    .fetch_one(pool)
    .await?)
}

/// What sign-up stores.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub id: PersonId,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub postcode: Option<String>,
    pub commune_code: Option<String>,
    pub home: Option<(f64, f64)>,
    pub photo_key: Option<String>,
    pub pledge_accepted: bool,
}

/// Creates the account unless the email is taken; None when it was.
pub async fn insert(tx: &mut Transaction<'_, Postgres>, p: &NewPerson) -> Result<Option<PersonId>> {
    let id: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO people (id, first_name, last_name, email, postcode, commune_code,
                             home_lat, home_lon, photo_key, pledge_accepted_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, CASE WHEN $10 THEN now() END)
         ON CONFLICT (email) DO NOTHING
         RETURNING id",
    )
    .bind(p.id.0)
    .bind(&p.first_name)
    .bind(&p.last_name)
    .bind(&p.email)
    .bind(&p.postcode)
    .bind(&p.commune_code)
    .bind(p.home.map(|h| h.0))
    .bind(p.home.map(|h| h.1))
    .bind(&p.photo_key)
    .bind(p.pledge_accepted)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(id.map(PersonId))
}

/// A profile change; None leaves a column as it is.
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Postcode, its commune, and the home location it implies unless
    /// `home` is given too.
    pub place: Option<(String, String)>,
    pub home: Option<(f64, f64)>,
    pub action_radius_km: Option<f64>,
}

pub async fn update_profile(pool: &PgPool, id: PersonId, u: &ProfileUpdate) -> Result<()> {
    sqlx::query(
        "UPDATE people SET
             first_name = COALESCE($2, first_name),
             last_name = COALESCE($3, last_name),
             postcode = COALESCE($4, postcode),
             commune_code = COALESCE($5, commune_code),
             home_lat = COALESCE($6, home_lat),
             home_lon = COALESCE($7, home_lon),
             action_radius_km = COALESCE($8::real, action_radius_km),
             updated_at = now()
         WHERE id = $1",
    )
    .bind(id.0)
    .bind(&u.first_name)
    .bind(&u.last_name)
    .bind(u.place.as_ref().map(|p| &p.0))
    .bind(u.place.as_ref().map(|p| &p.1))
    .bind(u.home.map(|h| h.0))
    .bind(u.home.map(|h| h.1))
    .bind(u.action_radius_km)
    .execute(pool)
    .await?;
    Ok(())
}

/// Sets the photo and returns the previous one's key, whose files the caller
/// may now delete.
pub async fn set_photo(pool: &PgPool, id: PersonId, key: &str) -> Result<Option<String>> {
    let old: Option<Option<String>> = sqlx::query_scalar(
        "UPDATE people p SET photo_key = $2, updated_at = now()
         FROM (SELECT photo_key FROM people WHERE id = $1 FOR UPDATE) old
         WHERE p.id = $1 RETURNING old.photo_key",
    )
    .bind(id.0)
    .bind(key)
    .fetch_optional(pool)
    .await?;
    Ok(old.flatten())
}

pub async fn accept_pledge(pool: &PgPool, id: PersonId) -> Result<()> {
    sqlx::query(
        "UPDATE people SET pledge_accepted_at = COALESCE(pledge_accepted_at, now()), updated_at = now()
         WHERE id = $1",
    )
    .bind(id.0)
    .execute(pool)
    .await?;
    Ok(())
}

/// Adds a role, and the moderation-log row that records it, in one
/// transaction. False when no active account has this email.
pub async fn grant_role(
    pool: &PgPool,
    email: &str,
    role: Role,
    actor: Option<PersonId>,
) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let id: Option<Uuid> = sqlx::query_scalar(
        "UPDATE people SET
             roles = CASE WHEN $2::person_role = ANY(roles) THEN roles ELSE roles || $2::person_role END,
             updated_at = now()
         WHERE email = $1 AND deleted_at IS NULL
         RETURNING id",
    )
    .bind(email)
    .bind(role.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        return Ok(false);
    };
    sqlx::query(
        "INSERT INTO moderation_log (actor_id, action, target_person_id, details)
         VALUES ($1, 'GRANT_ROLE', $2, jsonb_build_object('role', $3::text))",
    )
    .bind(actor.map(|a| a.0))
    .bind(id)
    .bind(role.as_str())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Removes a role (MEMBER stays), with its moderation-log row, in one
/// transaction. False when the person does not exist.
pub async fn revoke_role(
    pool: &PgPool,
    person: PersonId,
    role: Role,
    actor: PersonId,
) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE people SET roles = array_remove(roles, $2::person_role), updated_at = now()
         WHERE id = $1 AND deleted_at IS NULL AND $2 <> 'MEMBER'",
    )
    .bind(person.0)
    .bind(role.as_str())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO moderation_log (actor_id, action, target_person_id, details)
         VALUES ($1, 'REVOKE_ROLE', $2, jsonb_build_object('role', $3::text))",
    )
    .bind(actor.0)
    .bind(person.0)
    .bind(role.as_str())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The email of a person, to grant a role through [`grant_role`].
pub async fn email_of(pool: &PgPool, person: PersonId) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT email FROM people WHERE id = $1 AND deleted_at IS NULL")
            .bind(person.0)
            .fetch_optional(pool)
            .await?
            .flatten(),
    )
}

/// One of the viewer's friends going to an event.
#[derive(Debug, sqlx::FromRow)]
pub struct FriendGoing {
    pub event_id: Uuid,
    #[sqlx(flatten)]
    pub friend: Profile,
}

/// The viewer's friends with a GOING RSVP to each of the events, by first
/// name, at most 50 per event (a page shows a handful): one statement for
/// a whole page of events. Each event reads the smaller of its attendees
/// and the viewer's friends, never the table.
pub async fn friends_going(
    pool: &PgPool,
    viewer: Uuid,
    events: &[Uuid],
) -> Result<Vec<FriendGoing>> {
    Ok(sqlx::query_as(
        "SELECT g.event_id, p.id, p.first_name, p.last_name, p.photo_key, p.commune_code,
                p.banned_at, p.deleted_at
         FROM unnest($2::uuid[]) AS g (event_id)
         CROSS JOIN LATERAL (
             SELECT o.id, o.first_name, o.last_name, o.photo_key, o.commune_code, o.banned_at,
                    o.deleted_at
             FROM people o
             WHERE o.id IN (SELECT r.person_id FROM rsvps r
                            WHERE r.event_id = g.event_id AND r.status = 'GOING')
               AND o.id IN (
                   SELECT CASE WHEN f.requester_id = $1 THEN f.addressee_id ELSE f.requester_id END
                   FROM friendships f
                   WHERE f.status = 'ACCEPTED' AND (f.requester_id = $1 OR f.addressee_id = $1))
               AND o.banned_at IS NULL AND o.deleted_at IS NULL
             ORDER BY o.first_name, o.id LIMIT 50) p
         ORDER BY g.event_id, p.first_name, p.id",
    )
    .bind(viewer)
    .bind(events)
    .fetch_all(pool)
    .await?)
}

#[cfg(test)]
mod tests {
    /// The columns listings, attendees and feeds join: nothing that only
    /// the person themself, or a rule about them, may read.
    #[test]
    fn joined_profiles_leave_private_columns_in_the_database() {
        let columns: Vec<&str> = super::JOINED_COLUMNS
            .split(", ")
            .filter_map(|c| c.split(" AS ").next())
            .collect();
        assert_eq!(
            columns,
            [
                "o.id",
                "o.first_name",
                "o.last_name",
                "o.photo_key",
                "o.commune_code",
                "o.banned_at",
                "o.deleted_at"
            ]
        );
        for private in [
            "email", "home_lat", "home_lon", "roles", "postcode", "pledge",
        ] {
            assert!(!super::JOINED_COLUMNS.contains(private), "{private}");
        }
    }
}
