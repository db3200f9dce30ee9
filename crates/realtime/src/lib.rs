//! Live delivery between server processes: a publish/subscribe bus over
//! named channels, in process (one server) or through Redis (replicas).
//!
//! Channels are coarse on purpose: one per H3 cell for new events, one per
//! event for its RSVPs, one per person for what concerns their sessions, and
//! one announcing newly numbered activities. Who exactly receives something
//! is decided by the subscriber's server, at delivery time, never by the
//! publisher: an event announced in Paris is one message, not one per member.

mod cells;
mod local;
mod rate_limiter;
mod redis_bus;
mod redis_cluster_bus;
mod redis_link;
mod redis_target;
mod registry;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use cortege_domain::events::Event;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use cells::{cell_of, cells_covering};
pub use local::LocalBus;
pub use rate_limiter::RedisRateLimiter;
pub use redis_bus::RedisBus;
pub use redis_cluster_bus::RedisClusterBus;
pub use redis_target::RedisTarget;
pub use registry::{Lagged, Subscription};

/// A channel on the bus. Kept as plain values, not names: a subscriber
/// near a city listens to some twenty cells, and ten thousand of them
/// should not hold two hundred thousand strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    /// New PUBLIC events located in one H3 cell (see [`cell_of`]).
    Cell(u64),
    /// RSVP changes of one event.
    Event(Uuid),
    /// What concerns one person's sessions (revocations).
    Person(Uuid),
    /// Announcements that activities were numbered: feeds evaluate them.
    Activities,
    /// New reports, for moderators.
    Moderation,
    /// Members' writes, so that every server keeps their reads on the
    /// primary until the read replica has them.
    Writes,
    /// Sessions that ended, so that every server drops them from its
    /// cache of sessions.
    Sessions,
}

impl Channel {
    pub fn cell(cell: h3o::CellIndex) -> Self {
        Self::Cell(u64::from(cell))
    }
    pub fn event(event: Uuid) -> Self {
        Self::Event(event)
    }
    pub fn person(person: Uuid) -> Self {
        Self::Person(person)
    }
    pub fn activities() -> Self {
        Self::Activities
    }
    pub fn moderation() -> Self {
        Self::Moderation
    }
    pub fn writes() -> Self {
        Self::Writes
    }
    pub fn sessions() -> Self {
        Self::Sessions
    }

    /// The channel's name on Redis (after the deployment's prefix).
    pub fn name(&self) -> String {
        match self {
            Self::Cell(c) => format!("cell:{c:x}"),
            Self::Event(e) => format!("event:{e}"),
            Self::Person(p) => format!("person:{p}"),
            Self::Activities => "activities".to_owned(),
            Self::Moderation => "moderation".to_owned(),
            Self::Writes => "writes".to_owned(),
            Self::Sessions => "sessions".to_owned(),
        }
    }

    /// The channel named `name`, if it is one.
    pub fn parse(name: &str) -> Option<Self> {
        let (kind, rest) = name.split_once(':').unwrap_or((name, ""));
        match kind {
            "cell" => u64::from_str_radix(rest, 16).ok().map(Self::Cell),
            "event" => Uuid::parse_str(rest).ok().map(Self::Event),
            "person" => Uuid::parse_str(rest).ok().map(Self::Person),
            "activities" if rest.is_empty() => Some(Self::Activities),
            "moderation" if rest.is_empty() => Some(Self::Moderation),
            "writes" if rest.is_empty() => Some(Self::Writes),
            "sessions" if rest.is_empty() => Some(Self::Sessions),
            _ => None,
        }
    }
}

/// What travels on the bus.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message {
    /// Activities up to this sequence number are numbered and readable.
    Numbered { upto: i64 },
    /// A PUBLIC event was created: the row travels so that thousands of
    /// subscribers near it need no query each.
    EventCreated { seq: i64, event: Arc<Event> },
    /// An RSVP was created, changed or cancelled.
    RsvpChanged {
        seq: i64,
        event: Uuid,
        rsvp: Uuid,
        attendee_count: i32,
    },
    /// A session (or all of a person's sessions, when None) was revoked:
    /// sockets authenticated by it close.
    SessionsRevoked { session: Option<Uuid> },
    /// The same, told to every server (on [`Channel::Sessions`]) so that
    /// none keeps the sessions in its cache.
    SessionsEnded { person: Uuid, session: Option<Uuid> },
    /// A member filed a report.
    ReportCreated { report: Uuid },
    /// A member wrote: the primary's WAL position after it, which the
    /// read replica must have replayed before it serves them.
    Wrote { person: Uuid, position: i64 },
}

/// Whether the bus currently carries messages between processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusState {
    /// In-process bus: always up, nothing to connect to.
    Local,
    Connected,
    /// Redis is unreachable: publishes fail (and are logged), subscribers
    /// hear nothing until it comes back.
    Disconnected,
}

impl BusState {
    pub fn as_str(self) -> &'static str {
        match self {
            BusState::Local => "local",
            BusState::Connected => "connected",
            BusState::Disconnected => "disconnected",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("encoding a bus message: {0}")]
    Encode(#[from] serde_json::Error),
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The bus: publish to a channel, subscribe to several. Subscribing is
/// reference-counted per process: the first local subscriber of a channel
/// makes the process listen to it, the last one leaving stops that.
pub trait Bus: Send + Sync + 'static {
    fn publish<'a>(
        &'a self,
        channel: &'a Channel,
        message: &'a Message,
    ) -> BoxFuture<'a, Result<(), BusError>>;

    /// Receives every message published on these channels once the
    /// returned future resolves (with Redis: once Redis confirmed the
    /// SUBSCRIBE, or at once when Redis is away).
    fn subscribe<'a>(&'a self, channels: &'a [Channel]) -> BoxFuture<'a, Subscription>;

    fn state(&self) -> BusState;

    /// Changes whenever the bus reconnects, so that listeners can catch up
    /// on what they may have missed while it was away.
    fn reconnections(&self) -> tokio::sync::watch::Receiver<u64>;
}

pub type SharedBus = Arc<dyn Bus>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_round_trip() {
        let cell = cell_of(43.2965, 5.3698).expect("a place");
        let id = Uuid::now_v7();
        for c in [
            Channel::cell(cell),
            Channel::event(id),
            Channel::person(id),
            Channel::activities(),
            Channel::moderation(),
            Channel::writes(),
        ] {
            assert_eq!(Channel::parse(&c.name()), Some(c), "{}", c.name());
        }
        assert_eq!(Channel::cell(cell).name(), format!("cell:{cell}"));
        assert_eq!(Channel::parse("cell:zz"), None);
        assert_eq!(Channel::parse("other"), None);
    }
}
