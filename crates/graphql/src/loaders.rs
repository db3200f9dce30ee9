//! DataLoaders, one per key type, batched with `= ANY($1)`: a page of N
//! items costs one statement per relation, not N.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use cortege_db::PgPool;
use cortege_db::people::Person;
use cortege_db::reference::Commune;
use cortege_domain::PersonId;
use uuid::Uuid;

use crate::error::ApiError;

pub struct PersonLoader(PgPool);

impl Loader<Uuid> for PersonLoader {
    type Value = Arc<Person>;
    type Error = ApiError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = cortege_db::people::by_ids(&self.0, keys).await?;
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
        let mut map: HashMap<Uuid, bool> = keys.iter().map(|k| (*k, false)).collect();
        for f in friends {
            map.insert(f, true);
        }
        Ok(map)
    }
}

/// The loaders of one request (their caches must not outlive it: what a
/// viewer may see changes with every mutation).
pub struct Loaders {
    pub person: DataLoader<PersonLoader>,
    pub commune: DataLoader<CommuneLoader>,
    pub friend_count: DataLoader<FriendCountLoader>,
    pub is_friend: Option<DataLoader<IsFriendLoader>>,
}

impl Loaders {
    pub fn new(pool: &PgPool, viewer: Option<PersonId>) -> Self {
        Self {
            person: DataLoader::new(PersonLoader(pool.clone()), tokio::spawn),
            commune: DataLoader::new(CommuneLoader(pool.clone()), tokio::spawn),
            friend_count: DataLoader::new(FriendCountLoader(pool.clone()), tokio::spawn),
            is_friend: viewer.map(|viewer| {
                DataLoader::new(
                    IsFriendLoader {
                        pool: pool.clone(),
                        viewer,
                    },
                    tokio::spawn,
                )
            }),
        }
    }
}
