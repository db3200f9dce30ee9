-- pgbench script: the SQL the events-near query runs (page, then the
-- organisers in one batch), as the ceiling for the API's throughput.
\set lat 43.2965
\set lon 5.3698
\set metres 50000
SELECT e.id, e.organiser_id, e.title, e.starts_at, e.seats_taken,
       earth_distance(ll_to_earth(:lat, :lon), e.earth) / 1000.0 AS distance_km
FROM events e
WHERE e.cancelled_at IS NULL AND e.removed_at IS NULL AND e.visibility = 'PUBLIC'
  AND earth_box(ll_to_earth(:lat, :lon), :metres) @> e.earth
  AND earth_distance(ll_to_earth(:lat, :lon), e.earth) <= :metres
  AND e.ends_at > now()
ORDER BY e.earth <-> ll_to_earth(:lat, :lon) LIMIT 21;
