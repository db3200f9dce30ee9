//! What resolvers share for the life of the server.

use std::net::IpAddr;
use std::sync::Arc;

use cortege_db::PgPool;
use cortege_db::reads::Reads;
use cortege_realtime::SharedBus;

use cortege_app::App;
use cortege_app::mail::Mailer;
use cortege_app::media::MediaStore;
use cortege_app::rate_limits::{ContentLimitConfig, ThrottleConfig};

use cortege_live::FeedHub;

/// Settings the API itself needs.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Public base URL, without a trailing slash ("https://cortege.example").
    pub public_url: String,
    /// Production hides introspection and field suggestions.
    pub production: bool,
    pub throttles: ThrottleConfig,
    pub content_limits: ContentLimitConfig,
    /// Longest an operation may run before TIMEOUT.
    pub resolver_timeout: std::time::Duration,
    /// Notification settings and the deployment's keys.
    pub notify: cortege_app::notify::Notify,
    /// Counts of people below this are shown as null.
    pub stats_min_cell: cortege_domain::stats::MinCell,
}

impl ApiConfig {
    /// Whether cookies must carry `Secure`.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

pub struct AppState {
    /// The use-cases, and the database, mailer, photo store and limits
    /// they run on.
    pub app: Arc<App>,
    pub pool: PgPool,
    /// Where listings are read: the primary, or the read replica within
    /// its rules (`cortege_db::reads`).
    pub reads: Reads,
    /// Statistics, read from the analytics replica when configured.
    pub stats: Arc<cortege_app::stats::Statistics>,
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
    pub shared_limits: cortege_app::rate_limits::Shared,
}

/// The connections to PostgreSQL.
pub struct Databases {
    /// The primary, for writes and whatever must see the latest commit.
    pub pool: PgPool,
    /// Listings' reads (the primary unless a read replica is configured).
    pub reads: Reads,
    /// The primary without a transaction-mode pooler, for LISTEN.
    pub direct: PgPool,
    /// Statistics' replica, when configured.
    pub analytics: Option<PgPool>,
}

impl Databases {
    /// Everything on one pool.
    pub fn single(pool: PgPool) -> Self {
        Self {
            reads: Reads::primary_only(pool.clone()),
            direct: pool.clone(),
            pool,
            analytics: None,
        }
    }
}

impl AppState {
    pub fn new(
        databases: Databases,
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
        let Databases {
            pool,
            reads,
            direct,
            analytics,
        } = databases;
        let app = App::new(
            pool.clone(),
            bus.clone(),
            mailer,
            media,
            config.public_url.clone(),
            &config.throttles,
            &config.content_limits,
            shared_limits,
            config.notify.clone(),
        )
        .with_direct(direct);
        let stats = Arc::new(cortege_app::stats::Statistics::new(
            pool.clone(),
            analytics,
            config.stats_min_cell,
        ));
        Arc::new(Self {
            app: Arc::new(app),
            pool,
            reads,
            stats,
            config,
            bus,
            feeds,
        })
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
