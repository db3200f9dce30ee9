//! A server's standing subscription to one of the bus's shared channels,
//! handled message by message for as long as the server runs.

use cortege_realtime::{Channel, Lagged, Message, SharedBus};

/// Subscribes to `channel` (subscribed once this returns), then hands each
/// message to `handle` until aborted; `lagged` runs when messages were
/// dropped because the listener fell behind.
pub async fn listen(
    bus: SharedBus,
    channel: Channel,
    handle: impl Fn(&Message) + Send + 'static,
    lagged: impl Fn() + Send + 'static,
) -> tokio::task::JoinHandle<()> {
    let mut messages = bus.subscribe(&[channel]).await;
    tokio::spawn(async move {
        loop {
            match messages.recv().await {
                Ok(message) => handle(&message),
                Err(Lagged) => lagged(),
            }
        }
    })
}
