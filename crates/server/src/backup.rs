//! Backing up and restoring the embedded default: `cortege backup DIR`
//! writes the database (pg_dump's custom format, from the cluster's own
//! major) and the photos; `cortege restore DIR` puts both into a fresh
//! `CORTEGE_DATA_DIR`. A deployment on its own PostgreSQL backs up with
//! pg_dump or WAL archiving instead (docs/operations.md); the compose file
//! runs a nightly dump.

use std::path::Path;

use anyhow::{Context, bail};
use tokio::process::Command;

use crate::config::Config;
use crate::embedded::{EmbeddedPostgres, run};

const DUMP: &str = "database.dump";
const MEDIA: &str = "media.tar";

fn embedded_only(config: &Config, what: &str) -> anyhow::Result<()> {
    if config.database_url.is_some() {
        bail!(
            "{what} works on the embedded database; with CORTEGE_DATABASE_URL, use pg_dump and \
             pg_restore (docs/operations.md, Backups)"
        );
    }
    Ok(())
}

async fn start(config: &Config) -> anyhow::Result<EmbeddedPostgres> {
    EmbeddedPostgres::start(&config.data_dir, config.pg_bin_dir.clone(), None).await
}

/// Writes `dir/database.dump` and `dir/media.tar` (the directory is made;
/// existing files of the same names are replaced).
pub async fn backup(config: &Config, dir: &Path) -> anyhow::Result<()> {
    embedded_only(config, "cortege backup")?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let pg = start(config).await?;
    let mut dump = pg.client("pg_dump");
    dump.args(["--format=custom", "--no-owner", "--file"])
        .arg(dir.join(DUMP));
    let dumped = run(dump, "pg_dump").await;
    pg.stop().await?;
    dumped?;
    let media = config.data_dir.join("media");
    std::fs::create_dir_all(&media)?;
    let mut tar = Command::new("tar");
    tar.arg("-C")
        .arg(&media)
        .arg("-cf")
        .arg(dir.join(MEDIA))
        .arg(".");
    run(tar, "tar (photos)").await
}

/// Restores what [`backup`] wrote into this `CORTEGE_DATA_DIR`, which must
/// hold no data yet: a restore never mixes two databases.
pub async fn restore(config: &Config, dir: &Path) -> anyhow::Result<()> {
    embedded_only(config, "cortege restore")?;
    let dump = dir.join(DUMP);
    let media_tar = dir.join(MEDIA);
    for file in [&dump, &media_tar] {
        if !file.is_file() {
            bail!(
                "{} is missing: not a directory written by cortege backup",
                file.display()
            );
        }
    }
    let pg = start(config).await?;
    let restored = async {
        let pool = cortege_db::connect(pg.connect_options(), 2).await?;
        let empty = cortege_db::maintenance::is_empty(&pool).await;
        // Roles are the cluster's, not the dump's: the analysts' role its
        // grants name must exist first (their logins are granted anew).
        let role = cortege_db::analytics::ensure_analyst_role(&pool).await;
        pool.close().await;
        if !empty? {
            bail!(
                "{} already holds a database: restore into a new CORTEGE_DATA_DIR",
                config.data_dir.display()
            );
        }
        role?;
        let mut restore = pg.client("pg_restore");
        restore
            .args([
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                "--dbname=cortege",
            ])
            .arg(&dump);
        run(restore, "pg_restore").await
    }
    .await;
    pg.stop().await?;
    restored?;
    let media = config.data_dir.join("media");
    std::fs::create_dir_all(&media)?;
    let mut tar = Command::new("tar");
    tar.arg("-C").arg(&media).arg("-xf").arg(&media_tar);
    run(tar, "tar (photos)").await
}
