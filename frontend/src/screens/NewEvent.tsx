import { useEffect, useRef, useState } from 'react';
import { useClient, useMutation } from 'urql';
import L from 'leaflet';
import { graphql } from '../gql';
import type { PublicConfig } from '../client';
import { fieldErrors } from '../errors';
import { KIND_LABELS, t } from '../i18n';
import { createMap } from '../map';
import { Field } from './Field';
import type { Viewer } from './types';
import { eventKind } from '../enums';
import { text } from '../form';
import { go, paths } from '../routes';

const CreateEvent = graphql(`
  mutation CreateEvent($input: CreateEventInput!) { createEvent(input: $input) { id } }
`);

/** A map where a click places (and moves) one marker. */
export function MapPicker({ config, centre, value, onPick }: {
  config: PublicConfig;
  centre: { lat: number; lon: number };
  value: { lat: number; lon: number } | null;
  onPick: (p: { lat: number; lon: number }) => void;
}) {
  const el = useRef<HTMLDivElement>(null);
  const marker = useRef<L.CircleMarker | null>(null);
  const map = useRef<ReturnType<typeof createMap> | null>(null);
  useEffect(() => {
    if (!el.current) return;
    const m = createMap(el.current, config, [centre.lat, centre.lon], 12);
    m.map.on('click', (e: L.LeafletMouseEvent) => onPick({ lat: e.latlng.lat, lon: e.latlng.lng }));
    map.current = m;
    return () => m.destroy();
    // The picker is made once per centre; onPick is stable enough.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [config, centre.lat, centre.lon]);
  useEffect(() => {
    if (!map.current || !value) return;
    marker.current?.remove();
    marker.current = L.circleMarker([value.lat, value.lon], { radius: 9, color: '#b3173b' }).addTo(map.current.map);
    // A place typed in, or a commune's centre: the map follows it.
    if (!map.current.map.getBounds().contains([value.lat, value.lon])) map.current.map.panTo([value.lat, value.lon]);
  }, [value]);
  return <div className="map picker" ref={el} role="application" aria-label={t('pick_location')} data-testid="map-picker" />;
}

const Communes = graphql(`
  query Communes($postcode: String!) { communes(postcode: $postcode) { name centre { lat lon } } }
`);

/** The place without a mouse: the centre of the commune typed above, or
 *  coordinates typed in; the map then refines it. */
export function KeyboardPlace({ formId, value, onPick }: {
  formId: string;
  value: { lat: number; lon: number } | null;
  onPick: (p: { lat: number; lon: number }) => void;
}) {
  const client = useClient();
  const [error, setError] = useState<string | null>(null);
  const coordinate = (name: 'lat' | 'lon', raw: string) => {
    const n = Number(raw.replace(',', '.'));
    if (raw.trim() === '' || !Number.isFinite(n)) return;
    onPick({ lat: name === 'lat' ? n : (value?.lat ?? 0), lon: name === 'lon' ? n : (value?.lon ?? 0) });
  };
  return (
    <div className="field">
      <button
        type="button"
        className="secondary"
        onClick={async () => {
          const form = document.getElementById(formId);
          if (!(form instanceof HTMLFormElement)) return;
          const f = new FormData(form);
          const r = await client.query(Communes, { postcode: text(f, 'postcode') }).toPromise();
          const list = r.data?.communes ?? [];
          const city = text(f, 'city').trim().toLowerCase();
          const commune = list.find((c) => c.name.toLowerCase() === city) ?? list[0];
          if (commune) {
            setError(null);
            // Only the coordinates: the cache adds __typename to objects.
            onPick({ lat: commune.centre.lat, lon: commune.centre.lon });
          } else {
            setError(fieldErrorsMessage(r.error) ?? t('error_generic'));
          }
        }}
      >
        {t('place_commune_centre')}
      </button>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="inline">
        <label htmlFor="f-lat">{t('latitude')}</label>
        <input id="f-lat" inputMode="decimal" key={`lat-${value?.lat ?? ''}`} defaultValue={value?.lat.toFixed(5) ?? ''}
          onBlur={(e) => coordinate('lat', e.target.value)} />
        <label htmlFor="f-lon">{t('longitude')}</label>
        <input id="f-lon" inputMode="decimal" key={`lon-${value?.lon ?? ''}`} defaultValue={value?.lon.toFixed(5) ?? ''}
          onBlur={(e) => coordinate('lon', e.target.value)} />
      </div>
    </div>
  );
}

function fieldErrorsMessage(error: Parameters<typeof fieldErrors>[0]): string | undefined {
  const errors = fieldErrors(error);
  return errors.postcode ?? errors[''];
}

export function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function NewEvent({ config, viewer }: { config: PublicConfig; viewer: Viewer | null }) {
  const [result, create] = useMutation(CreateEvent);
  const centre = viewer?.homeLocation ?? { lat: 48.8566, lon: 2.3522 };
  const [place, setPlace] = useState<{ lat: number; lon: number } | null>(null);
  const [online, setOnline] = useState(false);
  const errors = fieldErrors(result.error);
  if (!viewer) return <p><a href={paths.login}>{t('nav_login')}</a></p>;
  const tomorrow = new Date(Date.now() + 86_400_000);
  tomorrow.setMinutes(0, 0, 0);
  return (
    <section className="card">
      <h1>{t('new_title')}</h1>
      <form
        id="new-event"
        onSubmit={async (e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const capacity = text(f, 'capacity').trim();
          const street = text(f, 'street').trim();
          const r = await create({
            input: {
              title: text(f, 'title'),
              description: text(f, 'description'),
              kind: eventKind(text(f, 'kind')) ?? 'OTHER',
              startsAt: new Date(text(f, 'startsAt')).toISOString(),
              endsAt: new Date(text(f, 'endsAt')).toISOString(),
              // Online, an empty address means "my group's or my commune".
              location: online && !place ? null : (place ?? centre),
              address: online && !text(f, 'postcode').trim()
                ? null
                : { street: street || null, postcode: text(f, 'postcode'), city: text(f, 'city') },
              online,
              onlineUrl: online ? text(f, 'onlineUrl').trim() || null : null,
              capacity: capacity ? Number(capacity) : null,
              addressVisibility: f.get('private') === 'on' ? 'ATTENDEES' : 'PUBLIC',
              instructions: text(f, 'instructions').trim() || null,
            },
          });
          const id = r.data?.createEvent.id;
          if (id) go(paths.event(id));
        }}
      >
        <Field name="title" label={t('title')} error={errors.title} required />
        <div className="field">
          <label htmlFor="f-description">{t('description')}</label>
          <textarea id="f-description" name="description" />
          {errors.description && <p className="error" role="alert">{errors.description}</p>}
        </div>
        <div className="field">
          <label htmlFor="f-kind">{t('kind')}</label>
          <select id="f-kind" name="kind" defaultValue="LEAFLETING">
            {Object.entries(KIND_LABELS).map(([k, label]) => <option key={k} value={k}>{label}</option>)}
          </select>
        </div>
        <Field name="startsAt" type="datetime-local" label={t('starts_at')} defaultValue={localInput(tomorrow)} error={errors.startsAt} required />
        <Field name="endsAt" type="datetime-local" label={t('ends_at')} defaultValue={localInput(new Date(tomorrow.getTime() + 7_200_000))} error={errors.endsAt} required />
        <Field name="capacity" type="number" label={t('capacity')} error={errors.capacity} />
        <label className="check">
          <input type="checkbox" name="online" checked={online} onChange={(e) => setOnline(e.target.checked)} />
          {t('online')}
        </label>
        {online && <Field name="onlineUrl" type="url" label={t('online_url')} error={errors.onlineUrl} />}
        <Field name="street" label={t('street')} error={errors.street} />
        <Field name="postcode" label={t('postcode')} error={errors.postcode ?? errors.address} required={!online} />
        <Field name="city" label={t('city')} error={errors.city} required={!online} />
        <label className="check">
          <input type="checkbox" name="private" />
          {t('address_private')}
        </label>
        <div className="field">
          <label htmlFor="f-instructions">{t('instructions')}</label>
          <textarea id="f-instructions" name="instructions" maxLength={2000} />
          {errors.instructions && <p className="error" role="alert">{errors.instructions}</p>}
        </div>
        <KeyboardPlace formId="new-event" value={place} onPick={setPlace} />
        <p className="muted">{t('pick_location')}</p>
        <MapPicker config={config} centre={centre} value={place} onPick={setPlace} />
        {errors.location && <p className="error" role="alert">{errors.location}</p>}
        {errors.lat && <p className="error" role="alert">{errors.lat}</p>}
        {errors[''] && <p className="error" role="alert">{errors['']}</p>}
        <button type="submit" disabled={result.fetching}>{t('create')}</button>
      </form>
    </section>
  );
}
