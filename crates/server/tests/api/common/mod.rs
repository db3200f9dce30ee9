//! Test harness: a real PostgreSQL (started by scripts/test, reached through
//! CORTEGE_TEST_DATABASE_URL), one database per test copied from a migrated
//! template, and the real application served on a loopback port.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cortege_server::app::Application;
use cortege_server::config::Config;
use serde_json::{Value, json};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, PgConnection, PgPool};

pub fn redis_url() -> String {
    std::env::var("CORTEGE_TEST_REDIS_URL").expect(
        "CORTEGE_TEST_REDIS_URL is not set: run the tests with ./scripts/test, which starts \
         a throwaway Redis",
    )
}

pub fn admin_url() -> String {
    std::env::var("CORTEGE_TEST_DATABASE_URL").expect(
        "CORTEGE_TEST_DATABASE_URL is not set: run the tests with ./scripts/test, which starts \
         a throwaway PostgreSQL",
    )
}

fn url_for(database: &str) -> String {
    let admin = admin_url();
    let (base, _) = admin
        .rsplit_once('/')
        .expect("the test URL names a database");
    format!("{base}/{database}")
}

/// A fresh database for one test, copied from the migrated template (made
/// once per schema fingerprint, under an advisory lock since test processes
/// run in parallel).
pub async fn fresh_database() -> String {
    let template = format!("cortege_tpl_{}", cortege_db::schema_fingerprint());
    let mut admin = PgConnection::connect(&admin_url())
        .await
        .expect("connect as admin");
    sqlx::query("SELECT pg_advisory_lock(7243)")
        .execute(&mut admin)
        .await
        .expect("lock");
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)",
    )
    .bind(&template)
    .fetch_one(&mut admin)
    .await
    .expect("look up template");
    if !exists {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {template}"
        )))
        .execute(&mut admin)
        .await
        .expect("drop stale template");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {template}")))
            .execute(&mut admin)
            .await
            .expect("create template");
        let pool = PgPool::connect(&url_for(&template))
            .await
            .expect("connect template");
        cortege_db::migrate(&pool).await.expect("migrate template");
        pool.close().await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "ALTER DATABASE {template} WITH is_template true"
        )))
        .execute(&mut admin)
        .await
        .expect("mark template");
    }
    sqlx::query("SELECT pg_advisory_unlock(7243)")
        .execute(&mut admin)
        .await
        .expect("unlock");
    let name = format!("cortege_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {name} TEMPLATE {template}"
    )))
    .execute(&mut admin)
    .await
    .expect("create test database");
    admin.close().await.ok();
    url_for(&name)
}

pub mod daemon;
pub mod metrics;
pub mod process;
pub mod push;
pub mod ws;

/// A small deterministic generator, for property-style tests that must
/// draw the same cases on every run.
pub struct Lcg(pub u64);
impl Lcg {
    pub fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
}

pub struct TestApp {
    pub base: String,
    pub url: String,
    /// The Redis URL and channel prefix this app's bus uses, if any.
    pub redis: Option<(String, String)>,
    pub pool: PgPool,
    pub data_dir: tempfile::TempDir,
    pub client: reqwest::Client,
    /// The server's own state, for calling its use-cases directly.
    state: cortege_graphql::state::SharedState,
    seen_mail: Mutex<HashSet<PathBuf>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// Shared with the replicas: the database goes with the last of them.
    database: Option<Arc<DropDatabase>>,
}

/// A test's database, dropped when the test is done with it (the template
/// stays, for the next run). `WITH (FORCE)` ends the connections the
/// stopping server still holds.
pub struct DropDatabase(pub String);

impl Drop for DropDatabase {
    fn drop(&mut self) {
        let Some((_, name)) = self.0.rsplit_once('/') else {
            return;
        };
        let name = name.to_owned();
        // Drop runs inside the test's runtime: a thread of its own, with its
        // own runtime, does the async work.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let mut admin = PgConnection::connect(&admin_url()).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await?;
                admin.close().await
            })
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop the test database: {e}");
        }
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Spawns the application with the test's changes to the configuration.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let url = fresh_database().await;
        let database = Arc::new(DropDatabase(url.clone()));
        Self::spawn_on(url, Some(database), adjust).await
    }

    /// Another server on the same database (and Redis, if any): a second
    /// replica.
    pub async fn replica(&self) -> Self {
        self.replica_with(|_| {}).await
    }

    /// A second replica with the test's changes to its configuration.
    pub async fn replica_with(&self, adjust: impl FnOnce(&mut Config)) -> Self {
        let redis = self.redis.clone();
        Self::spawn_on(self.url.clone(), self.database.clone(), move |c| {
            if let Some((url, prefix)) = redis {
                c.redis_url = Some(url);
                c.redis_channel_prefix = prefix;
            }
            adjust(c);
        })
        .await
    }

    /// An app whose bus is the test run's Redis, on channels of its own.
    pub async fn spawn_redis() -> Self {
        Self::spawn_on_redis(&redis_url()).await
    }

    /// An app whose bus is the Redis at `url`, on channels of its own.
    pub async fn spawn_on_redis(url: &str) -> Self {
        let prefix = format!("test{}", uuid::Uuid::new_v4().simple());
        let url = url.to_owned();
        Self::spawn_with(move |c| {
            c.redis_url = Some(url);
            c.redis_channel_prefix = prefix;
        })
        .await
    }

    async fn spawn_on(
        url: String,
        database: Option<Arc<DropDatabase>>,
        adjust: impl FnOnce(&mut Config),
    ) -> Self {
        let data_dir = tempfile::tempdir().expect("tempdir");
        let mut config = Config::defaults();
        config.database_url = Some(url.clone());
        config.data_dir = data_dir.path().to_path_buf();
        config.listen = "127.0.0.1:0".parse().expect("addr");
        // Without a direct URL, the relay's lock and LISTEN and the
        // notifier's LISTEN hold three of the pool's connections for good:
        // with 5, requests shared two with the relay's batches and the
        // replica monitor, and on a loaded machine a mutation waited out
        // the 2 s acquire timeout (UNAVAILABLE). 10 leaves room, and stays
        // far under the test cluster's 400 with tests in parallel.
        config.db_max_connections = 10;
        // Every test client comes from 127.0.0.1: per-address limits are
        // tested on their own.
        config.login_codes_per_address = 10_000;
        config.login_guesses = 5;
        adjust(&mut config);
        let redis = config
            .redis_url
            .clone()
            .map(|u| (u, config.redis_channel_prefix.clone()));
        let app = Application::build(config).await.expect("build app");
        let base = format!("http://{}", app.addr());
        let state = app.state().clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            app.run_until(async {
                rx.await.ok();
            })
            .await
            .expect("serve");
        });
        let pool = PgPool::connect_with(PgConnectOptions::from_str(&url).expect("url"))
            .await
            .expect("connect test db");
        Self {
            base,
            url,
            redis,
            pool,
            data_dir,
            client: reqwest::Client::new(),
            state,
            seen_mail: Mutex::new(HashSet::new()),
            shutdown: Some(tx),
            database,
        }
    }

    pub fn state(&self) -> &cortege_graphql::state::SharedState {
        &self.state
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.path().join("mail")
    }

    pub fn media_dir(&self) -> PathBuf {
        self.data_dir.path().join("media")
    }

    /// POSTs a GraphQL operation; returns the raw response.
    pub async fn post(
        &self,
        query: &str,
        variables: Value,
        token: Option<&str>,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        req.send().await.expect("send")
    }

    /// POSTs a GraphQL operation and returns its JSON body.
    pub async fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        self.post(query, variables, token)
            .await
            .json()
            .await
            .expect("json body")
    }

    /// Waits for the next unseen mail to `to` and returns (subject, body).
    pub async fn next_mail(&self, to: &str) -> (String, String) {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut wait = Duration::from_millis(5);
        loop {
            if let Some(found) = self.find_mail(to) {
                return found;
            }
            assert!(Instant::now() < deadline, "no mail to {to} arrived");
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_millis(100));
        }
    }

    fn find_mail(&self, to: &str) -> Option<(String, String)> {
        let mut seen = self.seen_mail.lock().expect("lock");
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.mail_dir())
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml") && !seen.contains(p))
            .collect();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        for path in files {
            let raw = std::fs::read_to_string(&path).ok()?.replace("\r\n", "\n");
            if raw
                .lines()
                .any(|l| l.eq_ignore_ascii_case(&format!("To: {to}")))
            {
                seen.insert(path);
                let subject = raw
                    .lines()
                    .find_map(|l| l.strip_prefix("Subject: "))
                    .unwrap_or_default()
                    .to_owned();
                let body = raw.split_once("\n\n").map(|(_, b)| b).unwrap_or_default();
                return Some((subject, decode_qp(body)));
            }
        }
        None
    }

    /// Waits until the relay has numbered every activity written so far:
    /// feeds list only numbered activities, and a test that reads one right
    /// after a mutation would otherwise race the relay.
    pub async fn relayed(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let pending: i64 =
                sqlx::query_scalar("SELECT count(*) FROM activities WHERE seq IS NULL")
                    .fetch_one(&self.pool)
                    .await
                    .expect("count unnumbered activities");
            if pending == 0 {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{pending} activities still unnumbered after 10 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    }

    /// Mail files written so far (to any address).
    pub fn mail_count(&self) -> usize {
        std::fs::read_dir(self.mail_dir())
            .map(|d| d.count())
            .unwrap_or(0)
    }

    /// The login code in the next mail to `to`.
    pub async fn next_code(&self, to: &str) -> String {
        let (_, body) = self.next_mail(to).await;
        code_in(&body).unwrap_or_else(|| panic!("no code in mail: {body}"))
    }

    /// Signs a new person up and logs them in; returns the session token.
    pub async fn sign_up_and_login(&self, first: &str, last: &str, email: &str) -> String {
        let r = self
            .gql(
                "mutation($i: SignUpInput!) { signUp(input: $i) { loginCodeSent } }",
                json!({ "i": { "firstName": first, "lastName": last, "email": email, "acceptsPledge": true } }),
                None,
            )
            .await;
        assert_eq!(r["data"]["signUp"]["loginCodeSent"], true, "{r}");
        let code = self.next_code(email).await;
        self.login(email, &code).await
    }

    pub async fn login(&self, email: &str, code: &str) -> String {
        let r = self
            .gql(
                "mutation($e: String!, $c: String!) { verifyLoginCode(email: $e, code: $c) { token } }",
                json!({ "e": email, "c": code }),
                None,
            )
            .await;
        r["data"]["verifyLoginCode"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("login failed: {r}"))
            .to_owned()
    }

    /// A digest of every table an account operation may touch, to prove a
    /// refused request changed nothing.
    pub async fn snapshot(&self) -> String {
        sqlx::query_scalar(
            "SELECT concat_ws('|',
                (SELECT md5(coalesce(string_agg(p::text, ',' ORDER BY id), '')) FROM people p),
                (SELECT md5(coalesce(string_agg(c::text, ',' ORDER BY id), '')) FROM login_codes c),
                (SELECT md5(coalesce(string_agg(s::text, ',' ORDER BY id), '')) FROM sessions s))",
        )
        .fetch_one(&self.pool)
        .await
        .expect("snapshot")
    }
}

/// A valid createEvent input two days ahead, at `at` with its address.
pub fn event_input(title: &str, at: (f64, f64), postcode: &str, city: &str) -> Value {
    let starts = chrono::Utc::now() + chrono::Duration::days(2);
    json!({
        "title": title,
        "description": "Rendez-vous devant la mairie avec des tracts.",
        "kind": "LEAFLETING",
        "startsAt": starts.to_rfc3339(),
        "endsAt": (starts + chrono::Duration::hours(2)).to_rfc3339(),
        "location": { "lat": at.0, "lon": at.1 },
        "address": { "street": "Place de la Mairie", "postcode": postcode, "city": city },
    })
}

/// The titles of an `events` connection, in order.
pub fn event_titles(data: &Value) -> Vec<String> {
    data["events"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["title"].as_str().unwrap().to_owned())
        .collect()
}

impl TestApp {
    /// Creates an event from `input` with this session; returns its id.
    pub async fn create_event(&self, token: &str, input: Value) -> String {
        self.ok(
            "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }",
            json!({ "i": input }),
            Some(token),
        )
        .await["createEvent"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }
}

/// A member made directly in the database, with a live session: fast
/// fixtures for tests that are not about signing up.
pub struct Member {
    pub id: uuid::Uuid,
    pub gid: String,
    pub token: String,
}

impl TestApp {
    pub async fn member(&self, first: &str, last: &str) -> Member {
        self.member_at(first, last, None).await
    }

    /// A member living at `home` (lat, lon).
    pub async fn member_at(&self, first: &str, last: &str, home: Option<(f64, f64)>) -> Member {
        let id = uuid::Uuid::now_v7();
        let email = format!("{}@example.org", id.simple());
        let mut tx = cortege_db::begin(&self.pool).await.unwrap();
        let person = cortege_db::people::NewPerson {
            id: cortege_domain::PersonId(id),
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            email,
            postcode: None,
            commune_code: None,
            home,
            photo_key: None,
            pledge_accepted: true,
        };
        cortege_db::people::insert(&mut tx, &person).await.unwrap();
        cortege_db::commit(tx).await.unwrap();
        let token = cortege_app::sessions::open(&self.pool, person.id)
            .await
            .unwrap();
        let gid = cortege_graphql::ids::encode(cortege_graphql::ids::Kind::Person, id).0;
        Member { id, gid, token }
    }

    /// Drops a PostgreSQL role a test made (roles are cluster-wide: they
    /// outlive the test's database).
    pub async fn drop_role(&self, name: &str) {
        let drop: String = sqlx::query_scalar("SELECT format('DROP ROLE %I', $1::text)")
            .bind(name)
            .fetch_one(&self.pool)
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(drop))
            .execute(&self.pool)
            .await
            .unwrap();
    }

    /// Gives a role straight in the database: unlike grantRole, without a
    /// moderation-log row, since the log is what moderation tests assert.
    pub async fn grant(&self, m: &Member, role: &str) {
        sqlx::query("UPDATE people SET roles = roles || $2::person_role WHERE id = $1")
            .bind(m.id)
            .bind(role)
            .execute(&self.pool)
            .await
            .unwrap();
    }

    /// Waits until every notification due has left: the senders mark a
    /// batch sent once they have handed all of it over, so its mails and
    /// pushes may be seen a moment before.
    pub async fn nothing_pending(&self) {
        wait_until("no delivery pending", async || {
            let pending: i64 =
                sqlx::query_scalar("SELECT count(*) FROM deliveries WHERE state = 'PENDING'")
                    .fetch_one(&self.pool)
                    .await
                    .unwrap();
            pending == 0
        })
        .await;
    }

    /// Runs an operation that must succeed and returns its data.
    pub async fn ok(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        let r = self.gql(query, variables, token).await;
        assert!(r.get("errors").is_none(), "unexpected errors: {r}");
        r["data"].clone()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            tx.send(()).ok();
        }
    }
}

/// The code on a line of its own: 6 to 8 of A-Z and 0-9.
pub fn code_in(body: &str) -> Option<String> {
    body.lines()
        .map(str::trim)
        .find(|l| {
            (6..=8).contains(&l.len())
                && l.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        })
        .map(str::to_owned)
}

/// Undoes quoted-printable, enough for the ASCII code and French text.
fn decode_qp(body: &str) -> String {
    let joined = body.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Polls `done` until it holds, failing the test after a minute: the
/// servers' background work (outbox, notifier, senders) runs on its own
/// schedule, and a test must wait for its effect, never for a fixed time.
pub async fn wait_until(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !done().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

pub fn error_code(response: &Value) -> Option<&str> {
    response["errors"][0]["extensions"]["code"].as_str()
}

pub fn error_field(response: &Value) -> Option<&str> {
    response["errors"][0]["extensions"]["field"].as_str()
}

pub fn files_under(dir: &Path) -> usize {
    walk(dir)
}

fn walk(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        walk(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}
