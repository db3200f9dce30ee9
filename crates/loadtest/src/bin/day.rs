//! A day of action, from one load process's side: its members, spread
//! around French cities, each hold one WebSocket with two subscriptions,
//! `eventsNearby` and their `feed`; its organisers create events and its
//! other members RSVP to them, at steady rates, through every server in
//! turn (as a load balancer would send them), while one process of the
//! deployment may be killed partway (a Redis master, say).
//!
//! It reports what its own subscribers received of its own activity:
//! delivered / expected for eventsNearby pushes and for feed items (each
//! RSVP is a NEW_ATTENDEE item in its organiser's feed), duplicates, the
//! time from each mutation's response to its push (overall, and outside
//! the window after the kill), and each server's CPU and memory over the
//! run. Several processes (`--shard`) share a run when one process cannot
//! hold all the sockets; bench/run-day.sh runs two and adds them up.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use cortege_loadtest::net::{
    Socket, check_file_limit, connect, connect_all, source_for, sources_needed, subscribe,
};
use cortege_loadtest::places::{CITIES, distance_km};
use cortege_loadtest::procs::{cpu_seconds, percentile, rss_kib};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{Mutex, mpsc};
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser)]
struct Args {
    /// Server base URLs: sockets and mutations go to each in turn.
    #[arg(long, value_delimiter = ',', required = true)]
    servers: Vec<String>,
    /// The servers' (primary) database, to make the members' sessions.
    #[arg(long)]
    database_url: String,
    /// This process's number among the run's load processes: its members,
    /// events and RSVPs are its own.
    #[arg(long, default_value_t = 0)]
    shard: u32,
    /// Subscribed members (one socket each).
    #[arg(long, default_value_t = 1_000)]
    subscribers: usize,
    /// How many of them create the events (their feeds get the RSVPs).
    #[arg(long, default_value_t = 200)]
    organisers: usize,
    /// Events created per second by this process.
    #[arg(long, default_value_t = 25.0)]
    event_rate: f64,
    /// RSVPs per second by this process, to its events created so far.
    #[arg(long, default_value_t = 30.0)]
    rsvp_rate: f64,
    #[arg(long, default_value_t = 120)]
    seconds: u64,
    /// Radius of each subscriber's eventsNearby, km.
    #[arg(long, default_value_t = 10.0)]
    radius: f64,
    /// How far from a city centre members and events are placed, km.
    #[arg(long, default_value_t = 50.0)]
    spread_km: f64,
    /// Server process ids, for CPU and memory.
    #[arg(long, value_delimiter = ',')]
    server_pids: Vec<u32>,
    /// A process to SIGKILL during the load (a Redis master).
    #[arg(long)]
    kill_pid: Option<u32>,
    /// Seconds into the load phase when it is killed.
    #[arg(long, default_value_t = 60)]
    kill_after: u64,
    /// A process another load process kills: the failover window starts
    /// when it is gone.
    #[arg(long)]
    watch_pid: Option<u32>,
    /// Seconds after the kill that count as the failover window.
    #[arg(long, default_value_t = 15)]
    window: u64,
    #[arg(long, default_value_t = 60)]
    connect_timeout: u64,
}

struct Member {
    last_name: String,
    token: String,
}

/// Makes `n` members with live sessions, straight in the database.
async fn members(database_url: &str, shard: u32, n: usize) -> anyhow::Result<Vec<Member>> {
    use futures_util::stream::{self, TryStreamExt};
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(16)
        .connect(database_url)
        .await
        .context("connecting to the database")?;
    let run = uuid::Uuid::now_v7().simple().to_string();
    let people: Vec<(cortege_domain::PersonId, String)> = (0..n)
        .map(|k| (cortege_domain::PersonId::new(), format!("s{shard}m{k}")))
        .collect();
    for chunk in people.chunks(1_000) {
        let mut tx = cortege_db::begin(&pool).await?;
        for (id, last_name) in chunk {
            let person = cortege_loadtest::member(
                *id,
                "Membre",
                last_name,
                format!("{last_name}-{run}@example.org"),
            );
            cortege_db::people::insert(&mut tx, &person).await?;
        }
        cortege_db::commit(tx).await?;
    }
    let members = stream::iter(people.into_iter().map(|(id, last_name)| {
        let pool = pool.clone();
        async move {
            let token = cortege_app::sessions::open(&pool, id).await?;
            anyhow::Ok(Member { last_name, token })
        }
    }))
    .buffered(16)
    .try_collect()
    .await?;
    pool.close().await;
    Ok(members)
}

/// Connects as `token`, subscribes to eventsNearby around `at` and to the
/// feed; returns once the server has both.
async fn subscriber(
    server: &str,
    source: Option<std::net::IpAddr>,
    token: &str,
    at: (f64, f64),
    radius: f64,
) -> anyhow::Result<Socket> {
    let mut ws = connect(server, source, Some(json!({ "token": token }))).await?;
    let subscriptions = [
        (
            "n",
            "subscription($n: GeoPointInput!, $r: Float!) { eventsNearby(near: $n, radiusKm: $r) { title } }",
            json!({ "n": { "lat": at.0, "lon": at.1 }, "r": radius }),
        ),
        (
            "f",
            "subscription { feed { kind actor { lastName } event { title } } }",
            json!({}),
        ),
    ];
    subscribe(&mut ws, &subscriptions).await?;
    Ok(ws)
}

/// An event this process created, by title: when its mutation was
/// answered, where it is, and which member organised it.
type Created = (Instant, (f64, f64), usize);

/// A push one subscriber received.
enum Push {
    Nearby {
        subscriber: usize,
        title: String,
    },
    Feed {
        subscriber: usize,
        title: String,
        actor: String,
    },
}

/// Member `k`'s place: around a city, within `spread` km (deterministic).
fn place(k: usize, spread_km: f64) -> (f64, f64) {
    let (_, _, lat, lon) = CITIES[k % CITIES.len()];
    let unit = |seed: usize| (seed.wrapping_mul(2_654_435_761) % 10_000) as f64 / 10_000.0 - 0.5;
    let dlat = unit(k) * 2.0 * spread_km / 111.0;
    let dlon = unit(k / 7 + 13) * 2.0 * spread_km / (111.0 * lat.to_radians().cos());
    (lat + dlat, lon + dlon)
}

async fn post(
    http: &reqwest::Client,
    server: &str,
    token: &str,
    body: Value,
) -> Result<Value, String> {
    let r = http
        .post(format!("{server}/graphql"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("request failed: {e:#}"))?;
    let v: Value = r.json().await.map_err(|e| format!("bad answer: {e:#}"))?;
    match v.get("errors") {
        Some(errors) => Err(format!(
            "refused: {}",
            errors[0]["extensions"]["code"].as_str().unwrap_or("?")
        )),
        None => Ok(v["data"].clone()),
    }
}

struct Report {
    p50: f64,
    p99: f64,
    max: f64,
}

fn report(samples: &mut [f64]) -> Report {
    samples.sort_by(f64::total_cmp);
    Report {
        p50: percentile(samples, 0.5),
        p99: percentile(samples, 0.99),
        max: samples.last().copied().unwrap_or(f64::NAN),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(
        args.organisers < args.subscribers,
        "--organisers must leave members to RSVP"
    );
    check_file_limit(args.subscribers + 512)?;
    let made = Instant::now();
    let members = Arc::new(members(&args.database_url, args.shard, args.subscribers).await?);
    eprintln!(
        "shard {}: {} members with sessions in {:.1}s",
        args.shard,
        members.len(),
        made.elapsed().as_secs_f64()
    );
    let places: Vec<(f64, f64)> = (0..args.subscribers)
        .map(|k| place(k + args.shard as usize * 7_919, args.spread_km))
        .collect();

    // Connect everyone.
    let sources = sources_needed(args.subscribers);
    let timeout = Duration::from_secs(args.connect_timeout);
    let connect_started = Instant::now();
    let label = format!("shard {}: ", args.shard);
    let connected = connect_all(args.subscribers, timeout, &label, |k| {
        let server = args.servers[k % args.servers.len()].clone();
        let source = source_for(k + args.shard as usize, &args.servers, sources);
        let (members, at, radius) = (members.clone(), places[k], args.radius);
        async move { subscriber(&server, source, &members[k].token, at, radius).await }
    })
    .await?;
    let held: HashSet<usize> = connected.sockets.iter().map(|(k, _)| *k).collect();
    let sockets = connected.sockets;
    let connect_time = connect_started.elapsed();

    let (pushes_tx, mut pushes) = mpsc::unbounded_channel::<(Push, Instant)>();
    let closed = Arc::new(AtomicUsize::new(0));
    for (k, mut ws) in sockets {
        let (tx, closed) = (pushes_tx.clone(), closed.clone());
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
                let data = &v["payload"]["data"];
                let push = if let Some(title) = data["eventsNearby"]["title"].as_str() {
                    Push::Nearby {
                        subscriber: k,
                        title: title.to_owned(),
                    }
                } else if data["feed"]["kind"] == "NEW_ATTENDEE" {
                    Push::Feed {
                        subscriber: k,
                        title: data["feed"]["event"]["title"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                        actor: data["feed"]["actor"]["lastName"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                    }
                } else {
                    continue;
                };
                tx.send((push, now)).ok();
            }
            closed.fetch_add(1, Ordering::Relaxed);
        });
    }
    drop(pushes_tx);

    // The load.
    let cpu_before: Vec<Option<f64>> = args.server_pids.iter().map(|p| cpu_seconds(*p)).collect();
    let http = reqwest::Client::new();
    let events: Arc<Mutex<HashMap<String, Created>>> = Arc::default();
    let event_ids: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    // (title, attendee last name) → response time.
    let rsvps: Arc<Mutex<HashMap<(String, String), Instant>>> = Arc::default();
    let errors: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
    let load_started = Instant::now();
    let mut kill_at = None;
    let mut event_tick = tokio::time::interval(Duration::from_secs_f64(1.0 / args.event_rate));
    let mut rsvp_tick = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rsvp_rate));
    let (mut n_events, mut n_rsvps) = (0usize, 0usize);
    let mut tasks = Vec::new();
    let end = load_started + Duration::from_secs(args.seconds);
    while Instant::now() < end {
        if kill_at.is_none()
            && load_started.elapsed() >= Duration::from_secs(args.kill_after)
            && let Some(pid) = args.kill_pid
        {
            let pid = nix::unistd::Pid::from_raw(i32::try_from(pid)?);
            nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL)?;
            kill_at = Some(Instant::now());
            eprintln!("shard {}: killed {pid} at {}s", args.shard, args.kill_after);
        }
        // Another load process kills: the window starts when the process
        // is gone.
        if kill_at.is_none()
            && let Some(pid) = args.watch_pid
            && nix::sys::signal::kill(nix::unistd::Pid::from_raw(i32::try_from(pid)?), None)
                .is_err()
        {
            kill_at = Some(Instant::now());
        }
        tokio::select! {
            _ = event_tick.tick() => {
                let n = n_events;
                n_events += 1;
                let organiser = n % args.organisers;
                let title = format!("day-{}-{n}", args.shard);
                let at = place(n * 31 + 5, args.spread_km);
                let (city, postcode, _, _) = CITIES[(n * 31 + 5) % CITIES.len()];
                let server = args.servers[n % args.servers.len()].clone();
                let (http, members, events, event_ids, errors) =
                    (http.clone(), members.clone(), events.clone(), event_ids.clone(), errors.clone());
                tasks.push(tokio::spawn(async move {
                    let starts = chrono::Utc::now() + chrono::Duration::days(2);
                    let body = json!({
                        "query": "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }",
                        "variables": { "i": {
                            "title": title, "description": "", "kind": "LEAFLETING",
                            "startsAt": starts.to_rfc3339(),
                            "endsAt": (starts + chrono::Duration::hours(2)).to_rfc3339(),
                            "location": { "lat": at.0, "lon": at.1 },
                            "address": { "postcode": postcode, "city": city },
                        } },
                    });
                    match post(&http, &server, &members[organiser].token, body).await {
                        Ok(data) => {
                            let done = Instant::now();
                            events.lock().await.insert(title.clone(), (done, at, organiser));
                            if let Some(id) = data["createEvent"]["id"].as_str() {
                                event_ids.lock().await.push((title, id.to_owned()));
                            }
                        }
                        Err(e) => *errors.lock().await.entry(format!("createEvent {e}")).or_default() += 1,
                    }
                }));
            }
            _ = rsvp_tick.tick() => {
                let i = n_rsvps;
                n_rsvps += 1;
                let attendee = args.organisers + i % (args.subscribers - args.organisers);
                let server = args.servers[i % args.servers.len()].clone();
                let (http, members, rsvps, event_ids, errors) =
                    (http.clone(), members.clone(), rsvps.clone(), event_ids.clone(), errors.clone());
                tasks.push(tokio::spawn(async move {
                    let target = {
                        let ids = event_ids.lock().await;
                        if ids.is_empty() {
                            return;
                        }
                        // Mostly recent events, as on the day.
                        let back = (i * 7_919) % ids.len().min(500);
                        ids[ids.len() - 1 - back].clone()
                    };
                    let body = json!({
                        "query": "mutation($e: ID!) { rsvp(eventId: $e) { id } }",
                        "variables": { "e": target.1 },
                    });
                    let member = &members[attendee];
                    match post(&http, &server, &member.token, body).await {
                        Ok(_) => {
                            rsvps.lock().await.insert((target.0, member.last_name.clone()), Instant::now());
                        }
                        Err(e) => *errors.lock().await.entry(format!("rsvp {e}")).or_default() += 1,
                    }
                }));
            }
        }
    }
    for t in tasks {
        t.await.ok();
    }
    let load_time = load_started.elapsed();
    let cpu: Vec<String> = args
        .server_pids
        .iter()
        .zip(&cpu_before)
        .map(|(pid, before)| match (before, cpu_seconds(*pid)) {
            (Some(b), Some(a)) => format!("{:.2}", (a - b) / load_time.as_secs_f64()),
            _ => "gone".to_owned(),
        })
        .collect();
    let rss: Vec<String> = args
        .server_pids
        .iter()
        .map(|p| rss_kib(*p).map_or("gone".to_owned(), |k| format!("{}", k / 1024)))
        .collect();

    // The last pushes, and the feeds replayed after the failover: until
    // five seconds pass with nothing.
    let mut received = Vec::new();
    while let Ok(Some(p)) = tokio::time::timeout(Duration::from_secs(5), pushes.recv()).await {
        received.push(p);
    }

    let events = events.lock().await;
    let rsvps = rsvps.lock().await;
    // Subscribers within a few metres of the radius are left out of both
    // counts: PostgreSQL's earthdistance and this haversine use earth radii
    // 0.1 % apart, so they may disagree right at the edge.
    let surely_within = |a: (f64, f64), b: (f64, f64)| distance_km(a, b) <= args.radius - 0.05;
    let in_window =
        |t: Instant| kill_at.is_some_and(|k| t >= k && t < k + Duration::from_secs(args.window));
    let (mut nearby_all, mut nearby_out, mut feed_all, mut feed_out) =
        (vec![], vec![], vec![], vec![]);
    let mut seen_nearby = HashSet::new();
    let mut seen_feed = HashSet::new();
    let (mut dup_nearby, mut dup_feed) = (0usize, 0usize);
    for (push, at) in &received {
        match push {
            Push::Nearby { subscriber, title } => {
                let Some((done, where_, _)) = events.get(title) else {
                    continue;
                };
                if !surely_within(places[*subscriber], *where_) {
                    continue;
                }
                if !seen_nearby.insert((*subscriber, title.clone())) {
                    dup_nearby += 1;
                    continue;
                }
                let ms = at.saturating_duration_since(*done).as_secs_f64() * 1e3;
                nearby_all.push(ms);
                if !in_window(*done) {
                    nearby_out.push(ms);
                }
            }
            Push::Feed {
                subscriber,
                title,
                actor,
            } => {
                let Some(done) = rsvps.get(&(title.clone(), actor.clone())) else {
                    continue;
                };
                if !seen_feed.insert((*subscriber, title.clone(), actor.clone())) {
                    dup_feed += 1;
                    continue;
                }
                let ms = at.saturating_duration_since(*done).as_secs_f64() * 1e3;
                feed_all.push(ms);
                if !in_window(*done) {
                    feed_out.push(ms);
                }
            }
        }
    }
    // Each event's expected pushes, counted once; those created outside
    // the failover window are where the target is every push.
    let (mut nearby_expected, mut nearby_expected_out) = (0usize, 0usize);
    for (done, at, _) in events.values() {
        let reach = held
            .iter()
            .filter(|k| surely_within(places[**k], *at))
            .count();
        nearby_expected += reach;
        if !in_window(*done) {
            nearby_expected_out += reach;
        }
    }
    let feed_expected = rsvps
        .keys()
        .filter(|(title, _)| events.get(title).is_some_and(|(_, _, o)| held.contains(o)))
        .count();
    for (reason, count) in errors.lock().await.iter() {
        eprintln!("shard {}: {count} mutations failed: {reason}", args.shard);
    }
    let (na, no, fa, fo) = (
        report(&mut nearby_all),
        report(&mut nearby_out),
        report(&mut feed_all),
        report(&mut feed_out),
    );
    println!(
        "shard={} subscribers={} held={} failed={} closed={} connect_s={:.1}",
        args.shard,
        args.subscribers,
        held.len(),
        args.subscribers - held.len(),
        closed.load(Ordering::Relaxed),
        connect_time.as_secs_f64()
    );
    println!(
        "shard={} load_s={:.1} events={} rsvps={} killed_at_s={}",
        args.shard,
        load_time.as_secs_f64(),
        events.len(),
        rsvps.len(),
        kill_at.map_or("none".to_owned(), |k| format!(
            "{:.1}",
            k.duration_since(load_started).as_secs_f64()
        )),
    );
    println!(
        "shard={} nearby_received={} nearby_expected={} nearby_received_outside_window={} nearby_expected_outside_window={} nearby_duplicates={} nearby_p50_ms={:.1} nearby_p99_ms={:.1} nearby_max_ms={:.1} nearby_p99_outside_window_ms={:.1}",
        args.shard,
        nearby_all.len(),
        nearby_expected,
        nearby_out.len(),
        nearby_expected_out,
        dup_nearby,
        na.p50,
        na.p99,
        na.max,
        no.p99
    );
    println!(
        "shard={} feed_received={} feed_expected={} feed_duplicates={} feed_p50_ms={:.1} feed_p99_ms={:.1} feed_max_ms={:.1} feed_p99_outside_window_ms={:.1}",
        args.shard,
        feed_all.len(),
        feed_expected,
        dup_feed,
        fa.p50,
        fa.p99,
        fa.max,
        fo.p99
    );
    println!(
        "shard={} server_cpu_cores=[{}] server_rss_mib=[{}]",
        args.shard,
        cpu.join(","),
        rss.join(",")
    );
    Ok(())
}
