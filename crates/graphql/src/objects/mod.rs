//! GraphQL object types, one module per domain.

pub mod account;
pub mod address;
pub mod event;
pub mod event_list;
pub mod event_mutations;
pub mod friend;
pub mod group;
pub mod group_mutations;
pub mod hosting;
pub mod live;
pub mod moderation_log;
pub mod nested_pages;
pub mod node;
pub mod notifications;
pub mod outcome;
pub mod pagination;
pub mod person;
pub mod report;
pub mod rsvp;
pub mod stats;
pub mod viewer;
