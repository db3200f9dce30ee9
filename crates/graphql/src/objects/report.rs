//! Reports and moderation: how the movement keeps opponents out.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object, Union};
use chrono::{DateTime, Utc};
use cortege_db::reports::{self as db_reports, Refusal};
use cortege_domain::{PersonId, Role, parse_text};
use uuid::Uuid;

use crate::access::require_member;
use crate::context::ContextExt;
use crate::error::{ApiError, ApiResult};
use crate::guard::RoleGuard;
use crate::ids::{self, Kind};
use crate::objects::event::{Event, event_by_id};
use crate::objects::group::{Group, visible_group};
use crate::objects::pagination::{Page, connection};
use crate::objects::person::Person;
use crate::objects::person::visible_person;

db_enum! {
    /// Why something is reported.
    ReportReason {
        /// Acting against the movement: the reason the moderation system exists.
        OpposingActivity = "OPPOSING_ACTIVITY",
        Spam = "SPAM",
        Harassment = "HARASSMENT",
        Hate = "HATE",
        Misinformation = "MISINFORMATION",
        Privacy = "PRIVACY",
        Other = "OTHER",
    }
}

db_enum! {
    ReportStatus {
        Open = "OPEN",
        /// Decided with REMOVE_CONTENT, WARN or BAN.
        Resolved = "RESOLVED",
        Dismissed = "DISMISSED",
    }
}

db_enum! {
    /// A moderator's decision; it applies to every open report on the subject.
    ModerationDecision {
        Dismiss = "DISMISS",
        /// Hide the reported event or group.
        RemoveContent = "REMOVE_CONTENT",
        /// Warn the author.
        Warn = "WARN",
        /// Ban the author: sessions end, content is hidden, sign-in is refused.
        Ban = "BAN",
    }
}

/// What a report is about.
#[derive(Union)]
pub enum ReportSubject {
    Person(Person),
    Event(Event),
    Group(Group),
}

/// A member's report on a person, event or group.
pub struct Report(pub Arc<db_reports::Report>);

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
        match self.0.subject_type.as_str() {
            "EVENT" => loaders
                .event
                .load_one(self.0.subject_id)
                .await?
                .map(|e| ReportSubject::Event(Event(e)))
                .ok_or_else(missing),
            "GROUP" => loaders
                .group
                .load_one(self.0.subject_id)
                .await?
                .map(|g| ReportSubject::Group(Group(g)))
                .ok_or_else(missing),
            _ => person(ctx, self.0.subject_id)
                .await?
                .map(ReportSubject::Person)
                .ok_or_else(missing),
        }
    }
    async fn reason(&self) -> ReportReason {
        ReportReason::from_db(&self.0.reason).unwrap_or(ReportReason::Other)
    }
    async fn details(&self) -> &str {
        &self.0.details
    }
    async fn status(&self) -> ReportStatus {
        ReportStatus::from_db(&self.0.status).unwrap_or(ReportStatus::Open)
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
        self.0
            .resolution
            .as_deref()
            .and_then(ModerationDecision::from_db)
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
    ) -> ApiResult<Option<Connection<String, Report>>> {
        let page: Page<QueueCursor> = Page::parse(first, after)?;
        let had = page.after.is_some();
        let rows = db_reports::queue(
            &ctx.state().pool,
            status.map(ReportStatus::as_db),
            page.after.as_ref().map(|c| (c.0, c.1, c.2)),
            page.limit(),
        )
        .await?;
        let items = rows
            .into_iter()
            .map(|(start, r)| (QueueCursor(start, r.subject_id, r.id), Report(Arc::new(r))))
            .collect();
        Ok(Some(connection(items, page.first, had)))
    }
}

async fn fresh(ctx: &Context<'_>, id: Uuid) -> ApiResult<Report> {
    db_reports::by_ids(&ctx.state().pool, &[id])
        .await?
        .into_iter()
        .next()
        .map(|r| Report(Arc::new(r)))
        .ok_or_else(|| ApiError::internal("report vanished", &id))
}

async fn fresh_person(ctx: &Context<'_>, id: PersonId) -> ApiResult<Person> {
    let row = cortege_db::people::by_id(&ctx.state().pool, id)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such person".to_owned()))?;
    Ok(Person::new(Arc::new(row), ctx))
}

#[derive(Default)]
pub struct ReportMutation;

#[Object]
impl ReportMutation {
    /// Reports a person, event or group to the moderators. A second open
    /// report by the same member on the same subject is CONFLICT.
    async fn report(&self, ctx: &Context<'_>, input: ReportInput) -> ApiResult<Report> {
        let me = require_member(ctx).await?;
        ctx.state()
            .limits
            .check(crate::throttle::Action::Report, me.id)
            .await?;
        let details = parse_text(&input.details, 2_000, "input.details")?;
        let not_found = || {
            ApiError::bad_input(
                "input.subjectId",
                "is not a person, event or group you can see",
            )
        };
        let (kind, uuid) = ids::decode_any(&input.subject_id).ok_or_else(not_found)?;
        let subject_type = match kind {
            Kind::Person if visible_person(ctx, uuid).await?.is_some() => "PERSON",
            Kind::Event if event_by_id(ctx, uuid).await?.is_some() => "EVENT",
            Kind::Group if visible_group(ctx, uuid).await?.is_some() => "GROUP",
            _ => return Err(not_found()),
        };
        if subject_type == "PERSON" && uuid == me.id {
            return Err(ApiError::bad_input(
                "input.subjectId",
                "you cannot report yourself",
            ));
        }
        let snapshot = db_reports::snapshot(&ctx.state().pool, subject_type, uuid)
            .await?
            .ok_or_else(not_found)?;
        let created = db_reports::create(
            &ctx.state().pool,
            PersonId(me.id),
            subject_type,
            uuid,
            input.reason.as_db(),
            &details,
            snapshot,
        )
        .await;
        match created {
            Ok(id) => {
                let message = cortege_realtime::Message::ReportCreated { report: id };
                let channel = cortege_realtime::Channel::moderation();
                if let Err(e) = ctx.state().bus.publish(&channel, &message).await {
                    // The queue still has it; only the live push is lost.
                    tracing::warn!(error = %e, "announcing a report to moderators failed");
                }
                fresh(ctx, id).await
            }
            Err(e) if e.constraint() == Some(db_reports::ONE_OPEN_REPORT) => Err(
                ApiError::Conflict("you already have an open report on this subject".to_owned()),
            ),
            Err(e) => Err(e.into()),
        }
    }

    /// Admins only: gives a person a role; written to the moderation log.
    #[graphql(guard = "RoleGuard::any(&[Role::Admin])")]
    async fn grant_role(
        &self,
        ctx: &Context<'_>,
        person_id: ID,
        role: crate::objects::person::Role,
    ) -> ApiResult<Person> {
        let me = crate::auth::require_person(ctx)?;
        let id = PersonId(ids::decode(Kind::Person, &person_id, "personId")?);
        let email = cortege_db::people::email_of(&ctx.state().pool, id)
            .await?
            .ok_or_else(|| ApiError::NotFound("no such person".to_owned()))?;
        cortege_db::people::grant_role(&ctx.state().pool, &email, role.into(), Some(me)).await?;
        fresh_person(ctx, id).await
    }

    /// Admins only: removes a role (MEMBER stays); written to the moderation log.
    #[graphql(guard = "RoleGuard::any(&[Role::Admin])")]
    async fn revoke_role(
        &self,
        ctx: &Context<'_>,
        person_id: ID,
        role: crate::objects::person::Role,
    ) -> ApiResult<Person> {
        let me = crate::auth::require_person(ctx)?;
        let id = PersonId(ids::decode(Kind::Person, &person_id, "personId")?);
        if !cortege_db::people::revoke_role(&ctx.state().pool, id, role.into(), me).await? {
            return Err(ApiError::bad_input(
                "role",
                "no such person, or MEMBER, which cannot be revoked",
            ));
        }
        fresh_person(ctx, id).await
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
        let uuid = ids::decode(Kind::Report, &id, "id")?;
        let note = note
            .as_deref()
            .map(|n| parse_text(n, 2_000, "note"))
            .transpose()?;
        match db_reports::resolve(
            &ctx.state().pool,
            uuid,
            me,
            decision.as_db(),
            note.as_deref(),
        )
        .await?
        {
            Ok(banned) => {
                if let Some(person) = banned {
                    crate::live::sessions_revoked(&ctx.state().bus, person, None).await;
                }
                fresh(ctx, uuid).await
            }
            Err(Refusal::NoSuchReport) => Err(ApiError::NotFound("no such report".to_owned())),
            Err(Refusal::AlreadyDecided) => Err(ApiError::Conflict(
                "this report was already decided".to_owned(),
            )),
            Err(Refusal::NotContent) => Err(ApiError::bad_input(
                "decision",
                "REMOVE_CONTENT applies to events and groups; for a person, WARN or BAN",
            )),
            Err(Refusal::NoAuthor) => Err(ApiError::NotFound(
                "the reported subject no longer exists".to_owned(),
            )),
        }
    }
}
