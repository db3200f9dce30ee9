//! Every enumeration of Cortège, once. Each is also a PostgreSQL enum of
//! the same values (feature `sqlx`) and a GraphQL enum (feature `graphql`),
//! as Lemmy's `DbEnum` behind `full`: the database, the API and the bus
//! cannot disagree on a value, and none is ever a string in between.
//!
//! The rules that belong to a value live with it (`Visibility::is_listed`,
//! `RsvpStatus::holds_place`, …), so the service layer asks rather than
//! compares.

use serde::{Deserialize, Serialize};

/// A value that is not one of an enumeration's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a {kind}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

/// The text of each value (as PostgreSQL, GraphQL and the bus spell it),
/// `ALL`, `Display` and `FromStr`.
macro_rules! named {
    ($name:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                match s {
                    $($text => Ok($name::$variant),)*
                    _ => Err(UnknownValue { kind: stringify!($name), value: s.to_owned() }),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = UnknownValue;
            fn try_from(s: String) -> Result<Self, UnknownValue> {
                std::str::FromStr::from_str(&s)
            }
        }
    };
}

mod activity;
mod events;
mod groups;
mod moderation;

pub use activity::{ActivityKind, Happening, StatsDimension};
pub use events::{EventKind, Reader, RsvpStatus, Visibility};
pub use groups::{FriendshipStatus, GroupRole, JoinPolicy, MembershipStatus};
pub use moderation::{ModerationDecision, ReportReason, ReportStatus, SubjectKind};

/// What a person may do beyond being a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "person_role", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum Role {
    Member,
    Moderator,
    Analyst,
    Admin,
}
named!(Role { Member = "MEMBER", Moderator = "MODERATOR", Analyst = "ANALYST", Admin = "ADMIN" });

impl Role {
    /// A role as an operator types it on the command line (any case).
    pub fn parse(raw: &str) -> Option<Self> {
        raw.trim().to_ascii_uppercase().parse().ok()
    }

    /// Moderators and admins: who sees what members cannot (attendees,
    /// GROUP events, reports).
    pub const STAFF: &'static [Role] = &[Role::Moderator, Role::Admin];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_unknown_ones_are_errors() {
        for k in EventKind::ALL {
            assert_eq!(k.as_str().parse::<EventKind>(), Ok(*k));
        }
        for k in ActivityKind::ALL {
            assert_eq!(k.to_string().parse::<ActivityKind>(), Ok(*k));
        }
        let err = "PICNIC".parse::<EventKind>().unwrap_err();
        assert_eq!(err.kind, "EventKind");
        assert_eq!(Role::parse(" moderator "), Some(Role::Moderator));
        assert_eq!(Role::parse("king"), None);
    }

    #[test]
    fn visibility_rules() {
        assert!(Visibility::Public.is_listed());
        assert!(!Visibility::Unlisted.is_listed());
        assert!(!Visibility::Group.is_listed());
        let stranger = Reader::default();
        assert!(Visibility::Unlisted.is_readable_by(stranger));
        assert!(!Visibility::Group.is_readable_by(stranger));
        for reader in [
            Reader {
                group_member: true,
                ..stranger
            },
            Reader {
                organiser: true,
                ..stranger
            },
            Reader {
                staff: true,
                ..stranger
            },
        ] {
            assert!(Visibility::Group.is_readable_by(reader));
        }
    }

    #[test]
    fn statuses_and_decisions() {
        assert!(RsvpStatus::Waitlisted.holds_place());
        assert!(!RsvpStatus::Cancelled.holds_place());
        assert_eq!(
            JoinPolicy::Approval.first_status(),
            MembershipStatus::Pending
        );
        assert_eq!(
            ModerationDecision::Ban.report_status(),
            ReportStatus::Resolved
        );
        assert_eq!(
            ModerationDecision::Dismiss.report_status(),
            ReportStatus::Dismissed
        );
    }
}
