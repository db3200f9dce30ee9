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
    let person = member(
        id,
        "Charge",
        "Test",
        format!("load-{}@example.org", id.0.simple()),
    );
    cortege_db::people::insert(&mut tx, &person).await?;
    cortege_db::commit(tx).await?;
    let token = cortege_app::sessions::open(pool, id).await?;
    Ok((id, token))
}

/// A member who accepted the pledge, with no home, postcode or photo.
pub fn member(
    id: PersonId,
    first_name: &str,
    last_name: &str,
    email: String,
) -> cortege_db::people::NewPerson {
    cortege_db::people::NewPerson {
        id,
        first_name: first_name.to_owned(),
        last_name: last_name.to_owned(),
        email,
        postcode: None,
        commune_code: None,
        home: None,
        photo_key: None,
        pledge_accepted: true,
    }
}
