//! The Redis bus, for replicas: ONE subscriber connection per process
//! multiplexes every channel its local subscribers need (SUBSCRIBE when the
//! first arrives, UNSUBSCRIBE when the last leaves), and a multiplexed
//! connection publishes. When Redis goes away, publishes fail fast and the
//! subscriber connection retries with backoff, then resubscribes everything.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use redis::AsyncCommands;
use redis::aio::PubSubSink;
use tokio::sync::{mpsc, watch};

use crate::redis_target::{Commands, RedisTarget};
use crate::registry::{Change, Registry};
use crate::{BoxFuture, Bus, BusError, BusState, Channel, Message, Subscription};

/// How long connecting or a command may take before Redis counts as down.
const TIMEOUT: Duration = Duration::from_secs(1);
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(2);
/// How often the subscriber connection proves it is alive.
const HEARTBEAT: Duration = Duration::from_secs(5);

const CONNECTED: u8 = 1;
const DISCONNECTED: u8 = 2;

pub struct RedisBus {
    prefix: Arc<str>,
    registry: Arc<Registry>,
    publisher: Commands,
    state: Arc<AtomicU8>,
    reconnections: watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl RedisBus {
    /// Starts the subscriber connection in the background; an unreachable
    /// Redis is not an error here (the server runs, degraded, until it
    /// comes back). Channel names on Redis start with `prefix:`, so that
    /// several deployments (or test runs) can share one Redis.
    pub fn start(target: RedisTarget, prefix: &str) -> Result<Self, BusError> {
        let prefix: Arc<str> = Arc::from(format!("{prefix}:"));
        let publisher = target.commands(TIMEOUT, 1)?;
        let (changes_tx, changes_rx) = mpsc::unbounded_channel();
        let registry = Registry::new(Some(changes_tx));
        let state = Arc::new(AtomicU8::new(DISCONNECTED));
        let reconnections = watch::Sender::new(0);
        let task = tokio::spawn(subscriber(
            target,
            prefix.clone(),
            registry.clone(),
            changes_rx,
            state.clone(),
            reconnections.clone(),
        ));
        Ok(Self {
            prefix,
            registry,
            publisher,
            state,
            reconnections,
            task,
        })
    }
}

impl Drop for RedisBus {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Bus for RedisBus {
    fn publish<'a>(
        &'a self,
        channel: &'a Channel,
        message: &'a Message,
    ) -> BoxFuture<'a, Result<(), BusError>> {
        Box::pin(async move {
            let payload = serde_json::to_string(message)?;
            let wire = format!("{}{}", self.prefix, channel.name());
            let published: Result<i64, _> = match self.publisher.connection().await {
                Ok(mut conn) => conn.publish(wire, payload).await,
                Err(e) => Err(e),
            };
            match published {
                Ok(_) => metrics::counter!("cortege_bus_publishes_total").increment(1),
                Err(e) => {
                    self.publisher.failed().await;
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
            // A dropped ack (Redis away) resolves too: nothing to wait for.
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

async fn subscriber(
    target: RedisTarget,
    prefix: Arc<str>,
    registry: Arc<Registry>,
    mut changes: mpsc::UnboundedReceiver<Change>,
    state: Arc<AtomicU8>,
    reconnections: watch::Sender<u64>,
) {
    let mut backoff = BACKOFF_MIN;
    let mut reported_down = false;
    loop {
        // Asked anew each time: after a Sentinel failover, the new master.
        let connect = async { target.client().await?.get_async_pubsub().await };
        match tokio::time::timeout(TIMEOUT, connect).await {
            Ok(Ok(pubsub)) => {
                let (mut sink, mut stream) = pubsub.split();
                let mut on_server = HashSet::new();
                match sync_all(&mut sink, &prefix, &registry, &mut on_server).await {
                    Ok(()) => {
                        state.store(CONNECTED, Ordering::Relaxed);
                        reconnections.send_modify(|n| *n += 1);
                        tracing::info!(channels = on_server.len(), "bus: connected to Redis");
                        backoff = BACKOFF_MIN;
                        let mut heartbeat = tokio::time::interval(HEARTBEAT);
                        heartbeat.tick().await;
                        let reason = loop {
                            tokio::select! {
                                changed = changes.recv() => {
                                    let Some((channel, ack)) = changed else { return };
                                    if let Err(e) = sync_one(&mut sink, &prefix, &registry, &mut on_server, channel).await {
                                        break e.to_string();
                                    }
                                    if let Some(ack) = ack {
                                        ack.send(()).ok();
                                    }
                                }
                                msg = stream.next() => {
                                    let Some(msg) = msg else { break "connection closed".to_owned() };
                                    deliver(&prefix, &registry, &msg);
                                }
                                _ = heartbeat.tick() => {
                                    // Subscribed, Redis answers PING with an
                                    // array: any answer will do.
                                    if within(sink.ping::<redis::Value>()).await.is_err() {
                                        break "no answer to PING".to_owned();
                                    }
                                }
                            }
                        };
                        state.store(DISCONNECTED, Ordering::Relaxed);
                        tracing::warn!(%reason, "bus: lost Redis; live pushes pause until it is back");
                        reported_down = true;
                    }
                    Err(e) => {
                        state.store(DISCONNECTED, Ordering::Relaxed);
                        tracing::warn!(error = %e, "bus: subscribing on Redis failed");
                    }
                }
            }
            failed => {
                state.store(DISCONNECTED, Ordering::Relaxed);
                if !reported_down {
                    let error = match failed {
                        Ok(Err(e)) => e.to_string(),
                        _ => "timed out".to_owned(),
                    };
                    tracing::warn!(%error, "bus: cannot reach Redis; retrying");
                    reported_down = true;
                }
            }
        }
        // Changes queued while down are covered by the full resync.
        while changes.try_recv().is_ok() {}
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

fn deliver(prefix: &str, registry: &Registry, msg: &redis::Msg) {
    let Some(channel) = msg
        .get_channel_name()
        .strip_prefix(prefix)
        .and_then(Channel::parse)
    else {
        return;
    };
    match serde_json::from_slice::<Message>(msg.get_payload_bytes()) {
        Ok(message) => {
            registry.dispatch(&channel, Arc::new(message));
        }
        Err(e) => tracing::warn!(channel = %channel.name(), error = %e, "bus: unreadable message"),
    }
}

async fn sync_all(
    sink: &mut PubSubSink,
    prefix: &str,
    registry: &Registry,
    on_server: &mut HashSet<Channel>,
) -> redis::RedisResult<()> {
    let wanted = registry.listened();
    if !wanted.is_empty() {
        let names: Vec<String> = wanted
            .iter()
            .map(|c| format!("{prefix}{}", c.name()))
            .collect();
        within(sink.subscribe(names)).await?;
    }
    on_server.extend(wanted);
    Ok(())
}

/// Brings one channel's subscription on Redis in line with the registry,
/// whatever happened since the change was queued.
async fn sync_one(
    sink: &mut PubSubSink,
    prefix: &str,
    registry: &Registry,
    on_server: &mut HashSet<Channel>,
    channel: Channel,
) -> redis::RedisResult<()> {
    let wanted = registry.is_listened(&channel);
    let has = on_server.contains(&channel);
    let wire = format!("{prefix}{}", channel.name());
    if wanted && !has {
        within(sink.subscribe(&wire)).await?;
        on_server.insert(channel);
    } else if !wanted && has {
        within(sink.unsubscribe(&wire)).await?;
        on_server.remove(&channel);
    }
    Ok(())
}

/// A Redis command, or a timeout error when Redis does not answer in time.
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
