//! Notification throughput: one activity with N recipients (an event with
//! N GOING members, each with one Web Push device, cancelled), sent by a
//! running `cortege serve` into a local SMTP sink and into the push
//! receiver this program runs. Reports mails/s and pushes/s, the lag from
//! the cancellation's commit to the last delivery, and the server's memory
//! over the run.
//!
//! bench/run-notify.sh starts PostgreSQL, the sink and the server, and
//! runs this; see it for usage.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clap::Parser;
use serde_json::{Value, json};

#[derive(Parser)]
struct Args {
    /// The server's base URL.
    #[arg(long)]
    server: String,
    /// The server's database.
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = 30_000)]
    recipients: i64,
    /// The server's process id, for its memory.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Give up after this long.
    #[arg(long, default_value_t = 600)]
    timeout_seconds: u64,
}

/// What the push receiver saw.
struct Received {
    count: AtomicU64,
    /// Every 100th push is decrypted with the device's keys, as a check
    /// that these are real Web Push messages (decrypting all would take
    /// the server's CPU).
    keys: ece::EcKeyComponents,
    auth: [u8; 16],
    failures: AtomicU64,
}

async fn push(State(r): State<Arc<Received>>, body: axum::body::Bytes) -> StatusCode {
    let n = r.count.fetch_add(1, Ordering::Relaxed);
    if n.is_multiple_of(100) && ece::decrypt(&r.keys, &r.auth, &body).is_err() {
        r.failures.fetch_add(1, Ordering::Relaxed);
    }
    StatusCode::CREATED
}

/// Resident memory of `pid`, in MiB.
fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches(" kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

async fn gql(
    client: &reqwest::Client,
    server: &str,
    token: &str,
    query: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    let r: Value = client
        .post(format!("{server}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await?
        .json()
        .await?;
    if let Some(errors) = r.get("errors") {
        bail!("{errors}");
    }
    Ok(r["data"].clone())
}

/// Sent deliveries of the activity per channel, and the last one's time
/// in seconds after `since`.
async fn progress(
    pool: &sqlx::PgPool,
    activity: uuid::Uuid,
    since: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<(i64, i64, Option<f64>, Option<f64>)> {
    let row: (i64, i64, Option<f64>, Option<f64>) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE channel = 'EMAIL' AND state = 'SENT'),
                count(*) FILTER (WHERE channel = 'PUSH' AND state = 'SENT'),
                extract(epoch FROM max(sent_at) FILTER (WHERE channel = 'EMAIL') - $2)::float8,
                extract(epoch FROM max(sent_at) FILTER (WHERE channel = 'PUSH') - $2)::float8
         FROM deliveries WHERE activity_id = $1",
    )
    .bind(activity)
    .bind(since)
    .fetch_one(pool)
    .await?;
    Ok(row)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let n = args.recipients;
    let pool = sqlx::PgPool::connect(&args.database_url)
        .await
        .context("connecting to the database")?;

    let (pair, auth) = ece::generate_keypair_and_auth_secret()?;
    let p256dh = URL_SAFE_NO_PAD.encode(pair.pub_as_raw()?);
    let received = Arc::new(Received {
        count: AtomicU64::new(0),
        keys: pair.raw_components()?,
        auth,
        failures: AtomicU64::new(0),
    });
    let receiver = axum::Router::new()
        .route("/push/{device}", axum::routing::post(push))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let receiver_base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, receiver).await });

    // The organiser, through the API; the N members straight into the
    // database (the API's own limits are not what is measured).
    let (organiser, token) = cortege_loadtest::organiser(&pool).await?;
    let client = reqwest::Client::new();
    let starts = chrono::Utc::now() + chrono::Duration::days(2);
    let title = format!("Grand meeting {}", organiser.0.simple());
    let created = gql(
        &client,
        &args.server,
        &token,
        "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }",
        json!({ "i": {
            "title": title, "description": "Meeting de campagne.", "kind": "RALLY",
            "startsAt": starts.to_rfc3339(),
            "endsAt": (starts + chrono::Duration::hours(3)).to_rfc3339(),
            "location": { "lat": 48.8566, "lon": 2.3522 },
            "address": { "street": "Place de la République", "postcode": "75011", "city": "Paris" },
        }}),
    )
    .await?;
    let event_gid = created["createEvent"]["id"]
        .as_str()
        .context("no event id")?
        .to_owned();
    let event: uuid::Uuid = sqlx::query_scalar("SELECT id FROM events WHERE title = $1")
        .bind(&title)
        .fetch_one(&pool)
        .await?;

    let seeding = Instant::now();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO people (id, first_name, last_name, email, pledge_accepted_at)
         SELECT gen_random_uuid(), 'Membre', 'N' || i, 'bench-' || i || '-' || $2 || '@example.org', now()
         FROM generate_series(1, $1) i",
    )
    .bind(n)
    .bind(organiser.0.simple().to_string())
    .execute(&mut *tx)
    .await?;
    let pattern = format!("bench-%-{}@example.org", organiser.0.simple());
    sqlx::query(
        "INSERT INTO rsvps (id, event_id, person_id, status)
         SELECT gen_random_uuid(), $1, id, 'GOING' FROM people WHERE email LIKE $2",
    )
    .bind(event)
    .bind(&pattern)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE events SET seats_taken = $2 WHERE id = $1")
        .bind(event)
        .bind(i32::try_from(n)?)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO push_subscriptions (id, person_id, endpoint, p256dh, auth)
         SELECT gen_random_uuid(), id, $2 || '/push/' || id, $3, $4 FROM people WHERE email LIKE $1",
    )
    .bind(&pattern)
    .bind(&receiver_base)
    .bind(&p256dh)
    .bind(URL_SAFE_NO_PAD.encode(auth))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    println!(
        "seeded {n} GOING members with a device each in {:.1} s",
        seeding.elapsed().as_secs_f64()
    );

    let memory_before = args.server_pid.and_then(rss_mib);
    gql(
        &client,
        &args.server,
        &token,
        "mutation($id: ID!) { cancelEvent(id: $id) { id } }",
        json!({ "id": event_gid }),
    )
    .await?;
    let answered = Instant::now();
    let (activity, committed): (uuid::Uuid, chrono::DateTime<chrono::Utc>) = sqlx::query_as(
        "SELECT id, created_at FROM activities WHERE event_id = $1 AND kind = 'EVENT_CANCELLED'",
    )
    .bind(event)
    .fetch_one(&pool)
    .await?;
    println!(
        "cancelled; every second: seconds, mails sent, pushes sent, pushes received, server RSS MiB"
    );

    let deadline = answered + Duration::from_secs(args.timeout_seconds);
    let mut memory = Vec::new();
    let (mails, pushes, mail_last, push_last) = loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let (mails, pushes, mail_last, push_last) = progress(&pool, activity, committed).await?;
        let rss = args.server_pid.and_then(rss_mib);
        if let Some(m) = rss {
            memory.push(m);
        }
        println!(
            "{:>5.0} {mails:>7} {pushes:>7} {:>7} {:>8.1}",
            answered.elapsed().as_secs_f64(),
            received.count.load(Ordering::Relaxed),
            rss.unwrap_or(f64::NAN)
        );
        if (mails >= n && pushes >= n) || Instant::now() > deadline {
            break (mails, pushes, mail_last, push_last);
        }
    };

    let rate = |sent: i64, last: Option<f64>| match last {
        Some(s) if s > 0.0 => sent as f64 / s,
        _ => f64::NAN,
    };
    println!();
    println!("recipients                 {n}");
    println!(
        "pushes sent                {pushes} in {:.1} s after the commit: {:.0}/s (target: {n} in < 30 s)",
        push_last.unwrap_or(f64::NAN),
        rate(pushes, push_last)
    );
    println!(
        "mails sent                 {mails} in {:.1} s after the commit: {:.0}/s (target: {n} in < 120 s)",
        mail_last.unwrap_or(f64::NAN),
        rate(mails, mail_last)
    );
    println!(
        "lag commit → last delivery {:.1} s",
        mail_last
            .unwrap_or(f64::NAN)
            .max(push_last.unwrap_or(f64::NAN))
    );
    println!(
        "pushes received            {} ({} of the sampled ones failed to decrypt)",
        received.count.load(Ordering::Relaxed),
        received.failures.load(Ordering::Relaxed)
    );
    if !memory.is_empty() {
        let max = memory.iter().copied().fold(f64::MIN, f64::max);
        println!(
            "server RSS MiB             before {:.1}, peak {max:.1}, end {:.1}",
            memory_before.unwrap_or(f64::NAN),
            memory.last().copied().unwrap_or(f64::NAN)
        );
    }
    if mails < n || pushes < n {
        bail!("not everything was delivered before the timeout");
    }
    Ok(())
}
