//! The messages published directly, outside the outbox: best-effort by
//! design (see the crate's doc), each logged when the bus refuses it.

use cortege_realtime::{Channel, Message, SharedBus};
use uuid::Uuid;

/// Tells every server that these sessions (all of the person's, when
/// `session` is None) ended: their sockets close with 4403, and no server
/// accepts them from its cache of sessions any more. Sockets re-check
/// their session periodically and cached sessions expire within seconds,
/// which covers a lost message.
pub async fn sessions_revoked(bus: &SharedBus, person: Uuid, session: Option<Uuid>) {
    let sockets = Message::SessionsRevoked { session };
    let caches = Message::SessionsEnded { person, session };
    let (to_sockets, to_caches) = (Channel::person(person), Channel::sessions());
    let (sockets, caches) = tokio::join!(
        bus.publish(&to_sockets, &sockets),
        bus.publish(&to_caches, &caches),
    );
    if let Err(e) = sockets.and(caches) {
        tracing::warn!(error = %e, %person, "announcing a session revocation failed");
    }
}

/// Tells the moderators' live queues that a report was filed. The queue
/// has it whatever happens here; only the live push can be lost.
pub async fn report_created(bus: &SharedBus, report: Uuid) {
    let message = Message::ReportCreated { report };
    if let Err(e) = bus.publish(&Channel::moderation(), &message).await {
        tracing::warn!(error = %e, "announcing a report to moderators failed");
    }
}

/// Tells every server that `person` wrote up to `position`, so that their
/// reads stay on the primary wherever they land until the read replica
/// has it. Lost, it only means one read from the replica may miss the
/// write.
pub async fn wrote(bus: &SharedBus, person: Uuid, position: i64) {
    let message = Message::Wrote { person, position };
    if let Err(e) = bus.publish(&Channel::writes(), &message).await {
        tracing::warn!(error = %e, "announcing a member's write to the other servers failed");
    }
}
