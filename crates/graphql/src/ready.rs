//! Request data a WebSocket attaches to a subscription (the transport and
//! the subscription resolvers meet here, so neither imports the other).

/// Request data a WebSocket attaches to a subscription: subscription
/// resolvers fire it once they listen, so that the socket handles the
/// client's next message only then (a client that sent subscribe, then
/// ping, knows from the pong that it misses nothing published after).
pub struct SubscribeReady(std::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>);

impl SubscribeReady {
    pub fn new(tx: tokio::sync::oneshot::Sender<()>) -> Self {
        Self(std::sync::Mutex::new(Some(tx)))
    }

    pub fn fire(&self) {
        let sender = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(tx) = sender {
            tx.send(()).ok();
        }
    }
}
