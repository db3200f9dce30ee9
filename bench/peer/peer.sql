-- SQL functions PostGraphile exposes as root fields, for the queries of
-- the peer benchmark it cannot express with its generated filters. They
-- are what Cortège's own statements do, written as functions.
CREATE SCHEMA IF NOT EXISTS peer;
DROP FUNCTION IF EXISTS peer.events_near(float8, float8, float8);

-- events(first: 20): upcoming listed events, soonest first.
CREATE OR REPLACE FUNCTION peer.upcoming_events() RETURNS SETOF public.events
LANGUAGE sql STABLE AS $$
  SELECT * FROM (
    (SELECT * FROM public.events e
     WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL AND e.visibility = 'PUBLIC'
       AND tstzrange(e.starts_at, e.ends_at) @> now())
    UNION ALL
    (SELECT * FROM public.events e
     WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL AND e.visibility = 'PUBLIC'
       AND e.starts_at > now()
     ORDER BY e.starts_at, e.id)) t
  ORDER BY t.starts_at, t.id
$$;

-- events(filter: {startsAfter}): listed events from a time, soonest first.
CREATE OR REPLACE FUNCTION peer.events_from(from_time timestamptz) RETURNS SETOF public.events
LANGUAGE sql STABLE AS $$
  SELECT * FROM public.events e
  WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL AND e.visibility = 'PUBLIC'
    AND e.starts_at >= from_time
  ORDER BY e.starts_at, e.id
$$;

-- events(filter: {near, radiusKm}): listed upcoming events, nearest first.
-- (Parameters named apart from the columns: in an SQL function a column
-- of the same name would win.)
CREATE OR REPLACE FUNCTION peer.events_near(at_lat float8, at_lon float8, within_km float8)
RETURNS SETOF public.events LANGUAGE sql STABLE AS $$
  SELECT * FROM public.events e
  WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL AND e.visibility = 'PUBLIC'
    AND e.ends_at > now() AND e.starts_at > now() - interval '7 days'
    AND earth_box(ll_to_earth(at_lat, at_lon), within_km * 1000) @> e.earth
    AND earth_distance(ll_to_earth(at_lat, at_lon), e.earth) <= within_km * 1000
  ORDER BY e.earth <-> ll_to_earth(at_lat, at_lon)
$$;

-- groups(filter: {near, radiusKm}): groups nearest first.
CREATE OR REPLACE FUNCTION peer.groups_near(at_lat float8, at_lon float8, within_km float8)
RETURNS SETOF public.groups LANGUAGE sql STABLE AS $$
  SELECT * FROM public.groups g
  WHERE g.removed_at IS NULL
    AND earth_box(ll_to_earth(at_lat, at_lon), within_km * 1000) @> g.earth
    AND earth_distance(ll_to_earth(at_lat, at_lon), g.earth) <= within_km * 1000
  ORDER BY g.earth <-> ll_to_earth(at_lat, at_lon), g.id
$$;

-- An event's attendees(first: 50): GOING, then the waitlist in order.
CREATE OR REPLACE FUNCTION peer.attendees(of_event uuid) RETURNS SETOF public.rsvps
LANGUAGE sql STABLE AS $$
  SELECT * FROM public.rsvps r
  WHERE r.event_id = of_event AND r.status <> 'CANCELLED'
  ORDER BY r.status, COALESCE(r.waitlisted_at, r.created_at), r.id
$$;
