//! Statistics for the national team and analysts: activity by place,
//! kind and period, members now and over time, every count of people
//! under the small-cell rule.
//!
//! Reads go to the analytics pool (a replica when configured); the
//! rollup's pending marks are flushed on the primary first when they are
//! few (one batch), so an answer counts everything committed before it was
//! asked; a larger backlog (an import, a burst) is left to the background
//! job ([`spawn`]), which keeps the marks few and takes the daily member
//! snapshot, and the answer is as of its last flush.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use cortege_db::PgPool;
use cortege_db::stats::{self as db, Dimension, Extras, Filter, MembersFilter, Sketches};
use cortege_domain::stats::{Breakdown, MinCell, breakdown_rows, per_ten_thousand};
use tokio::sync::OnceCell;

use crate::{Error, Result};

pub use db::Totals;

/// The statistics of one deployment.
pub struct Statistics {
    primary: PgPool,
    reader: PgPool,
    min_cell: MinCell,
    sketches: OnceCell<Sketches>,
}

/// Which figures the client asked for, so that each costs only when read.
#[derive(Debug, Clone, Copy, Default)]
pub struct Asked {
    pub participants: bool,
    pub outcomes: bool,
    pub attended: bool,
    pub per_capita: bool,
}

/// Activity in one bucket, as shown: participants None when suppressed
/// (or not asked).
#[derive(Debug, Clone, PartialEq)]
pub struct Bucket {
    pub keys: Vec<String>,
    pub labels: Vec<String>,
    pub events: i64,
    pub rsvps: i64,
    pub participants: Option<i64>,
    /// Whether a participant count exists but is too small to show.
    pub participants_suppressed: bool,
    /// Outcomes and attended seats, None where nothing was reported.
    pub figures: db::Figures,
    pub per_ten_thousand: Option<f64>,
}

/// Members in one bucket, as shown: counts below the small-cell threshold
/// are None.
#[derive(Debug, Clone, PartialEq)]
pub struct MembersBucket {
    pub key: String,
    pub label: String,
    pub members: Option<i64>,
    pub new_members: Option<i64>,
    pub active_30d: Option<i64>,
    pub per_ten_thousand: Option<f64>,
}

impl Statistics {
    /// `reader` is the analytics replica, when there is one.
    pub fn new(primary: PgPool, reader: Option<PgPool>, min_cell: MinCell) -> Self {
        Self {
            reader: reader.unwrap_or_else(|| primary.clone()),
            primary,
            min_cell,
            sketches: OnceCell::new(),
        }
    }

    pub fn min_cell(&self) -> MinCell {
        self.min_cell
    }

    /// Flushes the rollup's pending marks; returns how many it took.
    pub async fn flush(&self) -> Result<u64> {
        let sketches = self.sketches().await?;
        Ok(db::flush(&self.primary, sketches).await?)
    }

    /// What a read does first: see the module doc.
    async fn catch_up(&self) -> Result<()> {
        let sketches = self.sketches().await?;
        db::flush_small(&self.primary, sketches).await?;
        Ok(())
    }

    async fn sketches(&self) -> Result<Sketches> {
        Ok(*self
            .sketches
            .get_or_try_init(|| db::sketches(&self.primary))
            .await?)
    }

    pub async fn totals(&self) -> Result<Totals> {
        self.catch_up().await?;
        Ok(db::totals(&self.reader).await?)
    }

    /// Activity per bucket of the dimensions asked, largest first, at most
    /// `first` rows (see `breakdown_rows`).
    pub async fn breakdown(
        &self,
        breakdown: &Breakdown,
        filter: &Filter,
        first: Option<i32>,
        asked: Asked,
    ) -> Result<Vec<Bucket>> {
        let limit = breakdown_rows(first).map_err(Error::Invalid)?;
        self.buckets(breakdown, filter, limit, asked).await
    }

    /// Activity per bucket of one dimension, every bucket, largest first.
    pub async fn activity(
        &self,
        dimension: Dimension,
        filter: &Filter,
        asked: Asked,
    ) -> Result<Vec<Bucket>> {
        let breakdown = Breakdown::new(vec![dimension]).map_err(Error::Invalid)?;
        self.buckets(&breakdown, filter, i64::MAX, asked).await
    }

    async fn buckets(
        &self,
        breakdown: &Breakdown,
        filter: &Filter,
        limit: i64,
        asked: Asked,
    ) -> Result<Vec<Bucket>> {
        self.catch_up().await?;
        let extras = Extras {
            participants: asked.participants,
            outcomes: asked.outcomes,
            attended: asked.attended,
            population: asked.per_capita,
        };
        let rows = db::breakdown(
            &self.reader,
            breakdown.dimensions(),
            breakdown.place(),
            filter,
            extras,
            self.sketches().await?,
            limit,
        )
        .await?;
        Ok(rows.into_iter().map(|r| self.bucket(r)).collect())
    }

    fn bucket(&self, r: db::Row) -> Bucket {
        let participants = r.participants.and_then(|n| self.min_cell.show(n));
        Bucket {
            participants_suppressed: r.participants.is_some() && participants.is_none(),
            participants,
            per_ten_thousand: per_ten_thousand(r.events, r.population),
            keys: r.keys,
            labels: r.labels,
            events: r.events,
            rsvps: r.rsvps,
            figures: r.figures,
        }
    }

    /// Members per place of residence (now), per period (from the
    /// snapshots), or one national bucket. New members are those who
    /// signed up within the filter's dates, the last 30 days by default.
    pub async fn members(
        &self,
        group_by: Option<Dimension>,
        filter: &MembersFilter,
    ) -> Result<Vec<MembersBucket>> {
        let rows = match group_by {
            Some(Dimension::Kind) => {
                return Err(Error::invalid(
                    "groupBy",
                    "members are grouped by place or period, not by kind",
                ));
            }
            Some(d) if d.is_period() => db::members_by_period(&self.reader, d, filter).await?,
            place => {
                let to = filter.to.unwrap_or_else(Utc::now);
                let from = filter.from.unwrap_or(to - chrono::Duration::days(30));
                db::members_by_place(&self.reader, place, filter, from, to).await?
            }
        };
        Ok(rows
            .into_iter()
            .map(|r| MembersBucket {
                per_ten_thousand: per_ten_thousand(r.members, r.population)
                    .filter(|_| self.min_cell.show(r.members).is_some()),
                members: self.min_cell.show(r.members),
                new_members: self.min_cell.show(r.new_members),
                active_30d: r.active_30d.and_then(|n| self.min_cell.show(n)),
                key: r.key,
                label: r.label,
            })
            .collect())
    }

    /// Takes (or refreshes) the member snapshot of `day`.
    pub async fn snapshot(&self, day: NaiveDate) -> Result<u64> {
        Ok(db::snapshot(&self.primary, day).await?)
    }
}

/// Today in Europe/Paris, the calendar of the snapshots.
pub fn paris_today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&chrono_tz::Europe::Paris).date_naive()
}

/// The statistics job of a server: flushes the rollup's marks every few
/// seconds, so that a read finds little to flush, and takes today's member
/// snapshot every hour (idempotent: the last run of a day stands).
pub fn spawn(
    stats: std::sync::Arc<Statistics>,
    mut stopping: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut flush = tokio::time::interval(Duration::from_secs(5));
        let mut snapshot = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tokio::select! {
                _ = flush.tick() => {
                    if let Err(e) = stats.flush().await {
                        tracing::warn!(error = %e, "statistics: flushing the rollup failed");
                    }
                }
                _ = snapshot.tick() => {
                    let day = paris_today(Utc::now());
                    if let Err(e) = stats.snapshot(day).await {
                        tracing::warn!(error = %e, %day, "statistics: the member snapshot failed");
                    }
                }
                _ = stopping.changed() => return,
            }
        }
    })
}
