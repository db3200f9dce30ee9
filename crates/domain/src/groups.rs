//! A local group as a member proposes it, checked.

use crate::{AddressLines, GeoPoint, JoinPolicy};

/// Changes to a group; None leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct GroupChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub join_policy: Option<JoinPolicy>,
}

/// A new group, every field checked but the address (which needs the
/// commune reference).
#[derive(Debug, Clone)]
pub struct GroupDraft {
    pub name: String,
    pub description: String,
    pub join_policy: JoinPolicy,
    pub location: Option<GeoPoint>,
    pub address: Option<AddressLines>,
}

/// How long someone the managers removed waits before joining an OPEN
/// group again on their own. Under APPROVAL they may ask at once: the
/// managers answer.
pub const REJOIN_WAIT_DAYS: i64 = 30;

/// When someone removed at `removed_at` may join again on their own, if
/// not yet (`None`: now).
pub fn rejoin_from(
    policy: JoinPolicy,
    removed_at: Option<chrono::DateTime<chrono::Utc>>,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let from = removed_at? + chrono::Duration::days(REJOIN_WAIT_DAYS);
    (policy == JoinPolicy::Open && from > now).then_some(from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};

    #[test]
    fn the_removed_wait_thirty_days_to_join_an_open_group_only() {
        let now = Utc::now();
        let removed = Some(now - Duration::days(29));
        assert!(rejoin_from(JoinPolicy::Open, removed, now).is_some());
        assert_eq!(rejoin_from(JoinPolicy::Approval, removed, now), None);
        assert_eq!(
            rejoin_from(JoinPolicy::Open, Some(now - Duration::days(31)), now),
            None
        );
        assert_eq!(rejoin_from(JoinPolicy::Open, None, now), None);
    }
}
