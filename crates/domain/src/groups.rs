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
