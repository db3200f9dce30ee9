//! DataLoaders, one per key type, batched with `= ANY($1)`: a page of N
//! items costs one statement per relation, not N.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::parser::types::OperationType;
use cortege_db::PgPool;
use cortege_db::events::Event;
use cortege_db::friendships::Friendship;
use cortege_db::groups::Group;
use cortege_db::memberships::Membership;
use cortege_db::people::{Person, Profile};
use cortege_db::reference::Commune;
use cortege_db::rsvps::Rsvp;
use cortege_domain::PersonId;
use uuid::Uuid;

use crate::error::ApiError;

pub struct PersonLoader(PgPool);

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

pub struct CommuneLoader(PgPool);

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

pub struct FriendCountLoader(PgPool);

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
    pool: PgPool,
    viewer: PersonId,
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
        pub struct $name(PgPool);

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
    pool: PgPool,
    viewer: PersonId,
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
pub struct OutcomeLoader(PgPool);

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
pub struct HostsLoader(PgPool);

impl Loader<Uuid> for HostsLoader {
    type Value = Arc<Vec<Uuid>>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut map: HashMap<Uuid, Vec<Uuid>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for (event, person) in cortege_db::events::hosts::of_events(&self.0, keys).await? {
            map.entry(event).or_default().push(person);
        }
        Ok(map.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

/// Seats of the parties marked as having come, per event (0 for none).
pub struct AttendedLoader(PgPool);

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
pub struct ContactLoader(PgPool);

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
    pool: PgPool,
    viewer: PersonId,
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
    pool: PgPool,
    viewer: PersonId,
}

impl Loader<Uuid> for FriendsGoingLoader {
    type Value = Arc<Vec<Arc<Profile>>>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut map: HashMap<Uuid, Vec<Arc<Profile>>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for going in cortege_db::people::friends_going(&self.pool, self.viewer.0, keys).await? {
            map.entry(going.event_id)
                .or_default()
                .push(Arc::new(going.friend));
        }
        Ok(map.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

/// The viewer's membership per group.
pub struct ViewerMembershipLoader {
    pool: PgPool,
    viewer: PersonId,
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

/// A loader that remembers what it loaded for the rest of the request,
/// where the operation lets it ([`Loaders::new`]): a list can then hand
/// it a relation read in one batch ([`preload`]).
pub struct Cached<L> {
    loader: DataLoader<L, HashMapCache>,
    keeps: bool,
}

impl<L> std::ops::Deref for Cached<L> {
    type Target = DataLoader<L, HashMapCache>;

    fn deref(&self) -> &Self::Target {
        &self.loader
    }
}

impl<L> Cached<L> {
    /// Whether it keeps what it read for the rest of the request.
    pub fn keeps(&self) -> bool {
        self.keeps
    }
}

/// How long a loader waits for more keys before querying. Lists prefetch
/// their relations in one call, so the wait only has to gather siblings
/// resolved in the same pass: the 1 ms default would be added to every
/// request's latency for nothing.
const BATCH_DELAY: Duration = Duration::from_micros(200);

fn cached<L: Loader<Uuid>>(loader: L, keeps: bool) -> Cached<L> {
    let loader =
        DataLoader::with_cache(loader, tokio::spawn, HashMapCache::default()).delay(BATCH_DELAY);
    loader.enable_all_cache(keeps);
    Cached { loader, keeps }
}

/// Loads the values of `keys` into the loader's cache, in one statement
/// run right here: for a page's relations, whose keys are all known once
/// the page is read. `load_many` would instead hand them to
/// a task of its own after the batch delay, a wait (and a wake-up of
/// another thread) on every list request for keys that cannot grow.
/// Nothing, where the loader does not keep what it reads: its resolvers
/// would read it again.
pub async fn preload<L>(
    loader: &Cached<L>,
    keys: impl IntoIterator<Item = Uuid>,
) -> Result<(), ApiError>
where
    L: Loader<Uuid, Error = ApiError>,
{
    if !loader.keeps {
        return Ok(());
    }
    let mut keys: Vec<Uuid> = keys.into_iter().collect();
    keys.sort_unstable();
    keys.dedup();
    if keys.is_empty() {
        return Ok(());
    }
    let values = loader.loader().load(&keys).await?;
    loader.feed_many(values).await;
    Ok(())
}

/// The fields the query asks of the nodes of the connection being
/// resolved (through aliases and fragments, as [`nodes_ask`] sees them),
/// read once for a page that has many questions about them.
pub struct NodeFields<'a>(Vec<&'a str>);

impl<'a> NodeFields<'a> {
    pub fn of(ctx: &'a async_graphql::Context<'_>) -> Self {
        let nodes = ctx.look_ahead().field("edges").field("node");
        let mut names = Vec::new();
        for node in nodes.selection_fields() {
            names.extend(node.selection_set().map(|f| f.name()));
        }
        Self(names)
    }

    /// Whether the nodes are asked `field`.
    pub fn has(&self, field: &str) -> bool {
        self.0.contains(&field)
    }

    /// Whether the nodes are asked any of `fields`.
    pub fn any(&self, fields: &[&str]) -> bool {
        fields.iter().any(|f| self.has(f))
    }
}

/// Whether the query asks `field` of the nodes of the connection being
/// resolved.
pub fn nodes_ask(ctx: &async_graphql::Context<'_>, field: &str) -> bool {
    ctx.look_ahead()
        .field("edges")
        .field("node")
        .field(field)
        .exists()
}

/// Whether the query asks for `field` of each node's `relation` (the
/// look-ahead sees aliases and fragments, as for [`nodes_ask`]).
pub fn nodes_relation_asks(ctx: &async_graphql::Context<'_>, relation: &str, field: &str) -> bool {
    ctx.look_ahead()
        .field("edges")
        .field("node")
        .field(relation)
        .field(field)
        .exists()
}

/// What only a signed-in viewer has loaders for.
pub struct ViewerLoaders {
    id: PersonId,
    pool: PgPool,
    /// The viewer's own row, with what the rules need (roles, the pledge),
    /// read once per request on first need. The people loader holds
    /// profiles only.
    account: tokio::sync::OnceCell<Option<Arc<Person>>>,
    pub is_friend: Cached<IsFriendLoader>,
    pub rsvp: Cached<ViewerRsvpLoader>,
    pub membership: Cached<ViewerMembershipLoader>,
    /// Changes with addEventHost and removeEventHost.
    pub hosting: Cached<ViewerHostingLoader>,
    /// Changes with removeFriend and friends' RSVPs.
    pub friends_going: Cached<FriendsGoingLoader>,
}

impl ViewerLoaders {
    /// The viewer's row, if `id` is the viewer (None for another person,
    /// and for a viewer whose account no longer exists).
    pub async fn account(&self, id: PersonId) -> Result<Option<Arc<Person>>, ApiError> {
        if id != self.id {
            return Ok(None);
        }
        let row = self
            .account
            .get_or_try_init(|| async {
                let row = cortege_db::people::by_id(&self.pool, id).await?;
                Ok::<_, ApiError>(row.map(Arc::new))
            })
            .await?;
        Ok(row.clone())
    }
}

/// The loaders of one request (their caches must not outlive it: what a
/// viewer may see changes with every mutation).
pub struct Loaders {
    pub person: Cached<PersonLoader>,
    pub commune: DataLoader<CommuneLoader, HashMapCache>,
    pub friend_count: Cached<FriendCountLoader>,
    /// Changes with RSVPs and updates.
    pub event: Cached<EventLoader>,
    pub group: Cached<GroupLoader>,
    pub rsvp: Cached<RsvpLoader>,
    pub friendship: Cached<FriendshipLoader>,
    /// Changes with reportOutcome.
    pub outcome: Cached<OutcomeLoader>,
    /// Changes with addEventHost and removeEventHost.
    pub hosts: Cached<HostsLoader>,
    /// Changes with markAttendance and checkIn.
    pub attended: Cached<AttendedLoader>,
    pub contact: Cached<ContactLoader>,
    pub viewer: Option<ViewerLoaders>,
}

impl Loaders {
    /// The loaders of one operation. Every loader keeps what it read, so
    /// that a page can hand its relations over in one batch ([`preload`]),
    /// except where the operation could see a value change after reading
    /// it: a mutation reads afresh what mutations change (events, RSVPs,
    /// friendships, outcomes, hosts, attendance, friends going), and a
    /// subscription, whose messages come hours apart, reads everything
    /// afresh. A query changes nothing while it runs.
    pub fn new(pool: &PgPool, viewer: Option<PersonId>, operation: OperationType) -> Self {
        // What mutations change, kept by a query only; the rest by all but
        // a subscription.
        let changing = operation == OperationType::Query;
        let stable = operation != OperationType::Subscription;
        Self {
            person: cached(PersonLoader(pool.clone()), stable),
            // Reference data: the same all year.
            commune: DataLoader::with_cache(
                CommuneLoader(pool.clone()),
                tokio::spawn,
                HashMapCache::default(),
            )
            .delay(BATCH_DELAY),
            friend_count: cached(FriendCountLoader(pool.clone()), stable),
            event: cached(EventLoader(pool.clone()), changing),
            group: cached(GroupLoader(pool.clone()), stable),
            rsvp: cached(RsvpLoader(pool.clone()), changing),
            friendship: cached(FriendshipLoader(pool.clone()), changing),
            outcome: cached(OutcomeLoader(pool.clone()), changing),
            hosts: cached(HostsLoader(pool.clone()), changing),
            attended: cached(AttendedLoader(pool.clone()), changing),
            contact: cached(ContactLoader(pool.clone()), stable),
            viewer: viewer.map(|viewer| {
                let pool = pool.clone();
                ViewerLoaders {
                    id: viewer,
                    account: tokio::sync::OnceCell::new(),
                    is_friend: cached(
                        IsFriendLoader {
                            pool: pool.clone(),
                            viewer,
                        },
                        stable,
                    ),
                    rsvp: cached(
                        ViewerRsvpLoader {
                            pool: pool.clone(),
                            viewer,
                        },
                        stable,
                    ),
                    membership: cached(
                        ViewerMembershipLoader {
                            pool: pool.clone(),
                            viewer,
                        },
                        stable,
                    ),
                    hosting: cached(
                        ViewerHostingLoader {
                            pool: pool.clone(),
                            viewer,
                        },
                        changing,
                    ),
                    friends_going: cached(
                        FriendsGoingLoader {
                            pool: pool.clone(),
                            viewer,
                        },
                        changing,
                    ),
                    pool,
                }
            }),
        }
    }
}

/// A request's loaders, made on first use: a subscription that never loads
/// anything (eventsNearby pushes carry their rows) does not pay for them,
/// which matters with ten thousand sockets.
pub struct LazyLoaders {
    pool: PgPool,
    viewer: Option<PersonId>,
    /// Told by the operation's preparation; a mutation's rules when not.
    operation: std::sync::OnceLock<OperationType>,
    // Boxed: an empty cell would otherwise reserve the loaders' full size.
    cell: std::sync::OnceLock<Box<Loaders>>,
}

impl LazyLoaders {
    pub fn new(pool: &PgPool, viewer: Option<PersonId>) -> Self {
        Self {
            pool: pool.clone(),
            viewer,
            operation: std::sync::OnceLock::new(),
            cell: std::sync::OnceLock::new(),
        }
    }

    /// What the request runs, which decides what its loaders keep (see
    /// [`Loaders::new`]). Set once; later calls change nothing.
    pub fn operation(&self, operation: OperationType) {
        let _ = self.operation.set(operation);
    }

    pub fn get(&self) -> &Loaders {
        self.cell.get_or_init(|| {
            let operation = self
                .operation
                .get()
                .copied()
                .unwrap_or(OperationType::Mutation);
            Box::new(Loaders::new(&self.pool, self.viewer, operation))
        })
    }
}

/// The request's loaders.
pub fn of<'a>(ctx: &async_graphql::Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<LazyLoaders>().get()
}
