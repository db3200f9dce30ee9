import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import type { PublicConfig } from './client';

export interface Marker {
  id: string;
  lat: number;
  lon: number;
  label: string;
  fresh?: boolean;
}

/** The server's own basemap (public/basemap, Natural Earth): land and
 *  borders, fetched once per page and shared by every map. */
let basemap: Promise<GeoJSON.FeatureCollection | null> | null = null;

function isFeatureCollection(json: unknown): json is GeoJSON.FeatureCollection {
  return typeof json === 'object' && json !== null && Reflect.get(json, 'type') === 'FeatureCollection'
    && Array.isArray(Reflect.get(json, 'features'));
}

function loadBasemap(): Promise<GeoJSON.FeatureCollection | null> {
  basemap ??= fetch('/basemap/europe.json')
    .then(async (r) => {
      const json: unknown = r.ok ? await r.json() : null;
      return isFeatureCollection(json) ? json : null;
    })
    .catch(() => null);
  return basemap;
}

/** Towns of the basemap: [name, lat, lon, population], largest first. */
type Place = [string, number, number, number];
let places: Promise<Place[]> | null = null;

function isPlace(p: unknown): p is Place {
  return Array.isArray(p) && p.length === 4 && typeof p[0] === 'string' && typeof p[1] === 'number'
    && typeof p[2] === 'number' && typeof p[3] === 'number';
}

function loadPlaces(): Promise<Place[]> {
  places ??= fetch('/basemap/places.json')
    .then(async (r) => {
      const json: unknown = r.ok ? await r.json() : [];
      return Array.isArray(json) ? json.filter(isPlace) : [];
    })
    .catch(() => []);
  return places;
}

/** The smallest town named at a zoom level: cities when the whole country
 *  shows, every town of 3,000 people at city zoom. */
function minPopulation(zoom: number): number {
  if (zoom <= 6) return 200_000;
  if (zoom <= 7) return 80_000;
  if (zoom <= 8) return 30_000;
  if (zoom <= 9) return 10_000;
  return 0;
}

/** At most this many names at once: a phone draws them all. */
const MAX_LABELS = 120;

/** Town names over the basemap, redrawn as the map moves. */
function showPlaces(map: L.Map) {
  const labels = L.layerGroup().addTo(map);
  const draw = (all: Place[]) => {
    labels.clearLayers();
    const view = map.getBounds().pad(0.1);
    const min = minPopulation(map.getZoom());
    // Largest first, each name only where it overlaps none already placed.
    const placed: { x: number; y: number; w: number }[] = [];
    for (const [name, lat, lon, population] of all) {
      if (placed.length >= MAX_LABELS || population < min) break;
      if (!view.contains([lat, lon])) continue;
      const { x, y } = map.latLngToContainerPoint([lat, lon]);
      const w = name.length * 7 + 8;
      if (placed.some((p) => Math.abs(p.x - x) < (p.w + w) / 2 && Math.abs(p.y - y) < 18)) continue;
      placed.push({ x, y, w });
      const label = document.createElement('span');
      label.textContent = name;
      if (population >= 100_000) label.className = 'city';
      L.marker([lat, lon], {
        icon: L.divIcon({ className: 'place-label', html: label, iconSize: undefined }),
        interactive: false,
        keyboard: false,
      }).addTo(labels);
    }
  };
  void loadPlaces().then((all) => {
    draw(all);
    map.on('moveend', () => draw(all));
  });
}

/** A Leaflet map on `el`: the configured tile server's tiles, or else the
 *  basemap this server serves itself, so that a map shows land and
 *  borders with no third party. Markers and clicks work either way. */
export function createMap(el: HTMLElement, config: PublicConfig, centre: [number, number], zoom = 11) {
  const map = L.map(el, { zoomControl: true, attributionControl: true }).setView(centre, zoom);
  map.attributionControl.setPrefix(false);
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
  } else {
    el.classList.add('basemap');
    map.attributionControl.addAttribution('Natural Earth, GeoNames');
    showPlaces(map);
    void loadBasemap().then((data) => {
      if (!data) return;
      const land = L.geoJSON(data, {
        interactive: false,
        style: (f) =>
          f?.properties && Reflect.get(f.properties, 'layer') === 'borders'
            ? { color: '#8d8579', weight: 1, dashArray: '4 3', fill: false }
            : { color: '#a9a195', weight: 1, fillColor: '#f4f1ea', fillOpacity: 1 },
      });
      land.addTo(map);
      land.bringToBack();
    });
  }
  const layer = L.layerGroup().addTo(map);
  return {
    map,
    setMarkers(markers: Marker[], onClick?: (id: string) => void) {
      layer.clearLayers();
      for (const m of markers) {
        L.circleMarker([m.lat, m.lon], {
          radius: m.fresh ? 10 : 7,
          color: m.fresh ? '#0a7d32' : '#b3173b',
          weight: 2,
          fillOpacity: 0.6,
        })
          .bindTooltip(m.label)
          .on('click', () => onClick?.(m.id))
          .addTo(layer);
      }
    },
    destroy() {
      map.remove();
    },
  };
}
