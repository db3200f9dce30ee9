-- Cortège data model. PostgreSQL is the one source of truth; Redis only
-- carries notifications and counters.

-- earthdistance gives exact great-circle distances over a GiST-indexed cube
-- (see events.earth); unaccent and pg_trgm serve French text search.
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Enumerations mirror the GraphQL enums one to one, so a value that the API
-- cannot express cannot be stored either.
CREATE TYPE person_role AS ENUM ('MEMBER', 'MODERATOR', 'ANALYST', 'ADMIN');
CREATE TYPE event_kind AS ENUM (
    'LEAFLETING', 'DOOR_TO_DOOR', 'POSTERING', 'STREET_STALL', 'CARAVAN',
    'PHONE_BANK', 'SIGNATURE_GATHERING', 'GROUP_MEETING', 'PUBLIC_MEETING',
    'RALLY', 'TRAINING', 'CARPOOL', 'ONLINE_MEETING', 'OTHER');
CREATE TYPE visibility AS ENUM ('PUBLIC', 'GROUP', 'UNLISTED');
CREATE TYPE rsvp_status AS ENUM ('GOING', 'WAITLISTED', 'CANCELLED');
CREATE TYPE join_policy AS ENUM ('OPEN', 'APPROVAL');
CREATE TYPE membership_status AS ENUM ('PENDING', 'ACTIVE');
CREATE TYPE group_role AS ENUM ('MEMBER', 'MANAGER');
CREATE TYPE friendship_status AS ENUM ('PENDING', 'ACCEPTED', 'DECLINED');
CREATE TYPE report_subject AS ENUM ('PERSON', 'EVENT', 'GROUP');
CREATE TYPE report_reason AS ENUM (
    'OPPOSING_ACTIVITY', 'SPAM', 'HARASSMENT', 'HATE', 'MISINFORMATION',
    'PRIVACY', 'OTHER');
CREATE TYPE report_status AS ENUM ('OPEN', 'RESOLVED', 'DISMISSED');
CREATE TYPE moderation_decision AS ENUM ('DISMISS', 'REMOVE_CONTENT', 'WARN', 'BAN');
CREATE TYPE activity_kind AS ENUM (
    'EVENT_CREATED', 'EVENT_UPDATED', 'EVENT_CANCELLED', 'RSVP_CHANGED',
    'FRIEND_REQUEST', 'FRIEND_ACCEPTED', 'GROUP_MEMBER_JOINED',
    'MODERATION_WARNING', 'REPORT_CREATED');

-- French administrative reference (INSEE codes), loaded from the committed
-- files in crates/db/reference by `cortege migrate`.
CREATE TABLE regions (
    code text PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE departments (
    code text PRIMARY KEY,            -- "13", "2A", "971"
    name text NOT NULL,
    region_code text NOT NULL REFERENCES regions (code)
);

CREATE TABLE communes (
    code text PRIMARY KEY,            -- INSEE commune code, "13055"
    name text NOT NULL,
    department_code text NOT NULL REFERENCES departments (code),
    region_code text NOT NULL REFERENCES regions (code),
    -- Municipal arrondissements (Marseille 1er…) point at their city, into
    -- which statistics roll them up.
    parent_code text REFERENCES communes (code),
    population integer NOT NULL DEFAULT 0,
    lat double precision NOT NULL,
    lon double precision NOT NULL
);
CREATE INDEX communes_department_idx ON communes (department_code);
CREATE INDEX communes_parent_idx ON communes (parent_code) WHERE parent_code IS NOT NULL;

CREATE TABLE commune_postcodes (
    postcode text NOT NULL,
    commune_code text NOT NULL REFERENCES communes (code) ON DELETE CASCADE,
    PRIMARY KEY (postcode, commune_code)
);

-- Digest of the loaded reference files, so a changed file is reloaded once.
CREATE TABLE reference_data (
    name text PRIMARY KEY,
    digest text NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE people (
    id uuid PRIMARY KEY,
    first_name text,                  -- null once the account is deleted
    last_name text,
    -- Normalised (trimmed, lower case): one account per address, compared
    -- case-insensitively. Null once the account is deleted.
    email text UNIQUE,
    -- SHA-256 of the normalised email, kept after deletion of a banned
    -- account only, so the ban cannot be evaded by signing up again.
    banned_email_hash bytea UNIQUE,
    photo_key text,                   -- file stem under <data>/media/photos
    phone text,
    tags text[] NOT NULL DEFAULT '{}',
    postcode text,
    commune_code text REFERENCES communes (code),
    -- Exact home location: never shown to anyone but the person; used for
    -- the nearby feed. Defaults to the commune centre for a postcode only.
    home_lat double precision,
    home_lon double precision,
    action_radius_km real NOT NULL DEFAULT 20
        CHECK (action_radius_km > 0 AND action_radius_km <= 500),
    roles person_role[] NOT NULL DEFAULT '{MEMBER}',
    pledge_accepted_at timestamptz,   -- null for imported members until they accept
    imported_at timestamptz,
    banned_at timestamptz,
    deleted_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((home_lat IS NULL) = (home_lon IS NULL)),
    CHECK (home_lat IS NULL OR (home_lat BETWEEN -90 AND 90 AND home_lon BETWEEN -180 AND 180))
);
CREATE INDEX people_commune_idx ON people (commune_code);

CREATE TABLE login_codes (
    id uuid PRIMARY KEY,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    code_hash text NOT NULL,          -- argon2id PHC string: codes are short
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
-- Verification only ever looks at a person's live codes.
CREATE INDEX login_codes_live_idx ON login_codes (person_id, created_at DESC) WHERE used_at IS NULL;

CREATE TABLE sessions (
    id uuid PRIMARY KEY,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL UNIQUE, -- SHA-256 of a 256-bit random token
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX sessions_person_idx ON sessions (person_id) WHERE revoked_at IS NULL;

CREATE TABLE groups (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    description text NOT NULL,
    join_policy join_policy NOT NULL DEFAULT 'OPEN',
    lat double precision,
    lon double precision,
    street text,
    postcode text,
    city text,
    commune_code text REFERENCES communes (code),
    created_by uuid NOT NULL REFERENCES people (id),
    removed_at timestamptz,           -- hidden by a moderator
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((lat IS NULL) = (lon IS NULL))
);
CREATE INDEX groups_commune_idx ON groups (commune_code);

CREATE TABLE memberships (
    group_id uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    role group_role NOT NULL DEFAULT 'MEMBER',
    status membership_status NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    activated_at timestamptz,
    PRIMARY KEY (group_id, person_id),
    CHECK ((status = 'ACTIVE') = (activated_at IS NOT NULL))
);
-- "my groups", and the visibility check of GROUP events.
CREATE INDEX memberships_person_idx ON memberships (person_id, group_id) WHERE status = 'ACTIVE';
CREATE INDEX memberships_pending_idx ON memberships (group_id, created_at) WHERE status = 'PENDING';

CREATE TABLE events (
    id uuid PRIMARY KEY,
    organiser_id uuid NOT NULL REFERENCES people (id),
    group_id uuid REFERENCES groups (id),
    kind event_kind NOT NULL,
    visibility visibility NOT NULL DEFAULT 'PUBLIC',
    title text NOT NULL,
    description text NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    -- ll_to_earth(lat, lon), written by the application. A stored column
    -- rather than an expression index because ll_to_earth calls cube()
    -- unqualified, which breaks expression indexes under pg_restore's empty
    -- search_path.
    earth cube NOT NULL,
    street text,
    postcode text NOT NULL,
    city text NOT NULL,
    commune_code text NOT NULL REFERENCES communes (code),
    capacity integer CHECK (capacity >= 1),
    cancelled_at timestamptz,
    removed_at timestamptz,           -- hidden by a moderator
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    CHECK (visibility <> 'GROUP' OR group_id IS NOT NULL)
);
-- Radius search: earth_box(...) @> earth uses this GiST index, then
-- earth_distance gives the exact great-circle distance.
CREATE INDEX events_earth_idx ON events USING gist (earth)
    WHERE cancelled_at IS NULL AND removed_at IS NULL;
-- Default listing: upcoming listable events, soonest first.
CREATE INDEX events_listed_time_idx ON events (starts_at, id)
    WHERE cancelled_at IS NULL AND removed_at IS NULL;
CREATE INDEX events_group_idx ON events (group_id, starts_at) WHERE group_id IS NOT NULL;
CREATE INDEX events_organiser_idx ON events (organiser_id, starts_at);
CREATE INDEX events_commune_idx ON events (commune_code, starts_at);

CREATE TABLE rsvps (
    id uuid PRIMARY KEY,
    event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    status rsvp_status NOT NULL,
    guests smallint NOT NULL DEFAULT 0 CHECK (guests BETWEEN 0 AND 10),
    -- Waiting order for promotions: set when a party joins the waitlist.
    waitlisted_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, person_id)
);
CREATE INDEX rsvps_event_status_idx ON rsvps (event_id, status);
CREATE INDEX rsvps_person_idx ON rsvps (person_id, created_at);

CREATE TABLE friendships (
    id uuid PRIMARY KEY,
    requester_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    addressee_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    status friendship_status NOT NULL DEFAULT 'PENDING',
    created_at timestamptz NOT NULL DEFAULT now(),
    responded_at timestamptz,
    CHECK (requester_id <> addressee_id)
);
-- One live (pending or accepted) friendship per pair, whichever way round;
-- declined requests stay as history and do not block a later one.
CREATE UNIQUE INDEX friendships_pair_live_idx
    ON friendships (LEAST(requester_id, addressee_id), GREATEST(requester_id, addressee_id))
    WHERE status IN ('PENDING', 'ACCEPTED');
CREATE INDEX friendships_requester_idx ON friendships (requester_id, status);
CREATE INDEX friendships_addressee_idx ON friendships (addressee_id, status);

CREATE TABLE reports (
    id uuid PRIMARY KEY,
    reporter_id uuid NOT NULL REFERENCES people (id),
    subject_type report_subject NOT NULL,
    subject_id uuid NOT NULL,         -- people, events or groups, by subject_type
    reason report_reason NOT NULL,
    details text NOT NULL,
    snapshot jsonb NOT NULL,          -- the reported content as it was
    status report_status NOT NULL DEFAULT 'OPEN',
    resolution moderation_decision,
    resolution_note text,
    resolved_by uuid REFERENCES people (id),
    resolved_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- A second open report by the same reporter on the same subject is CONFLICT.
CREATE UNIQUE INDEX reports_open_once_idx ON reports (reporter_id, subject_type, subject_id)
    WHERE status = 'OPEN';
-- The queue groups open reports by subject.
CREATE INDEX reports_queue_idx ON reports (status, subject_type, subject_id, created_at);

-- Append-only: who did what to whom, and why. Written in the same
-- transaction as the action it records.
CREATE TABLE moderation_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id uuid REFERENCES people (id),   -- null for the command line
    action text NOT NULL,             -- 'GRANT_ROLE', 'BAN', 'REMOVE_CONTENT'…
    target_person_id uuid REFERENCES people (id),
    target_type report_subject,
    target_id uuid,
    report_id uuid REFERENCES reports (id),
    reason text,
    details jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX moderation_log_target_idx ON moderation_log (target_person_id, created_at);

CREATE FUNCTION moderation_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'moderation_log is append-only';
END;
$$;
CREATE TRIGGER moderation_log_no_update BEFORE UPDATE OR DELETE ON moderation_log
    FOR EACH ROW EXECUTE FUNCTION moderation_log_append_only();

-- The feed and the outbox in one table. A mutation others should hear about
-- inserts its activity in its own transaction (seq null); the relay then
-- numbers committed rows gap-free in commit order and publishes them. Feed
-- cursors are seq. Recipients are derived at delivery time, so one
-- happening is one row whatever its audience.
CREATE TABLE activities (
    id uuid PRIMARY KEY,
    seq bigint UNIQUE,
    kind activity_kind NOT NULL,
    actor_id uuid REFERENCES people (id),
    event_id uuid REFERENCES events (id),
    group_id uuid REFERENCES groups (id),
    -- The one person an activity is addressed to, when it has one
    -- (friend request, warning).
    recipient_id uuid REFERENCES people (id),
    payload jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
-- What the relay has yet to number.
CREATE INDEX activities_unsequenced_idx ON activities (created_at, id) WHERE seq IS NULL;
CREATE INDEX activities_recipient_idx ON activities (recipient_id, seq) WHERE recipient_id IS NOT NULL;
CREATE INDEX activities_event_idx ON activities (event_id, seq) WHERE event_id IS NOT NULL;
CREATE INDEX activities_group_idx ON activities (group_id, seq) WHERE group_id IS NOT NULL;
CREATE INDEX activities_actor_idx ON activities (actor_id, seq);

-- The relay's position: the last sequence number handed out.
CREATE TABLE outbox_state (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    last_seq bigint NOT NULL DEFAULT 0
);
INSERT INTO outbox_state DEFAULT VALUES;
