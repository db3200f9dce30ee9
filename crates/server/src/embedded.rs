//! The embedded default database: a PostgreSQL cluster under the data
//! directory, initialised on first use and started with the machine's own
//! PostgreSQL binaries, reachable only through a Unix socket.
//!
//! initdb and postgres refuse to run as root, so when Cortège runs as root
//! (containers, CI) they run as the `postgres` system user, which must own
//! the cluster. If that user cannot reach the data directory (a checkout in
//! a 0700 home, say), the cluster lives under /var/lib/cortege instead, in a
//! folder named after the data directory so every subcommand finds it.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, bail};
use nix::unistd::{Gid, Uid, User};
use sha2::{Digest, Sha256};
use sqlx::postgres::PgConnectOptions;
use tokio::process::Command;

/// The cluster's superuser and database.
const ROLE: &str = "cortege";
const DATABASE: &str = "cortege";
/// Unix socket paths are limited to 107 bytes; keep a margin for the file name.
const MAX_SOCKET_DIR_LEN: usize = 90;

#[derive(Debug)]
pub struct EmbeddedPostgres {
    bin_dir: PathBuf,
    pgdata: PathBuf,
    socket_dir: PathBuf,
    log_file: PathBuf,
    run_as: Option<(Uid, Gid)>,
    /// The port: the Unix socket's name, and the loopback TCP port when
    /// `tcp` is set.
    port: u16,
    tcp: bool,
    /// Whether this process started the cluster, and so must stop it.
    started_here: bool,
}

/// Where Debian installs each PostgreSQL major's server programs.
const DEBIAN_PG_ROOT: &str = "/usr/lib/postgresql";

/// The directory holding initdb, pg_ctl and postgres for the cluster in
/// `pgdata`. Under Debian's versioned directories (`root`): the cluster's
/// own major (its `PG_VERSION`) when it exists, since a newer major cannot
/// open it (an upgrade that installs PostgreSQL 16 next to 15 must not
/// leave the cluster unable to start), else the newest. Elsewhere: PATH.
fn find_bin_dir(root: &Path, pgdata: &Path) -> anyhow::Result<Option<PathBuf>> {
    let has_all = |dir: &Path| {
        ["initdb", "pg_ctl", "postgres"]
            .iter()
            .all(|b| dir.join(b).is_file())
    };
    let mut installed: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, dir)| has_all(dir))
        .collect();
    installed.sort_by_key(|d| std::cmp::Reverse(d.0));
    let cluster_major = std::fs::read_to_string(pgdata.join("PG_VERSION"))
        .ok()
        .and_then(|v| v.trim().parse::<u32>().ok());
    match (cluster_major, installed.first()) {
        (Some(major), Some(_)) => match installed.iter().find(|(v, _)| *v == major) {
            Some((_, dir)) => Ok(Some(dir.clone())),
            None => {
                let found: Vec<String> = installed.iter().map(|(v, _)| v.to_string()).collect();
                bail!(
                    "the embedded cluster in {} was made by PostgreSQL {major}, whose server \
                     programs are not installed (found: {}): install postgresql-{major} next to \
                     the newer one, then see docs/operations.md (Upgrades) to move the cluster",
                    pgdata.display(),
                    found.join(", ")
                )
            }
        },
        (None, Some((_, dir))) => Ok(Some(dir.clone())),
        (_, None) => Ok(std::env::var_os("PATH")
            .iter()
            .flat_map(std::env::split_paths)
            .find(|dir| has_all(dir))),
    }
}

/// Runs a PostgreSQL (or other) program to its end; its output is the
/// error when it fails.
pub(crate) async fn run(mut cmd: Command, what: &str) -> anyhow::Result<()> {
    let out = cmd
        .output()
        .await
        .with_context(|| format!("running {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

fn short_hash(path: &Path) -> String {
    let digest = Sha256::digest(path.as_os_str().as_encoded_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Where the cluster of `data_dir` lives when the postgres user cannot reach
/// `data_dir` itself (only when running as root).
pub fn fallback_base(data_dir: &Path) -> PathBuf {
    Path::new("/var/lib/cortege").join(short_hash(data_dir))
}

/// Whether `user` can traverse every directory down to `path`.
fn traversable_by(path: &Path, user: &User) -> bool {
    path.ancestors().all(|dir| match std::fs::metadata(dir) {
        Ok(m) => {
            let mode = m.mode();
            if m.uid() == user.uid.as_raw() {
                mode & 0o100 != 0
            } else if m.gid() == user.gid.as_raw() {
                mode & 0o010 != 0
            } else {
                mode & 0o001 != 0
            }
        }
        Err(_) => true, // not created yet: we create it traversable
    })
}

fn chown_to(path: &Path, run_as: Option<(Uid, Gid)>) -> anyhow::Result<()> {
    if let Some((uid, gid)) = run_as {
        nix::unistd::chown(path, Some(uid), Some(gid))
            .with_context(|| format!("giving {} to the postgres user", path.display()))?;
    }
    Ok(())
}

impl EmbeddedPostgres {
    /// Finds (or initialises) the cluster for `data_dir` and makes sure it
    /// runs: an already running cluster (a server using the same data
    /// directory) is shared, not restarted.
    /// With `tcp_port`, the cluster also listens on 127.0.0.1 at that port
    /// (password authentication), so a BI tool can connect.
    pub async fn start(
        data_dir: &Path,
        bin_dir: Option<PathBuf>,
        tcp_port: Option<u16>,
    ) -> anyhow::Result<Self> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating the data directory {}", data_dir.display()))?;
        let data_dir = data_dir.canonicalize()?;

        let (run_as, base) = if Uid::effective().is_root() {
            let user = User::from_name("postgres")?.context(
                "running as root, the embedded PostgreSQL needs an unprivileged 'postgres' system \
                 user (the Debian postgresql package creates it), or set CORTEGE_DATABASE_URL",
            )?;
            let base = if traversable_by(&data_dir, &user) {
                data_dir.clone()
            } else {
                let base = fallback_base(&data_dir);
                tracing::info!(
                    data_dir = %data_dir.display(),
                    cluster = %base.display(),
                    "the postgres user cannot reach the data directory; keeping the cluster elsewhere"
                );
                std::fs::create_dir_all(&base)?;
                std::fs::set_permissions(
                    "/var/lib/cortege",
                    std::fs::Permissions::from_mode(0o755),
                )?;
                base
            };
            (Some((user.uid, user.gid)), base)
        } else {
            (None, data_dir.clone())
        };

        let pgdata = base.join("pg");
        let bin_dir = match bin_dir {
            Some(dir) => Some(dir),
            None => find_bin_dir(Path::new(DEBIAN_PG_ROOT), &pgdata)?,
        };
        let Some(bin_dir) = bin_dir else {
            bail!(
                "PostgreSQL's server programs (initdb, pg_ctl, postgres) were not found: install \
                 them (on Debian: apt-get install postgresql postgresql-contrib) or set \
                 CORTEGE_DATABASE_URL to use an existing PostgreSQL server."
            );
        };
        let mut socket_dir = base.join("pg-run");
        if socket_dir.as_os_str().len() > MAX_SOCKET_DIR_LEN {
            socket_dir = std::env::temp_dir().join(format!("cortege-{}", short_hash(&data_dir)));
        }
        for dir in [&pgdata, &socket_dir] {
            std::fs::create_dir_all(dir)?;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            chown_to(dir, run_as)?;
        }
        let log_file = base.join("postgres.log");

        let mut pg = Self {
            bin_dir,
            pgdata,
            socket_dir,
            log_file,
            run_as,
            port: tcp_port.unwrap_or(5432),
            tcp: tcp_port.is_some(),
            started_here: false,
        };
        if !pg.pgdata.join("PG_VERSION").exists() {
            pg.initdb().await?;
        }
        if pg.tcp {
            pg.refuse_tcp_trust()?;
        }
        if !pg.is_running().await? {
            pg.pg_ctl_start().await?;
        }
        pg.ensure_database().await?;
        Ok(pg)
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin_dir.join(program));
        cmd.current_dir(&self.pgdata)
            .env("LC_ALL", "C.UTF-8")
            .stdin(Stdio::null())
            .kill_on_drop(false);
        if let Some((uid, gid)) = self.run_as {
            cmd.uid(uid.as_raw()).gid(gid.as_raw());
        }
        cmd
    }

    async fn initdb(&self) -> anyhow::Result<()> {
        tracing::info!(pgdata = %self.pgdata.display(), "initialising the embedded PostgreSQL cluster");
        let mut cmd = self.command("initdb");
        // The socket is the owner's alone, so trust is safe there; TCP, when
        // enabled, needs a password.
        cmd.arg("-D").arg(&self.pgdata).args([
            "-U",
            ROLE,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--no-locale",
            "--no-instructions",
        ]);
        run(cmd, "initdb").await
    }

    /// A cluster initialised to trust TCP connections must not open a port.
    fn refuse_tcp_trust(&self) -> anyhow::Result<()> {
        let hba = std::fs::read_to_string(self.pgdata.join("pg_hba.conf"))?;
        let trusting = hba.lines().any(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words.first().is_some_and(|w| w.starts_with("host")) && words.last() == Some(&"trust")
        });
        if trusting {
            bail!(
                "CORTEGE_EMBEDDED_PG_PORT is set but {} trusts TCP connections without a \
                 password: change their method to scram-sha-256 first",
                self.pgdata.join("pg_hba.conf").display()
            );
        }
        Ok(())
    }

    async fn is_running(&self) -> anyhow::Result<bool> {
        let mut cmd = self.command("pg_ctl");
        cmd.arg("status")
            .arg("-D")
            .arg(&self.pgdata)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // 0: running; 3: not running; 4: no usable data directory.
        Ok(cmd
            .status()
            .await
            .context("running pg_ctl status")?
            .success())
    }

    async fn pg_ctl_start(&mut self) -> anyhow::Result<()> {
        // Only the Unix socket, readable by the cluster's owner alone (trust
        // authentication is then safe).
        let listen = if self.tcp { "127.0.0.1" } else { "" };
        let options = format!(
            "-c listen_addresses='{listen}' -p {} -c unix_socket_directories='{}' \
             -c unix_socket_permissions=0700",
            self.port,
            self.socket_dir.display()
        );
        let mut cmd = self.command("pg_ctl");
        cmd.arg("start")
            .arg("-D")
            .arg(&self.pgdata)
            .arg("-l")
            .arg(&self.log_file)
            .args(["-w", "-t", "120", "-o", &options])
            .stdout(Stdio::null());
        if self.run_as.is_some() {
            // The log file must be writable by the postgres user.
            if !self.log_file.exists() {
                std::fs::write(&self.log_file, b"")?;
            }
            chown_to(&self.log_file, self.run_as)?;
        }
        match run(cmd, "pg_ctl start").await {
            Ok(()) => {
                self.started_here = true;
                tracing::info!(socket = %self.socket_dir.display(), "embedded PostgreSQL started");
                Ok(())
            }
            // Another cortege process may have started it meanwhile.
            Err(e) if self.is_running().await? => {
                tracing::debug!(error = %e, "the cluster was started by another process");
                Ok(())
            }
            Err(e) => Err(e.context(format!("see {}", self.log_file.display()))),
        }
    }

    fn options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.socket_dir)
            .port(self.port)
            .username(ROLE)
            .database(database)
    }

    async fn ensure_database(&self) -> anyhow::Result<()> {
        cortege_db::create_database_if_missing(&self.options("postgres"), DATABASE)
            .await
            .context("creating the database in the embedded PostgreSQL")
    }

    /// A client tool of the cluster's own major (`pg_dump`, `pg_restore`),
    /// pointed at its database through the socket. It runs as this process's
    /// user, who writes and reads the backup files.
    pub fn client(&self, tool: &str) -> Command {
        let mut cmd = Command::new(self.bin_dir.join(tool));
        cmd.env("PGHOST", &self.socket_dir)
            .env("PGPORT", self.port.to_string())
            .env("PGUSER", ROLE)
            .env("PGDATABASE", DATABASE)
            .stdin(Stdio::null());
        cmd
    }

    /// How to connect to the cluster's database.
    pub fn connect_options(&self) -> PgConnectOptions {
        self.options(DATABASE)
    }

    /// Stops the cluster if this process started it (fast shutdown: open
    /// transactions roll back, committed data is safe).
    pub async fn stop(self) -> anyhow::Result<()> {
        if !self.started_here {
            return Ok(());
        }
        let mut cmd = self.command("pg_ctl");
        cmd.arg("stop")
            .arg("-D")
            .arg(&self.pgdata)
            .args(["-m", "fast", "-w"])
            .stdout(Stdio::null());
        match run(cmd, "pg_ctl stop").await {
            Ok(()) => {
                tracing::info!("embedded PostgreSQL stopped");
                Ok(())
            }
            // A Ctrl-C in a terminal may have reached it first.
            Err(_) if !self.is_running().await? => Ok(()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Debian-like tree with the given majors' server programs (empty
    /// files: only their presence is looked at).
    fn tree(majors: &[u32]) -> PathBuf {
        let root = std::env::temp_dir().join(format!(
            "cortege-pgroot-{}-{}",
            std::process::id(),
            majors
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join("-")
        ));
        for major in majors {
            let bin = root.join(major.to_string()).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            for program in ["initdb", "pg_ctl", "postgres"] {
                std::fs::write(bin.join(program), "").unwrap();
            }
        }
        root
    }

    fn cluster(root: &Path, major: Option<u32>) -> PathBuf {
        let pgdata = root.join(format!("pgdata-{major:?}"));
        std::fs::create_dir_all(&pgdata).unwrap();
        if let Some(major) = major {
            std::fs::write(pgdata.join("PG_VERSION"), format!("{major}\n")).unwrap();
        }
        pgdata
    }

    #[test]
    fn an_existing_cluster_runs_on_its_own_major_a_new_one_on_the_newest() {
        let root = tree(&[15, 16]);
        let old = cluster(&root, Some(15));
        assert_eq!(
            find_bin_dir(&root, &old).unwrap(),
            Some(root.join("15/bin"))
        );
        let new = cluster(&root, None);
        assert_eq!(
            find_bin_dir(&root, &new).unwrap(),
            Some(root.join("16/bin"))
        );
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_cluster_whose_major_is_gone_is_refused_with_what_to_install() {
        let root = tree(&[16, 17]);
        let old = cluster(&root, Some(15));
        let e = find_bin_dir(&root, &old).unwrap_err().to_string();
        assert!(
            e.contains("made by PostgreSQL 15")
                && e.contains("found: 17, 16")
                && e.contains("install postgresql-15"),
            "{e}"
        );
        std::fs::remove_dir_all(root).unwrap();
    }
}
