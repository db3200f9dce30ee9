//! The bus on a Redis Cluster (`CORTEGE_REDIS_CLUSTER_NODES`): sharded
//! pub/sub (SSUBSCRIBE, SPUBLISH; Redis ≥ 7), so that each message goes to
//! the shard that owns its channel's slot instead of being broadcast to
//! every node. The redis crate's cluster connection does the slot routing,
//! keeps one connection per node that holds this process's channels,
//! follows MOVED and failovers, and resubscribes after a reconnection; it
//! hands pushes (messages, disconnections) to this module over a channel.
//!
//! What this module adds is the bus's contract: the registry's channels
//! subscribed one by one (channels of different slots cannot share one
//! SSUBSCRIBE), a state for the health check, and after any loss the
//! reconnection count raised once every master answers again, with every
//! channel subscribed anew (to whichever node owns its slot then), so that
//! the feeds replay what a shard's outage may have dropped.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{MultipleNodeRoutingInfo, ResponsePolicy, RoutingInfo};
use redis::{PushInfo, PushKind, Value};
use tokio::sync::{Mutex, mpsc, watch};

use crate::registry::{Change, Registry};
use crate::{BoxFuture, Bus, BusError, BusState, Channel, Message, Subscription};

const TIMEOUT: Duration = Duration::from_secs(1);
const RETRY: Duration = Duration::from_millis(200);
const HEARTBEAT: Duration = Duration::from_secs(2);

const CONNECTED: u8 = 1;
const DISCONNECTED: u8 = 2;

pub struct RedisClusterBus {
    prefix: Arc<str>,
    registry: Arc<Registry>,
    conn: Arc<Mutex<Option<ClusterConnection>>>,
    state: Arc<AtomicU8>,
    reconnections: watch::Sender<u64>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

/// `host:port` (or a `redis://` URL) as the URL the cluster client takes,
/// speaking RESP3, which pushes need.
fn node_url(node: &str) -> String {
    let node = node.trim();
    if node.contains("://") {
        node.to_owned()
    } else {
        format!("redis://{node}")
    }
}

impl RedisClusterBus {
    /// Connects in the background (an unreachable cluster is not an error
    /// here: the server runs, degraded, until it answers).
    pub fn start(nodes: &[String], prefix: &str) -> Result<Self, BusError> {
        let prefix: Arc<str> = Arc::from(format!("{prefix}:"));
        let (pushes_tx, pushes) = mpsc::unbounded_channel::<PushInfo>();
        let client = ClusterClientBuilder::new(nodes.iter().map(|n| node_url(n)))
            .use_protocol(redis::ProtocolVersion::RESP3)
            .push_sender(pushes_tx)
            .connection_timeout(TIMEOUT)
            .response_timeout(TIMEOUT)
            .retries(2)
            .build()?;
        let (changes_tx, changes) = mpsc::unbounded_channel();
        let registry = Registry::new(Some(changes_tx));
        let state = Arc::new(AtomicU8::new(DISCONNECTED));
        let reconnections = watch::Sender::new(0);
        let conn = Arc::new(Mutex::new(None));
        let keeper = tokio::spawn(keep(
            client,
            conn.clone(),
            prefix.clone(),
            registry.clone(),
            changes,
            state.clone(),
            reconnections.clone(),
        ));
        let reader = tokio::spawn(read(
            pushes,
            prefix.clone(),
            registry.clone(),
            state.clone(),
        ));
        Ok(Self {
            prefix,
            registry,
            conn,
            state,
            reconnections,
            tasks: vec![keeper, reader],
        })
    }
}

impl Drop for RedisClusterBus {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Bus for RedisClusterBus {
    fn publish<'a>(
        &'a self,
        channel: &'a Channel,
        message: &'a Message,
    ) -> BoxFuture<'a, Result<(), BusError>> {
        Box::pin(async move {
            let payload = serde_json::to_string(message)?;
            let wire = format!("{}{}", self.prefix, channel.name());
            let conn = self.conn.lock().await.clone();
            let published: redis::RedisResult<i64> = match conn {
                Some(mut conn) => {
                    within(
                        redis::cmd("SPUBLISH")
                            .arg(wire)
                            .arg(payload)
                            .query_async(&mut conn),
                    )
                    .await
                }
                None => Err(not_connected()),
            };
            match published {
                Ok(_) => metrics::counter!("cortege_bus_publishes_total").increment(1),
                Err(e) => {
                    metrics::counter!("cortege_bus_publish_failures_total").increment(1);
                    return Err(e.into());
                }
            }
            Ok(())
        })
    }

    fn subscribe<'a>(&'a self, channels: &'a [Channel]) -> BoxFuture<'a, Subscription> {
        Box::pin(async move {
            let (subscription, acks) = self.registry.subscribe(channels);
            tokio::time::timeout(TIMEOUT * 2, futures_util::future::join_all(acks))
                .await
                .ok();
            subscription
        })
    }

    fn state(&self) -> BusState {
        match self.state.load(Ordering::Relaxed) {
            CONNECTED => BusState::Connected,
            _ => BusState::Disconnected,
        }
    }

    fn reconnections(&self) -> watch::Receiver<u64> {
        self.reconnections.subscribe()
    }
}

fn not_connected() -> redis::RedisError {
    redis::RedisError::from(std::io::Error::new(
        std::io::ErrorKind::NotConnected,
        "the Redis cluster is not reachable",
    ))
}

async fn within<T>(
    command: impl std::future::Future<Output = redis::RedisResult<T>>,
) -> redis::RedisResult<T> {
    tokio::time::timeout(TIMEOUT, command)
        .await
        .unwrap_or_else(|_| {
            Err(redis::RedisError::from(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "Redis did not answer in time",
            )))
        })
}

/// Whether every master answers (the cluster connection routes a PING to
/// each).
async fn all_masters_answer(conn: &mut ClusterConnection) -> bool {
    let routing = RoutingInfo::MultiNode((
        MultipleNodeRoutingInfo::AllMasters,
        Some(ResponsePolicy::AllSucceeded),
    ));
    within(conn.route_command(redis::cmd("PING"), routing))
        .await
        .is_ok()
}

/// Subscribes (or unsubscribes) one channel as the registry wants it.
async fn sync_one(
    conn: &mut ClusterConnection,
    prefix: &str,
    registry: &Registry,
    on_server: &mut HashSet<Channel>,
    channel: Channel,
) -> redis::RedisResult<()> {
    let wanted = registry.is_listened(&channel);
    let wire = format!("{prefix}{}", channel.name());
    if wanted && !on_server.contains(&channel) {
        within(conn.ssubscribe(&wire)).await?;
        on_server.insert(channel);
    } else if !wanted && on_server.contains(&channel) {
        within(conn.sunsubscribe(&wire)).await?;
        on_server.remove(&channel);
    }
    Ok(())
}

/// Keeps the connection and the subscriptions: connects, subscribes what
/// the registry holds, follows its changes, and after any loss (a
/// disconnection push, a failed PING) resubscribes everything once every
/// master answers, then counts a reconnection.
async fn keep(
    client: redis::cluster::ClusterClient,
    shared: Arc<Mutex<Option<ClusterConnection>>>,
    prefix: Arc<str>,
    registry: Arc<Registry>,
    mut changes: mpsc::UnboundedReceiver<Change>,
    state: Arc<AtomicU8>,
    reconnections: watch::Sender<u64>,
) {
    let mut conn = loop {
        match within(client.get_async_connection()).await {
            Ok(conn) => break conn,
            Err(e) => {
                tracing::warn!(error = %e, "bus: cannot reach the Redis cluster; retrying");
                tokio::time::sleep(RETRY * 5).await;
            }
        }
    };
    *shared.lock().await = Some(conn.clone());
    let mut on_server: HashSet<Channel> = HashSet::new();
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    loop {
        if state.load(Ordering::Relaxed) != CONNECTED {
            // Everything again, to the node each slot has now.
            on_server.clear();
            let mut ok = all_masters_answer(&mut conn).await;
            for channel in registry.listened() {
                if !ok {
                    break;
                }
                ok = sync_one(&mut conn, &prefix, &registry, &mut on_server, channel)
                    .await
                    .is_ok();
            }
            if ok {
                state.store(CONNECTED, Ordering::Relaxed);
                reconnections.send_modify(|n| *n += 1);
                tracing::info!(
                    channels = on_server.len(),
                    "bus: connected to the Redis cluster"
                );
            } else {
                // Changes queued meanwhile are covered by the full resync.
                while changes.try_recv().is_ok() {}
                tokio::time::sleep(RETRY).await;
                continue;
            }
        }
        tokio::select! {
            changed = changes.recv() => {
                let Some((channel, ack)) = changed else { return };
                if let Err(e) = sync_one(&mut conn, &prefix, &registry, &mut on_server, channel).await {
                    lost(&state, &e.to_string());
                }
                if let Some(ack) = ack {
                    ack.send(()).ok();
                }
            }
            _ = heartbeat.tick() => {
                if !all_masters_answer(&mut conn).await {
                    lost(&state, "a master does not answer PING");
                }
            }
        }
    }
}

fn lost(state: &AtomicU8, reason: &str) {
    if state.swap(DISCONNECTED, Ordering::Relaxed) == CONNECTED {
        tracing::warn!(%reason, "bus: lost part of the Redis cluster; live pushes pause until it is back");
    }
}

/// Reads the pushes: messages to the registry; a disconnection (of any
/// node) makes the keeper resubscribe everything.
async fn read(
    mut pushes: mpsc::UnboundedReceiver<PushInfo>,
    prefix: Arc<str>,
    registry: Arc<Registry>,
    state: Arc<AtomicU8>,
) {
    while let Some(push) = pushes.recv().await {
        match push.kind {
            PushKind::SMessage | PushKind::Message => {
                let [Value::BulkString(channel), Value::BulkString(payload)] = &push.data[..]
                else {
                    continue;
                };
                let Some(channel) = std::str::from_utf8(channel)
                    .ok()
                    .and_then(|c| c.strip_prefix(&*prefix))
                    .and_then(Channel::parse)
                else {
                    continue;
                };
                match serde_json::from_slice::<Message>(payload) {
                    Ok(message) => {
                        registry.dispatch(&channel, Arc::new(message));
                    }
                    Err(e) => {
                        tracing::warn!(channel = %channel.name(), error = %e, "bus: unreadable message")
                    }
                }
            }
            PushKind::Disconnection => lost(&state, "a node's connection closed"),
            _ => {}
        }
    }
}
