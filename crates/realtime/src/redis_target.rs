//! Where this deployment's Redis is: one address (`CORTEGE_REDIS_URL`),
//! the master that Redis Sentinel names (`CORTEGE_REDIS_SENTINELS` and
//! `CORTEGE_REDIS_SENTINEL_MASTER`), asked again at every reconnection so
//! that after a failover the bus and the rate limits reach the promoted
//! replica, or a Redis Cluster (`CORTEGE_REDIS_CLUSTER_NODES`), whose
//! routing the redis crate's cluster connection does. Commands go through [`Commands`]: redis' `ConnectionManager`
//! for one address (it reconnects by itself), and for Sentinel a connection
//! dropped at its first error and made again to whichever node is master
//! then (a manager would reconnect to the old master's address, now a
//! replica, where a PUBLISH reaches no subscriber of the new master).

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{
    ConnectionLike, ConnectionManager, ConnectionManagerConfig, MultiplexedConnection,
};
use redis::cluster::ClusterClient;
use redis::cluster_async::ClusterConnection;
use redis::sentinel::Sentinel;
use redis::{Cmd, Pipeline, RedisFuture, RedisResult, Value};
use tokio::sync::Mutex;

use crate::BusError;
use crate::redis_link::timed_out;

/// `host:port` addresses (or URLs) as the URLs redis' clients take; blank
/// entries dropped.
fn urls(addresses: &[String]) -> Vec<String> {
    addresses
        .iter()
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .map(|a| {
            if a.contains("://") {
                a.to_owned()
            } else {
                format!("redis://{a}")
            }
        })
        .collect()
}

#[derive(Clone)]
pub enum RedisTarget {
    Direct(redis::Client),
    Sentinel {
        sentinel: Arc<Mutex<Sentinel>>,
        master: Arc<str>,
    },
    /// The seed nodes (`host:port`), and a client for commands (boxed: it
    /// is large, and the target is passed around).
    Cluster {
        nodes: Vec<String>,
        client: Box<ClusterClient>,
    },
}

impl RedisTarget {
    pub fn direct(url: &str) -> Result<Self, BusError> {
        Ok(Self::Direct(redis::Client::open(url)?))
    }

    /// `sentinels` are `host:port` (or `redis://` URLs); `master` is the
    /// name the sentinels monitor.
    pub fn sentinel(sentinels: &[String], master: &str) -> Result<Self, BusError> {
        let urls = urls(sentinels);
        Ok(Self::Sentinel {
            sentinel: Arc::new(Mutex::new(Sentinel::build(urls)?)),
            master: Arc::from(master),
        })
    }

    /// `nodes` are some of the cluster's nodes, `host:port` (or URLs): the
    /// client learns the others from them.
    pub fn cluster(nodes: &[String]) -> Result<Self, BusError> {
        let nodes = urls(nodes);
        let client = redis::cluster::ClusterClientBuilder::new(nodes.clone())
            .connection_timeout(Duration::from_millis(500))
            .response_timeout(Duration::from_millis(500))
            .retries(1)
            .build()?;
        Ok(Self::Cluster {
            nodes,
            client: Box::new(client),
        })
    }

    /// A client of the node that holds the data now (one address or
    /// Sentinel's master; a cluster has no single node: its bus and
    /// commands use the cluster connection).
    pub async fn client(&self) -> RedisResult<redis::Client> {
        match self {
            Self::Direct(client) => Ok(client.clone()),
            Self::Sentinel { sentinel, master } => {
                sentinel.lock().await.async_master_for(master, None).await
            }
            Self::Cluster { .. } => Err(redis::RedisError::from((
                redis::ErrorKind::Client,
                "a Redis Cluster has no single node to connect to",
            ))),
        }
    }

    /// The connection commands go through, with these timeouts.
    pub fn commands(&self, timeout: Duration, retries: usize) -> Result<Commands, BusError> {
        Ok(match self {
            Self::Direct(client) => Commands::Manager(ConnectionManager::new_lazy_with_config(
                client.clone(),
                ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(timeout))
                    .set_response_timeout(Some(timeout))
                    .set_number_of_retries(retries)
                    .set_max_delay(Duration::from_secs(2)),
            )?),
            Self::Sentinel { .. } => Commands::Master {
                target: self.clone(),
                timeout,
                conn: Arc::new(Mutex::new(None)),
            },
            Self::Cluster { client, .. } => Commands::Cluster {
                client: client.clone(),
                timeout,
                conn: Arc::new(Mutex::new(None)),
            },
        })
    }
}

/// See the module's doc.
#[derive(Clone)]
pub enum Commands {
    Manager(ConnectionManager),
    Master {
        target: RedisTarget,
        timeout: Duration,
        conn: Arc<Mutex<Option<MultiplexedConnection>>>,
    },
    /// The cluster connection routes each command to its slot's node and
    /// follows MOVED and failovers by itself.
    Cluster {
        client: Box<ClusterClient>,
        timeout: Duration,
        conn: Arc<Mutex<Option<ClusterConnection>>>,
    },
}

impl Commands {
    /// A connection to run commands on.
    pub async fn connection(&self) -> RedisResult<Connection> {
        match self {
            Self::Manager(m) => Ok(Connection::Manager(m.clone())),
            Self::Master {
                target,
                timeout,
                conn,
            } => held_or_made(
                conn,
                *timeout,
                "the Redis master did not answer in time",
                || async {
                    target
                        .client()
                        .await?
                        .get_multiplexed_async_connection()
                        .await
                },
            )
            .await
            .map(Connection::Multiplexed),
            Self::Cluster {
                client,
                timeout,
                conn,
            } => held_or_made(
                conn,
                *timeout,
                "the Redis cluster did not answer in time",
                || client.get_async_connection(),
            )
            .await
            .map(Connection::Cluster),
        }
    }

    /// A command failed: with Sentinel, the next one connects again, to
    /// the master of that moment.
    pub async fn failed(&self) {
        if let Self::Master { conn, .. } = self {
            *conn.lock().await = None;
        }
    }
}

/// The connection `slot` holds, or one made by `connect` (within
/// `timeout`) and kept there for the next commands.
async fn held_or_made<C, F>(
    slot: &Mutex<Option<C>>,
    timeout: Duration,
    late: &'static str,
    connect: impl FnOnce() -> F,
) -> RedisResult<C>
where
    C: Clone,
    F: std::future::Future<Output = RedisResult<C>>,
{
    let mut held = slot.lock().await;
    if let Some(c) = held.as_ref() {
        return Ok(c.clone());
    }
    let made = tokio::time::timeout(timeout, connect())
        .await
        .unwrap_or_else(|_| Err(timed_out(late)))?;
    *held = Some(made.clone());
    Ok(made)
}

/// One connection of [`Commands`].
#[derive(Clone)]
pub enum Connection {
    Manager(ConnectionManager),
    Multiplexed(MultiplexedConnection),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Manager(c) => c.req_packed_command(cmd),
            Self::Multiplexed(c) => c.req_packed_command(cmd),
            Self::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Manager(c) => c.req_packed_commands(pipeline, offset, count),
            Self::Multiplexed(c) => c.req_packed_commands(pipeline, offset, count),
            Self::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Manager(c) => c.get_db(),
            Self::Multiplexed(c) => c.get_db(),
            Self::Cluster(c) => c.get_db(),
        }
    }
}
