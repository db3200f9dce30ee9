//! What the load tools share.

pub mod net;
pub mod places;
pub mod procs;

use cortege_domain::PersonId;

/// An organiser with a live session, made straight in the database: their
/// id and session token.
pub async fn organiser(pool: &sqlx::PgPool) -> anyhow::Result<(PersonId, String)> {
    let id = PersonId::new();
    let mut tx = cortege_db::begin(pool).await?;
    let person = cortege_db::people::NewPerson {
        id,
        first_name: "Charge".to_owned(),
        last_name: "Test".to_owned(),
        email: format!("load-{}@example.org", id.0.simple()),
        postcode: None,
        commune_code: None,
        home: None,
        photo_key: None,
        pledge_accepted: true,
    };
    cortege_db::people::insert(&mut tx, &person).await?;
    cortege_db::commit(tx).await?;
    let token = cortege_app::sessions::open(pool, id).await?;
    Ok((id, token))
}
