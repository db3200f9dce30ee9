//! Cortège's GraphQL API: one schema, built by [`build_schema`], shared by
//! the server, the tests and `cortege export-schema`.

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
pub mod query_limits;
pub mod reads;
pub mod ready;
pub mod spans;
pub mod state;

use std::time::Duration;

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

/// One extension, no more: each one's `resolve` hook runs around every
/// field (see `operation.rs`).
fn builder(root_timeout: Option<Duration>) -> SchemaBuilder<Query, Mutation, SubscriptionRoot> {
    Schema::build(Query::default(), Mutation::default(), SubscriptionRoot)
        .extension(operation::OperationSteps::new(root_timeout))
}

/// The schema with its shared state, as the server runs it.
pub fn build_schema(state: SharedState) -> CortegeSchema {
    let production = state.config.production;
    let timeout = state.config.resolver_timeout;
    let mut b = builder(Some(timeout)).data(state);
    if production {
        b = b.disable_introspection().disable_suggestions();
    }
    b.finish()
}

/// The schema in SDL, as committed in schema.graphql.
pub fn schema_sdl() -> String {
    builder(None).finish().sdl()
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
