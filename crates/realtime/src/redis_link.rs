//! What the two Redis buses share (`redis_bus`: one node or Sentinel's
//! master; `redis_cluster_bus`: a cluster's shards): the process's side of
//! the link, meaning the registry of local subscribers, whether Redis is
//! reachable, how many times it came back (the feeds replay after each),
//! the channel names on the wire, the delivery of what arrives, the
//! publish counters, and the timeout every command runs under.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::registry::{Change, Registry};
use crate::{BusError, BusState, Channel, Message, Subscription};

/// How long connecting or a command may take before Redis counts as down.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(1);

const CONNECTED: u8 = 1;
const DISCONNECTED: u8 = 2;

pub(crate) struct Link {
    /// `deployment:`, before every channel name on Redis.
    prefix: Arc<str>,
    pub(crate) registry: Arc<Registry>,
    state: AtomicU8,
    reconnections: watch::Sender<u64>,
}

impl Link {
    /// The link, disconnected, and the registry's changes (channels to
    /// subscribe or drop on Redis) for the bus's connection task.
    pub(crate) fn new(prefix: &str) -> (Arc<Self>, mpsc::UnboundedReceiver<Change>) {
        let (changes_tx, changes) = mpsc::unbounded_channel();
        let link = Self {
            prefix: Arc::from(format!("{prefix}:")),
            registry: Registry::new(Some(changes_tx)),
            state: AtomicU8::new(DISCONNECTED),
            reconnections: watch::Sender::new(0),
        };
        (Arc::new(link), changes)
    }

    /// The channel's name on Redis.
    pub(crate) fn wire(&self, channel: &Channel) -> String {
        format!("{}{}", self.prefix, channel.name())
    }

    /// Every channel subscribed again: counts a reconnection.
    pub(crate) fn connected(&self) {
        self.state.store(CONNECTED, Ordering::Relaxed);
        self.reconnections.send_modify(|n| *n += 1);
    }

    /// Redis (or part of it) is away; whether it was connected until now.
    pub(crate) fn disconnected(&self) -> bool {
        self.state.swap(DISCONNECTED, Ordering::Relaxed) == CONNECTED
    }

    pub(crate) fn is_connected(&self) -> bool {
        self.state.load(Ordering::Relaxed) == CONNECTED
    }

    /// A message that arrived on `wire` (a name on Redis), to the local
    /// subscribers of its channel.
    pub(crate) fn deliver(&self, wire: &str, payload: &[u8]) {
        let Some(channel) = wire.strip_prefix(&*self.prefix).and_then(Channel::parse) else {
            return;
        };
        match serde_json::from_slice::<Message>(payload) {
            Ok(message) => {
                self.registry.dispatch(&channel, Arc::new(message));
            }
            Err(e) => {
                tracing::warn!(channel = %channel.name(), error = %e, "bus: unreadable message")
            }
        }
    }

    /// Subscribes locally, and waits (a little) for Redis to confirm.
    pub(crate) async fn subscribe(&self, channels: &[Channel]) -> Subscription {
        let (subscription, acks) = self.registry.subscribe(channels);
        // A dropped ack (Redis away) resolves too: nothing to wait for.
        tokio::time::timeout(TIMEOUT * 2, futures_util::future::join_all(acks))
            .await
            .ok();
        subscription
    }

    pub(crate) fn state(&self) -> BusState {
        if self.is_connected() {
            BusState::Connected
        } else {
            BusState::Disconnected
        }
    }

    pub(crate) fn reconnections(&self) -> watch::Receiver<u64> {
        self.reconnections.subscribe()
    }
}

/// A publish's outcome, counted in the metrics.
pub(crate) fn counted(published: redis::RedisResult<i64>) -> Result<(), BusError> {
    match published {
        Ok(_) => {
            metrics::counter!("cortege_bus_publishes_total").increment(1);
            Ok(())
        }
        Err(e) => {
            metrics::counter!("cortege_bus_publish_failures_total").increment(1);
            Err(e.into())
        }
    }
}

/// The error of a Redis that did not answer in time.
pub(crate) fn timed_out(what: &'static str) -> redis::RedisError {
    redis::RedisError::from(std::io::Error::new(std::io::ErrorKind::TimedOut, what))
}

/// A Redis command, or a timeout error when Redis does not answer in time.
pub(crate) async fn within<T>(
    command: impl std::future::Future<Output = redis::RedisResult<T>>,
) -> redis::RedisResult<T> {
    tokio::time::timeout(TIMEOUT, command)
        .await
        .unwrap_or_else(|_| Err(timed_out("Redis did not answer in time")))
}
