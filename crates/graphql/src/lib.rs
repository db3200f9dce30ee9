//! Cortège's GraphQL API: one schema, built by [`build_api`] with the steps
//! around its execution (`operation.rs`), shared by the server, the tests
//! and `cortege export-schema`.

pub mod access;
pub mod auth;
pub mod context;
pub mod error;
pub mod error_codes;
pub mod field_errors;
pub mod guard;
pub mod ids;
pub mod loaders;
pub mod metrics;
pub mod objects;
pub mod operation;
mod persisted;
pub mod query_limits;
pub mod reads;
pub mod ready;
pub mod spans;
pub mod state;

use async_graphql::{MergedObject, Request, Schema, SchemaBuilder};

use crate::auth::Auth;
use crate::loaders::LazyLoaders;
use crate::objects::account::{AccountMutation, AccountQuery};
use crate::objects::event::EventQuery;
use crate::objects::event_mutations::EventMutation;
use crate::objects::friend::FriendMutation;
use crate::objects::group::GroupQuery;
use crate::objects::group_mutations::GroupMutation;
use crate::objects::hosting::HostingMutation;
use crate::objects::live::SubscriptionRoot;
use crate::objects::node::NodeQuery;
use crate::objects::notifications::{NotificationMutation, NotificationQuery};
use crate::objects::outcome::OutcomeMutation;
use crate::objects::report::{ReportMutation, ReportQuery};
use crate::objects::stats::StatsQuery;
pub use crate::operation::Api;
use crate::state::{ClientAddr, SharedState};

#[derive(MergedObject, Default)]
pub struct Query(
    NodeQuery,
    AccountQuery,
    EventQuery,
    GroupQuery,
    StatsQuery,
    ReportQuery,
    NotificationQuery,
    crate::objects::person::PlaceQuery,
    crate::objects::moderation_log::ModerationLogQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    AccountMutation,
    FriendMutation,
    EventMutation,
    GroupMutation,
    ReportMutation,
    NotificationMutation,
    OutcomeMutation,
    HostingMutation,
);

pub type CortegeSchema = Schema<Query, Mutation, SubscriptionRoot>;

/// No extension: any one makes async-graphql wrap every field of every
/// answer (see `operation.rs`).
fn builder() -> SchemaBuilder<Query, Mutation, SubscriptionRoot> {
    Schema::build(Query::default(), Mutation::default(), SubscriptionRoot)
}

/// The schema with its shared state and the steps around it, as the
/// server runs it.
pub fn build_api(state: SharedState) -> Api {
    let production = state.config.production;
    let timeout = state.config.resolver_timeout;
    let mut b = builder().data(state);
    if production {
        b = b.disable_introspection().disable_suggestions();
    }
    Api::new(b.finish(), Some(timeout))
}

/// The schema in SDL, as committed in schema.graphql.
pub fn schema_sdl() -> String {
    builder().finish().sdl()
}

/// Attaches what every operation of one request needs: who asks, from
/// where, and fresh DataLoaders.
pub fn prepare_request(
    request: Request,
    state: &SharedState,
    auth: Auth,
    addr: ClientAddr,
) -> Request {
    request
        .data(auth)
        .data(addr)
        .data(reads::RequestReads::new(&auth))
        .data(LazyLoaders::new(&state.pool, auth.person()))
}
