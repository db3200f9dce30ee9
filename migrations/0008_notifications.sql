-- Reaching members away from the app (issue 14): preferences, Web Push
-- subscriptions, durable deliveries fed from the activity sequence,
-- reminders, digests and calendar feeds.

ALTER TYPE activity_kind ADD VALUE IF NOT EXISTS 'EVENT_REMINDER';

CREATE TYPE notification_kind AS ENUM (
    'EVENT_CREATED_NEARBY', 'EVENT_CREATED_IN_GROUP', 'EVENT_UPDATED',
    'EVENT_CANCELLED', 'NEW_ATTENDEE', 'FRIEND_GOING', 'FRIEND_REQUEST',
    'FRIEND_ACCEPTED', 'NEW_GROUP_MEMBER', 'MODERATION_WARNING', 'EVENT_REMINDER'
);
CREATE TYPE digest_frequency AS ENUM ('NEVER', 'DAILY', 'WEEKLY');
CREATE TYPE delivery_channel AS ENUM ('EMAIL', 'PUSH');
CREATE TYPE delivery_state AS ENUM ('PENDING', 'SENT', 'DEAD', 'DROPPED');

ALTER TABLE people
    ADD COLUMN digest digest_frequency NOT NULL DEFAULT 'WEEKLY',
    -- The secret of the member's private calendar feed URL: random, made
    -- on first use, replaced by resetCalendarFeedUrl.
    ADD COLUMN calendar_token text UNIQUE;

-- Only what a member chose; the defaults are the domain's
-- (ActivityKind::default_channels), so that changing a default reaches
-- everyone who never chose.
CREATE TABLE notification_preferences (
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind notification_kind NOT NULL,
    email boolean NOT NULL,
    push boolean NOT NULL,
    PRIMARY KEY (person_id, kind)
);

CREATE TABLE push_subscriptions (
    id uuid PRIMARY KEY,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    -- One device, one row: registering it again (even by another member,
    -- after a logout) takes it over.
    endpoint text NOT NULL UNIQUE,
    p256dh text NOT NULL,
    auth text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_success_at timestamptz
);
CREATE INDEX push_subscriptions_person_idx ON push_subscriptions (person_id, created_at);

-- How far the notifier has fanned out the activity sequence. It starts at
-- the present: history is not notified when this version first runs.
CREATE TABLE notifier_state (last_seq bigint NOT NULL);
INSERT INTO notifier_state SELECT last_seq FROM outbox_state;

-- One row per (activity, recipient, channel), or per (recipient, digest
-- period), written before anything is sent: the unique keys are what
-- makes a crash or a second replica send nothing twice.
CREATE TABLE deliveries (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    channel delivery_channel NOT NULL,
    kind notification_kind,           -- null for a digest
    activity_id uuid REFERENCES activities (id) ON DELETE CASCADE,
    digest_period text,               -- '2026-12-02' or '2026-W49'
    digest_since timestamptz,         -- the events a digest covers start here
    state delivery_state NOT NULL DEFAULT 'PENDING',
    attempts integer NOT NULL DEFAULT 0,
    -- When a sender may take it. Claiming moves it a lease ahead, so that
    -- a sender that died mid-send leaves it to the next one after that.
    due_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    CHECK ((activity_id IS NULL) <> (digest_period IS NULL)),
    CHECK ((kind IS NULL) = (digest_period IS NOT NULL))
);
CREATE UNIQUE INDEX deliveries_activity_key ON deliveries (activity_id, person_id, channel)
    WHERE activity_id IS NOT NULL;
CREATE UNIQUE INDEX deliveries_digest_key ON deliveries (person_id, digest_period)
    WHERE digest_period IS NOT NULL;
CREATE INDEX deliveries_due_idx ON deliveries (channel, due_at, id) WHERE state = 'PENDING';
-- The hourly mail cap counts what was sent in the last hour.
CREATE INDEX deliveries_sent_idx ON deliveries (channel, sent_at) WHERE state = 'SENT';
CREATE INDEX deliveries_person_idx ON deliveries (person_id, created_at);
CREATE INDEX deliveries_dead_idx ON deliveries (channel) WHERE state = 'DEAD';

-- One row per reminder offset an event has had: "once per offset".
CREATE TABLE event_reminders (
    event_id uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    hours integer NOT NULL CHECK (hours > 0),
    sent_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, hours)
);

-- Calendars follow changes: SEQUENCE is this revision (RFC 5545 3.8.7.4).
ALTER TABLE events ADD COLUMN revision integer NOT NULL DEFAULT 0;
CREATE FUNCTION events_bump_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.title, NEW.description, NEW.starts_at, NEW.ends_at, NEW.lat, NEW.lon,
        NEW.street, NEW.postcode, NEW.city, NEW.cancelled_at, NEW.removed_at)
       IS DISTINCT FROM
       (OLD.title, OLD.description, OLD.starts_at, OLD.ends_at, OLD.lat, OLD.lon,
        OLD.street, OLD.postcode, OLD.city, OLD.cancelled_at, OLD.removed_at) THEN
        NEW.revision := OLD.revision + 1;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER events_bump_revision BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION events_bump_revision();

-- Keys this deployment makes once and keeps: the VAPID key pair, the key
-- that signs unsubscribe links.
CREATE TABLE server_secrets (
    name text PRIMARY KEY,
    value text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
