//! The integration tests: one binary (one link of the whole server), a
//! module per area, sharing the harness in `common` (real PostgreSQL and
//! Redis started by scripts/test, the real application on loopback).
#![allow(clippy::unwrap_used)]

mod common;

mod accounts;
mod analytics;
mod answers;
mod attendance;
mod breakdown;
mod cluster;
mod conformance;
mod delivery;
mod duplicate;
mod embedded;
mod events;
mod fuzz;
mod geo;
mod group_roles;
mod groups;
mod hosts;
mod import;
mod limits;
mod live;
mod moderation;
mod nested;
mod notifications;
mod online;
mod operations;
mod outbox;
mod outcomes;
mod photos;
mod plans;
mod previews;
mod privacy;
mod private_addresses;
mod replica;
mod rights;
mod rollup;
mod rsvps;
mod schema;
mod seed;
mod sentinel;
mod services;
mod sessions;
mod stats;
mod traces;
