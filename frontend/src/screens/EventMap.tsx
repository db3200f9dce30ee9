import { useEffect, useRef } from 'react';
import type { PublicConfig } from '../client';
import { t } from '../i18n';
import { useMap } from '../useMap';

/** An action's own small map: its place, or, when its address is kept
 *  for attendees, the area of about a kilometre the server rounds it to. */
export function EventMap({ config, lat, lon, rounded }: {
  config: PublicConfig;
  lat: number;
  lon: number;
  rounded: boolean;
}) {
  const el = useRef<HTMLDivElement>(null);
  const { map } = useMap(el, config, { lat, lon }, rounded ? 13 : 15);
  useEffect(() => {
    map?.showPlace(lat, lon, rounded);
  }, [map, lat, lon, rounded]);
  return (
    <div
      className="map small"
      ref={el}
      role="region"
      aria-label={rounded ? t('event_map_area') : t('event_map_place')}
      data-testid="event-map"
    />
  );
}
