//! Groups, memberships and friendships.

use serde::{Deserialize, Serialize};

use super::UnknownValue;

/// How people join a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "join_policy", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum JoinPolicy {
    /// Anyone joins at once.
    Open,
    /// A manager accepts or refuses each request.
    Approval,
}
named!(JoinPolicy { Open = "OPEN", Approval = "APPROVAL" });

impl JoinPolicy {
    /// Where a new request to join stands under this policy.
    pub fn first_status(self) -> MembershipStatus {
        match self {
            JoinPolicy::Open => MembershipStatus::Active,
            JoinPolicy::Approval => MembershipStatus::Pending,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "membership_status", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum MembershipStatus {
    /// Waiting for a manager's approval.
    Pending,
    Active,
}
named!(MembershipStatus { Pending = "PENDING", Active = "ACTIVE" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "group_role", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum GroupRole {
    Member,
    /// Manages members and organises the group's events.
    Manager,
}
named!(GroupRole { Member = "MEMBER", Manager = "MANAGER" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "friendship_status", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum FriendshipStatus {
    /// Waiting for the addressee's answer.
    Pending,
    Accepted,
    Declined,
}
named!(FriendshipStatus { Pending = "PENDING", Accepted = "ACCEPTED", Declined = "DECLINED" });
