//! Role guards: fields the contract restricts to roles declare it with
//! `#[graphql(guard = "…")]`, checked before the resolver runs.

use async_graphql::{Context, Guard};
use cortege_domain::Role;

use crate::access;
use crate::auth::require_person;
use crate::error::ApiError;

/// Passes when the viewer holds any of the roles: UNAUTHENTICATED without
/// a session, FORBIDDEN without the role.
pub struct RoleGuard(&'static [Role]);

impl RoleGuard {
    pub fn any(roles: &'static [Role]) -> Self {
        Self(roles)
    }
}

impl Guard for RoleGuard {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        require_person(ctx)?;
        if access::has_any_role(ctx, self.0).await? {
            Ok(())
        } else {
            let names: Vec<&str> = self.0.iter().map(|r| r.as_str()).collect();
            Err(ApiError::Forbidden(format!("reserved to: {}", names.join(", "))).into())
        }
    }
}
