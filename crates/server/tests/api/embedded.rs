//! `cortege serve` with no configuration at all: starts its own PostgreSQL
#![allow(clippy::unwrap_used)]
//! under the data directory, answers, stops cleanly on SIGTERM, and starts
//! again on the same data.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::common::daemon::free_port;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use serde_json::json;

struct Server {
    child: Child,
    base: String,
    log: mpsc::Receiver<String>,
}

/// Starts the binary in `cwd` with no CORTEGE_* variable but the port, and
/// waits for its "listening on" line.
fn start(cwd: &Path, port: u16) -> Server {
    start_with(cwd, port, &[])
}

fn start_with(cwd: &Path, port: u16, env: &[(&str, String)]) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cortege"));
    cmd.arg("serve")
        .current_dir(cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, _) in std::env::vars() {
        if k.starts_with("CORTEGE_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("CORTEGE_LISTEN", format!("127.0.0.1:{port}"))
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "info");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn cortege");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    loop {
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(line) => {
                let listening = line.contains("listening on http://");
                seen.push(line);
                if listening {
                    break;
                }
            }
            Err(_) => panic!("cortege serve did not start:\n{}", seen.join("\n")),
        }
    }
    Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
        log: rx,
    }
}

impl Server {
    fn stop(mut self) -> Vec<String> {
        kill(Pid::from_raw(self.child.id() as i32), Signal::SIGTERM).unwrap();
        let status = self.child.wait().unwrap();
        let log: Vec<String> = self.log.try_iter().collect();
        assert!(
            status.success(),
            "exit status {status}:\n{}",
            log.join("\n")
        );
        log
    }
}

async fn gql(base: &str, query: &str, variables: serde_json::Value) -> serde_json::Value {
    reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn serve_with_no_configuration_starts_stops_and_restarts_on_the_same_data() {
    // A 0700 home: as root, the postgres user cannot traverse it, so
    // this also covers keeping the cluster elsewhere.
    let home = tempfile::tempdir().unwrap();
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let port = free_port();

    let first = start(home.path(), port);
    let r = gql(&first.base, "{ __typename }", json!({})).await;
    assert_eq!(r, json!({ "data": { "__typename": "Query" } }));
    let r = gql(
        &first.base,
        "mutation($i: SignUpInput!) { signUp(input: $i) { loginCodeSent } }",
        json!({ "i": { "firstName": "Zoé", "lastName": "Leroy", "email": "zoe@example.org", "acceptsPledge": true } }),
    )
    .await;
    assert_eq!(r["data"]["signUp"]["loginCodeSent"], true);
    let mail_dir = home.path().join("data/mail");
    wait_for(|| count(&mail_dir) == 1);
    let log = first.stop();
    assert!(
        log.iter()
            .any(|l| l.contains("embedded PostgreSQL stopped")),
        "{log:?}"
    );

    // Same data: the account still exists, so a login code is sent. This
    // time the cluster also listens on loopback TCP, with passwords.
    let pg_port = free_port();
    let second = start_with(
        home.path(),
        port,
        &[("CORTEGE_EMBEDDED_PG_PORT", pg_port.to_string())],
    );
    let tcp = <sqlx::PgConnection as sqlx::Connection>::connect(&format!(
        "postgres://cortege@127.0.0.1:{pg_port}/cortege"
    ))
    .await;
    let err = tcp.expect_err("TCP needs a password").to_string();
    assert!(err.contains("password"), "{err}");
    let r = gql(
        &second.base,
        "mutation { requestLoginCode(email: \"zoe@example.org\") }",
        json!({}),
    )
    .await;
    assert_eq!(r["data"]["requestLoginCode"], true);
    wait_for(|| count(&mail_dir) == 2);
    second.stop();

    if nix::unistd::Uid::effective().is_root() {
        let data = home.path().join("data").canonicalize().unwrap();
        let base = cortege_server::embedded::fallback_base(&data);
        assert!(
            base.join("pg/PG_VERSION").exists(),
            "cluster kept in {}",
            base.display()
        );
        std::fs::remove_dir_all(base).ok();
    } else {
        assert!(home.path().join("data/pg/PG_VERSION").exists());
    }
}

fn count(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

/// Polls a condition (the server writes mail in the background).
fn wait_for(cond: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let mut wait = Duration::from_millis(5);
    while !cond() {
        assert!(
            std::time::Instant::now() < deadline,
            "condition not met in time"
        );
        std::thread::sleep(wait);
        wait = (wait * 2).min(Duration::from_millis(100));
    }
}
