//! The rights of members: a copy of everything that refers to them, and
//! the deletion of their account.

use cortege_domain::PersonId;
use sqlx::PgPool;

use crate::Result;

/// Every foreign key to people, by table and column, that the export
/// covers. A test compares it with the database's own list, so a new
/// reference to people cannot be forgotten.
pub const EXPORT_COVERAGE: &[(&str, &str)] = &[
    ("login_codes", "person_id"),
    ("sessions", "person_id"),
    ("groups", "created_by"),
    ("memberships", "person_id"),
    ("events", "organiser_id"),
    ("rsvps", "person_id"),
    ("friendships", "requester_id"),
    ("friendships", "addressee_id"),
    ("reports", "reporter_id"),
    ("reports", "resolved_by"),
    ("moderation_log", "actor_id"),
    ("moderation_log", "target_person_id"),
    ("activities", "actor_id"),
    ("activities", "recipient_id"),
    ("notification_preferences", "person_id"),
    ("push_subscriptions", "person_id"),
    ("deliveries", "person_id"),
    ("event_outcomes", "reported_by"),
    ("event_hosts", "person_id"),
    ("event_hosts", "added_by"),
    ("group_removals", "person_id"),
    ("group_removals", "removed_by"),
];

/// One JSON document with every row that refers to the person. Secrets
/// (token and code hashes) are left out; so is who reported them.
pub async fn export(pool: &PgPool, person: PersonId) -> Result<serde_json::Value> {
    Ok(sqlx::query_scalar(
        "SELECT jsonb_build_object(
             'person', (SELECT to_jsonb(p) - 'banned_email_hash' - 'calendar_token' FROM people p WHERE p.id = $1),
             'login_codes', (SELECT COALESCE(jsonb_agg(to_jsonb(c) - 'code_hash'), '[]') FROM login_codes c WHERE c.person_id = $1),
             'sessions', (SELECT COALESCE(jsonb_agg(to_jsonb(s) - 'token_hash'), '[]') FROM sessions s WHERE s.person_id = $1),
             'groups_created', (SELECT COALESCE(jsonb_agg(to_jsonb(g) - 'search' - 'earth'), '[]') FROM groups g WHERE g.created_by = $1),
             'memberships', (SELECT COALESCE(jsonb_agg(to_jsonb(m)), '[]') FROM memberships m WHERE m.person_id = $1),
             'events_organised', (SELECT COALESCE(jsonb_agg(to_jsonb(e) - 'search' - 'earth'), '[]') FROM events e WHERE e.organiser_id = $1),
             'rsvps', (SELECT COALESCE(jsonb_agg(to_jsonb(r)), '[]') FROM rsvps r WHERE r.person_id = $1),
             'friendships', (SELECT COALESCE(jsonb_agg(to_jsonb(f)), '[]') FROM friendships f
                             WHERE f.requester_id = $1 OR f.addressee_id = $1),
             'reports_filed', (SELECT COALESCE(jsonb_agg(to_jsonb(r)), '[]') FROM reports r WHERE r.reporter_id = $1),
             'reports_resolved', (SELECT COALESCE(jsonb_agg(jsonb_build_object('id', r.id, 'resolution', r.resolution,
                                      'resolved_at', r.resolved_at)), '[]') FROM reports r WHERE r.resolved_by = $1),
             'moderation_log', (SELECT COALESCE(jsonb_agg(to_jsonb(l)), '[]') FROM moderation_log l
                                WHERE l.actor_id = $1 OR l.target_person_id = $1),
             'activities', (SELECT COALESCE(jsonb_agg(to_jsonb(a)), '[]') FROM activities a
                            WHERE a.actor_id = $1 OR a.recipient_id = $1),
             'notification_preferences', (SELECT COALESCE(jsonb_agg(to_jsonb(n)), '[]')
                                          FROM notification_preferences n WHERE n.person_id = $1),
             'push_subscriptions', (SELECT COALESCE(jsonb_agg(to_jsonb(s) - 'p256dh' - 'auth'), '[]')
                                    FROM push_subscriptions s WHERE s.person_id = $1),
             'notifications', (SELECT COALESCE(jsonb_agg(to_jsonb(d)), '[]') FROM deliveries d WHERE d.person_id = $1),
             'outcomes_reported', (SELECT COALESCE(jsonb_agg(to_jsonb(o)), '[]') FROM event_outcomes o WHERE o.reported_by = $1),
             'events_co_hosted', (SELECT COALESCE(jsonb_agg(to_jsonb(h)), '[]') FROM event_hosts h
                                  WHERE h.person_id = $1 OR h.added_by = $1),
             'group_removals', (SELECT COALESCE(jsonb_agg(to_jsonb(g)), '[]') FROM group_removals g
                                WHERE g.person_id = $1 OR g.removed_by = $1)
         )",
    )
    .bind(person.0)
    .fetch_one(pool)
    .await?)
}

/// Deletes an account: name, email, phone, photo, postcode and location
/// go; sessions end; RSVPs, events and memberships stay as anonymous
/// counts. A banned person keeps a hash of the email, so the ban holds.
/// Returns the photo key whose files the caller removes.
pub async fn delete_account(pool: &PgPool, person: PersonId) -> Result<Option<String>> {
    let mut tx = pool.begin().await?;
    let photo: Option<Option<String>> = sqlx::query_scalar(
        "UPDATE people p SET
             banned_email_hash = CASE WHEN p.banned_at IS NOT NULL THEN sha256(convert_to(p.email, 'UTF8')) END,
             first_name = NULL, last_name = NULL, email = NULL, phone = NULL, photo_key = NULL,
             postcode = NULL, home_lat = NULL, home_lon = NULL, tags = '{}',
             deleted_at = now(), updated_at = now()
         FROM (SELECT photo_key FROM people WHERE id = $1 FOR UPDATE) old
         WHERE p.id = $1 RETURNING old.photo_key",
    )
    .bind(person.0)
    .fetch_optional(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE sessions SET revoked_at = now() WHERE person_id = $1 AND revoked_at IS NULL",
    )
    .bind(person.0)
    .execute(&mut *tx)
    .await?;
    // Nothing more reaches a deleted account: its devices, choices and
    // calendar link go, and what waited to be sent is dropped.
    for sql in [
        "DELETE FROM login_codes WHERE person_id = $1",
        // A deleted account runs nothing any more.
        "DELETE FROM event_hosts WHERE person_id = $1",
        "DELETE FROM push_subscriptions WHERE person_id = $1",
        "DELETE FROM notification_preferences WHERE person_id = $1",
        "UPDATE people SET calendar_token = NULL WHERE id = $1",
        "UPDATE deliveries SET state = 'DROPPED', last_error = 'account deleted'
         WHERE person_id = $1 AND state = 'PENDING'",
    ] {
        sqlx::query(sql).bind(person.0).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(photo.flatten())
}
