//! Where a request's listings are read: the primary, or a streaming replica
//! (`CORTEGE_READ_DATABASE_URL`) that takes that load off it.
//!
//! A replica is behind the primary by its replay lag, so two rules keep
//! what a member sees consistent with what they did:
//!
//! - **Read-your-writes.** A mutation's own answer is read from the
//!   primary (`Route::Mutation`). After a member's mutation, [`Reads::wrote`]
//!   notes the primary's WAL position; until the replica has replayed past
//!   it, that member's reads go to the primary. Others keep reading the
//!   replica, where the change appears a moment later, as on any feed.
//! - **Bounded lag.** A monitor compares the primary's WAL position with
//!   the replica's replay position every [`POLL`]; when the replica is more
//!   than `max_lag` behind, unreachable, or no longer a standby, every read
//!   goes to the primary until it catches up.
//!
//! Lag is measured in WAL positions, not with
//! `pg_last_xact_replay_timestamp()`, which grows while an idle primary
//! writes nothing: the replica is as far behind as the oldest primary
//! position it has not replayed is old (an upper bound, to within one poll).
//!
//! The server that ran the mutation pins its author at once; the others
//! learn the pin through the bus (`cortege_live::pins`), about a
//! millisecond later, before the member's next request can usually reach
//! them.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use uuid::Uuid;

/// How often the monitor reads both positions: the lag's resolution.
pub const POLL: Duration = Duration::from_millis(100);

/// A WAL position, in bytes since the start of the log.
type Lsn = i64;

/// Why a request's reads went where they went (the `route` label of
/// `cortege_db_read_routes_total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// No replica is configured.
    NoReplica,
    /// The replica serves this request.
    Replica,
    /// The viewer wrote something the replica has not replayed yet.
    Pinned,
    /// The replica is more than the allowed lag behind.
    Lagging,
    /// The replica does not answer, or is not a standby.
    Unavailable,
    /// A mutation's own answer, which must show what it just wrote.
    Mutation,
}

impl Route {
    pub const ALL: [Route; 6] = [
        Route::NoReplica,
        Route::Replica,
        Route::Pinned,
        Route::Lagging,
        Route::Unavailable,
        Route::Mutation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Route::NoReplica => "no_replica",
            Route::Replica => "replica",
            Route::Pinned => "pinned",
            Route::Lagging => "lagging",
            Route::Unavailable => "unavailable",
            Route::Mutation => "mutation",
        }
    }
}

/// The pools a request reads from, and the rules to choose between them.
#[derive(Clone)]
pub struct Reads {
    primary: PgPool,
    replica: Option<Arc<Replica>>,
}

struct Replica {
    pool: PgPool,
    max_lag: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The replica's replay position at the last poll; `None` while it
    /// does not answer or is not a standby.
    replayed: Option<Lsn>,
    /// How far behind it was at the last poll.
    lag: Duration,
    /// The primary's positions at recent polls, oldest first.
    samples: VecDeque<(Instant, Lsn)>,
    /// Per viewer, the primary's position after their last write.
    pins: HashMap<Uuid, Lsn>,
}

impl Reads {
    /// Every read on the primary.
    pub fn primary_only(primary: PgPool) -> Self {
        Self {
            primary,
            replica: None,
        }
    }

    /// Reads on `replica` within the rules above; starts the monitor, which
    /// stops when the last clone of this value is dropped.
    pub fn with_replica(primary: PgPool, replica: PgPool, max_lag: Duration) -> Self {
        let replica = Arc::new(Replica {
            pool: replica,
            max_lag,
            state: Mutex::new(State::default()),
        });
        tokio::spawn(monitor(primary.clone(), Arc::downgrade(&replica)));
        Self {
            primary,
            replica: Some(replica),
        }
    }

    /// The primary, for writes and for reads that must see the latest
    /// commit.
    pub fn primary(&self) -> &PgPool {
        &self.primary
    }

    /// Where `viewer`'s listings are read now, and why.
    pub fn route(&self, viewer: Option<Uuid>) -> (Route, &PgPool) {
        let Some(replica) = &self.replica else {
            return (Route::NoReplica, &self.primary);
        };
        let mut state = replica.state.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(replayed) = state.replayed else {
            return (Route::Unavailable, &self.primary);
        };
        if state.lag > replica.max_lag {
            return (Route::Lagging, &self.primary);
        }
        if let Some(viewer) = viewer
            && let Some(&pin) = state.pins.get(&viewer)
        {
            if pin > replayed {
                return (Route::Pinned, &self.primary);
            }
            state.pins.remove(&viewer);
        }
        (Route::Replica, &replica.pool)
    }

    /// Notes that `viewer` just committed a write: their reads stay on the
    /// primary until the replica has replayed it. Returns the position to
    /// share with the other servers ([`Reads::pin`]); none without a
    /// replica.
    pub async fn wrote(&self, viewer: Uuid) -> crate::Result<Option<i64>> {
        if self.replica.is_none() {
            return Ok(None);
        }
        // Read after the commit, so at or past its WAL record.
        let position = primary_position(&self.primary).await?;
        self.pin(viewer, position);
        Ok(Some(position))
    }

    /// Keeps `viewer`'s reads on the primary until the replica has
    /// replayed `position` (a write another server noted).
    pub fn pin(&self, viewer: Uuid, position: i64) {
        let Some(replica) = &self.replica else {
            return;
        };
        let mut state = replica.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.replayed.is_some_and(|r| r >= position) {
            return;
        }
        let pin = state.pins.entry(viewer).or_insert(position);
        *pin = (*pin).max(position);
    }

    /// Whether a read replica is configured.
    pub fn has_replica(&self) -> bool {
        self.replica.is_some()
    }
}

async fn primary_position(primary: &PgPool) -> crate::Result<Lsn> {
    Ok(
        sqlx::query_scalar("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")
            .fetch_one(primary)
            .await?,
    )
}

/// NULL on a server that is not replaying WAL (a primary, or a promoted
/// standby that no longer follows ours).
async fn replay_position(replica: &PgPool) -> crate::Result<Option<Lsn>> {
    Ok(
        sqlx::query_scalar("SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint")
            .fetch_one(replica)
            .await?,
    )
}

async fn monitor(primary: PgPool, replica: Weak<Replica>) {
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut reported: Option<&'static str> = None;
    loop {
        tick.tick().await;
        let Some(replica) = replica.upgrade() else {
            return;
        };
        let at = Instant::now();
        let position = primary_position(&primary).await;
        let replayed = replay_position(&replica.pool).await;
        let mut state = replica.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Ok(position) = position {
            state.samples.push_back((at, position));
        }
        // Old enough samples to tell any lag past max_lag.
        let keep = (replica.max_lag * 2).max(POLL * 10);
        while state.samples.len() > 1
            && state
                .samples
                .front()
                .is_some_and(|(t, _)| at.duration_since(*t) > keep)
        {
            state.samples.pop_front();
        }
        let problem = match &replayed {
            Ok(Some(_)) => None,
            Ok(None) => Some("is not a standby"),
            Err(_) => Some("does not answer"),
        };
        if problem != reported {
            match (problem, &replayed) {
                (Some(p), Err(e)) => {
                    tracing::warn!(error = %e, "the read replica {p}: reading from the primary")
                }
                (Some(p), _) => tracing::warn!("the read replica {p}: reading from the primary"),
                (None, _) => tracing::info!("the read replica answers again"),
            }
            reported = problem;
        }
        state.replayed = replayed.ok().flatten();
        if let Some(replayed) = state.replayed {
            state.lag = lag(&state.samples, replayed, at);
            state.pins.retain(|_, pin| *pin > replayed);
            metrics::gauge!("cortege_db_replica_lag_seconds").set(state.lag.as_secs_f64());
        }
    }
}

/// How long ago the primary was last at or before `replayed`: the replica
/// has everything written until then, and possibly a little more.
fn lag(samples: &VecDeque<(Instant, Lsn)>, replayed: Lsn, now: Instant) -> Duration {
    match samples.iter().rposition(|&(_, lsn)| lsn <= replayed) {
        Some(i) if i + 1 == samples.len() => Duration::ZERO,
        Some(i) => now.duration_since(samples[i].0),
        // Behind every sample kept: at least as old as the oldest.
        None => samples
            .front()
            .map_or(Duration::MAX, |(t, _)| now.duration_since(*t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(now: Instant, points: &[(u64, Lsn)]) -> VecDeque<(Instant, Lsn)> {
        points
            .iter()
            .map(|&(ms_ago, lsn)| (now - Duration::from_millis(ms_ago), lsn))
            .collect()
    }

    #[test]
    fn a_replica_at_the_latest_position_has_no_lag_however_idle_the_primary() {
        let now = Instant::now();
        let s = samples(now, &[(5_000, 100), (100, 100)]);
        assert_eq!(lag(&s, 100, now), Duration::ZERO);
    }

    #[test]
    fn lag_is_the_age_of_the_last_position_the_replica_has() {
        let now = Instant::now();
        let s = samples(now, &[(300, 100), (200, 150), (100, 200)]);
        assert_eq!(lag(&s, 160, now), Duration::from_millis(200));
        assert_eq!(lag(&s, 99, now), Duration::from_millis(300));
    }
}
