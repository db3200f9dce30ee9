//! Every enumeration of Cortège, once. Each is also a PostgreSQL enum of
//! the same values (feature `sqlx`) and a GraphQL enum (feature `graphql`),
//! as Lemmy's `DbEnum` behind `full`: the database, the API and the bus
//! cannot disagree on a value, and none is ever a string in between.
//!
//! The rules that belong to a value live with it (`Visibility::is_listed`,
//! `RsvpStatus::holds_place`, …), so the service layer asks rather than
//! compares.

/// A value that is not one of an enumeration's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a {kind}")]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

/// Declares an enumeration with the text of each value (as PostgreSQL,
/// GraphQL and the bus spell it): the derives every kind shares (serde;
/// `async_graphql::Enum` with `graphql`; with `in "pg_type"`, `sqlx::Type`
/// of that PostgreSQL enum with `sqlx`), then `ALL`, `as_str`, `Display`,
/// `FromStr` and `TryFrom<String>`. The texts are SCREAMING_SNAKE_CASE, as
/// serde, sqlx and async-graphql spell the variants (a test checks).
macro_rules! kind {
    (
        $(#[$m:meta])*
        pub enum $name:ident $(in $pg:literal)? {
            $($(#[$vm:meta])* $variant:ident = $text:literal),* $(,)?
        }
    ) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        #[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
        $(
            #[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
            #[cfg_attr(feature = "sqlx", sqlx(type_name = $pg, rename_all = "SCREAMING_SNAKE_CASE"))]
        )?
        pub enum $name {
            $($(#[$vm])* $variant),*
        }

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
            type Err = $crate::kinds::UnknownValue;
            fn from_str(s: &str) -> Result<Self, $crate::kinds::UnknownValue> {
                match s {
                    $($text => Ok($name::$variant),)*
                    _ => Err($crate::kinds::UnknownValue {
                        kind: stringify!($name),
                        value: s.to_owned(),
                    }),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::kinds::UnknownValue;
            fn try_from(s: String) -> Result<Self, $crate::kinds::UnknownValue> {
                std::str::FromStr::from_str(&s)
            }
        }
    };
}

mod activity;
mod events;
mod groups;
mod moderation;
mod notifications;

pub use activity::{ActivityKind, Happening, StatsDimension};
pub use events::{AddressVisibility, EventKind, Reader, RsvpStatus, Visibility};
pub use groups::{FriendshipStatus, GroupRole, JoinPolicy, MembershipStatus};
pub use moderation::{
    ModerationAction, ModerationDecision, ReportReason, ReportStatus, SubjectKind,
};
pub use notifications::{Channels, DeliveryChannel, DeliveryState, DigestFrequency};

kind! {
    /// What a person may do beyond being a member.
    pub enum Role in "person_role" {
        Member = "MEMBER",
        Moderator = "MODERATOR",
        Analyst = "ANALYST",
        Admin = "ADMIN",
    }
}

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

    /// serde, sqlx and async-graphql spell a variant from its name
    /// (SCREAMING_SNAKE_CASE); `as_str` from the text written beside it.
    fn texts_agree<T: Copy + serde::Serialize>(all: &[T], as_str: fn(T) -> &'static str) {
        for v in all {
            let serde = serde_json::to_string(v).unwrap();
            assert_eq!(serde, format!("\"{}\"", as_str(*v)));
        }
    }

    #[test]
    fn the_written_texts_are_the_derived_ones() {
        texts_agree(Role::ALL, Role::as_str);
        texts_agree(EventKind::ALL, EventKind::as_str);
        texts_agree(Visibility::ALL, Visibility::as_str);
        texts_agree(RsvpStatus::ALL, RsvpStatus::as_str);
        texts_agree(JoinPolicy::ALL, JoinPolicy::as_str);
        texts_agree(MembershipStatus::ALL, MembershipStatus::as_str);
        texts_agree(GroupRole::ALL, GroupRole::as_str);
        texts_agree(FriendshipStatus::ALL, FriendshipStatus::as_str);
        texts_agree(SubjectKind::ALL, SubjectKind::as_str);
        texts_agree(ModerationAction::ALL, ModerationAction::as_str);
        texts_agree(AddressVisibility::ALL, AddressVisibility::as_str);
        texts_agree(ReportReason::ALL, ReportReason::as_str);
        texts_agree(ReportStatus::ALL, ReportStatus::as_str);
        texts_agree(ModerationDecision::ALL, ModerationDecision::as_str);
        texts_agree(Happening::ALL, Happening::as_str);
        texts_agree(ActivityKind::ALL, ActivityKind::as_str);
        texts_agree(StatsDimension::ALL, StatsDimension::as_str);
        texts_agree(DigestFrequency::ALL, DigestFrequency::as_str);
        texts_agree(DeliveryChannel::ALL, DeliveryChannel::as_str);
        texts_agree(DeliveryState::ALL, DeliveryState::as_str);
    }

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
