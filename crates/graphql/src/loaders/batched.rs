//! The loaders' batch reads: one statement for every key a batch holds
//! (`= ANY($1)`), so a page of N items costs one statement per relation,
//! not N.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use cortege_db::PgPool;
use cortege_db::events::Event;
use cortege_db::friendships::Friendship;
use cortege_db::groups::Group;
use cortege_db::memberships::Membership;
use cortege_db::people::Profile;
use cortege_db::reference::Commune;
use cortege_db::rsvps::Rsvp;
use cortege_domain::PersonId;
use uuid::Uuid;

use crate::error::ApiError;

pub struct PersonLoader(pub(super) PgPool);

/// People as others are shown them (`Profile`): never their email,
/// home or roles.
impl Loader<Uuid> for PersonLoader {
    type Value = Arc<Profile>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = cortege_db::people::profiles_by_ids(&self.0, keys).await?;
        Ok(rows.into_iter().map(|p| (p.id, Arc::new(p))).collect())
    }
}

pub struct CommuneLoader(pub(super) PgPool);

impl Loader<String> for CommuneLoader {
    type Value = Arc<Commune>;
    type Error = ApiError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = cortege_db::reference::communes_by_code(&self.0, keys).await?;
        Ok(rows
            .into_iter()
            .map(|c| (c.code.clone(), Arc::new(c)))
            .collect())
    }
}

pub struct FriendCountLoader(pub(super) PgPool);

impl Loader<Uuid> for FriendCountLoader {
    type Value = i64;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, i64>, Self::Error> {
        Ok(cortege_db::friendships::friend_counts(&self.0, keys)
            .await?
            .into_iter()
            .collect())
    }
}

/// Whether each person is a friend of the request's viewer.
pub struct IsFriendLoader {
    pub(super) pool: PgPool,
    pub(super) viewer: PersonId,
}

impl Loader<Uuid> for IsFriendLoader {
    type Value = bool;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, bool>, Self::Error> {
        let friends = cortege_db::friendships::friends_among(&self.pool, self.viewer, keys).await?;
        Ok(every_key(keys, friends.into_iter().map(|f| (f, ())))
            .into_iter()
            .map(|(k, v)| (k, v.is_some()))
            .collect())
    }
}

macro_rules! by_id_loader {
    ($name:ident, $value:ty, $fetch:path) => {
        pub struct $name(pub(super) PgPool);

        impl Loader<Uuid> for $name {
            type Value = Arc<$value>;
            type Error = ApiError;

            async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
                let rows = $fetch(&self.0, keys).await?;
                Ok(rows.into_iter().map(|r| (r.id, Arc::new(r))).collect())
            }
        }
    };
}

by_id_loader!(EventLoader, Event, cortege_db::events::by_ids);
by_id_loader!(GroupLoader, Group, cortege_db::groups::by_ids);
by_id_loader!(RsvpLoader, Rsvp, cortege_db::rsvps::by_ids);
by_id_loader!(
    FriendshipLoader,
    Friendship,
    cortege_db::friendships::by_ids
);

/// The viewer's RSVP per event.
pub struct ViewerRsvpLoader {
    pub(super) pool: PgPool,
    pub(super) viewer: PersonId,
}

/// Every key gets an answer, None included, so the cache remembers that
/// there is nothing to load.
fn every_key<V>(
    keys: &[Uuid],
    found: impl IntoIterator<Item = (Uuid, V)>,
) -> HashMap<Uuid, Option<V>> {
    let mut map: HashMap<Uuid, Option<V>> = keys.iter().map(|k| (*k, None)).collect();
    for (k, v) in found {
        map.insert(k, Some(v));
    }
    map
}

/// Every key gets its list, empty included, in the order `found` gives
/// them: for relations with many values per key.
fn every_key_all<V>(
    keys: &[Uuid],
    found: impl IntoIterator<Item = (Uuid, V)>,
) -> HashMap<Uuid, Arc<Vec<V>>> {
    grouped(keys, found)
        .into_iter()
        .map(|(k, v)| (k, Arc::new(v)))
        .collect()
}

/// `found` grouped by key, in its order, with an empty list for each key
/// it does not name.
pub(super) fn grouped<V>(
    keys: &[Uuid],
    found: impl IntoIterator<Item = (Uuid, V)>,
) -> HashMap<Uuid, Vec<V>> {
    let mut map: HashMap<Uuid, Vec<V>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for (k, v) in found {
        map.entry(k).or_default().push(v);
    }
    map
}

impl Loader<Uuid> for ViewerRsvpLoader {
    type Value = Option<Arc<Rsvp>>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = cortege_db::rsvps::of_person_for_events(&self.pool, self.viewer.0, keys).await?;
        Ok(every_key(
            keys,
            rows.into_iter().map(|r| (r.event_id, Arc::new(r))),
        ))
    }
}

/// Each event's reported outcome, if any.
pub struct OutcomeLoader(pub(super) PgPool);

impl Loader<Uuid> for OutcomeLoader {
    type Value = Option<Arc<cortege_db::events::outcomes::Reported>>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = cortege_db::events::outcomes::of_events(&self.0, keys).await?;
        Ok(every_key(
            keys,
            rows.into_iter().map(|o| (o.event_id, Arc::new(o))),
        ))
    }
}

/// Each event's co-hosts, in the order they were added.
pub struct HostsLoader(pub(super) PgPool);

impl Loader<Uuid> for HostsLoader {
    type Value = Arc<Vec<Uuid>>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let hosts = cortege_db::events::hosts::of_events(&self.0, keys).await?;
        Ok(every_key_all(keys, hosts))
    }
}

/// Seats of the parties marked as having come, per event (0 for none).
pub struct AttendedLoader(pub(super) PgPool);

impl Loader<Uuid> for AttendedLoader {
    type Value = i64;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, i64>, Self::Error> {
        let mut map: HashMap<Uuid, i64> = keys.iter().map(|k| (*k, 0)).collect();
        map.extend(cortege_db::rsvps::attended_seats(&self.0, keys).await?);
        Ok(map)
    }
}

/// People's email and phone, for the hosts of an event they consented to
/// show them to (the resolver checks both).
pub struct ContactLoader(pub(super) PgPool);

impl Loader<Uuid> for ContactLoader {
    type Value = Arc<cortege_db::rsvps::Contact>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = cortege_db::rsvps::contacts(&self.0, keys).await?;
        Ok(rows
            .into_iter()
            .map(|c| (c.person_id, Arc::new(c)))
            .collect())
    }
}

/// Whether the viewer co-hosts each event.
pub struct ViewerHostingLoader {
    pub(super) pool: PgPool,
    pub(super) viewer: PersonId,
}

impl Loader<Uuid> for ViewerHostingLoader {
    type Value = bool;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, bool>, Self::Error> {
        let hosted =
            cortege_db::events::hosts::co_hosted_by(&self.pool, self.viewer.0, keys).await?;
        Ok(keys.iter().map(|k| (*k, hosted.contains(k))).collect())
    }
}

/// The viewer's friends going to each event (at most 50 per event).
pub struct FriendsGoingLoader {
    pub(super) pool: PgPool,
    pub(super) viewer: PersonId,
}

impl Loader<Uuid> for FriendsGoingLoader {
    type Value = Arc<Vec<Arc<Profile>>>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let going = cortege_db::people::friends_going(&self.pool, self.viewer.0, keys).await?;
        Ok(every_key_all(
            keys,
            going.into_iter().map(|g| (g.event_id, Arc::new(g.friend))),
        ))
    }
}

/// The viewer's membership per group.
pub struct ViewerMembershipLoader {
    pub(super) pool: PgPool,
    pub(super) viewer: PersonId,
}

impl Loader<Uuid> for ViewerMembershipLoader {
    type Value = Option<Arc<Membership>>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = cortege_db::memberships::memberships_of(&self.pool, self.viewer.0, keys).await?;
        Ok(every_key(
            keys,
            rows.into_iter().map(|m| (m.group_id, Arc::new(m))),
        ))
    }
}
