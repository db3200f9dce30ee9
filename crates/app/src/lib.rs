//! Cortège's use-cases: every rule between an API and the database lives
//! here. A resolver (or a CLI command) parses its input into domain types,
//! calls one function of this crate, and maps the result; this crate
//! checks rights and rules, runs the transaction through `cortege_db`, and
//! answers with rows or an [`Error`].
//!
//! | module        | use-cases                                              |
//! |---------------|--------------------------------------------------------|
//! | `accounts`    | sign-up, login codes, sessions, profile, photo, rights |
//! | `events`      | create, update, cancel; who may read or edit one       |
//! | `hosts`       | an event's co-hosts                                     |
//! | `attendance`  | marking, check-in, the hosts' attendee list (CSV)       |
//! | `rsvps`       | the seat transaction: RSVP, cancel, promotion          |
//! | `groups`      | create, join, leave, approve                            |
//! | `friends`     | request, answer, remove                                 |
//! | `moderation`  | reports and decisions                                   |
//! | `places`      | postcodes and addresses resolved to communes            |
//! | `rate_limits` | login-code throttles and content limits                 |
//! | `stats`       | activity and members, small cells, the rollup's job    |
//! | `notify`      | notifications by mail and push, reminders, digests, calendars |
//! | `mail`, `media` | outgoing mail, photo processing and storage          |

pub mod accounts;
pub mod attendance;
pub mod error;
pub mod events;
pub mod friends;
pub mod groups;
pub mod hosts;
pub mod links;
pub mod login_codes;
pub mod mail;
pub mod media;
pub mod moderation;
pub mod notify;
pub mod places;
pub mod previews;
pub mod rate_limits;
pub mod rights;
pub mod rsvps;
pub mod sessions;
pub mod stats;

pub use error::{Error, Result};

use cortege_db::PgPool;
use cortege_realtime::SharedBus;

use crate::mail::Mailer;
use crate::media::MediaStore;
use crate::rate_limits::{ContentLimitConfig, ContentLimits, Shared, ThrottleConfig, Throttles};

/// What the use-cases need for the life of the process.
pub struct App {
    pub pool: PgPool,
    /// The primary without a transaction-mode pooler in between, for what
    /// lives as long as a session: LISTEN (the notifier's wakeups).
    pub direct: PgPool,
    /// Where the best-effort live messages go (`cortege_live::publish`).
    pub bus: SharedBus,
    pub mailer: Mailer,
    pub media: MediaStore,
    pub throttles: Throttles,
    pub limits: ContentLimits,
    /// Public base URL, without a trailing slash, for links in mail.
    pub public_url: String,
    pub notify: notify::Notify,
    /// The sessions this server confirmed in the last seconds.
    pub sessions: std::sync::Arc<sessions::Cache>,
}

impl App {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        pool: PgPool,
        bus: SharedBus,
        mailer: Mailer,
        media: MediaStore,
        public_url: String,
        throttles: &ThrottleConfig,
        limits: &ContentLimitConfig,
        shared: Shared,
        notify: notify::Notify,
    ) -> Self {
        Self {
            direct: pool.clone(),
            pool,
            bus,
            mailer,
            media,
            throttles: Throttles::new(throttles, shared.clone()),
            limits: ContentLimits::new(limits, shared),
            public_url,
            notify,
            sessions: Default::default(),
        }
    }

    /// Takes LISTEN through `direct` (CORTEGE_DIRECT_DATABASE_URL).
    pub fn with_direct(mut self, direct: PgPool) -> Self {
        self.direct = direct;
        self
    }
}
