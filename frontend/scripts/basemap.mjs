// Builds the basemap the server serves itself (public/basemap/europe.json)
// from Natural Earth's countries, as the npm package world-atlas ships
// them: the land of France (with its overseas departments, at 1:10m) and
// of its neighbours (at 1:50m), and the borders between them, coordinates
// rounded to about 100 m for France and 1 km elsewhere. Run once, committed; `--check`
// rebuilds in memory and fails when the committed file differs.
// Natural Earth is in the public domain; world-atlas is ISC (see
// public/basemap/LICENSE.md).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature, mesh } from 'topojson-client';

const require = createRequire(import.meta.url);
const atlas = (scale) => JSON.parse(readFileSync(require.resolve(`world-atlas/countries-${scale}.json`), 'utf8'));
// France at 1:10m (coasts a member recognises at city zoom); its
// neighbours at 1:50m, enough for where France ends.
const fine = atlas('10m');
const coarse = atlas('50m');
const out = new URL('../public/basemap/europe.json', import.meta.url);
const placesOut = new URL('../public/basemap/places.json', import.meta.url);
const communes = new URL('../../crates/db/reference/communes.tsv', import.meta.url);

/** What the map shows around metropolitan France (west, south, east, north). */
const VIEW = [-7, 40, 13, 53];
const FRANCE = '250';

const within = ([w, s, e, n]) => e >= VIEW[0] && w <= VIEW[2] && n >= VIEW[1] && s <= VIEW[3];

function bounds(ring) {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of ring) {
    w = Math.min(w, x); e = Math.max(e, x); s = Math.min(s, y); n = Math.max(n, y);
  }
  return [w, s, e, n];
}

/** The line rounded to `digits` decimals, repeated points dropped. */
function round(line, digits) {
  const f = 10 ** digits;
  const kept = [];
  for (const [x, y] of line) {
    const p = [Math.round(x * f) / f, Math.round(y * f) / f];
    const last = kept[kept.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) kept.push(p);
  }
  return kept;
}

const land = [];
const take = (topology, keep) => {
  for (const c of feature(topology, topology.objects.countries).features) {
    const france = c.id === FRANCE;
    if (!keep(france)) continue;
    const polygons = c.geometry.type === 'Polygon' ? [c.geometry.coordinates] : c.geometry.coordinates;
    for (const polygon of polygons) {
      // France whole (its overseas departments are in the app's scope);
      // elsewhere only what the view around France shows.
      if (!france && !within(bounds(polygon[0]))) continue;
      const rings = polygon.map((r) => round(r, france ? 3 : 2)).filter((r) => r.length >= 4);
      if (rings.length > 0) land.push(rings);
    }
  }
};
take(fine, (france) => france);
take(coarse, (france) => !france);
const borders = mesh(fine, fine.objects.countries, (a, b) => a !== b && (a.id === FRANCE || b.id === FRANCE))
  .coordinates.map((line) => round(line, 3))
  .concat(
    mesh(coarse, coarse.objects.countries, (a, b) => a !== b && a.id !== FRANCE && b.id !== FRANCE)
      .coordinates.filter((line) => within(bounds(line)))
      .map((line) => round(line, 2)),
  )
  .filter((line) => line.length >= 2);

const basemap = {
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', properties: { layer: 'land' }, geometry: { type: 'MultiPolygon', coordinates: land } },
    { type: 'Feature', properties: { layer: 'borders' }, geometry: { type: 'MultiLineString', coordinates: borders } },
  ],
};
const json = JSON.stringify(basemap) + '\n';

// Town names to read the map by at city zoom: communes of 3,000 people or
// more, from the reference data the server already carries (GeoNames
// centres; a commune sharing its centre with a larger one, such as a
// municipal arrondissement without a place of its own, is left out).
// [name, lat, lon, population], the most populous first.
const MIN_POPULATION = 3000;
const seen = new Set();
const places = readFileSync(communes, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split('\t'))
  .map(([, name, , , , population, lat, lon]) => [name, Number(lat), Number(lon), Number(population)])
  .filter(([, , , population]) => population >= MIN_POPULATION)
  .sort((a, b) => b[3] - a[3] || a[0].localeCompare(b[0]))
  .filter(([, lat, lon]) => {
    const key = `${lat} ${lon}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
const placesJson = JSON.stringify(places) + '\n';

if (process.argv.includes('--check')) {
  if (readFileSync(out, 'utf8') !== json || readFileSync(placesOut, 'utf8') !== placesJson) {
    console.error('public/basemap/ differs from its build: run npm run basemap and commit');
    process.exit(1);
  }
} else {
  writeFileSync(out, json);
  writeFileSync(placesOut, placesJson);
  console.log(`public/basemap/europe.json: ${json.length} bytes, ${land.length} polygons, ${borders.length} borders`);
  console.log(`public/basemap/places.json: ${placesJson.length} bytes, ${places.length} towns`);
}
