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

/** A Leaflet map on `el`; tiles only when a tile URL is configured, so the
 *  app stays usable (markers, clicks) when tiles cannot load. */
export function createMap(el: HTMLElement, config: PublicConfig, centre: [number, number], zoom = 11) {
  const map = L.map(el, { zoomControl: true, attributionControl: !!config.tileUrl }).setView(centre, zoom);
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
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
