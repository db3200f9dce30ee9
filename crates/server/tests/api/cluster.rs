//! Redis Cluster: live delivery by sharded pub/sub across Cortège replicas,
//! on a real cluster of three masters and their replicas started by the
//! test (`redis-server --cluster-enabled yes`, `redis-cli --cluster create`).

use crate::common;
use crate::live::{FeedThrough, NEARBY, near, third_event_of_two_per_hour_is_refused, wait_bus};

use std::process::Command;
use std::time::{Duration, Instant};

use common::daemon::{Daemon, redis_cli as cli};
use common::ws::WsClient;
use common::{TestApp, event_input};
use serde_json::json;

const CREATE: &str = "mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }";

/// Cities far enough apart that each has channels of its own.
const CITIES: &[(&str, &str, (f64, f64))] = &[
    ("Marseille", "13001", (43.2965, 5.3698)),
    ("Quimper", "29000", (47.996, -4.102)),
    ("Lille", "59000", (50.6292, 3.0573)),
    ("Strasbourg", "67000", (48.5734, 7.7521)),
    ("Toulouse", "31000", (43.6047, 1.4442)),
    ("Rennes", "35000", (48.1173, -1.6778)),
];

/// Ports for `n` cluster nodes: each also listens on the port 10,000
/// above (the cluster bus), so both must be free and the second must
/// exist; below the kernel's ephemeral range, where nothing else picks
/// ports, and from a start that differs between test processes.
fn free_ports(n: usize) -> Vec<u16> {
    let start = (std::process::id() % 97) as u16 * 100;
    let free = |p: u16| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok();
    let ports: Vec<u16> = (0..10_000u16)
        .map(|offset| 20_000 + (start + offset * 37) % 10_000)
        .filter(|p| free(*p) && free(p + 10_000))
        .take(n)
        .collect();
    assert_eq!(ports.len(), n, "no free ports for the cluster");
    ports
}

/// Three masters and a replica of each, on loopback.
struct Cluster {
    nodes: Vec<(u16, Daemon)>,
    /// The nodes' cluster files; removed after the processes.
    _dir: tempfile::TempDir,
}

impl Cluster {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let nodes: Vec<(u16, Daemon)> = free_ports(6)
            .into_iter()
            .map(|port| {
                let config = dir.path().join(format!("nodes-{port}.conf"));
                let args = [
                    "--cluster-enabled",
                    "yes",
                    "--cluster-node-timeout",
                    "1000",
                    "--cluster-config-file",
                    config.to_str().unwrap(),
                    "--dir",
                    dir.path().to_str().unwrap(),
                ];
                (port, Daemon::redis(port, &args))
            })
            .collect();
        let addresses: Vec<String> = nodes
            .iter()
            .map(|(p, _)| format!("127.0.0.1:{p}"))
            .collect();
        let created = Command::new("redis-cli")
            .arg("--cluster")
            .arg("create")
            .args(&addresses)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .output()
            .expect("redis-cli --cluster create");
        assert!(
            created.status.success(),
            "{}",
            String::from_utf8_lossy(&created.stdout)
        );
        let cluster = Self { nodes, _dir: dir };
        cluster.wait_ok();
        // A replica that never synchronised is not promoted: wait for each.
        let deadline = Instant::now() + Duration::from_secs(30);
        for (port, _) in &cluster.nodes {
            loop {
                let info = cli(*port, &["info", "replication"]);
                if info.contains("role:master") || info.contains("master_link_status:up") {
                    break;
                }
                assert!(Instant::now() < deadline, "a replica never synchronised");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        cluster
    }

    /// Waits until every live node sees the cluster whole.
    fn wait_ok(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        for (port, node) in &self.nodes {
            if !node.is_running() {
                continue;
            }
            while !cli(*port, &["cluster", "info"]).contains("cluster_state:ok") {
                assert!(Instant::now() < deadline, "the cluster never became ok");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }

    fn seeds(&self) -> Vec<String> {
        self.nodes
            .iter()
            .take(2)
            .map(|(p, _)| format!("127.0.0.1:{p}"))
            .collect()
    }

    /// A node still running, to ask about the cluster.
    fn live(&self) -> u16 {
        self.nodes.iter().find(|(_, n)| n.is_running()).unwrap().0
    }

    /// The masters' ports, as a live node sees them.
    fn masters(&self) -> Vec<u16> {
        cli(self.live(), &["cluster", "nodes"])
            .lines()
            .filter(|l| l.contains("master") && !l.contains("fail"))
            .filter_map(|l| l.split_whitespace().nth(1))
            .filter_map(|a| a.split('@').next()?.rsplit(':').next()?.parse().ok())
            .collect()
    }

    /// The master holding `channel`'s slot.
    fn master_of(&self, channel: &str) -> u16 {
        let port = self.live();
        let slot: u16 = cli(port, &["cluster", "keyslot", channel])
            .trim()
            .parse()
            .unwrap();
        // CLUSTER SLOTS: start, end, master address, port, …
        let slots = cli(port, &["--raw", "cluster", "slots"]);
        let lines: Vec<&str> = slots.lines().collect();
        let mut i = 0;
        while i + 4 < lines.len() {
            if let (Ok(start), Ok(end)) = (lines[i].parse::<u16>(), lines[i + 1].parse::<u16>())
                && let Ok(master) = lines[i + 3].parse::<u16>()
                && (start..=end).contains(&slot)
            {
                return master;
            }
            i += 1;
        }
        panic!("no master for slot {slot}");
    }

    fn kill(&mut self, port: u16) {
        for (p, node) in &mut self.nodes {
            if *p == port {
                node.kill();
            }
        }
    }

    fn settings(&self, prefix: &str) -> impl Fn(&mut cortege_server::config::Config) + use<> {
        let nodes = self.seeds();
        let prefix = prefix.to_owned();
        move |c| {
            c.events_per_hour = 10_000;
            c.requests_per_minute = 100_000;
            c.redis_cluster_nodes = nodes.clone();
            c.redis_channel_prefix = prefix.clone();
        }
    }
}

#[tokio::test]
async fn live_delivery_across_replicas_through_a_redis_cluster_and_its_failover() {
    let mut cluster = Cluster::start();
    let prefix = format!("t{}", uuid::Uuid::new_v4().simple());
    let a = TestApp::spawn_with(cluster.settings(&prefix)).await;
    let b = a.replica_with(cluster.settings(&prefix)).await;
    wait_bus(&a, "connected").await;
    wait_bus(&b, "connected").await;
    let org = a.member("Olga", "Roux").await;

    // eventsNearby in six cities, listened to on one replica, the events
    // created on the other: each city hears its own, through its shard.
    let mut sockets = Vec::new();
    for (i, (_, _, at)) in CITIES.iter().enumerate() {
        let mut ws = WsClient::connect(&b, None).await;
        ws.subscribe(&format!("n{i}"), NEARBY, near(*at, 10.0))
            .await;
        sockets.push(ws);
    }
    for (city, postcode, at) in CITIES {
        let input = event_input(&format!("Tractage à {city}"), *at, postcode, city);
        a.ok(CREATE, json!({ "i": input }), Some(&org.token)).await;
    }
    for (i, (city, _, _)) in CITIES.iter().enumerate() {
        let got = sockets[i].next_data(&format!("n{i}")).await;
        assert_eq!(got["eventsNearby"]["title"], format!("Tractage à {city}"));
        sockets[i].assert_silent(Duration::from_millis(100)).await;
    }
    // The channels are spread over the shards, not all on one node.
    let holding: Vec<u16> = cluster
        .masters()
        .into_iter()
        .filter(|m| cli(*m, &["pubsub", "shardchannels", &format!("{prefix}:*")]).trim() != "")
        .collect();
    assert!(holding.len() >= 2, "channels on {holding:?} only");

    // A feed through a failover: the master owning the feeds' channel is
    // killed while events are created; its replica takes over and the open
    // feed receives everything, once and in order.
    let mut feed = FeedThrough::open(&a, &b).await;
    // Feeds follow the relay's announcements on one channel: kill its shard.
    let announcements = format!("{prefix}:activities");
    let victim = cluster.master_of(&announcements);
    cluster.kill(victim);
    feed.create_during(5).await;
    // The cluster notices (node timeout 1 s) and promotes the replica.
    let deadline = Instant::now() + Duration::from_secs(30);
    while cluster.master_of(&announcements) == victim {
        assert!(Instant::now() < deadline, "no replica took over");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    cluster.wait_ok();
    feed.receives_everything().await;
}

#[tokio::test]
async fn rate_limits_are_shared_by_replicas_through_a_redis_cluster() {
    let cluster = Cluster::start();
    let prefix = format!("t{}", uuid::Uuid::new_v4().simple());
    let limited = |settings: &dyn Fn(&mut cortege_server::config::Config),
                   c: &mut cortege_server::config::Config| {
        settings(c);
        c.events_per_hour = 2;
    };
    let (first, second) = (cluster.settings(&prefix), cluster.settings(&prefix));
    let a = TestApp::spawn_with(|c| limited(&first, c)).await;
    let b = a.replica_with(|c| limited(&second, c)).await;
    // The count lives in the cluster, on the shard of its key.
    third_event_of_two_per_hour_is_refused(&a, &b).await;
}
