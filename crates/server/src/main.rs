use std::path::PathBuf;

use anyhow::Context;
use clap::{CommandFactory, Parser, Subcommand};
use cortege_domain::{Email, Role};
use cortege_server::app::{Application, Database};
use cortege_server::config::Config;
use cortege_server::telemetry;

/// Cortège: a self-hosted organising network.
#[derive(Parser)]
#[command(name = "cortege", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    config: Config,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the web client (the embedded database by default).
    Serve,
    /// Bring the database schema and reference data up to date.
    Migrate,
    /// Print the GraphQL schema (SDL), or write it to a file.
    ExportSchema {
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Give a role (MEMBER, MODERATOR, ANALYST, ADMIN) to the account with this email.
    GrantRole { email: String, role: String },
    /// Fill the database with realistic demonstration data (COPY; fast
    /// enough for a million people and events).
    SeedDemo(cortege_server::seed::SeedOptions),
    /// Import the existing member file (CSV with first_name, last_name,
    /// email; optional postcode, phone, tags). Idempotent; refused rows are
    /// listed in FILE.rejected.csv.
    ImportMembers {
        file: PathBuf,
        /// Where to write the report of refused rows.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Create a PostgreSQL login for an analyst, in the read-only
    /// cortege_analyst role; prints its password once. For an existing
    /// login, applies the limits and keeps the password.
    GrantAnalystLogin {
        name: String,
        /// Seconds a statement of this login may run.
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=86_400))]
        statement_timeout: u32,
        /// Connections this login may hold at once.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
        connection_limit: u32,
    },
    /// Take today's member snapshot now (the server takes it every hour;
    /// idempotent per day), rebuilding the days since launch on the first
    /// run, and bring the activity rollup up to date.
    SnapshotStats,
    /// Write this period's digests of new events near home and send them
    /// (once per member and period: running it again sends nothing more).
    SendDigests {
        /// Which members: those who chose daily or weekly digests.
        #[arg(long, value_enum, default_value = "weekly")]
        frequency: DigestChoice,
    },
    /// Exit 0 when the server at CORTEGE_LISTEN is ready (for container
    /// health checks: the image has no curl).
    Healthcheck,
    /// Back up the embedded database and the photos into DIR
    /// (database.dump, media.tar), the server running or not: pg_dump
    /// reads one consistent snapshot.
    Backup { dir: PathBuf },
    /// Restore a backup made by `cortege backup` into this
    /// CORTEGE_DATA_DIR, which must hold no database yet.
    Restore { dir: PathBuf },
    /// Print every table's row count and a checksum of its rows, to
    /// compare a restored database with its original.
    TableChecksums,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DigestChoice {
    Daily,
    Weekly,
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

// The allocator is most of a list request's own cost: see
// docs/performance.md for the measurement behind the default.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(all(feature = "jemalloc", not(feature = "mimalloc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let command = Cli::command();
    let settings = command
        .get_arguments()
        .filter_map(|a| a.get_env())
        .map(|e| e.to_string_lossy().into_owned())
        .chain(cortege_server::config::secret_file_variables());
    if let Err(e) = cortege_server::config::refuse_unknown_variables(settings, std::env::vars_os())
    {
        eprintln!("cortege: {e}");
        return std::process::ExitCode::from(2);
    }
    let mut cli = Cli::parse();
    if let Err(e) = cli.config.read_secret_files(|name| std::env::var_os(name)) {
        eprintln!("cortege: {e}");
        return std::process::ExitCode::from(2);
    }
    let traces = match telemetry::init(cli.config.traces().as_ref()) {
        Ok(traces) => traces,
        Err(e) => {
            eprintln!("cortege: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    let ran = run(cli).await;
    if let Some(traces) = traces {
        traces.shutdown().await;
    }
    match ran {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cortege: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve => {
            let app = Application::build(cli.config).await?;
            app.run_until(shutdown_signal()).await
        }
        Command::Healthcheck => healthcheck(cli.config.listen).await,
        Command::Backup { dir } => {
            cortege_server::backup::backup(&cli.config, &dir).await?;
            println!("backed up into {}", dir.display());
            Ok(())
        }
        Command::Restore { dir } => {
            cortege_server::backup::restore(&cli.config, &dir).await?;
            println!("restored from {}", dir.display());
            Ok(())
        }
        Command::TableChecksums => {
            let db = Database::open(&cli.config).await?;
            let sums = cortege_db::maintenance::table_checksums(&db.pool).await;
            db.close().await?;
            for t in sums? {
                println!("{}\t{}\t{}", t.table, t.rows, t.checksum);
            }
            Ok(())
        }
        Command::SendDigests { frequency } => {
            let frequency = match frequency {
                DigestChoice::Daily => cortege_domain::DigestFrequency::Daily,
                DigestChoice::Weekly => cortege_domain::DigestFrequency::Weekly,
            };
            let (written, sent) = cortege_server::app::send_digests(cli.config, frequency).await?;
            println!("{written} digests written for this period, {sent} mails handled");
            Ok(())
        }
        Command::Migrate => {
            let db = Database::open(&cli.config).await?;
            println!("database up to date");
            db.close().await
        }
        Command::ExportSchema { out } => {
            let sdl = cortege_graphql::schema_sdl();
            match out {
                Some(path) => std::fs::write(&path, sdl)
                    .with_context(|| format!("writing {}", path.display())),
                None => {
                    print!("{sdl}");
                    Ok(())
                }
            }
        }
        Command::SeedDemo(options) => {
            let db = Database::open(&cli.config).await?;
            let seeded = cortege_server::seed::seed(&db.pool, &options).await;
            db.close().await?;
            seeded
        }
        Command::ImportMembers { file, report } => {
            let db = Database::open(&cli.config).await?;
            let started = std::time::Instant::now();
            let result = cortege_server::import::import_members(&db.pool, &file, report).await;
            db.close().await?;
            let s = result?;
            println!(
                "{} rows in {:.1}s: {} new, {} updated, {} unchanged, {} refused (see {})",
                s.rows,
                started.elapsed().as_secs_f64(),
                s.inserted,
                s.updated,
                s.unchanged,
                s.rejected,
                s.report.display()
            );
            Ok(())
        }
        Command::GrantAnalystLogin {
            name,
            statement_timeout,
            connection_limit,
        } => {
            let db = Database::open(&cli.config).await?;
            let limits = cortege_db::analytics::LoginLimits {
                statement_timeout_seconds: statement_timeout,
                connection_limit,
            };
            let result = cortege_db::analytics::create_login(&db.pool, &name, limits).await;
            db.close().await?;
            match result? {
                Some(password) => println!(
                    "login {name} created in role cortege_analyst; password (shown once): {password}"
                ),
                None => println!(
                    "login {name} exists: statement timeout {statement_timeout} s, \
                     {connection_limit} connections; password unchanged"
                ),
            }
            Ok(())
        }
        Command::SnapshotStats => {
            let db = Database::open(&cli.config).await?;
            let stats =
                cortege_app::stats::Statistics::new(db.pool.clone(), None, cli.config.min_cell());
            let result = async {
                let marks = stats.flush().await?;
                let day = cortege_app::stats::paris_today(chrono::Utc::now());
                let rows = stats.snapshot(day).await?;
                Ok::<_, cortege_app::Error>((marks, day, rows))
            }
            .await;
            db.close().await?;
            let (marks, day, rows) = result.map_err(anyhow::Error::msg)?;
            println!("snapshot of {day}: {rows} rows written; rollup: {marks} marks flushed");
            Ok(())
        }
        Command::GrantRole { email, role } => {
            let email =
                Email::parse(&email, "email").map_err(|e| anyhow::anyhow!("{email}: {e}"))?;
            let role = Role::parse(&role).with_context(|| {
                format!("{role}: the role must be MEMBER, MODERATOR, ANALYST or ADMIN")
            })?;
            let db = Database::open(&cli.config).await?;
            let granted =
                cortege_db::people::grant_role(&db.pool, email.as_str(), role, None).await;
            db.close().await?;
            if granted? {
                println!("{} is now {}", email.as_str(), role.as_str());
                Ok(())
            } else {
                anyhow::bail!("no account has the email {}", email.as_str())
            }
        }
    }
}

/// GET /health/ready on the listen address (a wildcard address means this
/// host) and expect 200.
async fn healthcheck(listen: std::net::SocketAddr) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut addr = listen;
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let check = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        stream
            .write_all(
                b"GET /health/ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
            )
            .await?;
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).await?;
        Ok::<_, std::io::Error>(head)
    };
    let head = tokio::time::timeout(std::time::Duration::from_secs(3), check)
        .await
        .context("no answer within 3 s")?
        .with_context(|| format!("asking {addr}"))?;
    if head.starts_with(b"HTTP/1.1 200") {
        Ok(())
    } else {
        anyhow::bail!("not ready: {}", String::from_utf8_lossy(&head))
    }
}
