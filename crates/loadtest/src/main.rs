//! Live-feed load: N WebSocket subscribers spread over France follow
//! eventsNearby on one or more servers while events are created at a
//! steady rate. Reports connections held, pushes per second, the time from
//! a mutation's response to each push, and server memory per connection.
//!
//! bench/run-live.sh starts the servers and runs this; see it for usage.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use cortege_loadtest::net::{
    Socket, check_file_limit, connect, connect_all, source_for, sources_needed, subscribe,
};
use cortege_loadtest::places::{CITIES, distance_km};
use cortege_loadtest::procs::{percentile, total_rss};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{Mutex, mpsc};
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser)]
struct Args {
    /// Server base URLs; subscribers are spread over them in turn, events
    /// are created on the first.
    #[arg(long, value_delimiter = ',', required = true)]
    servers: Vec<String>,
    /// The servers' database, to make the organiser's session.
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value_t = 1_000)]
    subscribers: usize,
    /// Events created per second.
    #[arg(long, default_value_t = 10.0)]
    rate: f64,
    #[arg(long, default_value_t = 30)]
    seconds: u64,
    /// Radius of each subscriber's eventsNearby, km.
    #[arg(long, default_value_t = 30.0)]
    radius: f64,
    /// Only connect and initialise (no subscription): the memory of a bare
    /// socket.
    #[arg(long)]
    bare: bool,
    /// Server process ids, for memory per connection.
    #[arg(long, value_delimiter = ',')]
    server_pids: Vec<u32>,
    /// Loopback source addresses to spread the sockets over (127.0.0.1,
    /// 127.0.0.2, …): each gives about 28,000 ephemeral ports, so one
    /// address cannot hold more subscribers than that. Default: one per
    /// 20,000 subscribers. Only used when the servers are on 127.x.
    #[arg(long)]
    source_addresses: Option<u8>,
    /// Seconds a subscriber may take to connect and subscribe before it
    /// counts as failed (with the reason).
    #[arg(long, default_value_t = 30)]
    connect_timeout: u64,
}

/// An organiser with a live session, made in the database.
async fn organiser(database_url: &str) -> anyhow::Result<String> {
    let pool = sqlx::PgPool::connect(database_url)
        .await
        .context("connecting to the database")?;
    let (_, token) = cortege_loadtest::organiser(&pool).await?;
    pool.close().await;
    Ok(token)
}

/// When an event's request was sent and answered, and where it is.
type Created = (Instant, Instant, (f64, f64));

/// Connects, initialises and subscribes; returns once the server listens.
async fn subscriber(
    server: &str,
    source: Option<std::net::IpAddr>,
    at: (f64, f64),
    radius: f64,
    bare: bool,
) -> anyhow::Result<Socket> {
    let mut ws = connect(server, source, None).await?;
    let nearby = (
        "n",
        "subscription($n: GeoPointInput!, $r: Float!) { eventsNearby(near: $n, radiusKm: $r) { title } }",
        json!({ "n": { "lat": at.0, "lon": at.1 }, "r": radius }),
    );
    let subscriptions = if bare { Vec::new() } else { vec![nearby] };
    subscribe(&mut ws, &subscriptions).await?;
    Ok(ws)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    check_file_limit(args.subscribers)?;
    let token = organiser(&args.database_url).await?;
    let rss_before = total_rss(&args.server_pids);

    // Subscribers around the cities, jittered up to ~25 km.
    let mut rng_positions = Vec::with_capacity(args.subscribers);
    for k in 0..args.subscribers {
        let (_, _, lat, lon) = CITIES[k % CITIES.len()];
        let jitter =
            |seed: usize| ((seed.wrapping_mul(2_654_435_761) % 1000) as f64 / 1000.0 - 0.5) * 0.45;
        rng_positions.push((lat + jitter(k), lon + jitter(k / 7 + 13)));
    }
    let (deliveries_tx, mut deliveries) = mpsc::unbounded_channel::<(u64, Instant)>();
    let started = Instant::now();
    let sources = args
        .source_addresses
        .unwrap_or_else(|| sources_needed(args.subscribers));
    let timeout = Duration::from_secs(args.connect_timeout);
    let connected = connect_all(args.subscribers, timeout, "", |k| {
        let server = args.servers[k % args.servers.len()].clone();
        let source = source_for(k, &args.servers, sources);
        let (at, radius, bare) = (rng_positions[k], args.radius, args.bare);
        async move { subscriber(&server, source, at, radius, bare).await }
    })
    .await?;
    let failed: usize = connected.failures.values().sum();
    let sockets: Vec<Socket> = connected.sockets.into_iter().map(|(_, ws)| ws).collect();
    if sockets.is_empty() && args.subscribers > 0 {
        bail!("no subscriber could connect (reasons above)");
    }
    let connect_time = started.elapsed();
    let held = sockets.len();
    let rss_idle = total_rss(&args.server_pids);
    let closed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    for mut ws in sockets {
        let tx = deliveries_tx.clone();
        let closed = closed.clone();
        tokio::spawn(async move {
            while let Some(Ok(frame)) = ws.next().await {
                let Message::Text(t) = frame else { continue };
                let now = Instant::now();
                let Ok(v) = serde_json::from_str::<Value>(t.as_str()) else {
                    continue;
                };
                if v["type"] == "ping" {
                    ws.send(Message::text(r#"{"type":"pong"}"#)).await.ok();
                    continue;
                }
                if let Some(n) = v["payload"]["data"]["eventsNearby"]["title"]
                    .as_str()
                    .and_then(|t| t.strip_prefix("bench-"))
                    .and_then(|n| n.parse().ok())
                {
                    tx.send((n, now)).ok();
                }
            }
            closed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
    }
    drop(deliveries_tx);

    // Events at a steady rate, each remembered with its response time.
    let http = reqwest::Client::new();
    let responded: Arc<Mutex<HashMap<u64, Created>>> = Arc::default();
    let total_events = (args.rate * args.seconds as f64).round() as u64;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rate));
    let load_started = Instant::now();
    let mut creators = Vec::new();
    for n in 0..total_events {
        tick.tick().await;
        let (city, postcode, lat, lon) = CITIES[(n as usize * 7) % CITIES.len()];
        let http = http.clone();
        let url = format!("{}/graphql", args.servers[0]);
        let token = token.clone();
        let responded = responded.clone();
        creators.push(tokio::spawn(async move {
            let starts = chrono::Utc::now() + chrono::Duration::days(2);
            let body = json!({
                "query": "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }",
                "variables": { "i": {
                    "title": format!("bench-{n}"), "description": "", "kind": "LEAFLETING",
                    "startsAt": starts.to_rfc3339(),
                    "endsAt": (starts + chrono::Duration::hours(2)).to_rfc3339(),
                    "location": { "lat": lat, "lon": lon },
                    "address": { "postcode": postcode, "city": city },
                } },
            });
            let sent = Instant::now();
            let r = http.post(url).bearer_auth(token).json(&body).send().await;
            let done = Instant::now();
            match r {
                Ok(r) => {
                    let v: Value = r.json().await.unwrap_or_default();
                    if let Some(errors) = v.get("errors") {
                        return Err(format!("createEvent refused: {errors}"));
                    }
                    responded.lock().await.insert(n, (sent, done, (lat, lon)));
                }
                Err(e) => return Err(format!("createEvent failed: {e:#}")),
            }
            Ok(())
        }));
    }
    // Failures counted by reason: one line each, not one per event.
    let mut create_failures: std::collections::BTreeMap<String, usize> = Default::default();
    for c in creators {
        if let Ok(Err(reason)) = c.await {
            *create_failures.entry(reason).or_default() += 1;
        }
    }
    for (reason, count) in &create_failures {
        eprintln!("{count} events not created: {reason}");
    }
    let load_time = load_started.elapsed();
    // Let the last pushes arrive: until none came for two seconds.
    let mut received = Vec::new();
    while let Ok(Some(d)) = tokio::time::timeout(Duration::from_secs(2), deliveries.recv()).await {
        received.push(d);
    }
    let responded = responded.lock().await;
    let expected: usize = responded
        .values()
        .map(|(_, _, at)| {
            rng_positions
                .iter()
                .take(held)
                .filter(|p| distance_km(**p, *at) <= args.radius)
                .count()
        })
        .sum();
    let mut from_response = Vec::new();
    let mut from_request = Vec::new();
    for (n, at) in &received {
        if let Some((sent, done, _)) = responded.get(n) {
            from_response.push(at.saturating_duration_since(*done).as_secs_f64() * 1e3);
            from_request.push(at.duration_since(*sent).as_secs_f64() * 1e3);
        }
    }
    from_response.sort_by(f64::total_cmp);
    from_request.sort_by(f64::total_cmp);
    let per_conn = if held > 0 && !args.server_pids.is_empty() {
        format!(
            "{:.1} KiB",
            rss_idle.saturating_sub(rss_before) as f64 / held as f64
        )
    } else {
        "n/a".to_owned()
    };
    println!(
        "servers={} subscribers={} held={} failed={} closed_during_run={} connect_time={:.1}s",
        args.servers.len(),
        args.subscribers,
        held,
        failed,
        closed.load(std::sync::atomic::Ordering::Relaxed),
        connect_time.as_secs_f64()
    );
    println!(
        "server RSS: before={} KiB idle={} KiB per idle connection={}",
        rss_before, rss_idle, per_conn
    );
    println!(
        "events={} in {:.1}s, pushes received={} expected={} ({:.2}%), pushes/s={:.0}",
        responded.len(),
        load_time.as_secs_f64(),
        received.len(),
        expected,
        100.0 * received.len() as f64 / expected.max(1) as f64,
        received.len() as f64 / load_time.as_secs_f64()
    );
    println!(
        "latency from mutation response to push: p50={:.1} ms p99={:.1} ms max={:.1} ms (from request sent: p50={:.1} p99={:.1})",
        percentile(&from_response, 0.5),
        percentile(&from_response, 0.99),
        from_response.last().copied().unwrap_or(f64::NAN),
        percentile(&from_request, 0.5),
        percentile(&from_request, 0.99),
    );
    Ok(())
}
