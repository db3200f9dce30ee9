-- Read-only SQL access for analysts: documented views in their own schema
-- (no email, no name, no exact location: data is political opinion) and a
-- NOLOGIN role that may read those views and nothing else. Logins are
-- created in that role with `cortege grant-analyst-login NAME`.

-- Roles are cluster-wide and test databases migrate in parallel: create it
-- once, tolerating a concurrent creation.
DO $$
BEGIN
    CREATE ROLE cortege_analyst NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

CREATE SCHEMA analytics;
COMMENT ON SCHEMA analytics IS 'Read-only views for analysts; see docs/analysts.md.';

CREATE VIEW analytics.events AS
SELECT e.id, e.kind::text AS kind, e.visibility::text AS visibility,
       e.starts_at, e.ends_at, e.created_at,
       e.cancelled_at IS NOT NULL AS cancelled, e.removed_at IS NOT NULL AS removed,
       COALESCE(c.parent_code, c.code) AS commune_code, cc.name AS commune_name,
       c.department_code, d.name AS department_name, c.region_code, r.name AS region_name,
       e.group_id, e.organiser_id, e.capacity, e.seats_taken
FROM events e
JOIN communes c ON c.code = e.commune_code
JOIN communes cc ON cc.code = COALESCE(c.parent_code, c.code)
JOIN departments d ON d.code = c.department_code
JOIN regions r ON r.code = c.region_code;
COMMENT ON VIEW analytics.events IS 'Every event with its commune (arrondissements rolled up into their city), department and region. seats_taken: seats of GOING RSVPs.';

CREATE VIEW analytics.rsvps AS
SELECT r.id, r.event_id, r.person_id, r.status::text AS status, r.guests, 1 + r.guests AS seats,
       r.created_at
FROM rsvps r;
COMMENT ON VIEW analytics.rsvps IS 'RSVPs. seats = 1 + guests; only GOING ones take seats.';

CREATE VIEW analytics.people AS
SELECT p.id, COALESCE(c.parent_code, c.code) AS commune_code, c.department_code, c.region_code,
       p.created_at, p.pledge_accepted_at IS NOT NULL AS pledge_accepted,
       p.imported_at IS NOT NULL AS imported, p.banned_at IS NOT NULL AS banned,
       p.deleted_at IS NOT NULL AS deleted, p.roles::text[] AS roles
FROM people p
LEFT JOIN communes c ON c.code = p.commune_code;
COMMENT ON VIEW analytics.people IS 'Members without name, email, phone or exact location: commune level only.';

CREATE VIEW analytics.groups AS
SELECT g.id, g.name, g.join_policy::text AS join_policy, g.member_count, g.created_at,
       g.removed_at IS NOT NULL AS removed,
       COALESCE(c.parent_code, c.code) AS commune_code, c.department_code, c.region_code
FROM groups g
LEFT JOIN communes c ON c.code = g.commune_code;
COMMENT ON VIEW analytics.groups IS 'Local groups with their active member count.';

CREATE VIEW analytics.activity_weekly AS
SELECT to_char(e.starts_at AT TIME ZONE 'Europe/Paris', 'IYYY-"W"IW') AS week,
       c.department_code, c.region_code,
       count(DISTINCT e.id) AS events,
       COALESCE(sum(1 + r.guests) FILTER (WHERE r.status = 'GOING'), 0) AS seats,
       count(DISTINCT r.person_id) FILTER (WHERE r.status = 'GOING') AS participants
FROM events e
JOIN communes c ON c.code = e.commune_code
LEFT JOIN rsvps r ON r.event_id = e.id
WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL
GROUP BY 1, 2, 3;
COMMENT ON VIEW analytics.activity_weekly IS 'Events, seats and participants per ISO week (Europe/Paris) and department.';

CREATE VIEW analytics.communes AS
SELECT c.code, c.name, c.department_code, d.name AS department_name, c.region_code,
       r.name AS region_name, c.parent_code, c.population
FROM communes c
JOIN departments d ON d.code = c.department_code
JOIN regions r ON r.code = c.region_code;
COMMENT ON VIEW analytics.communes IS 'INSEE communes with their department and region.';

GRANT USAGE ON SCHEMA analytics TO cortege_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO cortege_analyst;
