//! The request's side of `cortege_db::reads`: which pool its listings are
//! read from, chosen once per request on first use, and the pin a
//! mutation leaves so that its author reads their own writes.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use cortege_db::PgPool;
use cortege_db::reads::Route;
use cortege_domain::PersonId;

use crate::auth::Auth;
use crate::state::SharedState;

/// Request data: who reads, and the pool once chosen.
pub struct RequestReads {
    viewer: Option<uuid::Uuid>,
    /// Set for a mutation: its answer is read where it wrote.
    writes: AtomicBool,
    pool: OnceLock<PgPool>,
}

impl RequestReads {
    pub fn new(auth: &Auth) -> Self {
        Self {
            viewer: auth.person().map(|p| p.0),
            writes: AtomicBool::new(false),
            pool: OnceLock::new(),
        }
    }

    /// Marks a request whose document holds a mutation: its answer is read
    /// from the primary, whichever operation runs (pinning too often only
    /// costs a read from the primary).
    pub(crate) fn note_writes(&self) {
        self.writes.store(true, Ordering::Relaxed);
    }

    /// The pool for this request's listings.
    pub fn pool(&self, state: &SharedState) -> &PgPool {
        self.pool.get_or_init(|| {
            let (route, pool) = if self.writes.load(Ordering::Relaxed) {
                (Route::Mutation, state.reads.primary())
            } else {
                state.reads.route(self.viewer)
            };
            metrics::counter!("cortege_db_read_routes_total", "route" => route.as_str())
                .increment(1);
            pool.clone()
        })
    }
}

/// After a mutation, pins the viewer's later reads to the primary until
/// the replica has replayed the write, so that its author reads their own
/// writes.
pub(crate) async fn pin_writer(state: &SharedState, person: PersonId) {
    match state.reads.wrote(person.0).await {
        Ok(Some(position)) => cortege_live::publish::wrote(&state.bus, person.0, position).await,
        Ok(None) => {}
        // The write stands; only this viewer's next reads may lag.
        Err(e) => tracing::warn!(error = %e, "could not pin a writer's reads to the primary"),
    }
}
