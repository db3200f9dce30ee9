//! A request's DataLoaders (one per relation, batched: `batched`), what
//! each keeps for the rest of the request, and how a page hands them the
//! relations it read or preloads.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::parser::types::OperationType;
use cortege_db::PgPool;
use cortege_db::people::Person;
use cortege_domain::PersonId;
use uuid::Uuid;

use crate::error::ApiError;

mod asked;
mod batched;
mod pages;

pub use asked::{NodeFields, PageArgs, selection_nodes_ask};
pub use batched::*;
pub use pages::NestedPages;

/// An event's attendees page read ahead: by event, arguments and whether
/// the people are asked.
pub type AttendeePages = NestedPages<
    (Uuid, PageArgs, bool),
    (cortege_db::rsvps::AttendeeKey, Arc<cortege_db::rsvps::Rsvp>),
>;

/// A group's events page read ahead: by group and arguments.
pub type GroupEventPages = NestedPages<(Uuid, PageArgs), Arc<cortege_db::events::Event>>;

/// A group's roster page read ahead: by group, membership status and
/// arguments.
pub type RosterPages = NestedPages<
    (Uuid, cortege_domain::MembershipStatus, PageArgs),
    Arc<cortege_db::memberships::Membership>,
>;

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

/// Reads one key now, on the caller's task, and keeps it where the loader
/// keeps what it reads: for a lookup by id at the root of a query, which
/// has no siblings to batch with. `load_one` would first wait out the
/// batch delay in a task of its own, on a timer kept by another thread
/// (docs/performance.md, "Lookups by id").
pub async fn load_now<L>(loader: &Cached<L>, key: Uuid) -> Result<Option<L::Value>, ApiError>
where
    L: Loader<Uuid, Error = ApiError>,
{
    let value = loader.loader().load(&[key]).await?.remove(&key);
    if let (true, Some(value)) = (loader.keeps, &value) {
        loader.feed_one(key, value.clone()).await;
    }
    Ok(value)
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
    /// Changes with RSVPs.
    pub attendees: AttendeePages,
    /// Changes with joins, approvals and departures.
    pub rosters: RosterPages,
    /// Changes with new, updated and cancelled events.
    pub group_events: GroupEventPages,
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
            attendees: NestedPages::new(changing),
            rosters: NestedPages::new(changing),
            group_events: NestedPages::new(changing),
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
