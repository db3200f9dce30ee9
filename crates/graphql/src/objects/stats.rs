//! Statistics for the national team and analysts.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use cortege_db::stats::{self as db_stats, Filter};
use cortege_domain::Role;

use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult};
use crate::guard::RoleGuard;
use crate::objects::event::EventKind;

pub use cortege_domain::StatsDimension;

/// Filters of stats.activity; they combine. Times apply to startsAt.
#[derive(InputObject, Default)]
pub struct StatsFilter {
    /// Inclusive.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub to: Option<DateTime<Utc>>,
    pub kinds: Option<Vec<EventKind>>,
    pub department_code: Option<String>,
    pub region_code: Option<String>,
}

/// Activity in one bucket.
#[derive(SimpleObject)]
pub struct StatsBucket {
    pub key: String,
    /// A human label: commune, department or region name; the key otherwise.
    pub label: String,
    /// Events neither cancelled nor removed.
    pub events: i32,
    /// Seats of GOING RSVPs (1 + guests each).
    pub rsvps: i32,
    /// Distinct people with a GOING RSVP.
    pub participants: i32,
    /// Leaflets handed out, summed over the events that reported it
    /// (reportOutcome); null when none did. So are the figures below.
    pub leaflets: Option<i32>,
    pub doors_knocked: Option<i32>,
    pub conversations: Option<i32>,
    pub posters: Option<i32>,
    pub signatures: Option<i32>,
    /// Seats (1 + guests) of the parties marked as having come, over the
    /// events that took attendance (markAttendance, checkIn); null when
    /// none did.
    pub attended: Option<i32>,
}

/// Counts across the whole movement.
#[derive(SimpleObject)]
pub struct Totals {
    /// Accounts neither deleted nor banned.
    pub people: i32,
    pub events: i32,
    pub upcoming_events: i32,
    pub rsvps: i32,
    pub groups: i32,
    pub open_reports: i32,
}

fn int(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

pub struct Stats;

#[Object]
impl Stats {
    async fn totals(&self, ctx: &Context<'_>) -> ApiResult<Totals> {
        let t = db_stats::totals(ctx.analytics_pool()).await?;
        Ok(Totals {
            people: int(t.people),
            events: int(t.events),
            upcoming_events: int(t.upcoming_events),
            rsvps: int(t.rsvps),
            groups: int(t.groups),
            open_reports: int(t.open_reports),
        })
    }

    /// Events, attendances and distinct participants per bucket, largest first.
    async fn activity(
        &self,
        ctx: &Context<'_>,
        group_by: StatsDimension,
        filter: Option<StatsFilter>,
    ) -> ApiResult<Vec<StatsBucket>> {
        let f = filter.unwrap_or_default();
        let code = |raw: Option<String>, field: &str| -> ApiResult<Option<String>> {
            match raw.map(|s| s.trim().to_uppercase()) {
                Some(s)
                    if s.is_empty()
                        || s.len() > 3
                        || !s.chars().all(|c| c.is_ascii_alphanumeric()) =>
                {
                    Err(ApiError::bad_input(field, "is not an INSEE code"))
                }
                other => Ok(other),
            }
        };
        let filter = Filter {
            from: f.from,
            to: f.to,
            kinds: f.kinds,
            department: code(f.department_code, "filter.departmentCode")?,
            region: code(f.region_code, "filter.regionCode")?,
        };
        let dimension = group_by;
        let asked = ctx.look_ahead();
        let extras = db_stats::Extras {
            participants: asked.field("participants").exists(),
            outcomes: [
                "leaflets",
                "doorsKnocked",
                "conversations",
                "posters",
                "signatures",
            ]
            .iter()
            .any(|f| asked.field(f).exists()),
            attended: asked.field("attended").exists(),
        };
        let buckets = db_stats::activity(ctx.analytics_pool(), dimension, &filter, extras).await?;
        Ok(buckets
            .into_iter()
            .map(|b| StatsBucket {
                key: b.key,
                label: b.label,
                events: int(b.events),
                rsvps: int(b.rsvps),
                participants: int(b.participants),
                leaflets: b.leaflets.map(int),
                doors_knocked: b.doors_knocked.map(int),
                conversations: b.conversations.map(int),
                posters: b.posters.map(int),
                signatures: b.signatures.map(int),
                attended: b.attended.map(int),
            })
            .collect())
    }
}

#[derive(Default)]
pub struct StatsQuery;

#[Object]
impl StatsQuery {
    /// Analysts and admins only; null with FORBIDDEN for anyone else.
    #[graphql(guard = "RoleGuard::any(&[Role::Analyst, Role::Admin])")]
    async fn stats(&self) -> Option<Stats> {
        Some(Stats)
    }
}
