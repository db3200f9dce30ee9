//! Rows as COPY's text format wants them, and the loop that streams them.

use anyhow::Context;
use chrono::{DateTime, Utc};
use cortege_db::PgPool;
use cortege_db::bulk::{Table, copy_escape, copy_from};
use tokio::sync::mpsc;

/// Rows per COPY chunk.
pub(super) const CHUNK_ROWS: usize = 5_000;

/// earthdistance's ll_to_earth, computed here so COPY can load it.
pub(super) fn earth(lat: f64, lon: f64) -> String {
    const R: f64 = 6_378_168.0;
    let (la, lo) = (lat.to_radians(), lon.to_radians());
    format!(
        "({}, {}, {})",
        R * la.cos() * lo.cos(),
        R * la.cos() * lo.sin(),
        R * la.sin()
    )
}

pub(super) fn field(out: &mut String, value: &str) {
    copy_escape(value, out);
    out.push('\t');
}

/// A nullable value: COPY's `\N` when absent.
pub(super) fn opt_field(out: &mut String, value: Option<String>) {
    match value {
        Some(v) => field(out, &v),
        None => out.push_str("\\N\t"),
    }
}

pub(super) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

/// Runs `produce` on a blocking thread, each call filling one chunk (false
/// when done), while the chunks stream into `statement`.
pub(super) async fn copy<F>(pool: &PgPool, table: Table, mut produce: F) -> anyhow::Result<u64>
where
    F: FnMut(&mut String) -> bool + Send + 'static,
{
    let (tx, rx) = mpsc::channel::<Vec<u8>>(8);
    let producer = tokio::task::spawn_blocking(move || {
        loop {
            let mut chunk = String::with_capacity(CHUNK_ROWS * 200);
            let more = produce(&mut chunk);
            if !chunk.is_empty() && tx.blocking_send(chunk.into_bytes()).is_err() {
                return;
            }
            if !more {
                return;
            }
        }
    });
    let copied = copy_from(pool, table, rx).await?;
    producer.await.context("seed producer")?;
    Ok(copied)
}
