//! Reports and moderators' decisions, and the roles that allow them. Every
//! decision and role change is written to the one moderation log, in the
//! transaction that makes it (see `cortege_db::reports`).

use cortege_db::people::Person;
use cortege_db::reports::{self as db_reports, Refusal, Report};
use cortege_domain::{
    ModerationDecision, PersonId, ReportReason, Role, SubjectKind, ValidationError,
};
use uuid::Uuid;

use crate::rate_limits::Action;
use crate::{App, Error, Result, events, rights};

/// Longest report details and decision notes.
pub const MAX_NOTE: usize = 2_000;

/// A report as a member files it; the subject's kind comes from its id.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub subject: SubjectKind,
    pub subject_id: Uuid,
    pub reason: ReportReason,
    pub details: String,
}

/// The answer to a subject that is not a person, event or group the
/// reporter can see: the same whether it does not exist or is hidden.
pub fn subject_refused() -> ValidationError {
    ValidationError::new(
        "input.subjectId",
        "is not a person, event or group you can see",
    )
}

fn not_visible() -> Error {
    subject_refused().into()
}

async fn report_by_id(app: &App, id: Uuid) -> Result<Report> {
    db_reports::by_ids(&app.pool, &[id])
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| Error::internal("report vanished", &id))
}

/// Whether `actor` can see the subject at all (one cannot report what one
/// cannot see, nor learn that it exists by reporting it).
async fn can_see(app: &App, actor: &Person, kind: SubjectKind, id: Uuid) -> Result<bool> {
    Ok(match kind {
        SubjectKind::Person => cortege_db::people::by_ids(&app.pool, &[id])
            .await?
            .first()
            .is_some_and(Person::is_active),
        SubjectKind::Event => match events::readable(app, Some(actor), id).await {
            Ok(_) => true,
            Err(Error::NotFound(_)) => false,
            Err(e) => return Err(e),
        },
        SubjectKind::Group => !cortege_db::groups::by_ids(&app.pool, &[id])
            .await?
            .is_empty(),
    })
}

/// Files a report and tells the moderators live. A second open report by
/// the same member on the same subject is CONFLICT.
pub async fn report(app: &App, actor: &Person, r: NewReport) -> Result<Report> {
    rights::require_member(actor)?;
    app.limits.check(Action::Report, actor.id).await?;
    if !can_see(app, actor, r.subject, r.subject_id).await? {
        return Err(not_visible());
    }
    if r.subject == SubjectKind::Person && r.subject_id == actor.id {
        return Err(Error::invalid(
            "input.subjectId",
            "you cannot report yourself",
        ));
    }
    let snapshot = db_reports::snapshot(&app.pool, r.subject, r.subject_id)
        .await?
        .ok_or_else(not_visible)?;
    let created = db_reports::create(
        &app.pool,
        PersonId(actor.id),
        r.subject,
        r.subject_id,
        r.reason,
        &r.details,
        snapshot,
    )
    .await;
    match created {
        Ok(id) => {
            cortege_live::publish::report_created(&app.bus, id).await;
            report_by_id(app, id).await
        }
        Err(e) if e.constraint() == Some(db_reports::ONE_OPEN_REPORT) => Err(Error::Conflict(
            "you already have an open report on this subject".to_owned(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// A moderator's decision on a report: it applies to every open report on
/// the subject; a ban ends the author's sessions everywhere.
pub async fn resolve(
    app: &App,
    moderator: PersonId,
    report: Uuid,
    decision: ModerationDecision,
    note: Option<&str>,
) -> Result<Report> {
    match db_reports::resolve(&app.pool, report, moderator, decision, note).await? {
        Ok(banned) => {
            if let Some(person) = banned {
                crate::sessions::ended(app, PersonId(person), None).await;
            }
            report_by_id(app, report).await
        }
        Err(Refusal::NoSuchReport) => Err(Error::not_found("report")),
        Err(Refusal::AlreadyDecided) => Err(Error::Conflict(
            "this report was already decided".to_owned(),
        )),
        Err(Refusal::NotContent) => Err(Error::invalid(
            "decision",
            "REMOVE_CONTENT applies to events and groups; for a person, WARN or BAN",
        )),
        Err(Refusal::NoAuthor) => Err(Error::NotFound(
            "the reported subject no longer exists".to_owned(),
        )),
    }
}

/// Gives a person a role (`by` None: the command line); written to the
/// moderation log.
pub async fn grant_role(
    app: &App,
    by: Option<PersonId>,
    id: PersonId,
    role: Role,
) -> Result<Person> {
    let email = cortege_db::people::email_of(&app.pool, id)
        .await?
        .ok_or_else(|| Error::not_found("person"))?;
    cortege_db::people::grant_role(&app.pool, &email, role, by).await?;
    person(app, id).await
}

/// Removes a role (MEMBER stays); written to the moderation log.
pub async fn revoke_role(app: &App, by: PersonId, id: PersonId, role: Role) -> Result<Person> {
    if !cortege_db::people::revoke_role(&app.pool, id, role, by).await? {
        return Err(Error::invalid(
            "role",
            "no such person, or MEMBER, which cannot be revoked",
        ));
    }
    person(app, id).await
}

async fn person(app: &App, id: PersonId) -> Result<Person> {
    cortege_db::people::by_id(&app.pool, id)
        .await?
        .ok_or_else(|| Error::not_found("person"))
}

/// A page of the moderation log, newest first (the caller lets staff
/// only): every decision, role change and group managers' and hosts'
/// action moderators review, optionally about one person.
pub async fn log(
    app: &App,
    person: Option<uuid::Uuid>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<cortege_db::moderation_log::Entry>> {
    Ok(cortege_db::moderation_log::page(&app.pool, person, before, limit).await?)
}
