//! Reports and moderation: how the movement keeps opponents out.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object, Union};
use chrono::{DateTime, Utc};
use cortege_app::moderation::{self, MAX_NOTE, NewReport};
use cortege_db::reports as db_reports;
use cortege_domain::{PersonId, Role, SubjectKind, ValidationError, parse_text};
use uuid::Uuid;

use crate::access::require_member;
use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult};
use crate::guard::RoleGuard;
use crate::ids::{self, Kind};
use crate::objects::event::Event;
use crate::objects::group::Group;
use crate::objects::pagination::{Cursor, Page, connection};
use crate::objects::person::Person;

pub use cortege_domain::{ModerationDecision, ReportReason, ReportStatus};

/// What a report is about.
#[derive(Union)]
pub enum ReportSubject {
    Person(Person),
    Event(Event),
    Group(Group),
}

/// A member's report on a person, event or group.
pub struct Report(pub Arc<db_reports::Report>);

impl Report {
    pub fn new(row: db_reports::Report) -> Self {
        Report(Arc::new(row))
    }
}

async fn person(ctx: &Context<'_>, id: Uuid) -> ApiResult<Option<Person>> {
    let loaders = crate::loaders::of(ctx);
    Ok(loaders
        .person
        .load_one(id)
        .await?
        .map(|row| Person::new(row, ctx)))
}

#[Object]
impl Report {
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Report, self.0.id)
    }
    async fn reporter(&self, ctx: &Context<'_>) -> ApiResult<Person> {
        person(ctx, self.0.reporter_id)
            .await?
            .ok_or_else(|| ApiError::internal("report without reporter", &self.0.id))
    }
    /// The subject as it is now (removed and banned subjects included).
    async fn subject(&self, ctx: &Context<'_>) -> ApiResult<ReportSubject> {
        let missing = || ApiError::NotFound("the reported subject no longer exists".to_owned());
        let loaders = crate::loaders::of(ctx);
        match self.0.subject_type {
            SubjectKind::Event => loaders
                .event
                .load_one(self.0.subject_id)
                .await?
                .map(|e| ReportSubject::Event(Event(e)))
                .ok_or_else(missing),
            SubjectKind::Group => loaders
                .group
                .load_one(self.0.subject_id)
                .await?
                .map(|g| ReportSubject::Group(Group(g)))
                .ok_or_else(missing),
            SubjectKind::Person => person(ctx, self.0.subject_id)
                .await?
                .map(ReportSubject::Person)
                .ok_or_else(missing),
        }
    }
    async fn reason(&self) -> ReportReason {
        self.0.reason
    }
    async fn details(&self) -> &str {
        &self.0.details
    }
    async fn status(&self) -> ReportStatus {
        self.0.status
    }
    /// Copy of the reported content when it was reported (JSON).
    async fn snapshot(&self) -> String {
        self.0.snapshot.to_string()
    }
    /// Open reports on the same subject, this one included: a pile-on is one case.
    async fn open_reports_on_subject(&self) -> i32 {
        i32::try_from(self.0.open_on_subject).unwrap_or(i32::MAX)
    }
    async fn resolution(&self) -> Option<ModerationDecision> {
        self.0.resolution
    }
    async fn resolved_by(&self, ctx: &Context<'_>) -> ApiResult<Option<Person>> {
        match self.0.resolved_by {
            Some(id) => person(ctx, id).await,
            None => Ok(None),
        }
    }
    async fn resolved_at(&self) -> Option<DateTime<Utc>> {
        self.0.resolved_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

#[derive(InputObject)]
pub struct ReportInput {
    /// A person, event or group.
    pub subject_id: ID,
    pub reason: ReportReason,
    /// What happened; at most 2,000 characters.
    pub details: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct QueueCursor(DateTime<Utc>, Uuid, Uuid);

#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// Moderators only: the queue, oldest case first, each case's reports together.
    #[graphql(guard = "RoleGuard::any(&[Role::Moderator, Role::Admin])")]
    async fn reports(
        &self,
        ctx: &Context<'_>,
        status: Option<ReportStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Option<Connection<Cursor, Report>>> {
        let page: Page<QueueCursor> = Page::parse(first, after)?;
        let had = page.after.is_some();
        let rows = db_reports::queue(
            ctx.reads(),
            status,
            page.after.as_ref().map(|c| (c.0, c.1, c.2)),
            page.limit(),
        )
        .await?;
        let items = rows
            .into_iter()
            .map(|(start, r)| (QueueCursor(start, r.subject_id, r.id), Report::new(r)))
            .collect();
        Ok(Some(connection(items, page.first, had)))
    }
}

#[derive(Default)]
pub struct ReportMutation;

#[Object]
impl ReportMutation {
    /// Reports a person, event or group to the moderators. A second open
    /// report by the same member on the same subject is CONFLICT.
    async fn report(&self, ctx: &Context<'_>, input: ReportInput) -> ApiResult<Report> {
        let me = require_member(ctx).await?;
        let report = NewReport::try_from(input)?;
        Ok(Report::new(
            moderation::report(ctx.app(), &me, report).await?,
        ))
    }

    /// Admins only: gives a person a role; written to the moderation log.
    #[graphql(guard = "RoleGuard::any(&[Role::Admin])")]
    async fn grant_role(&self, ctx: &Context<'_>, person_id: ID, role: Role) -> ApiResult<Person> {
        let me = crate::auth::require_person(ctx)?;
        let id = PersonId(ids::decode(Kind::Person, &person_id, "personId")?);
        let row = moderation::grant_role(ctx.app(), Some(me), id, role).await?;
        Ok(Person::new(Arc::new(row.into()), ctx))
    }

    /// Admins only: removes a role (MEMBER stays); written to the moderation log.
    #[graphql(guard = "RoleGuard::any(&[Role::Admin])")]
    async fn revoke_role(&self, ctx: &Context<'_>, person_id: ID, role: Role) -> ApiResult<Person> {
        let me = crate::auth::require_person(ctx)?;
        let id = PersonId(ids::decode(Kind::Person, &person_id, "personId")?);
        let row = moderation::revoke_role(ctx.app(), me, id, role).await?;
        Ok(Person::new(Arc::new(row.into()), ctx))
    }

    /// Moderators only. The decision applies to every open report on the
    /// subject and is written to the moderation log with its effects.
    #[graphql(guard = "RoleGuard::any(&[Role::Moderator, Role::Admin])")]
    async fn resolve_report(
        &self,
        ctx: &Context<'_>,
        id: ID,
        decision: ModerationDecision,
        note: Option<String>,
    ) -> ApiResult<Report> {
        let me = crate::auth::require_person(ctx)?;
        let id = ids::decode(Kind::Report, &id, "id")?;
        let note = note
            .as_deref()
            .map(|n| parse_text(n, MAX_NOTE, "note"))
            .transpose()?;
        let report = moderation::resolve(ctx.app(), me, id, decision, note.as_deref()).await?;
        Ok(Report::new(report))
    }
}

impl TryFrom<ReportInput> for NewReport {
    type Error = ValidationError;

    fn try_from(input: ReportInput) -> Result<Self, ValidationError> {
        let details = parse_text(&input.details, MAX_NOTE, "input.details")?;
        let (kind, subject_id) =
            ids::decode_any(&input.subject_id).ok_or_else(moderation::subject_refused)?;
        let subject = match kind {
            Kind::Person => SubjectKind::Person,
            Kind::Event => SubjectKind::Event,
            Kind::Group => SubjectKind::Group,
            _ => return Err(moderation::subject_refused()),
        };
        Ok(NewReport {
            subject,
            subject_id,
            reason: input.reason,
            details,
        })
    }
}
