//! Reports and moderators' decisions.

use serde::{Deserialize, Serialize};

use super::UnknownValue;

/// What a report is about, as stored (the API's ReportSubject is a union of
/// the objects themselves).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "report_subject", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum SubjectKind {
    Person,
    Event,
    Group,
}
named!(SubjectKind { Person = "PERSON", Event = "EVENT", Group = "GROUP" });

/// Why something is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "report_reason", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum ReportReason {
    /// Acting against the movement: the reason the moderation system exists.
    OpposingActivity,
    Spam,
    Harassment,
    Hate,
    Misinformation,
    Privacy,
    Other,
}
named!(ReportReason {
    OpposingActivity = "OPPOSING_ACTIVITY",
    Spam = "SPAM",
    Harassment = "HARASSMENT",
    Hate = "HATE",
    Misinformation = "MISINFORMATION",
    Privacy = "PRIVACY",
    Other = "OTHER",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "report_status", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum ReportStatus {
    Open,
    /// Decided with REMOVE_CONTENT, WARN or BAN.
    Resolved,
    Dismissed,
}
named!(ReportStatus { Open = "OPEN", Resolved = "RESOLVED", Dismissed = "DISMISSED" });

/// A moderator's decision; it applies to every open report on the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type))]
#[cfg_attr(
    feature = "sqlx",
    sqlx(type_name = "moderation_decision", rename_all = "SCREAMING_SNAKE_CASE")
)]
pub enum ModerationDecision {
    Dismiss,
    /// Hide the reported event or group.
    RemoveContent,
    /// Warn the author.
    Warn,
    /// Ban the author: sessions end, content is hidden, sign-in is refused.
    Ban,
}
named!(ModerationDecision {
    Dismiss = "DISMISS",
    RemoveContent = "REMOVE_CONTENT",
    Warn = "WARN",
    Ban = "BAN",
});

impl ModerationDecision {
    /// Where the reports it decides end up.
    pub fn report_status(self) -> ReportStatus {
        match self {
            ModerationDecision::Dismiss => ReportStatus::Dismissed,
            _ => ReportStatus::Resolved,
        }
    }
}
