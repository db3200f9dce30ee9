//! What happens on the clock: reminders before events (checked every
//! half minute) and digests (once a day at CORTEGE_DIGEST_HOUR, Europe/
//! Paris; weekly ones on Mondays). Both are idempotent in the database,
//! so every replica may run them.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Europe::Paris;
use cortege_db::notify::{digests, reminders};
use cortege_domain::DigestFrequency;

use crate::App;

const REMINDER_CHECK: Duration = Duration::from_secs(30);

/// The digest period `at` falls in: "2026-12-02" for daily digests,
/// "2026-W49" for weekly ones (ISO weeks, Europe/Paris).
pub fn period(frequency: DigestFrequency, at: DateTime<Utc>) -> Option<String> {
    let local = at.with_timezone(&Paris);
    match frequency {
        DigestFrequency::Never => None,
        DigestFrequency::Daily => Some(local.format("%Y-%m-%d").to_string()),
        DigestFrequency::Weekly => {
            let week = local.iso_week();
            Some(format!("{}-W{:02}", week.year(), week.week()))
        }
    }
}

/// Whether this period's digest is due at `at`: from the digest hour of
/// the day (of the Monday, for weekly ones) on.
fn due(frequency: DigestFrequency, at: DateTime<Utc>, hour: u32) -> bool {
    let local = at.with_timezone(&Paris);
    let past_hour = local.hour() >= hour;
    match frequency {
        DigestFrequency::Never => false,
        DigestFrequency::Daily => past_hour,
        DigestFrequency::Weekly => local.weekday() != chrono::Weekday::Mon || past_hour,
    }
}

/// Writes this period's digests (what `cortege send-digests` and the
/// clock do): once per member and period, however often it runs.
pub async fn schedule_digests(
    app: &App,
    frequency: DigestFrequency,
    at: DateTime<Utc>,
) -> Result<u64, cortege_db::Error> {
    let Some(period) = period(frequency, at) else {
        return Ok(0);
    };
    let span = match frequency {
        DigestFrequency::Weekly => chrono::Duration::days(7),
        _ => chrono::Duration::days(1),
    };
    let written = digests::schedule(&app.pool, frequency, &period, at - span).await?;
    if written > 0 {
        let mut tx = cortege_db::begin(&app.pool).await?;
        cortege_db::notify::deliveries::signal(&mut tx).await?;
        tx.commit().await?;
        tracing::info!(period, written, "digests written");
    }
    Ok(written)
}

/// Records the reminders whose time has come.
pub async fn reminders(app: &App) -> Result<usize, cortege_db::Error> {
    reminders::record_due(&app.pool, &app.notify.settings.reminder_hours).await
}

/// Runs the clock until `stopping`.
pub fn spawn(
    app: Arc<App>,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut scheduled: [Option<String>; 2] = [None, None];
        loop {
            if *stopping.borrow() {
                return;
            }
            if let Err(e) = reminders(&app).await
                && !e.is_unavailable()
            {
                tracing::error!(error = %e, "recording reminders failed; retrying");
            }
            let now = Utc::now();
            for (i, f) in [DigestFrequency::Daily, DigestFrequency::Weekly]
                .into_iter()
                .enumerate()
            {
                let p = period(f, now);
                if due(f, now, app.notify.settings.digest_hour) && scheduled[i] != p {
                    match schedule_digests(&app, f, now).await {
                        Ok(_) => scheduled[i] = p,
                        Err(e) => {
                            tracing::error!(error = %e, "scheduling digests failed; retrying")
                        }
                    }
                }
            }
            tokio::select! {
                () = tokio::time::sleep(REMINDER_CHECK) => {}
                Ok(()) = stopping.changed() => {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_paris_days_and_iso_weeks() {
        // 23:30 UTC on Sunday 6 December 2026 is Monday 00:30 in Paris.
        let at = DateTime::parse_from_rfc3339("2026-12-06T23:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(period(DigestFrequency::Daily, at).unwrap(), "2026-12-07");
        assert_eq!(period(DigestFrequency::Weekly, at).unwrap(), "2026-W50");
        assert!(!due(DigestFrequency::Weekly, at, 8));
        assert!(due(
            DigestFrequency::Weekly,
            at + chrono::Duration::hours(8),
            8
        ));
    }
}
