-- Listings keyed by what they sort on, so that a page is read off an index
-- in order and costs the page, not the whole list: before this, attendees,
-- members and the moderation queue numbered every row (a window function)
-- to find the twenty asked for.

-- An event's attendees: GOING, then the waitlist in waiting order.
CREATE INDEX rsvps_attendees_idx
    ON rsvps (event_id, status, (COALESCE(waitlisted_at, created_at)), id)
    WHERE status <> 'CANCELLED';

-- A group's members or join requests: managers first, then joining order.
CREATE INDEX memberships_roster_idx
    ON memberships (group_id, status, role DESC, created_at, person_id);
-- It serves join requests too (status PENDING), which had this one.
DROP INDEX memberships_pending_idx;
-- A member's groups (active and pending), in joining order.
CREATE INDEX memberships_joined_idx ON memberships (person_id, created_at, group_id);

-- The moderation queue lists cases (the reports on one subject decided
-- together) in the order their first report arrived. That order is now
-- stored with each report when it is filed: the first report of a case
-- starts it, later ones join it, and a report filed after a decision
-- starts a new case.
ALTER TABLE reports ADD COLUMN case_started_at timestamptz;
UPDATE reports r SET case_started_at = c.first
FROM (SELECT subject_type, subject_id, status, min(created_at) AS first
      FROM reports GROUP BY subject_type, subject_id, status) c
WHERE c.subject_type = r.subject_type AND c.subject_id = r.subject_id AND c.status = r.status;
ALTER TABLE reports ALTER COLUMN case_started_at SET NOT NULL;
CREATE INDEX reports_cases_idx ON reports (status, case_started_at, subject_id, id);
CREATE INDEX reports_all_cases_idx ON reports (case_started_at, subject_id, id);

-- A member's feed page, newest first, read from each of the feed's sources
-- in seq order instead of deriving the feed over the whole activity log.
-- The "new event near you" source is geographic and ordered by time at
-- once: a GiST index over (place, seq) (btree_gist gives seq its distance
-- operator) walks newest first within the member's radius. The place is
-- where the event was when the activity happened.
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE activities ADD COLUMN earth earth;
UPDATE activities a SET earth = e.earth FROM events e WHERE e.id = a.event_id;
CREATE INDEX activities_nearby_idx ON activities USING gist (earth, seq)
    WHERE kind = 'EVENT_CREATED';

-- A member's RSVPs, by the start of their events: the start is copied onto
-- each RSVP (kept by triggers: on insert, and when an event moves) so the
-- page is read off one index instead of sorting every RSVP of the member.
ALTER TABLE rsvps ADD COLUMN event_starts_at timestamptz;
UPDATE rsvps r SET event_starts_at = e.starts_at FROM events e WHERE e.id = r.event_id;
ALTER TABLE rsvps ALTER COLUMN event_starts_at SET NOT NULL;
CREATE FUNCTION rsvps_take_event_start() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.event_starts_at := (SELECT e.starts_at FROM events e WHERE e.id = NEW.event_id);
    RETURN NEW;
END;
$$;
CREATE TRIGGER rsvps_take_event_start BEFORE INSERT OR UPDATE OF event_id ON rsvps
    FOR EACH ROW EXECUTE FUNCTION rsvps_take_event_start();
CREATE FUNCTION events_move_rsvps() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rsvps SET event_starts_at = NEW.starts_at WHERE event_id = NEW.id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER events_move_rsvps AFTER UPDATE OF starts_at ON events
    FOR EACH ROW WHEN (OLD.starts_at IS DISTINCT FROM NEW.starts_at)
    EXECUTE FUNCTION events_move_rsvps();
CREATE INDEX rsvps_agenda_idx ON rsvps (person_id, event_starts_at, id)
    WHERE status <> 'CANCELLED';

-- A member's friends by friendship date, from either side of the pair:
-- each side read in order, the two merged.
CREATE INDEX friendships_requester_since_idx
    ON friendships (requester_id, (COALESCE(responded_at, created_at)), id) WHERE status = 'ACCEPTED';
CREATE INDEX friendships_addressee_since_idx
    ON friendships (addressee_id, (COALESCE(responded_at, created_at)), id) WHERE status = 'ACCEPTED';
