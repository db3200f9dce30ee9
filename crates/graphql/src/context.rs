//! The server's shared state as resolvers reach it, in one place (as
//! fuel-core's `ContextExt`): `ctx.state()`, `ctx.pool()`, `ctx.reads()`.

use async_graphql::Context;
use cortege_db::PgPool;

use crate::state::SharedState;

pub trait ContextExt<'a> {
    /// What resolvers share for the life of the server.
    fn state(&self) -> &'a SharedState;

    /// The use-cases.
    fn app(&self) -> &'a cortege_app::App {
        &self.state().app
    }

    /// The database.
    fn pool(&self) -> &'a PgPool {
        &self.state().pool
    }

    /// The database for listings, search and feed pages: the read replica
    /// when one is configured and may serve this viewer now.
    fn reads(&self) -> &'a PgPool;

    /// Statistics (on the analytics replica when configured).
    fn stats(&self) -> &'a cortege_app::stats::Statistics {
        &self.state().stats
    }
}

impl<'a> ContextExt<'a> for Context<'a> {
    fn state(&self) -> &'a SharedState {
        // build_api attaches the state to every schema that executes;
        // only the SDL export's schema lacks it, and it runs nothing.
        self.data_unchecked::<SharedState>()
    }

    fn reads(&self) -> &'a PgPool {
        match self.data_opt::<crate::reads::RequestReads>() {
            Some(reads) => reads.pool(self.state()),
            None => self.pool(),
        }
    }
}
