//! Reaching members away from the app (issue 14).
//!
//! | module        | what it does                                                 |
//! |---------------|--------------------------------------------------------------|
//! | `settings`    | preferences, digest, devices, the calendar link: the API's use-cases |
//! | `fanout`      | activity sequence → one delivery per recipient and channel   |
//! | `sender`      | claims due deliveries, sends them, retries, dead letters     |
//! | `render`      | the French texts of each notification                       |
//! | `webpush`     | RFC 8030/8291/8292 messages, and where they may go (no SSRF)  |
//! | `schedule`    | reminders before events, digests on their day               |
//! | `calendar`    | RFC 5545 calendars of an event, a group, a member           |
//! | `keys`        | the VAPID key pair and the signed unsubscribe links          |
//!
//! Delivery is at least once, exactly once but for what was in flight: the
//! notifier writes every delivery under a unique key before anything is
//! sent (`cortege_db::notify::deliveries`), and a sender marks each one
//! sent as soon as it is. A sender killed mid-send leaves the deliveries it
//! had claimed to be claimed again when their lease
//! (CORTEGE_DELIVERY_LEASE_SECONDS) runs out; those it had
//! sent but not yet marked go out a second time: the sends in flight (at
//! most 64 pushes and 32 mails per process) and those answered in the last
//! few milliseconds, whose marks were being written.

pub mod calendar;
pub mod fanout;
pub mod keys;
pub mod render;
pub mod schedule;
pub mod sender;
pub mod settings;
pub mod webpush;

use std::sync::Arc;

pub use keys::{Keys, Unsubscribe};

/// What the operator set (CORTEGE_REMINDER_HOURS and friends).
#[derive(Debug, Clone)]
pub struct NotifySettings {
    /// Hours before an event's start its reminders go, e.g. [24, 2].
    pub reminder_hours: Vec<i32>,
    /// Most notification mails sent per hour across the cluster; 0: no cap.
    pub mail_per_hour: u32,
    /// Hour of the day (Europe/Paris) digests go out.
    pub digest_hour: u32,
    /// Push endpoints may be plain http and on private addresses (tests).
    pub push_allow_private: bool,
    /// Whether this process sends notifications, reminders and digests.
    pub enabled: bool,
    /// How long a sender holds what it claimed: a dead replica's claims
    /// go to another sender after this.
    pub delivery_lease: std::time::Duration,
}

impl Default for NotifySettings {
    fn default() -> Self {
        Self {
            reminder_hours: vec![24, 2],
            mail_per_hour: 0,
            digest_hour: 8,
            push_allow_private: false,
            enabled: true,
            delivery_lease: std::time::Duration::from_secs(120),
        }
    }
}

/// The notification settings and keys, shared by the API and the workers.
#[derive(Clone)]
pub struct Notify {
    pub settings: NotifySettings,
    pub keys: Arc<Keys>,
}

impl std::fmt::Debug for Notify {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The keys stay out of logs.
        f.debug_struct("Notify")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}
