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
use std::time::Duration;

use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{MultipleNodeRoutingInfo, ResponsePolicy, RoutingInfo};
use redis::{PushInfo, PushKind, Value};
use tokio::sync::{Mutex, mpsc, watch};

use crate::redis_link::{Link, TIMEOUT, counted, within};
use crate::registry::Change;
use crate::{BoxFuture, Bus, BusError, BusState, Channel, Message, Subscription};

const RETRY: Duration = Duration::from_millis(200);
const HEARTBEAT: Duration = Duration::from_secs(2);

pub struct RedisClusterBus {
    link: Arc<Link>,
    conn: Arc<Mutex<Option<ClusterConnection>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl RedisClusterBus {
    /// Connects in the background (an unreachable cluster is not an error
    /// here: the server runs, degraded, until it answers). `nodes` are
    /// URLs, as `RedisTarget::cluster` writes them.
    pub fn start(nodes: &[String], prefix: &str) -> Result<Self, BusError> {
        let (pushes_tx, pushes) = mpsc::unbounded_channel::<PushInfo>();
        // RESP3: pushes need it.
        let client = ClusterClientBuilder::new(nodes.to_vec())
            .use_protocol(redis::ProtocolVersion::RESP3)
            .push_sender(pushes_tx)
            .connection_timeout(TIMEOUT)
            .response_timeout(TIMEOUT)
            .retries(2)
            .build()?;
        let (link, changes) = Link::new(prefix);
        let conn = Arc::new(Mutex::new(None));
        let keeper = tokio::spawn(keep(client, conn.clone(), link.clone(), changes));
        let reader = tokio::spawn(read(pushes, link.clone()));
        Ok(Self {
            link,
            conn,
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
            let wire = self.link.wire(channel);
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
            counted(published)
        })
    }

    fn subscribe<'a>(&'a self, channels: &'a [Channel]) -> BoxFuture<'a, Subscription> {
        Box::pin(self.link.subscribe(channels))
    }

    fn state(&self) -> BusState {
        self.link.state()
    }

    fn reconnections(&self) -> watch::Receiver<u64> {
        self.link.reconnections()
    }
}

fn not_connected() -> redis::RedisError {
    redis::RedisError::from(std::io::Error::new(
        std::io::ErrorKind::NotConnected,
        "the Redis cluster is not reachable",
    ))
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
    link: &Link,
    on_server: &mut HashSet<Channel>,
    channel: Channel,
) -> redis::RedisResult<()> {
    let wanted = link.registry.is_listened(&channel);
    let wire = link.wire(&channel);
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
    link: Arc<Link>,
    mut changes: mpsc::UnboundedReceiver<Change>,
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
        if !link.is_connected() {
            // Everything again, to the node each slot has now.
            on_server.clear();
            let mut ok = all_masters_answer(&mut conn).await;
            for channel in link.registry.listened() {
                if !ok {
                    break;
                }
                ok = sync_one(&mut conn, &link, &mut on_server, channel)
                    .await
                    .is_ok();
            }
            if ok {
                link.connected();
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
                if let Err(e) = sync_one(&mut conn, &link, &mut on_server, channel).await {
                    lost(&link, &e.to_string());
                }
                if let Some(ack) = ack {
                    ack.send(()).ok();
                }
            }
            _ = heartbeat.tick() => {
                if !all_masters_answer(&mut conn).await {
                    lost(&link, "a master does not answer PING");
                }
            }
        }
    }
}

fn lost(link: &Link, reason: &str) {
    if link.disconnected() {
        tracing::warn!(%reason, "bus: lost part of the Redis cluster; live pushes pause until it is back");
    }
}

/// Reads the pushes: messages to the registry; a disconnection (of any
/// node) makes the keeper resubscribe everything.
async fn read(mut pushes: mpsc::UnboundedReceiver<PushInfo>, link: Arc<Link>) {
    while let Some(push) = pushes.recv().await {
        match push.kind {
            PushKind::SMessage | PushKind::Message => {
                if let [Value::BulkString(channel), Value::BulkString(payload)] = &push.data[..]
                    && let Ok(channel) = std::str::from_utf8(channel)
                {
                    link.deliver(channel, payload);
                }
            }
            PushKind::Disconnection => lost(&link, "a node's connection closed"),
            _ => {}
        }
    }
}
