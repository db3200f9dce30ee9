//! Configuration: command-line flags, each with a CORTEGE_* environment
//! variable and a default that works on a single machine.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use cortege_app::mail::{SmtpConfig, SmtpTls};
use cortege_app::rate_limits::{ContentLimitConfig, ThrottleConfig};

mod secrets;
mod variables;

pub use secrets::{SECRET_SETTINGS, secret_file_variables};
pub use variables::refuse_unknown_variables;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address and port to serve on.
    #[arg(
        long,
        env = "CORTEGE_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,

    /// Where the embedded database, mail and media live.
    #[arg(
        long,
        env = "CORTEGE_DATA_DIR",
        default_value = "./data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// PostgreSQL to use instead of the embedded cluster.
    #[arg(
        long,
        env = "CORTEGE_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// A read replica for statistics (default: the main database).
    #[arg(
        long,
        env = "CORTEGE_ANALYTICS_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub analytics_database_url: Option<String>,

    /// A streaming replica of CORTEGE_DATABASE_URL for listings, search and
    /// feed pages; a member's own reads stay on the primary until the
    /// replica has replayed their last write.
    #[arg(
        long,
        env = "CORTEGE_READ_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub read_database_url: Option<String>,

    /// How far behind (in milliseconds) the read replica may be before
    /// every read goes to the primary. Measured every 100 ms.
    #[arg(
        long,
        env = "CORTEGE_READ_MAX_LAG_MS",
        default_value_t = 1000,
        global = true
    )]
    pub read_max_lag_ms: u64,

    /// A direct connection to the primary for what a transaction-mode
    /// pooler cannot carry (the outbox relay's LISTEN, migrations' advisory
    /// lock), when CORTEGE_DATABASE_URL goes through one.
    #[arg(
        long,
        env = "CORTEGE_DIRECT_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub direct_database_url: Option<String>,

    /// An OpenTelemetry collector's OTLP/HTTP address (http://host:4318):
    /// spans for each HTTP request, GraphQL operation and SQL statement go
    /// there. Off when unset.
    #[arg(long, env = "CORTEGE_OTLP_ENDPOINT", global = true)]
    pub otlp_endpoint: Option<String>,

    /// The share of requests traced, from 0 to 1 (a request's spans are
    /// kept or dropped together).
    #[arg(
        long,
        env = "CORTEGE_OTLP_SAMPLE_RATIO",
        default_value_t = 1.0,
        global = true
    )]
    pub otlp_sample_ratio: f64,

    /// Directory of initdb/pg_ctl/postgres for the embedded cluster
    /// (default: Debian's newest /usr/lib/postgresql/*/bin, then PATH).
    #[arg(long, env = "CORTEGE_PG_BIN_DIR", global = true)]
    pub pg_bin_dir: Option<PathBuf>,

    /// Also serve the embedded cluster on 127.0.0.1 at this port (password
    /// authentication), for BI tools and analysts' logins.
    #[arg(long, env = "CORTEGE_EMBEDDED_PG_PORT", global = true)]
    pub embedded_pg_port: Option<u16>,

    /// Whether this process may run the outbox relay (one process of the
    /// cluster runs it at a time; turn it off for replicas that must not).
    #[arg(long, env = "CORTEGE_OUTBOX_RELAY", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub outbox_relay: bool,

    /// Whether this process flushes the statistics rollup every 5 s and
    /// takes the daily member snapshot. An advisory lock keeps replicas
    /// from flushing at once and a statistics read catches up on its own,
    /// so every replica may; turn it off where another process does it.
    #[arg(long, env = "CORTEGE_STATISTICS_JOB", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub statistics_job: bool,

    /// Connections this process may open to PostgreSQL.
    #[arg(
        long,
        env = "CORTEGE_DB_MAX_CONNECTIONS",
        default_value_t = 20,
        global = true
    )]
    pub db_max_connections: u32,

    /// Redis for the live bus between replicas (redis://host:port); without
    /// it the bus is in-process, which is right for a single server.
    #[arg(long, env = "CORTEGE_REDIS_URL", global = true)]
    pub redis_url: Option<String>,

    /// Redis Sentinel instead of CORTEGE_REDIS_URL, for a Redis that must
    /// survive the loss of its master: the sentinels (host:port,
    /// comma-separated), with CORTEGE_REDIS_SENTINEL_MASTER.
    #[arg(
        long,
        env = "CORTEGE_REDIS_SENTINELS",
        value_delimiter = ',',
        global = true
    )]
    pub redis_sentinels: Vec<String>,

    /// A Redis Cluster (Redis 7 or later) instead of CORTEGE_REDIS_URL: some
    /// of its nodes (host:port, comma-separated); live delivery then uses
    /// sharded pub/sub, each channel on the shard that owns its slot.
    #[arg(
        long,
        env = "CORTEGE_REDIS_CLUSTER_NODES",
        value_delimiter = ',',
        global = true
    )]
    pub redis_cluster_nodes: Vec<String>,

    /// The master name the sentinels monitor (their `sentinel monitor NAME`).
    #[arg(long, env = "CORTEGE_REDIS_SENTINEL_MASTER", global = true)]
    pub redis_sentinel_master: Option<String>,

    /// Prefix of this deployment's channel names on Redis, so that several
    /// deployments can share one Redis.
    #[arg(
        long,
        env = "CORTEGE_REDIS_CHANNEL_PREFIX",
        default_value = "cortege",
        global = true
    )]
    pub redis_channel_prefix: String,

    /// How long a WebSocket may stay open without connection_init (ms).
    #[arg(
        long,
        env = "CORTEGE_WS_INIT_TIMEOUT_MS",
        default_value_t = 3_000,
        global = true
    )]
    pub ws_init_timeout_ms: u64,

    /// Subscriptions one WebSocket may hold at once.
    #[arg(
        long,
        env = "CORTEGE_WS_MAX_SUBSCRIPTIONS",
        default_value_t = 20,
        global = true
    )]
    pub ws_max_subscriptions: usize,

    /// How long a WebSocket client may take to accept one message before
    /// it is closed as too slow (1013; it reconnects and resumes from its
    /// cursor), in milliseconds.
    #[arg(
        long,
        env = "CORTEGE_WS_SEND_TIMEOUT_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub ws_send_timeout_ms: u64,

    /// How long an anonymous query's answer is served again before it is
    /// recomputed, in milliseconds (0: never). Writes clear it sooner.
    #[arg(
        long,
        env = "CORTEGE_ANSWER_CACHE_MS",
        default_value_t = 1_000,
        global = true
    )]
    pub answer_cache_ms: u64,

    /// The built web client to serve at / (default: ./frontend/dist when it
    /// exists; otherwise / is a placeholder page).
    #[arg(long, env = "CORTEGE_WEB_DIR", global = true)]
    pub web_dir: Option<PathBuf>,

    /// Map tile URL template for the web client ({z}/{x}/{y}), ideally a
    /// tile server of the movement's own; empty (the default): the map
    /// shows markers without tiles, and no member's browser asks a third
    /// party for the map of where they live.
    #[arg(long, env = "CORTEGE_TILE_URL", default_value = "", global = true)]
    pub tile_url: String,

    /// Attribution shown under the tiles (e.g. "© OpenStreetMap").
    #[arg(
        long,
        env = "CORTEGE_TILE_ATTRIBUTION",
        default_value = "",
        global = true
    )]
    pub tile_attribution: String,

    /// Public base URL, used in links and photo URLs (default: http://<listen>).
    #[arg(long, env = "CORTEGE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Comma-separated origins allowed to open WebSockets (default: the
    /// public URL, http://localhost:<port> and http://127.0.0.1:<port>).
    #[arg(
        long,
        env = "CORTEGE_ALLOWED_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub allowed_origins: Vec<String>,

    /// Proxies whose X-Forwarded-For entry is trusted as the client address.
    #[arg(
        long,
        env = "CORTEGE_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<IpAddr>,

    /// Serve GraphiQL at GET /graphql (default: on in development, off in
    /// production).
    #[arg(long, env = "CORTEGE_GRAPHIQL", action = clap::ArgAction::Set, global = true)]
    pub graphiql: Option<bool>,

    /// development or production (production hides introspection).
    #[arg(
        long = "env",
        env = "CORTEGE_ENV",
        value_enum,
        default_value = "development",
        global = true
    )]
    pub environment: Environment,

    /// SMTP server; without it, mail is written as .eml files under <data>/mail.
    #[arg(long, env = "CORTEGE_SMTP_HOST", global = true)]
    pub smtp_host: Option<String>,
    #[arg(long, env = "CORTEGE_SMTP_PORT", global = true)]
    pub smtp_port: Option<u16>,
    #[arg(long, env = "CORTEGE_SMTP_USERNAME", global = true)]
    pub smtp_username: Option<String>,
    #[arg(
        long,
        env = "CORTEGE_SMTP_PASSWORD",
        global = true,
        hide_env_values = true
    )]
    pub smtp_password: Option<String>,
    /// tls, starttls or none.
    #[arg(
        long,
        env = "CORTEGE_SMTP_TLS",
        default_value = "starttls",
        global = true
    )]
    pub smtp_tls: SmtpTls,
    /// Sender of Cortège's mail.
    #[arg(
        long,
        env = "CORTEGE_SMTP_FROM",
        default_value = "Cortège <noreply@localhost>",
        global = true
    )]
    pub smtp_from: String,

    /// Hours before an event's start its reminders go to GOING and
    /// WAITLISTED members (comma-separated).
    #[arg(
        long,
        env = "CORTEGE_REMINDER_HOURS",
        value_delimiter = ',',
        default_value = "24,2",
        value_parser = clap::value_parser!(i32).range(1..=24 * 14),
        global = true
    )]
    pub reminder_hours: Vec<i32>,

    /// Most notification mails sent per hour, across all replicas (0: no
    /// cap). Login codes are never held back.
    #[arg(
        long,
        env = "CORTEGE_MAIL_PER_HOUR",
        default_value_t = 0,
        global = true
    )]
    pub mail_per_hour: u32,

    /// Hour of the day (Europe/Paris) digests go out; weekly ones on Mondays.
    #[arg(
        long,
        env = "CORTEGE_DIGEST_HOUR",
        default_value_t = 8,
        value_parser = clap::value_parser!(u32).range(0..24),
        global = true
    )]
    pub digest_hour: u32,

    /// The VAPID private key (raw P-256, URL-safe base64) push services
    /// know this server by; default: one made at first start and kept in
    /// the database.
    #[arg(
        long,
        env = "CORTEGE_VAPID_PRIVATE_KEY",
        global = true,
        hide_env_values = true
    )]
    pub vapid_private_key: Option<String>,

    /// Accept push endpoints over plain http and on private addresses.
    /// For tests only: it lets members make the server call the local
    /// network.
    #[arg(long, env = "CORTEGE_PUSH_ALLOW_PRIVATE", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub push_allow_private: bool,

    /// Whether this process sends notifications, reminders and digests
    /// (any number of replicas may; they share the work).
    #[arg(long, env = "CORTEGE_NOTIFICATIONS", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub notifications: bool,

    /// Seconds a sender holds the deliveries it claimed: those of a
    /// replica that died are sent by another once this has passed.
    #[arg(
        long,
        env = "CORTEGE_DELIVERY_LEASE_SECONDS",
        default_value_t = 120,
        value_parser = clap::value_parser!(u64).range(1..=3600),
        global = true
    )]
    pub delivery_lease_seconds: u64,

    /// Milliseconds an operation may run before TIMEOUT.
    #[arg(
        long,
        env = "CORTEGE_RESOLVER_TIMEOUT_MS",
        default_value_t = 10_000,
        global = true
    )]
    pub resolver_timeout_ms: u64,

    /// Counts of people below this are shown as null in statistics and in
    /// the analysts' views (small-cell suppression).
    #[arg(
        long,
        env = "CORTEGE_STATS_MIN_CELL",
        default_value_t = 5,
        value_parser = clap::value_parser!(u32).range(1..=1000),
        global = true
    )]
    pub stats_min_cell: u32,

    /// Events one person may create per hour.
    #[arg(
        long,
        env = "CORTEGE_EVENTS_PER_HOUR",
        default_value_t = 20,
        global = true
    )]
    pub events_per_hour: u32,
    /// Groups one person may create per day.
    #[arg(
        long,
        env = "CORTEGE_GROUPS_PER_DAY",
        default_value_t = 10,
        global = true
    )]
    pub groups_per_day: u32,
    /// Reports one person may file per day.
    #[arg(
        long,
        env = "CORTEGE_REPORTS_PER_DAY",
        default_value_t = 60,
        global = true
    )]
    pub reports_per_day: u32,
    /// Friend requests one person may send per day.
    #[arg(
        long,
        env = "CORTEGE_FRIEND_REQUESTS_PER_DAY",
        default_value_t = 200,
        global = true
    )]
    pub friend_requests_per_day: u32,
    /// GraphQL requests per minute, per client address and per person.
    #[arg(
        long,
        env = "CORTEGE_REQUESTS_PER_MINUTE",
        default_value_t = 600,
        global = true
    )]
    pub requests_per_minute: u32,

    /// Login codes sent to one email before throttling.
    #[arg(
        long,
        env = "CORTEGE_LOGIN_CODES_PER_EMAIL",
        default_value_t = 5,
        global = true
    )]
    pub login_codes_per_email: u32,
    /// Login codes sent for one client address before throttling.
    #[arg(
        long,
        env = "CORTEGE_LOGIN_CODES_PER_ADDRESS",
        default_value_t = 5,
        global = true
    )]
    pub login_codes_per_address: u32,
    /// Code guesses for one email, and from one address, before throttling.
    #[arg(
        long,
        env = "CORTEGE_LOGIN_GUESSES",
        default_value_t = 5,
        global = true
    )]
    pub login_guesses: u32,
    /// Seconds for one spent attempt to come back.
    #[arg(
        long,
        env = "CORTEGE_LOGIN_REFILL_SECONDS",
        default_value_t = 180,
        global = true
    )]
    pub login_refill_seconds: u64,
}

impl Config {
    /// The Redis of the bus and the shared rate limits: CORTEGE_REDIS_URL,
    /// the master the sentinels name, or a cluster; None for a single
    /// server.
    pub fn redis_target(&self) -> anyhow::Result<Option<cortege_realtime::RedisTarget>> {
        use anyhow::Context;
        let listed = |v: &[String]| -> Vec<String> {
            v.iter()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        };
        // An empty setting means none, as for every optional setting.
        let url = self.redis_url.as_deref().filter(|u| !u.trim().is_empty());
        let sentinels = listed(&self.redis_sentinels);
        let cluster = listed(&self.redis_cluster_nodes);
        let master = self
            .redis_sentinel_master
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty());
        let chosen = [url.is_some(), !sentinels.is_empty(), !cluster.is_empty()]
            .iter()
            .filter(|set| **set)
            .count();
        if chosen > 1 {
            anyhow::bail!(
                "set one of CORTEGE_REDIS_URL, CORTEGE_REDIS_SENTINELS (with \
                 CORTEGE_REDIS_SENTINEL_MASTER) or CORTEGE_REDIS_CLUSTER_NODES, not both"
            );
        }
        if sentinels.is_empty() != master.is_none() {
            anyhow::bail!("CORTEGE_REDIS_SENTINELS and CORTEGE_REDIS_SENTINEL_MASTER go together");
        }
        if let Some(url) = url {
            return Ok(Some(
                cortege_realtime::RedisTarget::direct(url)
                    .context("CORTEGE_REDIS_URL is not a valid Redis URL")?,
            ));
        }
        if let Some(master) = master {
            return Ok(Some(
                cortege_realtime::RedisTarget::sentinel(&sentinels, master)
                    .context("CORTEGE_REDIS_SENTINELS holds an address that is not host:port")?,
            ));
        }
        if !cluster.is_empty() {
            return Ok(Some(
                cortege_realtime::RedisTarget::cluster(&cluster).context(
                    "CORTEGE_REDIS_CLUSTER_NODES holds an address that is not host:port",
                )?,
            ));
        }
        Ok(None)
    }

    /// The defaults, with whatever CORTEGE_* variables are set (tests then
    /// override what they need).
    /// The traces to send, when CORTEGE_OTLP_ENDPOINT is set.
    pub fn traces(&self) -> Option<crate::telemetry::TraceSettings> {
        self.otlp_endpoint
            .as_ref()
            .map(|endpoint| crate::telemetry::TraceSettings {
                endpoint: endpoint.clone(),
                sample_ratio: self.otlp_sample_ratio,
            })
    }

    pub fn defaults() -> Self {
        use clap::Parser;
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            config: Config,
        }
        Only::parse_from(["cortege"]).config
    }

    pub fn public_url(&self, bound: SocketAddr) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{bound}"))
            .trim_end_matches('/')
            .to_owned()
    }

    /// Origins allowed to open WebSockets: CORTEGE_ALLOWED_ORIGINS, or the
    /// public URL plus localhost and 127.0.0.1 at the bound port.
    pub fn allowed_origins(&self, bound: SocketAddr) -> Vec<String> {
        if !self.allowed_origins.is_empty() {
            return self
                .allowed_origins
                .iter()
                .map(|o| o.trim().trim_end_matches('/').to_owned())
                .filter(|o| !o.is_empty())
                .collect();
        }
        let port = bound.port();
        vec![
            self.public_url(bound),
            format!("http://localhost:{port}"),
            format!("http://127.0.0.1:{port}"),
        ]
    }

    /// Whether GET /graphql serves GraphiQL.
    pub fn graphiql_enabled(&self) -> bool {
        self.graphiql
            .unwrap_or(self.environment == Environment::Development)
    }

    /// The web client's directory, if there is one to serve.
    pub fn web_dir(&self) -> Option<PathBuf> {
        let dir = self
            .web_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("frontend/dist"));
        dir.join("index.html").is_file().then_some(dir)
    }

    pub fn smtp(&self) -> Option<SmtpConfig> {
        self.smtp_host.as_ref().map(|host| SmtpConfig {
            host: host.clone(),
            port: self.smtp_port,
            username: self.smtp_username.clone(),
            password: self.smtp_password.clone(),
            tls: self.smtp_tls,
        })
    }

    pub fn content_limits(&self) -> ContentLimitConfig {
        ContentLimitConfig {
            events_per_hour: self.events_per_hour,
            groups_per_day: self.groups_per_day,
            reports_per_day: self.reports_per_day,
            friend_requests_per_day: self.friend_requests_per_day,
            requests_per_minute: self.requests_per_minute,
        }
    }

    pub fn min_cell(&self) -> cortege_domain::stats::MinCell {
        cortege_domain::stats::MinCell::new(self.stats_min_cell).unwrap_or_default()
    }

    pub fn notify_settings(&self) -> cortege_app::notify::NotifySettings {
        let mut reminder_hours = self.reminder_hours.clone();
        reminder_hours.sort_unstable();
        reminder_hours.dedup();
        cortege_app::notify::NotifySettings {
            reminder_hours,
            mail_per_hour: self.mail_per_hour,
            digest_hour: self.digest_hour,
            push_allow_private: self.push_allow_private,
            enabled: self.notifications,
            delivery_lease: Duration::from_secs(self.delivery_lease_seconds),
        }
    }

    pub fn throttles(&self) -> ThrottleConfig {
        ThrottleConfig {
            sends_per_email: self.login_codes_per_email,
            sends_per_address: self.login_codes_per_address,
            guesses_per_email: self.login_guesses,
            guesses_per_address: self.login_guesses,
            refill: Duration::from_secs(self.login_refill_seconds.max(1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_is_a_url_or_sentinels_with_their_master_never_both() {
        let mut c = Config::defaults();
        c.redis_url = None;
        c.redis_sentinels = vec![];
        c.redis_sentinel_master = None;
        assert!(c.redis_target().unwrap().is_none());
        c.redis_sentinels = vec!["127.0.0.1:26379".to_owned()];
        let e = c.redis_target().err().unwrap().to_string();
        assert!(e.contains("go together"), "{e}");
        c.redis_sentinel_master = Some("cortege".to_owned());
        assert!(matches!(
            c.redis_target().unwrap(),
            Some(cortege_realtime::RedisTarget::Sentinel { .. })
        ));
        c.redis_url = Some("redis://127.0.0.1:6379".to_owned());
        let e = c.redis_target().err().unwrap().to_string();
        assert!(e.contains("not both"), "{e}");
        c.redis_sentinels = vec![];
        c.redis_sentinel_master = None;
        assert!(matches!(
            c.redis_target().unwrap(),
            Some(cortege_realtime::RedisTarget::Direct(_))
        ));
        c.redis_cluster_nodes = vec!["127.0.0.1:7000".to_owned()];
        let e = c.redis_target().err().unwrap().to_string();
        assert!(e.contains("not both"), "{e}");
        c.redis_url = None;
        assert!(matches!(
            c.redis_target().unwrap(),
            Some(cortege_realtime::RedisTarget::Cluster { .. })
        ));
    }
}
