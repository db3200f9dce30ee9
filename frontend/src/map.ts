import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import 'leaflet.markercluster';
import 'leaflet.markercluster/dist/MarkerCluster.css';
import type { PublicConfig } from './client';
import { tn } from './i18n';

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
function showPlaces(map: L.Map, removed: () => boolean) {
  const labels = L.layerGroup().addTo(map);
  const draw = (all: Place[]) => {
    if (removed()) return;
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

/** A cluster's bubble, named for assistive technology ("5 actions ici :
 *  zoomer dessus") rather than read as a bare number. */
class ClusterIcon extends L.DivIcon {
  constructor(private readonly label: string, options: L.DivIconOptions) {
    super(options);
  }

  createIcon(old?: HTMLElement): HTMLElement {
    const el = super.createIcon(old);
    el.setAttribute('aria-label', this.label);
    return el;
  }
}

/** A Leaflet map on `el`: the configured tile server's tiles, or else the
 *  basemap this server serves itself, so that a map shows land and
 *  borders with no third party. Markers and clicks work either way. */
export function createMap(el: HTMLElement, config: PublicConfig, centre: [number, number], zoom = 11) {
  // maxZoom: the clusters need one, and without tiles no layer gives it.
  const map = L.map(el, { zoomControl: true, attributionControl: true, maxZoom: 18 }).setView(centre, zoom);
  map.attributionControl.setPrefix(false);
  // Set when the screen is done with the map: what arrives later (the
  // basemap, town names, a new centre) is dropped rather than drawn on a
  // map Leaflet has taken apart.
  let removed = false;
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
  } else {
    el.classList.add('basemap');
    map.attributionControl.addAttribution('Natural Earth, GeoNames');
    showPlaces(map, () => removed);
    void loadBasemap().then((data) => {
      if (!data || removed) return;
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
  // Many actions in one place (a city on a day of action) are one
  // numbered bubble until the member zooms in.
  const layer = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 45,
    iconCreateFunction: (cluster) => {
      const count = document.createElement('span');
      count.textContent = String(cluster.getChildCount());
      return new ClusterIcon(tn('cluster_label', cluster.getChildCount()), {
        html: count, className: 'cluster', iconSize: L.point(34, 34),
      });
    },
  }).addTo(map);
  // Leaflet makes a bubble a focusable button but passes its Enter on as
  // a keypress, not a click: open it here, as a click would.
  layer.on('clusterkeypress', (e) => {
    const key = 'originalEvent' in e && e.originalEvent instanceof KeyboardEvent ? e.originalEvent.key : '';
    if ((key === 'Enter' || key === ' ') && 'layer' in e && e.layer instanceof L.MarkerCluster) {
      e.layer.zoomToBounds({ padding: [24, 24] });
    }
  });
  let place: L.Layer | null = null;
  return {
    map,
    setMarkers(markers: Marker[], onClick?: (id: string) => void) {
      if (removed) return;
      layer.clearLayers();
      layer.addLayers(
        markers.map((m) =>
          L.circleMarker([m.lat, m.lon], {
            radius: m.fresh ? 10 : 7,
            color: m.fresh ? '#0a7d32' : '#b3173b',
            weight: 2,
            fillOpacity: 0.6,
          })
            .bindTooltip(m.label)
            .on('click', () => onClick?.(m.id)),
        ),
      );
    },
    /** One place: a marker, or, for an address shown rounded, the area
     *  (about a kilometre) it lies in. */
    showPlace(lat: number, lon: number, rounded: boolean) {
      if (removed) return;
      // The place replaces the one shown before (an RSVP reveals the
      // exact address where only its area was).
      place?.remove();
      place = rounded
        ? L.circle([lat, lon], { radius: 750, color: '#b3173b', weight: 1, fillOpacity: 0.15 })
        : L.circleMarker([lat, lon], { radius: 9, color: '#b3173b', weight: 2, fillOpacity: 0.6 });
      place.addTo(map);
    },
    /** Centres the map on a new place (a search moved elsewhere). */
    moveTo(lat: number, lon: number, zoom: number) {
      if (!removed) map.setView([lat, lon], zoom);
    },
    destroy() {
      removed = true;
      map.remove();
    },
  };
}

export type MapHandle = ReturnType<typeof createMap>;
