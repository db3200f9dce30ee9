//! Redis Sentinel: the bus and the rate limits follow the master through a
//! failover (a real master, replica and sentinel, started by the test).

use crate::common;
use crate::live::FeedThrough;

use std::process::Command;
use std::time::{Duration, Instant};

use common::TestApp;
use common::daemon::{Daemon, free_port, redis_cli};

const MASTER_NAME: &str = "cortege";

/// A master, its replica and one sentinel (quorum 1) on loopback.
struct Sentinel {
    master: (u16, Daemon),
    replica: (u16, Daemon),
    sentinel: (u16, Daemon),
    /// Sentinel's configuration, which it rewrites; removed after the
    /// processes (fields drop in order).
    _dir: tempfile::TempDir,
}

impl Sentinel {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (pm, pr, ps) = (free_port(), free_port(), free_port());
        let master = Daemon::redis(pm, &[]);
        let replica = Daemon::redis(pr, &["--replicaof", "127.0.0.1", &pm.to_string()]);
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
        let mut sentinel = Command::new("redis-server");
        sentinel.arg(&conf).arg("--sentinel");
        Self {
            master: (pm, master),
            replica: (pr, replica),
            sentinel: (ps, Daemon::start(sentinel, ps)),
            _dir: dir,
        }
    }

    fn ask(&self, args: &[&str]) -> String {
        redis_cli(self.sentinel.0, args)
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
        self.master.1.kill();
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

#[tokio::test]
async fn the_bus_follows_a_sentinel_failover_and_loses_no_activity() {
    let mut redis = Sentinel::start();
    redis.wait_replica_known();
    let prefix = format!("t{}", uuid::Uuid::new_v4().simple());
    let a = TestApp::spawn_with(redis.settings(&prefix)).await;
    let b = a.replica_with(redis.settings(&prefix)).await;
    // Created on one replica, pushed on the other: through the master.
    let mut feed = FeedThrough::open(&a, &b).await;
    let old = redis.master.0;
    redis.kill_master();
    // Events go on being created while the sentinel promotes the replica.
    feed.create_during(5).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while redis.master_port() == Some(old) || redis.master_port().is_none() {
        assert!(Instant::now() < deadline, "the sentinel did not fail over");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(redis.master_port(), Some(redis.replica.0));
    feed.receives_everything().await;
}
