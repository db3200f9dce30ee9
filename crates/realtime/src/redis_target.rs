//! Where this deployment's Redis is: one address (`CORTEGE_REDIS_URL`), or
//! the master that Redis Sentinel names (`CORTEGE_REDIS_SENTINELS` and
//! `CORTEGE_REDIS_SENTINEL_MASTER`), asked again at every reconnection so
//! that after a failover the bus and the rate limits reach the promoted
//! replica. Commands go through [`Commands`]: redis' `ConnectionManager`
//! for one address (it reconnects by itself), and for Sentinel a connection
//! dropped at its first error and made again to whichever node is master
//! then (a manager would reconnect to the old master's address, now a
//! replica, where a PUBLISH reaches no subscriber of the new master).

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{
    ConnectionLike, ConnectionManager, ConnectionManagerConfig, MultiplexedConnection,
};
use redis::sentinel::Sentinel;
use redis::{Cmd, Pipeline, RedisFuture, RedisResult, Value};
use tokio::sync::Mutex;

use crate::BusError;

#[derive(Clone)]
pub enum RedisTarget {
    Direct(redis::Client),
    Sentinel {
        sentinel: Arc<Mutex<Sentinel>>,
        master: Arc<str>,
    },
}

impl RedisTarget {
    pub fn direct(url: &str) -> Result<Self, BusError> {
        Ok(Self::Direct(redis::Client::open(url)?))
    }

    /// `sentinels` are `host:port` (or `redis://` URLs); `master` is the
    /// name the sentinels monitor.
    pub fn sentinel(sentinels: &[String], master: &str) -> Result<Self, BusError> {
        let urls: Vec<String> = sentinels
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .map(|s| {
                if s.contains("://") {
                    s.to_owned()
                } else {
                    format!("redis://{s}")
                }
            })
            .collect();
        Ok(Self::Sentinel {
            sentinel: Arc::new(Mutex::new(Sentinel::build(urls)?)),
            master: Arc::from(master),
        })
    }

    /// A client of the node that holds the data now.
    pub async fn client(&self) -> RedisResult<redis::Client> {
        match self {
            Self::Direct(client) => Ok(client.clone()),
            Self::Sentinel { sentinel, master } => {
                sentinel.lock().await.async_master_for(master, None).await
            }
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
            } => {
                let mut held = conn.lock().await;
                if let Some(c) = held.as_ref() {
                    return Ok(Connection::Multiplexed(c.clone()));
                }
                let made = tokio::time::timeout(*timeout, async {
                    target
                        .client()
                        .await?
                        .get_multiplexed_async_connection()
                        .await
                })
                .await
                .unwrap_or_else(|_| {
                    Err(redis::RedisError::from(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the Redis master did not answer in time",
                    )))
                })?;
                *held = Some(made.clone());
                Ok(Connection::Multiplexed(made))
            }
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

/// One connection of [`Commands`].
#[derive(Clone)]
pub enum Connection {
    Manager(ConnectionManager),
    Multiplexed(MultiplexedConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Manager(c) => c.req_packed_command(cmd),
            Self::Multiplexed(c) => c.req_packed_command(cmd),
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
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Manager(c) => c.get_db(),
            Self::Multiplexed(c) => c.get_db(),
        }
    }
}
