//! A real `cortege serve` process on the test's database (and Redis, if
//! the test app has one), to stop with SIGTERM or kill with SIGKILL.
#![allow(dead_code, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use super::TestApp;

pub struct Process {
    child: std::process::Child,
    pub base: String,
}

impl Process {
    pub async fn serve(app: &TestApp, data_dir: &std::path::Path) -> Self {
        Self::serve_with(app, data_dir, &[]).await
    }

    /// With settings of the test's own (`CORTEGE_*` name, value).
    pub async fn serve_with(
        app: &TestApp,
        data_dir: &std::path::Path,
        settings: &[(&str, &str)],
    ) -> Self {
        let port = super::daemon::free_port();
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_cortege"));
        // The server refuses CORTEGE_* variables it does not know, such as
        // the test run's own.
        for (k, _) in std::env::vars() {
            if k.starts_with("CORTEGE_") {
                command.env_remove(k);
            }
        }
        if let Some((redis, prefix)) = app.redis.clone() {
            command
                .env("CORTEGE_REDIS_URL", redis)
                .env("CORTEGE_REDIS_CHANNEL_PREFIX", prefix);
        }
        let child = command
            .arg("serve")
            .env("CORTEGE_LISTEN", format!("127.0.0.1:{port}"))
            .env("CORTEGE_DATABASE_URL", &app.url)
            .env("CORTEGE_DATA_DIR", data_dir)
            .env("CORTEGE_EVENTS_PER_HOUR", "10000")
            .env("RUST_LOG", "warn")
            .envs(settings.iter().copied())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let process = Self { child, base };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = app
                .client
                .get(format!("{}/health/ready", process.base))
                .send()
                .await
                .is_ok_and(|r| r.status() == 200);
            if ready {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "cortege serve did not become ready"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        process
    }

    pub fn terminate(&self) {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).unwrap());
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    }

    /// SIGKILL: no shutdown, no last word.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}
