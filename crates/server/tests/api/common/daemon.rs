//! Server processes of a test's own (Redis, Sentinel, cluster nodes) on
//! loopback ports, killed when the test drops them.
#![allow(dead_code, clippy::unwrap_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free loopback port, as the kernel picks one.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits (ten seconds at most) until something listens on `port`.
pub fn wait_listening(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A running process, killed (and waited for) when dropped or killed.
pub struct Daemon(Option<Child>);

impl Daemon {
    /// Starts `command` and waits until it listens on `port`.
    pub fn start(mut command: Command, port: u16) -> Self {
        let child = command
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{command:?} (installed by scripts/test): {e}"));
        wait_listening(port);
        Self(Some(child))
    }

    /// A memory-only Redis on `port`, with the test's `args`.
    pub fn redis(port: u16, args: &[&str]) -> Self {
        let mut command = Command::new("redis-server");
        command
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .args(args);
        Self::start(command, port)
    }

    pub fn is_running(&self) -> bool {
        self.0.is_some()
    }

    pub fn kill(&mut self) {
        if let Some(mut child) = self.0.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill();
    }
}

/// What `redis-cli -p PORT ARGS…` prints.
pub fn redis_cli(port: u16, args: &[&str]) -> String {
    let out = Command::new("redis-cli")
        .args(["-p", &port.to_string()])
        .args(args)
        .output()
        .expect("redis-cli (installed by scripts/test)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
