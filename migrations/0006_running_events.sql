-- The default listing's first part: events running now (started, not
-- ended), found by their time range instead of by walking the week of
-- events that started before now; the events still to start come from
-- events_listed_time_idx in order.
CREATE INDEX events_running_idx ON events USING gist (tstzrange(starts_at, ends_at))
    WHERE cancelled_at IS NULL AND removed_at IS NULL;
