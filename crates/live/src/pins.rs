//! Read-your-writes across servers: every server hears the writes the
//! others noted (`publish::wrote`) and pins their authors' reads to the
//! primary too (`cortege_db::reads`).

use cortege_db::reads::Reads;
use cortege_realtime::{Channel, Message, SharedBus};

/// Subscribes, then listens until aborted; only worth running with a read
/// replica.
pub async fn start(bus: SharedBus, reads: Reads) -> tokio::task::JoinHandle<()> {
    let pin = move |message: &Message| {
        if let Message::Wrote { person, position } = *message {
            reads.pin(person, position);
        }
    };
    // Pins dropped under load: those members may read the replica a few
    // milliseconds early.
    let lagged = || tracing::warn!("fell behind on other servers' writes");
    crate::listen(bus, Channel::writes(), pin, lagged).await
}
