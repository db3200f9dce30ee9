//! Reports and moderation decisions. A decision, its effects and its
//! moderation-log row are one transaction: either all happened or none.

use chrono::{DateTime, Utc};
use cortege_domain::{ModerationDecision, ReportReason, ReportStatus, SubjectKind};
use cortege_domain::{PersonId, ReportId};
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::Result;
use crate::activities::{self, Activity, Happening};
use crate::statement::Statement;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Report {
    pub id: Uuid,
    pub reporter_id: Uuid,
    pub subject_type: SubjectKind,
    pub subject_id: Uuid,
    pub reason: ReportReason,
    pub details: String,
    pub snapshot: serde_json::Value,
    pub status: ReportStatus,
    pub resolution: Option<ModerationDecision>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Open reports on the same subject (a pile-on is one case).
    pub open_on_subject: i64,
}

macro_rules! report_columns {
    () => {
        "r.id, r.reporter_id, r.subject_type, r.subject_id, r.reason,
         r.details, r.snapshot, r.status, r.resolution,
         r.resolved_by, r.resolved_at, r.created_at,
         (SELECT count(*) FROM reports o WHERE o.subject_type = r.subject_type
              AND o.subject_id = r.subject_id AND o.status = 'OPEN') AS open_on_subject"
    };
}

/// The constraint that allows one open report per reporter and subject.
pub const ONE_OPEN_REPORT: &str = "reports_open_once_idx";

/// What is reported, as it stands now (the report keeps this copy).
pub async fn snapshot(
    pool: &PgPool,
    subject_type: SubjectKind,
    id: Uuid,
) -> Result<Option<serde_json::Value>> {
    let sql: &'static str = match subject_type {
        SubjectKind::Event => {
            "SELECT jsonb_build_object('title', title, 'description', description, 'kind', kind,
                 'startsAt', starts_at, 'address', concat_ws(', ', street, postcode, city),
                 'organiserId', organiser_id, 'groupId', group_id) FROM events WHERE id = $1"
        }
        SubjectKind::Group => {
            "SELECT jsonb_build_object('name', name, 'description', description, 'createdBy', created_by)
             FROM groups WHERE id = $1"
        }
        SubjectKind::Person => {
            "SELECT jsonb_build_object('firstName', first_name, 'lastName', last_name,
                 'communeCode', commune_code, 'photoKey', photo_key)
             FROM people WHERE id = $1 AND deleted_at IS NULL"
        }
    };
    Ok(sqlx::query_scalar(sql)
        .bind(id)
        .fetch_optional(pool)
        .await?)
}

/// Files a report; Err with [`ONE_OPEN_REPORT`] as constraint when the
/// reporter already has one open on this subject.
pub async fn create(
    pool: &PgPool,
    reporter: PersonId,
    subject_type: SubjectKind,
    subject: Uuid,
    reason: ReportReason,
    details: &str,
    snapshot: serde_json::Value,
) -> Result<Uuid> {
    let id = ReportId::new().0;
    let mut tx = pool.begin().await?;
    sqlx::query(
        // A report joins the open case on its subject, or starts one.
        "INSERT INTO reports (id, reporter_id, subject_type, subject_id, reason, details, snapshot,
                              case_started_at)
         VALUES ($1, $2, $3::report_subject, $4, $5::report_reason, $6, $7,
                 COALESCE((SELECT min(o.case_started_at) FROM reports o
                           WHERE o.subject_type = $3::report_subject AND o.subject_id = $4
                             AND o.status = 'OPEN'), now()))",
    )
    .bind(id)
    .bind(reporter.0)
    .bind(subject_type)
    .bind(subject)
    .bind(reason)
    .bind(details)
    .bind(snapshot)
    .execute(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO activities (id, kind, actor_id, payload) VALUES ($1, $2, $3, $4)")
        .bind(cortege_domain::ActivityId::new().0)
        .bind(Happening::ReportCreated)
        .bind(reporter.0)
        .bind(serde_json::json!({ "report": id }))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn by_ids(pool: &PgPool, ids: &[Uuid]) -> Result<Vec<Report>> {
    Ok(sqlx::query_as(concat!(
        "SELECT ",
        report_columns!(),
        " FROM reports r WHERE r.id = ANY($1)"
    ))
    .bind(ids)
    .fetch_all(pool)
    .await?)
}

/// Where a report stands in the moderation queue: its case's start, its
/// subject, itself.
pub type QueueKey = (DateTime<Utc>, Uuid, Uuid);

/// The moderation queue: cases in the order their first report arrived,
/// each case's reports together. Paged by [`QueueKey`].
pub async fn queue(
    pool: &PgPool,
    status: Option<ReportStatus>,
    after: Option<QueueKey>,
    limit: i64,
) -> Result<Vec<(DateTime<Utc>, Report)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        case_started_at: DateTime<Utc>,
        #[sqlx(flatten)]
        report: Report,
    }
    let rows: Vec<Row> = queue_page(status, after, limit).fetch_all(pool).await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.case_started_at, r.report))
        .collect())
}

/// The statement of [`queue`]: reports_cases_idx (one status) or
/// reports_all_cases_idx walked in order.
pub fn queue_page(status: Option<ReportStatus>, after: Option<QueueKey>, limit: i64) -> Statement {
    macro_rules! queue_sql {
        ($status:literal) => {
            concat!(
                "SELECT r.case_started_at, ",
                report_columns!(),
                " FROM reports r WHERE ",
                $status,
                " ($2::timestamptz IS NULL
                     OR (r.case_started_at, r.subject_id, r.id) > ($2, $3, $4))
                 ORDER BY r.case_started_at, r.subject_id, r.id LIMIT $5"
            )
        };
    }
    let sql = match status {
        Some(_) => queue_sql!("r.status = $1 AND"),
        // $1 is still bound (NULL) so both statements take the same arguments.
        None => queue_sql!("$1::report_status IS NULL AND"),
    };
    Statement::new(sql)
        .bind(status)
        .bind(after.map(|a| a.0))
        .bind(after.map(|a| a.1))
        .bind(after.map(|a| a.2))
        .bind(limit)
}

/// Why a decision was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NoSuchReport,
    AlreadyDecided,
    /// REMOVE_CONTENT on a person: there is no content to hide.
    NotContent,
    NoAuthor,
}

async fn author_of(tx: &mut Transaction<'_, Postgres>, r: &Report) -> Result<Option<Uuid>> {
    let sql: &'static str = match r.subject_type {
        SubjectKind::Event => "SELECT organiser_id FROM events WHERE id = $1",
        SubjectKind::Group => "SELECT created_by FROM groups WHERE id = $1",
        SubjectKind::Person => "SELECT id FROM people WHERE id = $1",
    };
    Ok(sqlx::query_scalar(sql)
        .bind(r.subject_id)
        .fetch_optional(&mut **tx)
        .await?)
}

/// Applies a moderator's decision to a report and every open report on the
/// same subject, with its effects and its log row, in one transaction.
/// Returns the person banned, if the decision banned someone.
pub async fn resolve(
    pool: &PgPool,
    id: Uuid,
    moderator: PersonId,
    decision: ModerationDecision,
    note: Option<&str>,
) -> Result<std::result::Result<Option<Uuid>, Refusal>> {
    let mut tx = pool.begin().await?;
    let report: Option<Report> = sqlx::query_as(concat!(
        "SELECT ",
        report_columns!(),
        " FROM reports r WHERE r.id = $1 FOR UPDATE"
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(report) = report else {
        return Ok(Err(Refusal::NoSuchReport));
    };
    if report.status != ReportStatus::Open {
        return Ok(Err(Refusal::AlreadyDecided));
    }
    let author = author_of(&mut tx, &report).await?;
    match decision {
        ModerationDecision::RemoveContent => {
            let sql: &'static str = match report.subject_type {
                SubjectKind::Event => {
                    "UPDATE events SET removed_at = COALESCE(removed_at, now()) WHERE id = $1"
                }
                SubjectKind::Group => {
                    "UPDATE groups SET removed_at = COALESCE(removed_at, now()) WHERE id = $1"
                }
                SubjectKind::Person => return Ok(Err(Refusal::NotContent)),
            };
            sqlx::query(sql)
                .bind(report.subject_id)
                .execute(&mut *tx)
                .await?;
        }
        ModerationDecision::Warn => {
            let Some(author) = author else {
                return Ok(Err(Refusal::NoAuthor));
            };
            activities::record(
                &mut tx,
                Happening::ModerationWarning,
                Activity {
                    actor: Some(moderator.0),
                    recipient: Some(author),
                    event: (report.subject_type == SubjectKind::Event).then_some(report.subject_id),
                    group: (report.subject_type == SubjectKind::Group).then_some(report.subject_id),
                    payload: serde_json::json!({ "report": report.id, "note": note }),
                },
            )
            .await?;
        }
        ModerationDecision::Ban => {
            let Some(author) = author else {
                return Ok(Err(Refusal::NoAuthor));
            };
            ban(&mut tx, author).await?;
        }
        ModerationDecision::Dismiss => {}
    }
    let status = decision.report_status();
    sqlx::query(
        "UPDATE reports SET status = $3::report_status, resolution = $4::moderation_decision,
             resolution_note = $5, resolved_by = $2, resolved_at = now()
         WHERE subject_type = $6::report_subject AND subject_id = $1 AND status = 'OPEN'",
    )
    .bind(report.subject_id)
    .bind(moderator.0)
    .bind(status)
    .bind(decision)
    .bind(note)
    .bind(report.subject_type)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO moderation_log (actor_id, action, target_person_id, target_type, target_id, report_id, reason)
         VALUES ($1, $2, $3, $4::report_subject, $5, $6, $7)",
    )
    .bind(moderator.0)
    .bind(decision.as_str())
    .bind(author)
    .bind(report.subject_type)
    .bind(report.subject_id)
    .bind(report.id)
    .bind(note)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(author.filter(|_| decision == ModerationDecision::Ban)))
}

/// Bans a person: sign-in refused (sessions revoked, live codes deleted),
/// their events and groups hidden.
async fn ban(tx: &mut Transaction<'_, Postgres>, person: Uuid) -> Result<()> {
    sqlx::query("UPDATE people SET banned_at = COALESCE(banned_at, now()) WHERE id = $1")
        .bind(person)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE sessions SET revoked_at = now() WHERE person_id = $1 AND revoked_at IS NULL",
    )
    .bind(person)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM login_codes WHERE person_id = $1 AND used_at IS NULL")
        .bind(person)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE events SET removed_at = COALESCE(removed_at, now()) WHERE organiser_id = $1",
    )
    .bind(person)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE groups SET removed_at = COALESCE(removed_at, now()) WHERE created_by = $1")
        .bind(person)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
