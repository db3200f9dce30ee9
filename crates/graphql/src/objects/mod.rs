//! GraphQL object types, one module per domain.

pub mod account;
pub mod node;
pub mod person;
