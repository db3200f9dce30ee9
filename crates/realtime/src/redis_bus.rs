//! The Redis bus, for replicas: ONE subscriber connection per process
//! multiplexes every channel its local subscribers need (SUBSCRIBE when the
//! first arrives, UNSUBSCRIBE when the last leaves), and a multiplexed
//! connection publishes. When Redis goes away, publishes fail fast and the
//! subscriber connection retries with backoff, then resubscribes everything.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use redis::AsyncCommands;
use redis::aio::PubSubSink;
use tokio::sync::{mpsc, watch};

use crate::redis_link::{Link, TIMEOUT, counted, within};
use crate::redis_target::{Commands, RedisTarget};
use crate::registry::Change;
use crate::{BoxFuture, Bus, BusError, BusState, Channel, Message, Subscription};

const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(2);
/// How often the subscriber connection proves it is alive.
const HEARTBEAT: Duration = Duration::from_secs(5);

pub struct RedisBus {
    link: Arc<Link>,
    publisher: Commands,
    task: tokio::task::JoinHandle<()>,
}

impl RedisBus {
    /// Starts the subscriber connection in the background; an unreachable
    /// Redis is not an error here (the server runs, degraded, until it
    /// comes back). Channel names on Redis start with `prefix:`, so that
    /// several deployments (or test runs) can share one Redis.
    pub fn start(target: RedisTarget, prefix: &str) -> Result<Self, BusError> {
        let publisher = target.commands(TIMEOUT, 1)?;
        let (link, changes) = Link::new(prefix);
        let task = tokio::spawn(subscriber(target, link.clone(), changes));
        Ok(Self {
            link,
            publisher,
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
            let wire = self.link.wire(channel);
            let published: Result<i64, _> = match self.publisher.connection().await {
                Ok(mut conn) => conn.publish(wire, payload).await,
                Err(e) => Err(e),
            };
            if published.is_err() {
                self.publisher.failed().await;
            }
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

async fn subscriber(
    target: RedisTarget,
    link: Arc<Link>,
    mut changes: mpsc::UnboundedReceiver<Change>,
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
                match sync_all(&mut sink, &link, &mut on_server).await {
                    Ok(()) => {
                        link.connected();
                        tracing::info!(channels = on_server.len(), "bus: connected to Redis");
                        backoff = BACKOFF_MIN;
                        let mut heartbeat = tokio::time::interval(HEARTBEAT);
                        heartbeat.tick().await;
                        let reason = loop {
                            tokio::select! {
                                changed = changes.recv() => {
                                    let Some((channel, ack)) = changed else { return };
                                    if let Err(e) = sync_one(&mut sink, &link, &mut on_server, channel).await {
                                        break e.to_string();
                                    }
                                    if let Some(ack) = ack {
                                        ack.send(()).ok();
                                    }
                                }
                                msg = stream.next() => {
                                    let Some(msg) = msg else { break "connection closed".to_owned() };
                                    link.deliver(msg.get_channel_name(), msg.get_payload_bytes());
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
                        link.disconnected();
                        tracing::warn!(%reason, "bus: lost Redis; live pushes pause until it is back");
                        reported_down = true;
                    }
                    Err(e) => {
                        link.disconnected();
                        tracing::warn!(error = %e, "bus: subscribing on Redis failed");
                    }
                }
            }
            failed => {
                link.disconnected();
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

async fn sync_all(
    sink: &mut PubSubSink,
    link: &Link,
    on_server: &mut HashSet<Channel>,
) -> redis::RedisResult<()> {
    let wanted = link.registry.listened();
    if !wanted.is_empty() {
        let names: Vec<String> = wanted.iter().map(|c| link.wire(c)).collect();
        within(sink.subscribe(names)).await?;
    }
    on_server.extend(wanted);
    Ok(())
}

/// Brings one channel's subscription on Redis in line with the registry,
/// whatever happened since the change was queued.
async fn sync_one(
    sink: &mut PubSubSink,
    link: &Link,
    on_server: &mut HashSet<Channel>,
    channel: Channel,
) -> redis::RedisResult<()> {
    let wanted = link.registry.is_listened(&channel);
    let has = on_server.contains(&channel);
    let wire = link.wire(&channel);
    if wanted && !has {
        within(sink.subscribe(&wire)).await?;
        on_server.insert(channel);
    } else if !wanted && has {
        within(sink.unsubscribe(&wire)).await?;
        on_server.remove(&channel);
    }
    Ok(())
}
