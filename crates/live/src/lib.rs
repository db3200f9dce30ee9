//! Live delivery, in one place: what is published, by whom, on which
//! channel, and how a subscriber of this process receives it.
//!
//! | module    | what                                                         |
//! |-----------|--------------------------------------------------------------|
//! | `relay`   | one per cluster: numbers committed activities, publishes them |
//! | `policy`  | which bus messages a numbered activity makes                  |
//! | `hub`     | this process's feed subscribers, served from the sequence     |
//! | `publish` | the messages published directly, outside the outbox           |
//!
//! The transport (`cortege_realtime`: channels, the in-process and Redis
//! buses) knows only domain types; this crate decides what goes on it.
//!
//! ## Durable or best-effort
//!
//! **Through the outbox (durable, numbered):** everything a member's feed
//! shows and every push derived from it: events created, updated and
//! cancelled, RSVP changes, friend requests and acceptances, group joins,
//! moderation warnings, reports filed. The activity row is written in the
//! transaction of the change itself (`cortege_db::activities`), numbered by
//! the relay, and feeds read it from PostgreSQL by sequence number: a crash
//! or a Redis outage delays it, never loses it, and a client resuming from
//! its cursor replays what it missed.
//!
//! **Published directly (best-effort):** `SessionsRevoked` and
//! `ReportCreated` (see `publish`). Both only hurry along something that is
//! already true in the database: a revoked session is refused at its next
//! use and every socket re-checks its session periodically; a new report is
//! in the moderators' queue whether or not the live push arrives. Sending
//! them through the outbox would add a relay hop (and its second of
//! polling) to a logout for no gain in what is kept.

pub mod hub;
mod listen;
pub mod pins;
pub mod policy;
pub mod publish;
pub mod relay;

pub use hub::FeedHub;
pub use listen::listen;
