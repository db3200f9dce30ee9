//! Statistics for the national team and analysts.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use cortege_app::stats::{Asked, Bucket};
use cortege_db::stats::{Filter, MembersFilter as DbMembersFilter};
use cortege_domain::Role;
use cortege_domain::stats::{Breakdown, insee_code};

use crate::context::ContextExt;
use crate::error::ApiResult;
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

impl StatsFilter {
    /// The filter as the statistics take it (no filter: everything).
    fn parse(f: Option<Self>) -> ApiResult<Filter> {
        let f = f.unwrap_or_default();
        Ok(Filter {
            from: f.from,
            to: f.to,
            kinds: f.kinds,
            department: insee_code(f.department_code, "filter.departmentCode")?,
            region: insee_code(f.region_code, "filter.regionCode")?,
        })
    }
}

/// Filters of stats.members; they combine.
#[derive(InputObject, Default)]
pub struct MembersFilter {
    pub department_code: Option<String>,
    pub region_code: Option<String>,
    /// Inclusive. By place: sign-ups from then count as new (default: 30
    /// days before `to`). By period: the first day shown.
    pub from: Option<DateTime<Utc>>,
    /// Exclusive. By place: the end of the sign-ups counted as new
    /// (default: now). By period: the day after the last one shown.
    pub to: Option<DateTime<Utc>>,
}

impl MembersFilter {
    /// The filter as the statistics take it (no filter: everything).
    fn parse(f: Option<Self>) -> ApiResult<DbMembersFilter> {
        let f = f.unwrap_or_default();
        Ok(DbMembersFilter {
            department: insee_code(f.department_code, "filter.departmentCode")?,
            region: insee_code(f.region_code, "filter.regionCode")?,
            from: f.from,
            to: f.to,
        })
    }
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
    /// Distinct people with a GOING RSVP. Counts under the small-cell
    /// threshold (CORTEGE_STATS_MIN_CELL, default 5) are not shown: this
    /// non-null field then reads 0 and participantsSuppressed is true
    /// (breakdown returns null instead). Above a few hundred people the
    /// count is a HyperLogLog estimate, within about 2.3 % (one standard
    /// error); below, it is exact.
    pub participants: i32,
    /// True when participants is hidden by the small-cell rule.
    pub participants_suppressed: bool,
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
    /// Events per 10,000 inhabitants (INSEE population) for place
    /// dimensions; null otherwise.
    pub per_ten_thousand: Option<f64>,
}

/// Activity in one combination of a breakdown's dimensions.
#[derive(SimpleObject)]
pub struct StatsRow {
    /// One key per dimension, in the order asked.
    pub keys: Vec<String>,
    /// Human labels of the keys, in the same order.
    pub labels: Vec<String>,
    /// Events neither cancelled nor removed.
    pub events: i32,
    /// Seats of GOING RSVPs (1 + guests each).
    pub rsvps: i32,
    /// Distinct people with a GOING RSVP; null under the small-cell
    /// threshold. An estimate within about 2.3 % above a few hundred.
    pub participants: Option<i32>,
    /// Events per 10,000 inhabitants of the finest place among the keys;
    /// null when no key is a place.
    pub per_ten_thousand: Option<f64>,
}

/// Members in one bucket: by place of residence (now), or by period of
/// the daily snapshots.
#[derive(SimpleObject)]
pub struct MembersBucket {
    pub key: String,
    pub label: String,
    /// Accounts neither deleted nor banned (at the period's end, by
    /// period). Null, as every count here, under the small-cell threshold.
    pub members: Option<i32>,
    /// Sign-ups within the filter's dates (by place) or the period.
    pub new_members: Option<i32>,
    /// Members who used a session in the 30 days before (the period's
    /// end); null for days before the first snapshot.
    #[graphql(name = "active30d")]
    pub active30d: Option<i32>,
    /// Members per 10,000 inhabitants of the place (by place), or of the
    /// filtered area or France (by period).
    pub per_ten_thousand: Option<f64>,
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

/// The figures the selection reads, so that each costs only when asked.
fn asked(ctx: &Context<'_>) -> Asked {
    let sel = ctx.look_ahead();
    Asked {
        participants: sel.field("participants").exists()
            || sel.field("participantsSuppressed").exists(),
        outcomes: [
            "leaflets",
            "doorsKnocked",
            "conversations",
            "posters",
            "signatures",
        ]
        .iter()
        .any(|f| sel.field(f).exists()),
        attended: sel.field("attended").exists(),
        per_capita: sel.field("perTenThousand").exists(),
    }
}

impl From<Bucket> for StatsBucket {
    fn from(b: Bucket) -> Self {
        StatsBucket {
            key: b.keys.into_iter().next().unwrap_or_default(),
            label: b.labels.into_iter().next().unwrap_or_default(),
            events: int(b.events),
            rsvps: int(b.rsvps),
            participants: b.participants.map_or(0, int),
            participants_suppressed: b.participants_suppressed,
            leaflets: b.figures.leaflets.map(int),
            doors_knocked: b.figures.doors_knocked.map(int),
            conversations: b.figures.conversations.map(int),
            posters: b.figures.posters.map(int),
            signatures: b.figures.signatures.map(int),
            attended: b.figures.attended.map(int),
            per_ten_thousand: b.per_ten_thousand,
        }
    }
}

pub struct Stats;

#[Object]
impl Stats {
    async fn totals(&self, ctx: &Context<'_>) -> ApiResult<Totals> {
        let t = ctx.stats().totals().await?;
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
        let filter = StatsFilter::parse(filter)?;
        let buckets = ctx.stats().activity(group_by, &filter, asked(ctx)).await?;
        Ok(buckets.into_iter().map(StatsBucket::from).collect())
    }

    /// Several dimensions at once: one row per combination that holds an
    /// event, keys in the order asked (one to three dimensions), largest
    /// first (events, then seats), at most `first` rows (default 1,000,
    /// at most 10,000).
    async fn breakdown(
        &self,
        ctx: &Context<'_>,
        group_by: Vec<StatsDimension>,
        filter: Option<StatsFilter>,
        first: Option<i32>,
    ) -> ApiResult<Vec<StatsRow>> {
        let filter = StatsFilter::parse(filter)?;
        let breakdown = Breakdown::new(group_by)?;
        let rows = ctx
            .stats()
            .breakdown(&breakdown, &filter, first, asked(ctx))
            .await?;
        Ok(rows
            .into_iter()
            .map(|b| StatsRow {
                keys: b.keys,
                labels: b.labels,
                events: int(b.events),
                rsvps: int(b.rsvps),
                participants: b.participants.map(int),
                per_ten_thousand: b.per_ten_thousand,
            })
            .collect())
    }

    /// Members by commune, department or region of residence (largest
    /// first), or by DAY, WEEK or MONTH of the daily snapshots (oldest
    /// first: the curve since launch); one national bucket without
    /// groupBy. KIND is BAD_USER_INPUT.
    async fn members(
        &self,
        ctx: &Context<'_>,
        group_by: Option<StatsDimension>,
        filter: Option<MembersFilter>,
    ) -> ApiResult<Vec<MembersBucket>> {
        let filter = MembersFilter::parse(filter)?;
        let buckets = ctx.stats().members(group_by, &filter).await?;
        Ok(buckets
            .into_iter()
            .map(|b| MembersBucket {
                key: b.key,
                label: b.label,
                members: b.members.map(int),
                new_members: b.new_members.map(int),
                active30d: b.active_30d.map(int),
                per_ten_thousand: b.per_ten_thousand,
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
