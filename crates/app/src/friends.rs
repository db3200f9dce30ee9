//! Friends: requests, answers, and ending a friendship.

use cortege_db::friendships::{self as db_friends, Friendship, RequestOutcome};
use cortege_db::people::Person;
use cortege_domain::PersonId;
use uuid::Uuid;

use crate::rate_limits::Action;
use crate::{App, Error, Result, rights};

/// Asks a person to be friends. A request to oneself is invalid; a second
/// pending request, or one to a friend, is CONFLICT; a request to someone
/// whose request to you is pending accepts theirs.
pub async fn request(app: &App, actor: &Person, other: Uuid) -> Result<Friendship> {
    rights::require_member(actor)?;
    app.limits.check(Action::FriendRequest, actor.id).await?;
    if other == actor.id {
        return Err(Error::invalid("personId", "you cannot befriend yourself"));
    }
    let exists = cortege_db::people::by_ids(&app.pool, &[other])
        .await?
        .first()
        .is_some_and(Person::is_active);
    if !exists {
        return Err(Error::not_found("person"));
    }
    match db_friends::request(&app.pool, actor.person_id(), other).await? {
        RequestOutcome::Sent(f) | RequestOutcome::AcceptedTheirs(f) => Ok(f),
        RequestOutcome::AlreadyFriends => {
            Err(Error::Conflict("you are already friends".to_owned()))
        }
        RequestOutcome::AlreadyPending => Err(Error::Conflict(
            "your request is already waiting for an answer".to_owned(),
        )),
    }
}

/// The addressee accepts or declines a pending request.
pub async fn respond(
    app: &App,
    me: PersonId,
    friendship: Uuid,
    accept: bool,
) -> Result<Friendship> {
    db_friends::respond(&app.pool, friendship, me, accept)
        .await?
        .ok_or_else(|| Error::NotFound("no pending request to you with this ID".to_owned()))
}

/// Ends a friendship or withdraws a pending request; false when there was none.
pub async fn remove(app: &App, me: PersonId, other: Uuid) -> Result<bool> {
    Ok(db_friends::remove(&app.pool, me, other).await?)
}
