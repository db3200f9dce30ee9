import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { graphql } from '../gql';
import type { PublicConfig } from '../client';
import { KIND_LABELS, t } from '../i18n';
import { EventCard } from '../ui/EventCard';
import { Empty, Skeleton } from '../ui/States';
import { useMap } from '../useMap';
import type { Viewer } from './types';
import type { NearbyEventFragment } from '../gql/graphql';
import { eventKind } from '../enums';
import { go, paths } from '../routes';

// One selection for the listing and the live arrivals, so both are one type.
graphql(`
  fragment NearbyEvent on Event {
    id title kind startsAt distanceKm attendeeCount capacity
    location { lat lon }
    address { city }
    organiser { displayName }
  }
`);

const EventsNear = graphql(`
  query EventsNear($filter: EventFilter, $first: Int) {
    events(filter: $filter, first: $first) {
      edges { node { ...NearbyEvent } }
    }
  }
`);

const EventsNearby = graphql(`
  subscription EventsNearby($near: GeoPointInput!, $radiusKm: Float!) {
    eventsNearby(near: $near, radiusKm: $radiusKm) { ...NearbyEvent }
  }
`);

/** Paris when the viewer has no home yet. */
const DEFAULT_CENTRE = { lat: 48.8566, lon: 2.3522 };

/** An event as listed, marked when it arrived live. */
type Item = NearbyEventFragment & { fresh?: boolean };

function distance(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const r = (d: number) => (d * Math.PI) / 180;
  const h =
    Math.sin(r(b.lat - a.lat) / 2) ** 2 +
    Math.cos(r(a.lat)) * Math.cos(r(b.lat)) * Math.sin(r(b.lon - a.lon) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/** A listed action's card, drawn again only when the action changes: the
 *  screen renders again as the map and the viewer arrive, and a phone
 *  redrawing fifty cards each time makes those renders long tasks. */
const NearbyCard = memo(function NearbyCard({ item: e }: { item: Item }) {
  return (
    <EventCard fresh={e.fresh} event={{
      id: e.id, title: e.title, kind: e.kind, startsAt: e.startsAt, city: e.address.city,
      distanceKm: e.distanceKm, attendeeCount: e.attendeeCount, capacity: e.capacity,
      organiser: e.organiser.displayName,
    }} />
  );
});

export function Nearby({ config, viewer }: { config: PublicConfig; viewer: Viewer | null }) {
  // The member's position, when asked for: only then is it sent, as the
  // centre of this search, rounded to about a kilometre.
  const [here, setHere] = useState<{ lat: number; lon: number } | null>(null);
  const [locating, setLocating] = useState(false);
  const [locateFailed, setLocateFailed] = useState(false);
  const centre = here ?? viewer?.homeLocation ?? DEFAULT_CENTRE;
  const findMe = () => {
    setLocating(true);
    setLocateFailed(false);
    navigator.geolocation.getCurrentPosition(
      ({ coords }) => {
        const round = (d: number) => Math.round(d * 100) / 100;
        setHere({ lat: round(coords.latitude), lon: round(coords.longitude) });
        setLocating(false);
      },
      () => {
        setLocateFailed(true);
        setLocating(false);
      },
      { enableHighAccuracy: false, timeout: 15_000, maximumAge: 600_000 },
    );
  };
  const [radius, setRadius] = useState(viewer?.actionRadiusKm ?? 20);
  const [kind, setKind] = useState('');
  const [from, setFrom] = useState('');
  const [search, setSearch] = useState('');
  const selectedKind = eventKind(kind);
  const filter = useMemo(
    () => ({
      near: { lat: centre.lat, lon: centre.lon },
      radiusKm: radius,
      kinds: selectedKind ? [selectedKind] : undefined,
      startsAfter: from ? new Date(from).toISOString() : undefined,
      search: search.trim() || undefined,
    }),
    [centre.lat, centre.lon, radius, selectedKind, from, search],
  );
  const [{ data, fetching }] = useQuery({ query: EventsNear, variables: { filter, first: 50 } });
  const [fresh, setFresh] = useState<Item[]>([]);
  useSubscription(
    { query: EventsNearby, variables: { near: filter.near, radiusKm: radius } },
    (_, event) => {
      const e = event.eventsNearby;
      setFresh((items) =>
        items.some((i) => i.id === e.id) ? items : [{ ...e, fresh: true, distanceKm: distance(centre, e.location) }, ...items],
      );
      return event;
    },
  );
  // Kept from one render to the next while the list and the arrivals are
  // unchanged, so that the map's markers are redrawn only when they change.
  const items: Item[] = useMemo(() => {
    const listed = (data?.events.edges ?? []).map((edge) => edge.node);
    return [
      ...fresh.filter((f) => !listed.some((l) => l.id === f.id)),
      ...listed.map((l) => ({ ...l, fresh: fresh.some((f) => f.id === l.id) })),
    ];
  }, [data, fresh]);

  const mapEl = useRef<HTMLDivElement>(null);
  const { map, failed: mapFailed } = useMap(mapEl, config, centre, 10);
  useEffect(() => {
    map?.setMarkers(
      items.map((i) => ({ id: i.id, lat: i.location.lat, lon: i.location.lon, label: i.title, fresh: i.fresh })),
      (id) => go(paths.event(id)),
    );
  }, [map, items]);

  return (
    <section>
      <h1>{t('nearby_title')}</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="kind">{t('filter_kind')}</label>
          <select id="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            <option value="">{t('filter_all_kinds')}</option>
            {Object.entries(KIND_LABELS).map(([k, label]) => (
              <option key={k} value={k}>{label}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="from">{t('filter_from')}</label>
          <input id="from" type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="radius">{t('radius_km')}</label>
          <input id="radius" type="number" min={1} max={500} value={radius} onChange={(e) => setRadius(Number(e.target.value) || 20)} />
        </div>
        <div className="field">
          <label htmlFor="search">{t('filter_search')}</label>
          <input id="search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </div>
      </form>
      <div className="near-me">
        {'geolocation' in navigator && (
          <button type="button" className="secondary" onClick={findMe} disabled={locating} aria-describedby="near-me-note">
            {t('near_me')}
          </button>
        )}
        {here && (
          <button type="button" className="link" onClick={() => setHere(null)}>{t('near_home')}</button>
        )}
        <p id="near-me-note" className="muted">{t('near_me_note')}</p>
        {locateFailed && <p role="alert">{t('near_me_failed')}</p>}
      </div>
      <div className="map" ref={mapEl} role="region" aria-label={t('map_label')} />
      {mapFailed && <p className="muted">{t('map_unavailable')}</p>}
      {fetching && !data && <Skeleton />}
      {items.length === 0 && !fetching && (
        <Empty title={t('no_events')} hint={t('no_events_hint')}
          action={viewer ? { href: paths.new, label: t('propose_action') } : undefined} />
      )}
      <ul className="cards" aria-live="polite">
        {items.map((e) => <NearbyCard key={e.id} item={e} />)}
      </ul>
    </section>
  );
}
