-- Private analytics (issue 17). Attendance is political opinion: analysts
-- get every aggregate and no individual. The views below carry keyed
-- pseudonyms (HMAC-SHA-256 with analytics_settings.pseudonym_key, which the
-- analyst role cannot read: a view reads its tables with its owner's
-- rights), never the ids the API shows, no text written by members, people
-- at commune level only, and nothing that ties a person to an event: who
-- came is only ever a count, NULL below the small-cell threshold.

DROP VIEW analytics.activity_weekly, analytics.events, analytics.rsvps, analytics.people,
    analytics.groups;

CREATE VIEW analytics.events AS
SELECT left(encode(hmac(convert_to('event:' || e.id::text, 'UTF8'), k.pseudonym_key, 'sha256'), 'hex'), 24)
           AS event_key,
       e.kind::text AS kind, e.visibility::text AS visibility, e.online,
       (e.starts_at AT TIME ZONE 'Europe/Paris')::date AS day,
       round(extract(epoch FROM e.ends_at - e.starts_at) / 3600.0, 1) AS hours,
       e.cancelled_at IS NOT NULL AS cancelled, e.removed_at IS NOT NULL AS removed,
       COALESCE(c.parent_code, c.code) AS commune_code, cc.name AS commune_name,
       c.department_code, d.name AS department_name, c.region_code, r.name AS region_name,
       CASE WHEN e.group_id IS NOT NULL THEN
           left(encode(hmac(convert_to('group:' || e.group_id::text, 'UTF8'), k.pseudonym_key, 'sha256'), 'hex'), 24)
       END AS group_key,
       e.capacity, e.seats_taken
FROM events e
CROSS JOIN analytics_settings k
JOIN communes c ON c.code = e.commune_code
JOIN communes cc ON cc.code = COALESCE(c.parent_code, c.code)
JOIN departments d ON d.code = c.department_code
JOIN regions r ON r.code = c.region_code;
COMMENT ON VIEW analytics.events IS 'Every event by pseudonym: kind, day (Europe/Paris), length, commune (arrondissements rolled up), department, region, group pseudonym, seats taken. No title, text, organiser or exact place.';

CREATE VIEW analytics.attendance AS
SELECT left(encode(hmac(convert_to('event:' || e.id::text, 'UTF8'), k.pseudonym_key, 'sha256'), 'hex'), 24)
           AS event_key,
       CASE WHEN count(r.person_id) FILTER (WHERE r.status = 'GOING') >= k.min_cell
            THEN count(r.person_id) FILTER (WHERE r.status = 'GOING') END AS going_people,
       COALESCE(sum(1 + r.guests) FILTER (WHERE r.status = 'GOING'), 0) AS seats,
       CASE WHEN count(r.person_id) FILTER (WHERE r.status = 'WAITLISTED') >= k.min_cell
            THEN count(r.person_id) FILTER (WHERE r.status = 'WAITLISTED') END AS waitlisted_people,
       sum(CASE WHEN r.attended THEN 1 + r.guests ELSE 0 END) FILTER (WHERE r.attended IS NOT NULL)
           AS attended_seats
FROM events e
CROSS JOIN analytics_settings k
LEFT JOIN rsvps r ON r.event_id = e.id
GROUP BY e.id, k.pseudonym_key, k.min_cell;
COMMENT ON VIEW analytics.attendance IS 'Per event pseudonym: GOING and waitlisted people (NULL below the small-cell threshold), seats, attended seats (NULL when attendance was not taken). Who came is never listed.';

CREATE VIEW analytics.people AS
SELECT left(encode(hmac(convert_to('person:' || p.id::text, 'UTF8'), k.pseudonym_key, 'sha256'), 'hex'), 24)
           AS person_key,
       COALESCE(c.parent_code, c.code) AS commune_code, c.department_code, c.region_code,
       to_char(p.created_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM') AS joined_month,
       p.pledge_accepted_at IS NOT NULL AS pledge_accepted,
       p.imported_at IS NOT NULL AS imported,
       p.last_active_on >= current_date - 30 AS active_30d,
       p.banned_at IS NOT NULL AS banned, p.deleted_at IS NOT NULL AS deleted
FROM people p
CROSS JOIN analytics_settings k
LEFT JOIN communes c ON c.code = p.commune_code;
COMMENT ON VIEW analytics.people IS 'Members by pseudonym at commune level: month joined, pledge, imported, active in the last 30 days, banned, deleted. No name, email, phone, tags, roles or exact place; nothing links a member to an event or a group.';

CREATE VIEW analytics.groups AS
SELECT left(encode(hmac(convert_to('group:' || g.id::text, 'UTF8'), k.pseudonym_key, 'sha256'), 'hex'), 24)
           AS group_key,
       g.join_policy::text AS join_policy,
       CASE WHEN g.member_count >= k.min_cell THEN g.member_count END AS members,
       to_char(g.created_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM') AS created_month,
       g.removed_at IS NOT NULL AS removed,
       COALESCE(c.parent_code, c.code) AS commune_code, c.department_code, c.region_code
FROM groups g
CROSS JOIN analytics_settings k
LEFT JOIN communes c ON c.code = g.commune_code;
COMMENT ON VIEW analytics.groups IS 'Local groups by pseudonym (no name or description): join policy, active members (NULL below the small-cell threshold), month created, commune.';

CREATE VIEW analytics.memberships AS
SELECT left(encode(hmac(convert_to('group:' || m.group_id::text, 'UTF8'), k.pseudonym_key, 'sha256'), 'hex'), 24)
           AS group_key,
       m.role::text AS role, m.status::text AS status,
       to_char(m.created_at AT TIME ZONE 'Europe/Paris', 'YYYY-MM') AS month,
       CASE WHEN count(*) >= k.min_cell THEN count(*) END AS people
FROM memberships m
CROSS JOIN analytics_settings k
GROUP BY m.group_id, m.role, m.status, 4, k.pseudonym_key, k.min_cell;
COMMENT ON VIEW analytics.memberships IS 'Memberships counted per group pseudonym, role, status and month asked (NULL below the small-cell threshold).';

CREATE VIEW analytics.outcomes AS
SELECT left(encode(hmac(convert_to('event:' || o.event_id::text, 'UTF8'), k.pseudonym_key, 'sha256'), 'hex'), 24)
           AS event_key,
       (o.reported_at AT TIME ZONE 'Europe/Paris')::date AS reported_on,
       o.leaflets, o.doors_knocked, o.conversations, o.posters, o.signatures, o.contacts
FROM event_outcomes o
CROSS JOIN analytics_settings k;
COMMENT ON VIEW analytics.outcomes IS 'Reported outcomes per event pseudonym (no notes, no reporter).';

CREATE VIEW analytics.moderation AS
SELECT (created_at AT TIME ZONE 'Europe/Paris')::date AS day, 'REPORT_' || subject_type::text AS action,
       reason::text AS reason, count(*) AS n
FROM reports GROUP BY 1, 2, 3
UNION ALL
SELECT (created_at AT TIME ZONE 'Europe/Paris')::date, action, NULL, count(*)
FROM moderation_log GROUP BY 1, 2;
COMMENT ON VIEW analytics.moderation IS 'Moderation volume per day: reports filed by subject type and reason, and every logged action (decisions, bans, role changes).';

CREATE VIEW analytics.activity_daily AS
SELECT s.day, COALESCE(c.parent_code, c.code) AS commune_code, c.department_code, c.region_code,
       s.kind::text AS kind, sum(s.events) AS events, sum(s.seats) AS seats,
       sum(s.leaflets) AS leaflets, sum(s.doors_knocked) AS doors_knocked,
       sum(s.conversations) AS conversations, sum(s.posters) AS posters,
       sum(s.signatures) AS signatures, sum(s.attended) AS attended
FROM stats_daily s
JOIN communes c ON c.code = s.commune_code
GROUP BY 1, 2, 3, 4, 5;
COMMENT ON VIEW analytics.activity_daily IS 'Events, seats and reported outcomes per day (Europe/Paris), commune and kind: the maintained rollup, current to within the flush interval.';

CREATE VIEW analytics.activity_weekly AS
SELECT w.week, w.department_code, w.region_code, w.events, w.seats,
       CASE WHEN w.participants >= k.min_cell THEN w.participants END AS participants
FROM (
    SELECT to_char(e.starts_at AT TIME ZONE 'Europe/Paris', 'IYYY-"W"IW') AS week,
           c.department_code, c.region_code,
           count(DISTINCT e.id) AS events,
           COALESCE(sum(1 + r.guests) FILTER (WHERE r.status = 'GOING'), 0) AS seats,
           count(DISTINCT r.person_id) FILTER (WHERE r.status = 'GOING') AS participants
    FROM events e
    JOIN communes c ON c.code = e.commune_code
    LEFT JOIN rsvps r ON r.event_id = e.id
    WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL
    GROUP BY 1, 2, 3
) w
CROSS JOIN analytics_settings k;
COMMENT ON VIEW analytics.activity_weekly IS 'Events, seats and distinct participants (NULL below the small-cell threshold) per ISO week (Europe/Paris) and department.';

CREATE VIEW analytics.member_snapshots AS
SELECT s.day, s.department_code, d.region_code,
       CASE WHEN s.members >= k.min_cell THEN s.members END AS members,
       CASE WHEN s.new_members >= k.min_cell THEN s.new_members END AS new_members,
       CASE WHEN s.removed >= k.min_cell THEN s.removed END AS removed,
       CASE WHEN s.active_30d >= k.min_cell THEN s.active_30d END AS active_30d
FROM member_snapshots s
CROSS JOIN analytics_settings k
LEFT JOIN departments d ON d.code = s.department_code;
COMMENT ON VIEW analytics.member_snapshots IS 'Members per department and day since launch (department_code NULL: members whose commune is unknown; counts NULL below the small-cell threshold); active_30d is NULL before the first snapshot was taken.';

GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO cortege_analyst;
-- Settings of a role are not inherited by its members: each login gets
-- its statement timeout, read-only default and connection limit from
-- `cortege grant-analyst-login`. The group role carries the same defaults
-- for whoever reads its settings; roles are cluster-wide and test
-- databases migrate in parallel, so a concurrent update is tolerated.
DO $$
BEGIN
    ALTER ROLE cortege_analyst SET statement_timeout = '60s';
    ALTER ROLE cortege_analyst SET default_transaction_read_only = on;
EXCEPTION WHEN OTHERS THEN
    NULL;
END
$$;
