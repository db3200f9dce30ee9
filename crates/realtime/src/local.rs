//! The in-process bus, for a server running alone (no CORTEGE_REDIS_URL).

use std::sync::Arc;

use tokio::sync::watch;

use crate::registry::Registry;
use crate::{BoxFuture, Bus, BusError, BusState, Channel, Message, Subscription};

pub struct LocalBus {
    registry: Arc<Registry>,
    reconnections: watch::Sender<u64>,
}

impl LocalBus {
    pub fn new() -> Self {
        Self {
            registry: Registry::new(None),
            reconnections: watch::Sender::new(0),
        }
    }
}

impl Default for LocalBus {
    fn default() -> Self {
        Self::new()
    }
}

impl Bus for LocalBus {
    fn publish<'a>(
        &'a self,
        channel: &'a Channel,
        message: &'a Message,
    ) -> BoxFuture<'a, Result<(), BusError>> {
        metrics::counter!("cortege_bus_publishes_total").increment(1);
        self.registry.dispatch(channel, Arc::new(message.clone()));
        Box::pin(async { Ok(()) })
    }

    fn subscribe<'a>(&'a self, channels: &'a [Channel]) -> BoxFuture<'a, Subscription> {
        let (subscription, _) = self.registry.subscribe(channels);
        Box::pin(async { subscription })
    }

    fn state(&self) -> BusState {
        BusState::Local
    }

    fn reconnections(&self) -> watch::Receiver<u64> {
        self.reconnections.subscribe()
    }
}
