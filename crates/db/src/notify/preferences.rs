//! What each member chose per kind of activity (only what they chose: the
//! defaults are the domain's) and how often they get the digest.

use cortege_domain::{ActivityKind, Channels, DigestFrequency, PersonId};
use sqlx::PgPool;
use uuid::Uuid;

use crate::{Result, Tx};

/// One member's stored choice for one kind.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Chosen {
    pub person_id: Uuid,
    pub kind: ActivityKind,
    pub email: bool,
    pub push: bool,
}

impl Chosen {
    pub fn channels(&self) -> Channels {
        Channels {
            email: self.email,
            push: self.push,
        }
    }
}

/// The stored choices of these members.
pub async fn of_people(pool: &PgPool, people: &[Uuid]) -> Result<Vec<Chosen>> {
    Ok(sqlx::query_as(
        "SELECT person_id, kind, email, push FROM notification_preferences
         WHERE person_id = ANY($1)",
    )
    .bind(people)
    .fetch_all(pool)
    .await?)
}

/// Stores the member's choice for these kinds, replacing what was there.
pub async fn save(
    tx: &mut Tx<'_>,
    person: PersonId,
    choices: &[(ActivityKind, Channels)],
) -> Result<()> {
    let kinds: Vec<ActivityKind> = choices.iter().map(|c| c.0).collect();
    let email: Vec<bool> = choices.iter().map(|c| c.1.email).collect();
    let push: Vec<bool> = choices.iter().map(|c| c.1.push).collect();
    sqlx::query(
        "INSERT INTO notification_preferences (person_id, kind, email, push)
         SELECT $1, k, e, p FROM unnest($2::notification_kind[], $3::bool[], $4::bool[]) AS t(k, e, p)
         ON CONFLICT (person_id, kind) DO UPDATE SET email = excluded.email, push = excluded.push",
    )
    .bind(person.0)
    .bind(&kinds)
    .bind(&email)
    .bind(&push)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn digest(pool: &PgPool, person: PersonId) -> Result<DigestFrequency> {
    Ok(
        sqlx::query_scalar("SELECT digest FROM people WHERE id = $1")
            .bind(person.0)
            .fetch_one(pool)
            .await?,
    )
}

pub async fn set_digest(tx: &mut Tx<'_>, person: PersonId, digest: DigestFrequency) -> Result<()> {
    sqlx::query("UPDATE people SET digest = $2 WHERE id = $1")
        .bind(person.0)
        .bind(digest)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
