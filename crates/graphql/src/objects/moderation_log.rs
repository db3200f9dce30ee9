//! The moderation log, for moderators and admins: what was decided and
//! done, by whom, about whom.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use cortege_db::moderation_log::Entry;
use cortege_domain::{ModerationAction, Role, SubjectKind};

use crate::context::ContextExt;
use crate::error::ApiResult;
use crate::guard::RoleGuard;
use crate::ids::{self, Kind};
use crate::objects::pagination::{Cursor, Page, connection};
use crate::objects::person::Person;

/// One line of the moderation log (append-only).
pub struct ModerationLogEntry(Arc<Entry>);

#[Object]
impl ModerationLogEntry {
    async fn action(&self) -> ModerationAction {
        self.0.action
    }
    /// Who did it; null for the command line.
    async fn actor(&self, ctx: &Context<'_>) -> ApiResult<Option<Person>> {
        person(ctx, self.0.actor_id).await
    }
    /// The person it concerns, if any.
    async fn target_person(&self, ctx: &Context<'_>) -> ApiResult<Option<Person>> {
        person(ctx, self.0.target_person_id).await
    }
    /// The event, group or person it was about, as an ID for node(id:).
    async fn target_id(&self) -> Option<ID> {
        let kind = match self.0.target_type? {
            SubjectKind::Person => Kind::Person,
            SubjectKind::Event => Kind::Event,
            SubjectKind::Group => Kind::Group,
        };
        self.0.target_id.map(|id| ids::encode(kind, id))
    }
    /// The moderator's note, for decisions.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// What changed, as a JSON object (e.g. {"role": "MANAGER"}).
    async fn details(&self) -> String {
        self.0.details.to_string()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

async fn person(ctx: &Context<'_>, id: Option<uuid::Uuid>) -> ApiResult<Option<Person>> {
    let Some(id) = id else {
        return Ok(None);
    };
    Ok(crate::loaders::of(ctx)
        .person
        .load_one(id)
        .await?
        .map(|row| Person::new(row, ctx)))
}

#[derive(Default)]
pub struct ModerationLogQuery;

#[Object]
impl ModerationLogQuery {
    /// Moderators and admins only (null with FORBIDDEN for anyone else):
    /// the moderation log, newest first; with personId, the lines by or
    /// about that person.
    #[graphql(guard = "RoleGuard::any(&[Role::Moderator, Role::Admin])")]
    async fn moderation_log(
        &self,
        ctx: &Context<'_>,
        person_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Option<Connection<Cursor, ModerationLogEntry>>> {
        let page: Page<i64> = Page::parse(first, after)?;
        let person = person_id
            .as_ref()
            .map(|id| ids::decode(Kind::Person, id, "personId"))
            .transpose()?;
        let had = page.after.is_some();
        let rows =
            cortege_app::moderation::log(ctx.app(), person, page.after, page.limit()).await?;
        let items = rows
            .into_iter()
            .map(|e| (e.id, ModerationLogEntry(Arc::new(e))))
            .collect();
        Ok(Some(connection(items, page.first, had)))
    }
}
