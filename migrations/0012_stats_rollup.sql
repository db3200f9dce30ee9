-- Statistics at scale (issue 17): a maintained daily rollup of activity,
-- membership snapshots for history, and analytics views that carry keyed
-- pseudonyms instead of the ids the API shows.

-- Distinct participants per bucket are HyperLogLog sketches (Citus' hll,
-- Debian's postgresql-NN-hll). The extension is optional: without it the
-- sketches stay NULL and statistics count participants exactly, slowly.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS hll;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'hll is not available (%): distinct participants are counted exactly', SQLERRM;
END
$$;
-- HMAC for the analysts' pseudonyms (trusted since PostgreSQL 13).
CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- One row per (commune as stored on events, Europe/Paris day, kind) that
-- holds a counted event. Rebuilt whole from the events of its bucket when
-- the bucket is marked dirty, so it always equals a direct count once the
-- dirty marks are flushed.
CREATE TABLE stats_daily (
    commune_code text NOT NULL REFERENCES communes (code),
    -- The commune's (never changes): the department rollup's key.
    department_code text NOT NULL,
    day date NOT NULL,
    kind event_kind NOT NULL,
    events integer NOT NULL,
    seats bigint NOT NULL,
    -- An hll sketch of the GOING people; NULL without anyone.
    participants bytea,
    leaflets bigint,
    doors_knocked bigint,
    conversations bigint,
    posters bigint,
    signatures bigint,
    attended bigint,
    PRIMARY KEY (commune_code, day, kind)
);
CREATE INDEX stats_daily_day_idx ON stats_daily (day);
CREATE INDEX stats_daily_department_idx ON stats_daily (department_code, day, kind);

-- Two coarser rollups, each rebuilt from stats_daily for the keys a flush
-- touched, so that a question reads tens of thousands of rows: per
-- department, day and kind (every question without communes), and per
-- city over all time (communes without dates, kinds or periods), where
-- each city is one row and its participants a count.
CREATE TABLE stats_department_daily (
    department_code text NOT NULL REFERENCES departments (code),
    day date NOT NULL,
    kind event_kind NOT NULL,
    events integer NOT NULL,
    seats bigint NOT NULL,
    participants bytea,
    leaflets bigint,
    doors_knocked bigint,
    conversations bigint,
    posters bigint,
    signatures bigint,
    attended bigint,
    PRIMARY KEY (department_code, day, kind)
);
CREATE TABLE stats_commune_total (
    -- The city: a commune, or the city of municipal arrondissements.
    commune_code text PRIMARY KEY REFERENCES communes (code),
    events integer NOT NULL,
    seats bigint NOT NULL,
    -- Distinct GOING people (an hll estimate); NULL without hll.
    participants bigint,
    leaflets bigint,
    doors_knocked bigint,
    conversations bigint,
    posters bigint,
    signatures bigint,
    attended bigint
);
-- With the extension the sketches are of its type; without it the columns
-- stay unused bytea (and statistics count participants exactly).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'hll') THEN
        ALTER TABLE stats_daily ALTER COLUMN participants TYPE hll USING participants::hll;
        ALTER TABLE stats_department_daily ALTER COLUMN participants TYPE hll USING participants::hll;
    END IF;
END
$$;

-- Buckets to rebuild. Append-only, with no unique key: writers never wait
-- on one another here; the flush takes marks in batches and de-duplicates.
CREATE TABLE stats_dirty (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    commune_code text NOT NULL,
    day date NOT NULL,
    kind event_kind NOT NULL
);

CREATE FUNCTION stats_day(t timestamptz) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (t AT TIME ZONE 'Europe/Paris')::date;

CREATE FUNCTION stats_mark_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO stats_dirty (commune_code, day, kind)
        VALUES (OLD.commune_code, stats_day(OLD.starts_at), OLD.kind);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (OLD.commune_code, stats_day(OLD.starts_at), OLD.kind)
            IS DISTINCT FROM (NEW.commune_code, stats_day(NEW.starts_at), NEW.kind)) THEN
        INSERT INTO stats_dirty (commune_code, day, kind)
        VALUES (NEW.commune_code, stats_day(NEW.starts_at), NEW.kind);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_stats_mark
    AFTER INSERT OR DELETE OR UPDATE OF commune_code, starts_at, kind, cancelled_at, removed_at, seats_taken
    ON events FOR EACH ROW EXECUTE FUNCTION stats_mark_event();

-- RSVPs and outcomes mark their event's bucket.
CREATE FUNCTION stats_mark_of_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ev uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.event_id ELSE NEW.event_id END;
BEGIN
    INSERT INTO stats_dirty (commune_code, day, kind)
    SELECT e.commune_code, stats_day(e.starts_at), e.kind FROM events e WHERE e.id = ev;
    RETURN NULL;
END
$$;
CREATE TRIGGER rsvps_stats_mark
    AFTER INSERT OR DELETE OR UPDATE OF status, person_id, guests, attended
    ON rsvps FOR EACH ROW EXECUTE FUNCTION stats_mark_of_event();
CREATE TRIGGER outcomes_stats_mark
    AFTER INSERT OR DELETE OR UPDATE
    ON event_outcomes FOR EACH ROW EXECUTE FUNCTION stats_mark_of_event();

-- Every bucket that exists now is dirty: the first flush builds the rollup.
INSERT INTO stats_dirty (commune_code, day, kind)
SELECT DISTINCT commune_code, stats_day(starts_at), kind FROM events;

-- Members: the day a person was last active (a session used), kept once a
-- day at most, so "active in the last 30 days" reads one narrow index.
ALTER TABLE people ADD COLUMN last_active_on date;
UPDATE people p SET last_active_on = s.day
FROM (SELECT person_id, max(last_seen_at)::date AS day FROM sessions GROUP BY person_id) s
WHERE s.person_id = p.id;
CREATE FUNCTION people_mark_active() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE people SET last_active_on = NEW.last_seen_at::date
    WHERE id = NEW.person_id AND last_active_on IS DISTINCT FROM NEW.last_seen_at::date;
    RETURN NULL;
END
$$;
CREATE TRIGGER sessions_mark_active
    AFTER INSERT OR UPDATE OF last_seen_at ON sessions
    FOR EACH ROW EXECUTE FUNCTION people_mark_active();
-- Members by place of residence: an index-only scan of the counted ones.
CREATE INDEX people_stats_idx ON people (commune_code, created_at) INCLUDE (last_active_on)
    WHERE deleted_at IS NULL AND banned_at IS NULL;

-- Daily membership snapshots, one row per department and day (and one
-- for members whose commune is unknown: department_code NULL), so the
-- curve since launch reads a few thousand rows. active_30d is NULL on
-- days rebuilt from sign-up dates (before the first snapshot was taken).
CREATE TABLE member_snapshots (
    day date NOT NULL,
    department_code text REFERENCES departments (code),
    members integer NOT NULL,
    new_members integer NOT NULL,
    removed integer NOT NULL,
    active_30d integer,
    taken_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX member_snapshots_key ON member_snapshots (day, COALESCE(department_code, ''));

-- Settings the analytics views read; written by the server at start.
CREATE TABLE analytics_settings (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    min_cell integer NOT NULL DEFAULT 5 CHECK (min_cell >= 1),
    -- The key of the pseudonyms. Analysts cannot read this table: the
    -- views read it with their owner's rights.
    pseudonym_key bytea NOT NULL DEFAULT gen_random_bytes(32)
);
INSERT INTO analytics_settings DEFAULT VALUES;
