-- Organising for real (issue 16): co-hosts, removed members, attendance
-- and contacts shared with the hosts.

-- People who run an event with its organiser, with the organiser's rights
-- over it. The organiser stays events.organiser_id and is not listed here.
CREATE TABLE event_hosts (
    event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    added_by uuid REFERENCES people (id) ON DELETE SET NULL,
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, person_id)
);
CREATE INDEX event_hosts_person_idx ON event_hosts (person_id, event_id);
CREATE INDEX event_hosts_added_by_idx ON event_hosts (added_by);

-- Whom a group's managers removed, and when: under OPEN they may not join
-- again for 30 days (under APPROVAL they may ask, and the managers answer).
CREATE TABLE group_removals (
    group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    removed_by uuid REFERENCES people (id) ON DELETE SET NULL,
    removed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, person_id)
);
CREATE INDEX group_removals_person_idx ON group_removals (person_id);
CREATE INDEX group_removals_removed_by_idx ON group_removals (removed_by);

-- Attendance, marked by the hosts or by the attendee's check-in, and the
-- attendee's consent to show their email and phone to the hosts. (Adding
-- columns with constant defaults rewrites nothing.)
ALTER TABLE rsvps
    ADD COLUMN attended boolean,
    ADD COLUMN attended_at timestamptz,
    ADD COLUMN share_contact boolean NOT NULL DEFAULT false;

ALTER TYPE activity_kind ADD VALUE IF NOT EXISTS 'EVENT_HOST_ADDED';
ALTER TYPE activity_kind ADD VALUE IF NOT EXISTS 'EVENT_HOST_REMOVED';
ALTER TYPE activity_kind ADD VALUE IF NOT EXISTS 'GROUP_MEMBER_REMOVED';
ALTER TYPE notification_kind ADD VALUE IF NOT EXISTS 'EVENT_HOST_ADDED';
ALTER TYPE notification_kind ADD VALUE IF NOT EXISTS 'EVENT_HOST_REMOVED';
ALTER TYPE notification_kind ADD VALUE IF NOT EXISTS 'GROUP_MEMBER_REMOVED';

-- Attended seats per event, for stats: only the RSVPs marked.
CREATE INDEX rsvps_attended_idx ON rsvps (event_id) INCLUDE (guests, attended)
    WHERE attended IS NOT NULL;
