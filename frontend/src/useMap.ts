// A Leaflet map for a screen, with Leaflet and the map module loaded only
// when a screen shows a map: they are the largest part of the client, and
// the first paint (a list, a form) does not wait for them.
import { useEffect, useRef, useState, type RefObject } from 'react';
import type { PublicConfig } from './client';
import type { MapHandle } from './map';

/** The map on `el` once loaded (null before, or when it failed: then
 *  `failed` is true and the screen works without it). One map per screen:
 *  a new centre moves it rather than making another. */
export function useMap(
  el: RefObject<HTMLDivElement | null>,
  config: PublicConfig,
  centre: { lat: number; lon: number },
  zoom: number,
): { map: MapHandle | null; failed: boolean } {
  const [map, setMap] = useState<MapHandle | null>(null);
  const [failed, setFailed] = useState(false);
  const { lat, lon } = centre;
  // Where the map opens; later centres move it (below).
  const opening = useRef({ lat, lon, zoom });
  useEffect(() => {
    let made: MapHandle | null = null;
    let gone = false;
    import('./map')
      .then(({ createMap }) => {
        if (gone || !el.current) return;
        const { lat, lon, zoom } = opening.current;
        made = createMap(el.current, config, [lat, lon], zoom);
        setMap(made);
      })
      .catch((e: unknown) => {
        console.warn('map unavailable', e);
        if (!gone) setFailed(true);
      });
    return () => {
      gone = true;
      made?.destroy();
      setMap(null);
    };
  }, [el, config]);
  useEffect(() => {
    opening.current = { lat, lon, zoom };
    map?.moveTo(lat, lon, zoom);
  }, [map, lat, lon, zoom]);
  return { map, failed };
}
