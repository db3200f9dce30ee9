//! Redis Sentinel: the bus and the rate limits follow the master through a
//! failover (a real master, replica and sentinel, started by the test).

use crate::common;
use crate::live::{FEED, MARSEILLE, create_at, feed_items, titles, wait_bus};

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::TestApp;
use common::ws::WsClient;
use serde_json::json;

const MASTER_NAME: &str = "cortege";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "redis on {port} did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A master, its replica and one sentinel (quorum 1) on loopback.
struct Sentinel {
    /// Sentinel's configuration, which it rewrites; removed after the processes.
    _dir: tempfile::TempDir,
    master: (u16, Option<Child>),
    replica: (u16, Option<Child>),
    sentinel: (u16, Option<Child>),
}

impl Sentinel {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (pm, pr, ps) = (free_port(), free_port(), free_port());
        let redis = |args: &[&str]| {
            Command::new("redis-server")
                .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
                .args(args)
                .stdout(Stdio::null())
                .spawn()
                .expect("redis-server (installed by scripts/test)")
        };
        let master = redis(&["--port", &pm.to_string()]);
        wait_port(pm);
        let replica = redis(&[
            "--port",
            &pr.to_string(),
            "--replicaof",
            "127.0.0.1",
            &pm.to_string(),
        ]);
        wait_port(pr);
        // Sentinel rewrites its configuration file: one of its own.
        let conf = dir.path().join("sentinel.conf");
        std::fs::write(
            &conf,
            format!(
                "port {ps}\nbind 127.0.0.1\ndir {}\n\
                 sentinel monitor {MASTER_NAME} 127.0.0.1 {pm} 1\n\
                 sentinel down-after-milliseconds {MASTER_NAME} 1000\n\
                 sentinel failover-timeout {MASTER_NAME} 10000\n",
                dir.path().display()
            ),
        )
        .unwrap();
        let sentinel = Command::new("redis-server")
            .arg(&conf)
            .arg("--sentinel")
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server --sentinel");
        wait_port(ps);
        Self {
            _dir: dir,
            master: (pm, Some(master)),
            replica: (pr, Some(replica)),
            sentinel: (ps, Some(sentinel)),
        }
    }

    fn ask(&self, args: &[&str]) -> String {
        let out = Command::new("redis-cli")
            .args(["-p", &self.sentinel.0.to_string()])
            .args(args)
            .output()
            .expect("redis-cli");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The port of the master the sentinel names.
    fn master_port(&self) -> Option<u16> {
        let answer = self.ask(&["sentinel", "get-master-addr-by-name", MASTER_NAME]);
        answer.lines().nth(1)?.trim().parse().ok()
    }

    /// Waits until the sentinel knows the replica (it learns of it from the
    /// master's INFO), without which it has nothing to promote.
    fn wait_replica_known(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self
            .ask(&["sentinel", "replicas", MASTER_NAME])
            .contains(&self.replica.0.to_string())
        {
            assert!(
                Instant::now() < deadline,
                "the sentinel never saw the replica"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn kill_master(&mut self) {
        if let Some(mut c) = self.master.1.take() {
            c.kill().ok();
            c.wait().ok();
        }
    }

    fn settings(&self, prefix: &str) -> impl Fn(&mut cortege_server::config::Config) + use<> {
        let sentinels = vec![format!("127.0.0.1:{}", self.sentinel.0)];
        let prefix = prefix.to_owned();
        move |c| {
            c.events_per_hour = 10_000;
            c.requests_per_minute = 100_000;
            c.redis_sentinels = sentinels.clone();
            c.redis_sentinel_master = Some(MASTER_NAME.to_owned());
            c.redis_channel_prefix = prefix.clone();
        }
    }
}

impl Drop for Sentinel {
    fn drop(&mut self) {
        for child in [
            &mut self.master.1,
            &mut self.replica.1,
            &mut self.sentinel.1,
        ] {
            if let Some(mut c) = child.take() {
                c.kill().ok();
                c.wait().ok();
            }
        }
    }
}

#[tokio::test]
async fn the_bus_follows_a_sentinel_failover_and_loses_no_activity() {
    let mut redis = Sentinel::start();
    redis.wait_replica_known();
    let prefix = format!("t{}", uuid::Uuid::new_v4().simple());
    let a = TestApp::spawn_with(redis.settings(&prefix)).await;
    let b = a.replica_with(redis.settings(&prefix)).await;
    wait_bus(&a, "connected").await;
    wait_bus(&b, "connected").await;
    let org = a.member("Olga", "Roux").await;
    let alice = a.member_at("Alice", "Martin", Some(MARSEILLE)).await;

    // Created on one replica, pushed on the other: through the master.
    let mut ws = WsClient::connect(&b, Some(&alice.token)).await;
    ws.subscribe("f", FEED, json!({})).await;
    create_at(&a, &org, "Avant la bascule", MARSEILLE).await;
    assert_eq!(
        ws.next_data("f").await["feed"]["event"]["title"],
        "Avant la bascule"
    );

    let old = redis.master.0;
    redis.kill_master();
    // Events go on being created while the sentinel promotes the replica.
    let mut expected = Vec::new();
    for i in 0..5 {
        let title = format!("Pendant la bascule {i}");
        create_at(&a, &org, &title, MARSEILLE).await;
        expected.push(title);
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while redis.master_port() == Some(old) || redis.master_port().is_none() {
        assert!(Instant::now() < deadline, "the sentinel did not fail over");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(redis.master_port(), Some(redis.replica.0));
    wait_bus(&a, "connected").await;
    wait_bus(&b, "connected").await;
    create_at(&a, &org, "Après la bascule", MARSEILLE).await;
    expected.push("Après la bascule".to_owned());

    // Everything committed reaches the open feed, once and in order.
    let live = feed_items(&mut ws, "f", expected.len()).await;
    assert_eq!(titles(&live), expected);
    ws.assert_silent(Duration::from_millis(300)).await;
}
