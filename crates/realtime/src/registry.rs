//! The process-local side of subscriptions: which local subscribers listen
//! to which channel, shared by both bus implementations.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{mpsc, oneshot};

use crate::{Channel, Message};

/// Messages a subscriber may have pending before it counts as lagging.
const QUEUE: usize = 256;

struct Subscriber {
    id: u64,
    tx: mpsc::Sender<Arc<Message>>,
    lagged: Arc<AtomicBool>,
}

/// A channel whose first subscriber arrived or last one left; the sender,
/// if any, is told once the change is in effect on the server.
pub(crate) type Change = (Channel, Option<oneshot::Sender<()>>);

/// Channel → local subscribers. `on_change` hears a channel name whenever
/// its first subscriber arrives or its last one leaves.
pub(crate) struct Registry {
    channels: Mutex<HashMap<Channel, Vec<Subscriber>>>,
    next_id: AtomicU64,
    on_change: Option<mpsc::UnboundedSender<Change>>,
}

impl Registry {
    pub(crate) fn new(on_change: Option<mpsc::UnboundedSender<Change>>) -> Arc<Self> {
        Arc::new(Self {
            channels: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            on_change,
        })
    }

    /// Subscribes; the receivers resolve once the channels this made the
    /// process listen to are listened to on the server.
    pub(crate) fn subscribe(
        self: &Arc<Self>,
        channels: &[Channel],
    ) -> (Subscription, Vec<oneshot::Receiver<()>>) {
        let mut acks = Vec::new();
        let (tx, rx) = mpsc::channel(QUEUE);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let lagged = Arc::new(AtomicBool::new(false));
        let mut channels = channels.to_vec();
        channels.sort();
        channels.dedup();
        {
            let mut map = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
            for channel in &channels {
                let subscribers = map.entry(*channel).or_default();
                if subscribers.is_empty() {
                    let (tx, rx) = oneshot::channel();
                    self.changed(channel, Some(tx));
                    acks.push(rx);
                }
                subscribers.push(Subscriber {
                    id,
                    tx: tx.clone(),
                    lagged: lagged.clone(),
                });
            }
        }
        let subscription = Subscription {
            rx,
            lagged,
            id,
            channels,
            registry: self.clone(),
        };
        (subscription, acks)
    }

    fn changed(&self, channel: &Channel, ack: Option<oneshot::Sender<()>>) {
        if let Some(tx) = &self.on_change {
            // The receiver lives as long as the bus.
            tx.send((*channel, ack)).ok();
        }
    }

    fn leave(&self, id: u64, channels: &[Channel]) {
        let mut map = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        for channel in channels {
            if let Some(subscribers) = map.get_mut(channel) {
                subscribers.retain(|s| s.id != id);
                if subscribers.is_empty() {
                    map.remove(channel);
                    self.changed(channel, None);
                }
            }
        }
    }

    /// Hands a message to every local subscriber of the channel. A
    /// subscriber whose queue is full misses it and is told so.
    pub(crate) fn dispatch(&self, channel: &Channel, message: Arc<Message>) -> usize {
        let map = self.channels.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(subscribers) = map.get(channel) else {
            return 0;
        };
        let mut delivered = 0;
        let mut dropped = 0_u64;
        for s in subscribers {
            match s.tx.try_send(message.clone()) {
                Ok(()) => delivered += 1,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    s.lagged.store(true, Ordering::Relaxed);
                    dropped += 1;
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {}
            }
        }
        metrics::counter!("cortege_bus_deliveries_total").increment(delivered as u64);
        if dropped > 0 {
            metrics::counter!("cortege_bus_dropped_total").increment(dropped);
        }
        delivered
    }

    pub(crate) fn is_listened(&self, channel: &Channel) -> bool {
        self.channels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains_key(channel)
    }

    pub(crate) fn listened(&self) -> Vec<Channel> {
        self.channels
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .cloned()
            .collect()
    }
}

/// A subscriber missed messages because it did not keep up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lagged;

/// One local subscriber to one or more channels. Dropping it leaves them.
pub struct Subscription {
    rx: mpsc::Receiver<Arc<Message>>,
    lagged: Arc<AtomicBool>,
    id: u64,
    channels: Vec<Channel>,
    registry: Arc<Registry>,
}

impl Subscription {
    /// The next message; `Err(Lagged)` once after messages were dropped
    /// because this subscriber's queue was full.
    pub async fn recv(&mut self) -> Result<Arc<Message>, Lagged> {
        if self.lagged.swap(false, Ordering::Relaxed) {
            return Err(Lagged);
        }
        match self.rx.recv().await {
            Some(m) => Ok(m),
            // The registry holds a sender as long as we are subscribed.
            None => std::future::pending().await,
        }
    }
}

impl Subscription {
    /// A message already queued, without waiting; `Err(Lagged)` as in
    /// [`Subscription::recv`].
    pub fn try_recv(&mut self) -> Option<Result<Arc<Message>, Lagged>> {
        if self.lagged.swap(false, Ordering::Relaxed) {
            return Some(Err(Lagged));
        }
        self.rx.try_recv().ok().map(Ok)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.registry.leave(self.id, &self.channels);
    }
}
