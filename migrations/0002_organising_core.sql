-- Search, counters and geography for the organising core.

-- French full-text search that ignores accents and case: the French
-- stemmer after unaccent, so "Réunion" finds "reunion" and "réunions".
CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
ALTER TEXT SEARCH CONFIGURATION french_unaccent
    ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;

-- A generated column rather than an expression index: the configuration is
-- stored by OID, so dumps restore it whatever the search_path.
ALTER TABLE events ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('french_unaccent'::regconfig, coalesce(title, '')), 'A') ||
    setweight(to_tsvector('french_unaccent'::regconfig, coalesce(description, '')), 'B')
) STORED;
CREATE INDEX events_search_idx ON events USING gin (search)
    WHERE cancelled_at IS NULL AND removed_at IS NULL;

-- Seats taken by GOING parties (1 + guests each). Maintained in the same
-- transaction as every RSVP change, under the event's row lock, so it is
-- exact; it makes attendeeCount and isFull free for every listed event.
ALTER TABLE events ADD COLUMN seats_taken integer NOT NULL DEFAULT 0 CHECK (seats_taken >= 0);
ALTER TABLE events ADD CONSTRAINT events_capacity_holds CHECK (capacity IS NULL OR seats_taken <= capacity);

-- Active members, maintained like seats_taken.
ALTER TABLE groups ADD COLUMN member_count integer NOT NULL DEFAULT 0 CHECK (member_count >= 0);
ALTER TABLE groups ADD COLUMN earth cube;
CREATE INDEX groups_earth_idx ON groups USING gist (earth) WHERE removed_at IS NULL;
ALTER TABLE groups ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('french_unaccent'::regconfig, coalesce(name, '')), 'A') ||
    setweight(to_tsvector('french_unaccent'::regconfig, coalesce(description, '')), 'B')
) STORED;
CREATE INDEX groups_search_idx ON groups USING gin (search) WHERE removed_at IS NULL;
CREATE INDEX groups_name_idx ON groups (name, id) WHERE removed_at IS NULL;

-- Waiting order for promotions.
CREATE INDEX rsvps_waitlist_idx ON rsvps (event_id, waitlisted_at, id) WHERE status = 'WAITLISTED';
CREATE INDEX memberships_group_active_idx ON memberships (group_id, role, activated_at) WHERE status = 'ACTIVE';
