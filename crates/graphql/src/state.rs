//! What resolvers share for the life of the server.

use std::net::IpAddr;
use std::sync::Arc;

use cortege_db::PgPool;
use cortege_realtime::SharedBus;

use crate::live::FeedHub;
use crate::mail::Mailer;
use crate::media::MediaStore;
use crate::throttle::{ContentLimitConfig, ContentLimits, ThrottleConfig, Throttles};

/// Settings the API itself needs.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Public base URL, without a trailing slash ("https://cortege.example").
    pub public_url: String,
    /// Production hides introspection and field suggestions.
    pub production: bool,
    pub throttles: ThrottleConfig,
    pub content_limits: ContentLimitConfig,
    /// Longest a root field may run before TIMEOUT.
    pub resolver_timeout: std::time::Duration,
}

impl ApiConfig {
    /// Whether cookies must carry `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

pub struct AppState {
    pub pool: PgPool,
    /// A read replica for statistics, when configured.
    pub analytics: Option<PgPool>,
    pub mailer: Mailer,
    pub media: MediaStore,
    pub throttles: Throttles,
    pub limits: ContentLimits,
    pub config: ApiConfig,
    /// Live delivery between this process and the others.
    pub bus: SharedBus,
    /// This process's live feed subscribers.
    pub feeds: Arc<FeedHub>,
}

pub type SharedState = Arc<AppState>;

/// What connects this process to the others: the bus, its feed
/// subscribers, and the shared rate-limit store (with Redis).
pub struct Live {
    pub bus: SharedBus,
    pub feeds: Arc<FeedHub>,
    pub shared_limits: crate::throttle::Shared,
}

impl AppState {
    pub fn new(
        pool: PgPool,
        analytics: Option<PgPool>,
        mailer: Mailer,
        media: MediaStore,
        config: ApiConfig,
        live: Live,
    ) -> SharedState {
        let Live {
            bus,
            feeds,
            shared_limits,
        } = live;
        Arc::new(Self {
            pool,
            analytics,
            mailer,
            media,
            throttles: Throttles::new(&config.throttles, shared_limits.clone()),
            limits: ContentLimits::new(&config.content_limits, shared_limits),
            config,
            bus,
            feeds,
        })
    }

    /// Where statistics run: the read replica when configured.
    pub fn analytics_pool(&self) -> &PgPool {
        self.analytics.as_ref().unwrap_or(&self.pool)
    }

    /// The public URL of a stored photo at `size` pixels.
    pub fn photo_url(&self, key: &str, size: u32) -> String {
        format!("{}/media/photos/{key}-{size}.jpg", self.config.public_url)
    }
}

/// The client's address as the HTTP layer determined it (socket peer or a
/// trusted proxy's X-Forwarded-For entry), for per-address limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);
