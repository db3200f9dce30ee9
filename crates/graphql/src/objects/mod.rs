//! GraphQL object types, one module per domain.

/// A GraphQL enum mirrored by a PostgreSQL enum of the same values.
macro_rules! db_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq, Debug)]
        pub enum $name { $($(#[$vm])* $variant),* }

        impl $name {
            pub fn as_db(self) -> &'static str {
                match self { $(Self::$variant => $text),* }
            }

            pub fn from_db(s: &str) -> Option<Self> {
                match s { $($text => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

pub mod account;
pub mod address;
pub mod event;
pub mod friend;
pub mod group;
pub mod live;
pub mod node;
pub mod pagination;
pub mod person;
pub mod report;
pub mod stats;
pub mod viewer;
