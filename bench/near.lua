-- wrk script: POSTs the events-near query of the organising-core benchmark.
-- BENCH_LAT, BENCH_LON and BENCH_RADIUS choose the search (default:
-- Marseille, 50 km).
local lat = os.getenv("BENCH_LAT") or "43.2965"
local lon = os.getenv("BENCH_LON") or "5.3698"
local radius = os.getenv("BENCH_RADIUS") or "50"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"query":"query($lat: Float!, $lon: Float!, $r: Float!) { events(filter: {near: {lat: $lat, lon: $lon}, radiusKm: $r}, first: 20) { edges { node { title startsAt distanceKm organiser { displayName } attendeeCount } } } }","variables":{"lat":' .. lat .. ',"lon":' .. lon .. ',"r":' .. radius .. '}}'

function done(summary, latency, requests)
  io.write(string.format("requests/s %.1f  p50 %.2f ms  p99 %.2f ms  errors %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
