//! Building and running the server: `Application::build` connects, migrates
//! and binds, so callers (main, tests) learn the port before serving.

use std::future::Future;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use std::sync::Arc;

use cortege_app::mail::Mailer;
use cortege_app::media::MediaStore;
use cortege_db::PgPool;
use cortege_db::reads::Reads;
use cortege_graphql::state::{ApiConfig, AppState, Databases, Live, SharedState};
use cortege_live::FeedHub;
use cortege_realtime::{
    LocalBus, RedisBus, RedisClusterBus, RedisRateLimiter, RedisTarget, SharedBus,
};
use sqlx::postgres::PgConnectOptions;
use tokio::net::TcpListener;

use crate::config::{Config, Environment};
use crate::embedded::EmbeddedPostgres;
use crate::http;

/// The database this process uses, and the embedded cluster behind it when
/// there is one (to stop it on the way out).
pub struct Database {
    pub pool: PgPool,
    /// The primary without a pooler in between (CORTEGE_DIRECT_DATABASE_URL),
    /// or `pool` itself.
    pub direct: PgPool,
    /// Where listings are read (CORTEGE_READ_DATABASE_URL).
    pub reads: Reads,
    embedded: Option<EmbeddedPostgres>,
}

/// Connections held on the direct URL: the relay's lock and LISTEN, the
/// notifier's LISTEN, and the relay's batches.
const DIRECT_CONNECTIONS: u32 = 4;

fn parse_url(url: &str, setting: &str) -> anyhow::Result<PgConnectOptions> {
    PgConnectOptions::from_str(url)
        .with_context(|| format!("{setting} is not a valid PostgreSQL URL"))
}

impl Database {
    /// Connects to CORTEGE_DATABASE_URL, or to the embedded cluster,
    /// starting it if needed, and brings the schema up to date.
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        if config.database_url.is_none() {
            for (set, setting) in [
                (
                    config.read_database_url.is_some(),
                    "CORTEGE_READ_DATABASE_URL",
                ),
                (
                    config.direct_database_url.is_some(),
                    "CORTEGE_DIRECT_DATABASE_URL",
                ),
            ] {
                anyhow::ensure!(
                    !set,
                    "{setting} needs CORTEGE_DATABASE_URL: the embedded database has no replica \
                     or pooler"
                );
            }
        }
        let (options, embedded) = match &config.database_url {
            Some(url) => (parse_url(url, "CORTEGE_DATABASE_URL")?, None),
            None => {
                let pg = EmbeddedPostgres::start(
                    &config.data_dir,
                    config.pg_bin_dir.clone(),
                    config.embedded_pg_port,
                )
                .await?;
                (pg.connect_options(), Some(pg))
            }
        };
        let direct_options = match &config.direct_database_url {
            Some(url) => Some(parse_url(url, "CORTEGE_DIRECT_DATABASE_URL")?),
            None => None,
        };
        let read_options = match &config.read_database_url {
            Some(url) => Some(parse_url(url, "CORTEGE_READ_DATABASE_URL")?),
            None => None,
        };
        let pools = async {
            let pool = cortege_db::connect(options, config.db_max_connections).await?;
            let direct = match direct_options {
                Some(o) => cortege_db::connect(o, DIRECT_CONNECTIONS).await?,
                None => pool.clone(),
            };
            anyhow::Ok((pool, direct))
        };
        let (pool, direct) = match pools.await {
            Ok(pools) => pools,
            Err(e) => {
                if let Some(pg) = embedded {
                    pg.stop().await.ok();
                }
                return Err(e).context("connecting to PostgreSQL");
            }
        };
        // A replica that is down at start is read from once it answers.
        let reads = match read_options {
            Some(o) => Reads::with_replica(
                pool.clone(),
                cortege_db::connect_lazy(o, config.db_max_connections),
                Duration::from_millis(config.read_max_lag_ms),
            ),
            None => Reads::primary_only(pool.clone()),
        };
        let db = Self {
            pool,
            direct,
            reads,
            embedded,
        };
        // Migrations hold a session-level advisory lock: not through a
        // transaction-mode pooler.
        if let Err(e) = cortege_db::migrate(&db.direct).await {
            db.close().await.ok();
            return Err(e).context("migrating the database");
        }
        // The analysts' views read the small-cell threshold from the
        // database, where this process's setting has to be.
        if let Err(e) = cortege_db::analytics::set_min_cell(&db.pool, config.stats_min_cell).await {
            db.close().await.ok();
            return Err(e).context("setting the analytics small-cell threshold");
        }
        Ok(db)
    }

    /// Closes the pools and stops the embedded cluster if this process
    /// started it.
    pub async fn close(self) -> anyhow::Result<()> {
        self.pool.close().await;
        self.direct.close().await;
        if let Some(pg) = self.embedded {
            pg.stop().await?;
        }
        Ok(())
    }
}

pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    db: Database,
    state: SharedState,
    config: Config,
    /// What this server hears from the others on the bus: the sessions
    /// they ended, and (with a read replica) the writes that pin their
    /// authors' reads.
    listeners: Vec<tokio::task::JoinHandle<()>>,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        crate::metrics::handle();
        let db = Database::open(&config).await?;
        let listener = match TcpListener::bind(config.listen).await {
            Ok(l) => l,
            Err(e) => {
                db.close().await.ok();
                return Err(e).with_context(|| format!("listening on {}", config.listen));
            }
        };
        let addr = listener.local_addr()?;
        let public_url = config.public_url(addr);
        let mail_dir = config.data_dir.join("mail");
        let media_dir = config.data_dir.join("media");
        for dir in [&mail_dir, &media_dir] {
            tokio::fs::create_dir_all(dir)
                .await
                .with_context(|| format!("creating {}", dir.display()))?;
        }
        let from = config
            .smtp_from
            .parse()
            .context("CORTEGE_SMTP_FROM is not a valid mailbox")?;
        let mailer = match config.smtp() {
            Some(smtp) => Mailer::smtp(&smtp, from).map_err(anyhow::Error::msg)?,
            None => Mailer::files(mail_dir, from),
        };
        let keys = cortege_app::notify::Keys::load(&db.pool, config.vapid_private_key.as_deref())
            .await
            .map_err(anyhow::Error::msg)?;
        let notify = cortege_app::notify::Notify {
            settings: config.notify_settings(),
            keys: Arc::new(keys),
        };
        let api = ApiConfig {
            notify,
            public_url,
            production: config.environment == Environment::Production,
            throttles: config.throttles(),
            content_limits: config.content_limits(),
            resolver_timeout: std::time::Duration::from_millis(config.resolver_timeout_ms.max(1)),
            stats_min_cell: config.min_cell(),
        };
        let analytics = match &config.analytics_database_url {
            Some(url) => {
                let options = PgConnectOptions::from_str(url)
                    .context("CORTEGE_ANALYTICS_DATABASE_URL is not a valid PostgreSQL URL")?;
                Some(cortege_db::connect(options, config.db_max_connections.div_ceil(4)).await?)
            }
            None => None,
        };
        let redis = config.redis_target()?;
        let bus: SharedBus = match &redis {
            Some(RedisTarget::Cluster { nodes, .. }) => Arc::new(
                RedisClusterBus::start(nodes, &config.redis_channel_prefix)
                    .context("starting the Redis Cluster bus")?,
            ),
            Some(target) => Arc::new(
                RedisBus::start(target.clone(), &config.redis_channel_prefix)
                    .context("starting the Redis bus")?,
            ),
            None => Arc::new(LocalBus::new()),
        };
        let shared_limits = match &redis {
            Some(target) => Some(Arc::new(
                RedisRateLimiter::new(target, &config.redis_channel_prefix)
                    .context("starting the shared rate limits")?,
            )),
            None => None,
        };
        let feeds = FeedHub::start(db.pool.clone(), bus.clone())
            .await
            .context("starting the live feed")?;
        let mut listeners = Vec::new();
        if db.reads.has_replica() {
            listeners.push(cortege_live::pins::start(bus.clone(), db.reads.clone()).await);
        }
        let state = AppState::new(
            Databases {
                pool: db.pool.clone(),
                reads: db.reads.clone(),
                direct: db.direct.clone(),
                analytics,
            },
            mailer,
            MediaStore::new(media_dir),
            api,
            Live {
                bus,
                feeds,
                shared_limits,
            },
        );
        listeners.push(
            cortege_app::sessions::listen(state.app.bus.clone(), state.app.sessions.clone()).await,
        );
        Ok(Self {
            listener,
            addr,
            db,
            state,
            config,
            listeners,
        })
    }

    /// The notifier, one sender per channel and the clock, unless this
    /// process does not send (CORTEGE_NOTIFICATIONS=false).
    fn spawn_notifiers(
        &self,
        stopping: tokio::sync::watch::Receiver<bool>,
    ) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
        use cortege_app::notify::{fanout, schedule, sender};
        use cortege_domain::DeliveryChannel;
        let app = self.state.app.clone();
        if !app.notify.settings.enabled {
            return Ok(Vec::new());
        }
        let pusher = pusher(&app, &self.config)?;
        Ok(vec![
            fanout::spawn(app.clone(), stopping.clone()),
            sender::spawn(
                app.clone(),
                pusher.clone(),
                DeliveryChannel::Email,
                stopping.clone(),
            ),
            sender::spawn(app.clone(), pusher, DeliveryChannel::Push, stopping.clone()),
            schedule::spawn(app, stopping),
        ])
    }

    pub fn state(&self) -> &SharedState {
        &self.state
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn pool(&self) -> &PgPool {
        &self.db.pool
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests
    /// and stops the embedded database if this process started it.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stopping, stopping_rx) = tokio::sync::watch::channel(false);
        let router = http::router(self.state.clone(), &self.config, self.addr, stopping_rx);
        let shutdown = async move {
            shutdown.await;
            tracing::info!("shutting down: closing WebSockets, finishing requests");
            stopping.send(true).ok();
        };
        let purge = {
            let state = self.state.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(Duration::from_secs(60));
                loop {
                    tick.tick().await;
                    state.app.throttles.purge();
                    state.app.limits.purge();
                }
            })
        };
        // Stopped only once in-flight requests are done, so that what they
        // committed is numbered and published before the process leaves.
        let (relay_stop, relay_stopping) = tokio::sync::watch::channel(false);
        let relay = self.config.outbox_relay.then(|| {
            cortege_live::relay::spawn(
                self.db.direct.clone(),
                self.state.bus.clone(),
                relay_stopping,
            )
        });
        let (notify_stop, notify_stopping) = tokio::sync::watch::channel(false);
        let statistics = self
            .config
            .statistics_job
            .then(|| cortege_app::stats::spawn(self.state.stats.clone(), notify_stopping.clone()));
        let notifiers = self.spawn_notifiers(notify_stopping)?;
        tracing::info!("listening on http://{}", self.addr);
        let served = axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        purge.abort();
        for listener in &self.listeners {
            listener.abort();
        }
        if let Some(mut relay) = relay {
            relay_stop.send(true).ok();
            if tokio::time::timeout(Duration::from_secs(10), &mut relay)
                .await
                .is_err()
            {
                tracing::warn!("the outbox relay did not stop in 10 s; the next relay resumes");
                relay.abort();
            }
        }
        notify_stop.send(true).ok();
        if let Some(statistics) = statistics
            && tokio::time::timeout(Duration::from_secs(5), statistics)
                .await
                .is_err()
        {
            tracing::info!("the statistics job did not stop in 5 s; the next flush takes over");
        }
        for task in notifiers {
            // A send cut short is taken again by a replica once its lease
            // runs out: waiting is a courtesy, not a need.
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                tracing::info!(
                    "a notification task did not stop in 5 s; its work resumes elsewhere"
                );
            }
        }
        drop(self.state);
        let closed = self.db.close().await;
        served.context("serving HTTP")?;
        closed
    }
}

/// The Web Push client, signing as the deployment's mail sender.
pub fn pusher(
    app: &cortege_app::App,
    config: &Config,
) -> anyhow::Result<cortege_app::notify::webpush::Pusher> {
    let from: lettre::message::Mailbox = config
        .smtp_from
        .parse()
        .context("CORTEGE_SMTP_FROM is not a valid mailbox")?;
    cortege_app::notify::webpush::Pusher::new(
        app.notify.keys.vapid_private_key(),
        &format!("mailto:{}", from.email),
        app.notify.settings.push_allow_private,
    )
    .map_err(anyhow::Error::msg)
}

/// `cortege send-digests`: writes this period's digests, then sends every
/// mail due (digests and whatever else waits), and returns (written,
/// handled).
pub async fn send_digests(
    config: Config,
    frequency: cortege_domain::DigestFrequency,
) -> anyhow::Result<(u64, usize)> {
    let app = Application::build(config).await?;
    let result = async {
        let state = app.state().clone();
        let written = cortege_app::notify::schedule::schedule_digests(
            &state.app,
            frequency,
            chrono::Utc::now(),
        )
        .await?;
        let pusher = pusher(&state.app, &app.config)?;
        let sent = cortege_app::notify::sender::drain(
            &state.app,
            &pusher,
            cortege_domain::DeliveryChannel::Email,
        )
        .await?;
        anyhow::Ok((written, sent))
    }
    .await;
    drop(app.state);
    app.db.close().await?;
    result
}
